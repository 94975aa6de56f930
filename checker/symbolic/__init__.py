"""Symbolic time: parametric zones over clocks and timing params (exact polyhedra with PPL, or
Z3 formulas), the timed exploration engine, witnesses and parameter synthesis. See
docs/time.md. This package's own module loads nothing heavy: the CLI reads ZONES from it."""

ZONES = ("ppl", "z3")  # how the timed engine keeps zones: exact polyhedra, or Z3 formulas
