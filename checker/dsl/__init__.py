"""Front end: the Lark grammar, the AST it produces, and the parse entry points."""
