"""The language server, `protocheck lsp`: the CLI's diagnostics while typing, hover and go to
definition, over stdio JSON-RPC (pygls).

It sits at the CLI's layer: it uses the loader, the parser and the diagnostics as the CLI does,
and nothing below it imports it. One job per module:

    positions  1-based code-point spans <-> LSP positions (UTF-16 by default, or as negotiated)
    documents  the editor's open documents: URIs, paths, the reader the loader reads through
    analysis   one document's check, the CLI's loader on the editor's text; diagnostics by URI
    walk       the declarations and the names that refer to them, from the syntax trees
    symbols    the index of those, and how a name resolves to its declarations
    lookup     what is under the cursor: hover, go to definition, the outline
    describe   what hover says about a declaration (from the source, and the IR when checked)
    server     the server's state: checks, debouncing, publishing diagnostics where they belong
    protocol   the LSP's requests and notifications, and the stdio loop

`docs/editor.md` says how to run it and what it offers.
"""
