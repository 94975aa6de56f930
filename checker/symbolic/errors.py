"""Why the timed engine could not give an answer: kept apart from the engine so that the front
ends can name them without loading Z3 or the polyhedra library."""

from __future__ import annotations


class SolverGaveUp(Exception):
    """Z3 answered `unknown` (never expected for linear arithmetic, but not to be taken as
    an answer either way)."""


class PolyhedraUnavailable(RuntimeError):
    """pplpy (the Parma Polyhedra Library) is not installed or cannot be loaded."""
