"""Semantic checks: resolve names, assign types, fold constants; AST -> IR."""
