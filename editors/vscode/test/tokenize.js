// Tokenizes files with the extension's TextMate grammars as VS Code does (vscode-textmate on the
// Oniguruma regex engine) and prints, per file and line, each token as
// [start, end, scopes] (columns in UTF-16 units). Used by tests/test_editor_grammar.py:
//   node test/tokenize.js FILE...   (a .spec file with the spec grammar, anything else the model's)
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.join(__dirname, "..");
const grammars = {
  "source.protocheck-model": "syntaxes/protocheck-model.tmLanguage.json",
  "source.protocheck-spec": "syntaxes/protocheck-spec.tmLanguage.json",
};

async function main() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scope) => {
      const file = grammars[scope];
      if (!file) return null;
      const full = path.join(root, file);
      return vsctm.parseRawGrammar(fs.readFileSync(full, "utf8"), full);
    },
  });
  const out = {};
  for (const file of process.argv.slice(2)) {
    const scope = file.endsWith(".spec") ? "source.protocheck-spec" : "source.protocheck-model";
    const grammar = await registry.loadGrammar(scope);
    let stack = vsctm.INITIAL;
    out[file] = fs.readFileSync(file, "utf8").split("\n").map((line) => {
      const result = grammar.tokenizeLine(line, stack);
      stack = result.ruleStack;
      return result.tokens.map((t) => [t.startIndex, t.endIndex, t.scopes]);
    });
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
