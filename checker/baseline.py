"""Comparing a run with a baseline (`protocheck check --baseline OLD.json`): what changed
since a previous run's `--json` document, per spec and property.

This module owns three things, all pure (no file is opened, nothing is printed):
  * reading a baseline: `load` turns the bytes of an untrusted file into a document, or raises
    `CheckError` with a located PC506 diagnostic (a JSON syntax error at its line and column,
    a document of the wrong shape or schema version at 1:1, naming the field);
  * the comparison: `compare` over two `--json` documents (docs/json.md) gives a `Comparison`
    of frozen differences. Specs are matched by name (`spec NAME`), properties by name within
    their spec, never by file path, so moving a spec file is a `moved` note, not a change;
  * the policy of `--fail-on`: each kind of difference (`Change`) names the levels it fails.

The CLI reads the file, renders the comparison (checker/render/text.py, json.py) and turns a
failing comparison into `EXIT_BASELINE` (checker/exitcodes.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from checker.diagnostics import CheckError, Diagnostic
from checker.properties import BROKEN, PROVED, STATUSES, VERDICTS
from checker.record import record
from checker.source import Span

# The `schema` of `--json` documents: written by checker/render/json.py, read here.
SCHEMA_VERSION = 1
# A `--json` document has a few KB per spec and ~35 KB per violation of a seed spec (its trace
# twice: steps and ITF): this is over a thousand violations, and json.loads of it takes about a
# second. Past it, the file is not a baseline of a project's specs.
MAX_BASELINE_BYTES = 64 * 1024 * 1024
_SHOWN_LINE = 160  # a JSON syntax error's line is printed with a caret up to this length
_HINT = "pass the stdout of `protocheck check --json` (docs/json.md)"

# --fail-on: which differences make the exit status EXIT_BASELINE.
FAIL_ON = ("new", "changed", "any", "never")
DEFAULT_FAIL_ON = "new"


@record
class Change:
    """A kind of difference from the baseline, and the --fail-on levels it fails."""

    name: str  # in JSON and text
    fails: tuple[str, ...]


# Per property. NEW: violated now, not before (holds, not fully checked, or not there).
NEW = Change("new", ("new", "changed", "any"))
# Still violated, but the counterexample differs: length, faults, lasso shape or region.
CHANGED = Change("changed", ("changed", "any"))
FIXED = Change("fixed", ("any",))  # violated before, holds now
# Violated before, not fully checked now (a bound, or the search stopped at another
# property): not a fix, and often only the search order; so only `any` fails on it.
UNDECIDED = Change("undecided", ("any",))
DROPPED = Change("dropped", ("any",))  # violated before; the spec no longer has the property
# Per spec.
VERDICT = Change("verdict", ("any",))
EXPECT = Change("expect", ("any",))  # the spec's `expect` changed (it can hide a new bug)
ADDED = Change("added", ("any",))
REMOVED = Change("removed", ("any",))
UNLOADED = Change("not loaded", ("any",))  # in the baseline; an input error in this run
MOVED = Change("moved", ())  # the same spec at another path: not a change of results
PROPERTY_CHANGES = (NEW, CHANGED, FIXED, UNDECIDED, DROPPED)  # in the order they are shown
SPEC_CHANGES = (VERDICT, EXPECT, ADDED, REMOVED, UNLOADED, MOVED)


@record
class TraceSummary:
    """What the comparison reads of a counterexample."""

    steps: int
    faults: int | None  # None in documents from before faults were counted
    loop: int | None  # a lasso's `loop_start_step`
    stutter: bool  # a lasso that ends where nothing more happens
    region: str | None  # timed: where in the param space it is violated


@record
class PropertyRun:
    name: str
    kind: str
    status: str  # a checker.properties.STATUSES name
    trace: TraceSummary | None  # the counterexample, when violated


@record
class SpecRun:
    name: str
    path: str
    verdict: str
    expect: str
    properties: tuple[PropertyRun, ...]


@record
class Run:
    """What the comparison reads of one `--json` document."""

    specs: tuple[SpecRun, ...]
    failed_paths: frozenset[str]  # spec files whose check an input error stopped


@record
class PropertyDiff:
    spec: str
    property: str
    kind: str
    change: Change
    before: str | None  # status in the baseline; None: not there
    after: str | None  # status now; None: not there
    old: TraceSummary | None
    new: TraceSummary | None


@record
class SpecDiff:
    spec: str
    change: Change
    before: str | None  # VERDICT, EXPECT: the old value; MOVED, REMOVED: the old path
    after: str | None  # the new value, or the new path


@record
class Comparison:
    properties: tuple[PropertyDiff, ...]
    specs: tuple[SpecDiff, ...]

    def of(self, change: Change) -> tuple[PropertyDiff, ...]:
        return tuple(d for d in self.properties if d.change == change)

    def fails(self, fail_on: str) -> bool:
        """Whether --fail-on `fail_on` makes this comparison fail the run."""
        return any(fail_on in d.change.fails for d in (*self.properties, *self.specs))


# ---- reading an untrusted document -------------------------------------------------------


class _Bad(Exception):
    """The document is JSON but not of the shape read here; the text says where and why."""


def load(path: str, data: bytes) -> dict:
    """The baseline document in `data` (the bytes of the file at `path`). Raises CheckError
    (PC506, located) when it is not a `protocheck check --json` document of this schema."""
    if len(data) > MAX_BASELINE_BYTES:
        raise error(path, f"the baseline has more than {MAX_BASELINE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _not_utf8(path, data, err) from None
    if not text.strip():
        raise error(path, "the baseline file is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise _not_json(path, text, err) from None
    except RecursionError:
        raise error(path, "not JSON this reads: arrays or objects nested too deeply") from None
    except ValueError as err:  # an integer of more than 4,300 digits
        raise error(path, f"not JSON this reads: {err}") from None
    try:
        run_of(doc)
    except _Bad as err:
        raise error(path, str(err), _hint(doc)) from None
    return doc


def error(path: str, message: str, hint: str = _HINT, line: int = 1, column: int = 1,
          line_text: str = "") -> CheckError:
    """A baseline that cannot be used, as a located PC506 error."""
    span = Span(path, line, column, line, column + 1)
    return CheckError([Diagnostic("error", "PC506", message, span, line_text, hint)])


def _not_json(path: str, text: str, err: json.JSONDecodeError) -> CheckError:
    lines = text.split("\n")
    line = lines[err.lineno - 1].rstrip("\r") if err.lineno <= len(lines) else ""
    hint = _HINT
    if len(line) > _SHOWN_LINE:  # a one-line document: show the text around the column
        near = line[max(err.colno - 30, 0):err.colno + 30]
        line, hint = "", f"near {near!r}; {_HINT}"
    return error(path, f"not JSON: {err.msg}", hint, err.lineno, err.colno, line)


def _not_utf8(path: str, data: bytes, err: UnicodeDecodeError) -> CheckError:
    before = data[:err.start]
    line = before.count(b"\n") + 1
    column = err.start - (before.rfind(b"\n") + 1) + 1
    return error(path, f"not UTF-8 text: byte 0x{data[err.start]:02x} cannot be decoded",
                 _HINT, line, column)


def _hint(doc: Any) -> str:
    if isinstance(doc, dict) and "synthesis" in doc:
        return "this is the output of `protocheck synthesize --json`; " + _HINT
    if isinstance(doc, dict) and "runs" in doc:
        return "this looks like a SARIF file; " + _HINT
    if isinstance(doc, dict) and doc.get("tool") == "protocheck" \
            and doc.get("schema") != SCHEMA_VERSION:
        return "regenerate the baseline with this version of protocheck"
    return _HINT


def run_of(doc: Any) -> Run:
    """What the comparison reads of a `--json` document; _Bad when it is not one."""
    if not isinstance(doc, dict):
        raise _Bad(f"expected a JSON object (a protocheck --json document), found "
                   f"{_found(doc)}")
    if doc.get("tool") != "protocheck":
        raise _Bad('not a protocheck --json document: expected "tool": "protocheck"')
    if doc.get("schema") != SCHEMA_VERSION:
        raise _Bad(f"schema version {_found(doc.get('schema'))}: this protocheck reads "
                   f"--json documents of schema version {SCHEMA_VERSION}")
    results = _field(doc, "results", "", list, "an array of results")
    errors = _field(doc, "errors", "", list, "an array of diagnostics")
    specs = tuple(_spec(r, f"results[{i}]") for i, r in enumerate(results))
    return Run(specs, frozenset(_error_paths(errors)))


def _spec(r: Any, where: str) -> SpecRun:
    _object(r, where)
    props = _field(r, "properties", where, list, "an array of properties")
    violations = _field(r, "violations", where, list, "an array of violations")
    traces: dict[str, TraceSummary] = {}
    for i, v in enumerate(violations):
        name, trace = _violation(v, f"{where}.violations[{i}]")
        traces.setdefault(name, trace)
    return SpecRun(_field(r, "spec", where, str, "a string"),
                   _field(r, "path", where, str, "a string"),
                   _choice(r, "verdict", where, VERDICTS),
                   _field(r, "expect", where, str, "a string"),
                   tuple(_property(p, f"{where}.properties[{i}]", traces)
                         for i, p in enumerate(props)))


def _property(p: Any, where: str, traces: dict[str, TraceSummary]) -> PropertyRun:
    _object(p, where)
    name = _field(p, "name", where, str, "a string")
    status = _choice(p, "status", where, tuple(s.name for s in STATUSES))
    trace = traces.get(name) if status == BROKEN.name else None
    return PropertyRun(name, _field(p, "kind", where, str, "a string"), status, trace)


def _violation(v: Any, where: str) -> tuple[str, TraceSummary]:
    _object(v, where)
    trace = _field(v, "trace", where, dict, "an object")
    steps = _field(trace, "steps", f"{where}.trace", list, "an array of steps")
    faults = _optional(trace, "faults", f"{where}.trace", int, "a whole number")
    region = _optional(v, "region", where, str, "a string")
    lasso = _optional(v, "lasso", where, dict, "an object")
    loop, stutter = None, False
    if lasso is not None:
        loop = _optional(lasso, "loop_start_step", f"{where}.lasso", int, "a whole number")
        stutter = _field(lasso, "stutter", f"{where}.lasso", bool, "true or false")
    name = _field(v, "property", where, str, "a string")
    return name, TraceSummary(len(steps), faults, loop, stutter, region)


def _error_paths(errors: list) -> list[str]:
    """The spec files whose check an input error stopped, and the files the errors are in."""
    out = []
    for i, e in enumerate(errors):
        where = f"errors[{i}]"
        _object(e, where)
        spec = _optional(e, "spec_path", where, str, "a string")
        loc = _optional(e, "location", where, dict, "an object")
        out += [spec] if spec is not None else []
        if loc is not None:
            out.append(_field(loc, "file", f"{where}.location", str, "a string"))
    return out


def _object(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise _Bad(f"{where}: expected an object, found {_found(value)}")


def _field(obj: dict, key: str, where: str, want: type, expected: str) -> Any:
    if key not in obj:
        raise _Bad(f"{_at(where, key)}: missing (expected {expected})")
    return _typed(obj[key], _at(where, key), want, expected)


def _optional(obj: dict, key: str, where: str, want: type, expected: str) -> Any:
    value = obj.get(key)
    return None if value is None else _typed(value, _at(where, key), want, expected)


def _choice(obj: dict, key: str, where: str, choices: tuple[str, ...]) -> str:
    expected = "one of " + ", ".join(json.dumps(c) for c in choices)
    value = _field(obj, key, where, str, expected)
    if value not in choices:
        raise _Bad(f"{_at(where, key)}: expected {expected}, found {_found(value)}")
    return value


def _typed(value: Any, where: str, want: type, expected: str) -> Any:
    # bool is an int in Python, not in JSON: `"faults": true` is not a count.
    ok = isinstance(value, want) and (want is bool or not isinstance(value, bool))
    if not ok:
        raise _Bad(f"{where}: expected {expected}, found {_found(value)}")
    return value


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _found(value: Any) -> str:
    """A value of the untrusted document, briefly: containers by their type only."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---- the comparison ----------------------------------------------------------------------


def compare(old: dict, new: dict) -> Comparison:
    """What changed from the baseline document `old` to the document `new` of this run."""
    before, now = run_of(old), run_of(new)
    props: list[PropertyDiff] = []
    specs: list[SpecDiff] = []
    for o, n in _pairs(before.specs, now.specs):
        if o is None:
            specs.append(SpecDiff(n.name, ADDED, None, n.path))
            props += _property_diffs(None, n)
        elif n is None:
            gone = UNLOADED if o.path in now.failed_paths else REMOVED
            specs.append(SpecDiff(o.name, gone, o.path, None))
        else:
            specs += _spec_diffs(o, n)
            props += _property_diffs(o, n)
    return Comparison(tuple(props), tuple(specs))


def _pairs(old: tuple[SpecRun, ...], new: tuple[SpecRun, ...]
           ) -> list[tuple[SpecRun | None, SpecRun | None]]:
    """Old and new specs matched by name. Names are unique in a project as a rule; when one
    is not, the specs of that name at the same path pair first, then the rest in order."""
    left: dict[str, list[SpecRun]] = {}
    for o in old:
        left.setdefault(o.name, []).append(o)
    exact = {}
    for n in new:
        same = next((o for o in left.get(n.name, []) if o.path == n.path), None)
        if same is not None:
            left[n.name].remove(same)
            exact[id(n)] = same
    pairs: list[tuple[SpecRun | None, SpecRun | None]] = []
    for n in new:
        o = exact.get(id(n))
        if o is None and left.get(n.name):
            o = left[n.name].pop(0)
        pairs.append((o, n))
    pairs += [(o, None) for group in left.values() for o in group]
    return pairs


def _spec_diffs(o: SpecRun, n: SpecRun) -> list[SpecDiff]:
    out = []
    if o.verdict != n.verdict:
        out.append(SpecDiff(n.name, VERDICT, o.verdict, n.verdict))
    if o.expect != n.expect:
        out.append(SpecDiff(n.name, EXPECT, o.expect, n.expect))
    if o.path != n.path:
        out.append(SpecDiff(n.name, MOVED, o.path, n.path))
    return out


def _property_diffs(o: SpecRun | None, n: SpecRun) -> list[PropertyDiff]:
    old = {} if o is None else _by_name(o.properties)
    new = _by_name(n.properties)
    out = []
    for name, p in new.items():
        change = _change(old.get(name), p)
        if change is not None:
            out.append(_diff(n.name, old.get(name), p, change))
    for name, p in old.items():
        if name not in new and p.status == BROKEN.name:
            out.append(_diff(n.name, p, None, DROPPED))
    return out


def _by_name(props: tuple[PropertyRun, ...]) -> dict[str, PropertyRun]:
    out: dict[str, PropertyRun] = {}
    for p in props:
        out.setdefault(p.name, p)
    return out


def _change(o: PropertyRun | None, n: PropertyRun) -> Change | None:
    was = o is not None and o.status == BROKEN.name
    if n.status == BROKEN.name:
        if not was:
            return NEW
        return None if _same(o.trace, n.trace) else CHANGED
    if not was:
        return None  # holds or undecided, before and now: the verdict says if that changed
    return FIXED if n.status == PROVED.name else UNDECIDED


def _same(a: TraceSummary | None, b: TraceSummary | None) -> bool:
    if a is None or b is None:  # a violation without a counterexample (none was recorded)
        return a is b
    if a.faults is None or b.faults is None:  # a document from before faults were counted
        return replace(a, faults=None) == replace(b, faults=None)
    return a == b


def _diff(spec: str, o: PropertyRun | None, n: PropertyRun | None, change: Change
          ) -> PropertyDiff:
    kind = (n or o).kind
    name = (n or o).name
    return PropertyDiff(spec, name, kind, change, o.status if o else None,
                        n.status if n else None, o.trace if o else None,
                        n.trace if n else None)
