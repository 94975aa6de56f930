// The protocheck extension: starts `protocheck lsp` (the language server, docs/editor.md) for
// protocheck models and specs and connects VS Code to it over stdio. Highlighting needs no
// server: the TextMate grammars in syntaxes/ do it.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration("protocheck");
  const roots = config.get("allowRoots", []).flatMap((dir) => ["--allow-root", dir]);
  return {
    command: config.get("server.command", "protocheck"),
    args: config.get("server.args", ["lsp"]).concat(roots),
  };
}

async function start() {
  const languages = ["protocheck-model", "protocheck-spec"];
  client = new LanguageClient("protocheck", "protocheck", serverOptions(), {
    documentSelector: languages.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    // A spec is checked against its model: a model changed on disk checks it again.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{model,spec}") },
  });
  try {
    await client.start();
  } catch (err) {
    const { command } = serverOptions();
    vscode.window.showErrorMessage(
      `protocheck: could not start the language server with '${command}' (${err.message}). ` +
        "Install protocheck, or set protocheck.server.command (and protocheck.server.args).",
    );
  }
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("protocheck.server") ||
          event.affectsConfiguration("protocheck.allowRoots")) {
        await deactivate();
        await start();
      }
    }),
  );
  await start();
}

async function deactivate() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop().catch(() => undefined);
  }
}

module.exports = { activate, deactivate };
