"""Semantic analysis, AST -> typed IR: one module per pass; `check.py` wires them together."""
