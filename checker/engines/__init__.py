"""Engines: searches over a compiled transition system (`checker.compile.System`).

Each engine is one module and sees the system only through `successors`, `all_final`, the
compiled invariants and the timing facts; `checker.run` picks the engine for a spec.
"""

# Which engine runs an untimed breadth-first search: the level-synchronous one (the default),
# or the reference engine it is held identical to (`protocheck check --engine reference`).
ENGINES = ("level", "reference")
# How the level engine keeps the states it has found (`protocheck check --store`).
STORES = ("auto", "exact", "fingerprint")
# Symmetry reduction of replicated actors (`protocheck check --symmetry`): "auto" keeps one
# state per orbit when checker.symmetry proves the instances interchangeable; "off" never.
SYMMETRY = ("auto", "off")
