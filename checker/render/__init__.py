"""Renderers: pure functions from results and traces to text (terminal, JSON)."""
