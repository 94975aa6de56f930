"""protocheck: a model checker for initialization and shutdown protocols.

The package is a one-way pipeline: ``dsl`` (text -> AST) -> ``sema`` (AST -> typed IR)
-> ``compile`` (IR -> transition system) -> ``explore`` (transition system -> result)
-> ``trace`` (result -> steps) -> ``render`` (steps -> text/JSON) -> ``cli``.
"""

__version__ = "0.1.0"
