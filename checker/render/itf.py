"""Counterexamples in the Informal Trace Format (ITF, Apalache ADR-015), as used by Apalache
and Quint, so their trace viewers can read ours.

Variables: one per actor (a record for a single actor; for a replicated one, a `#map` from
instance index to record), one per shared variable, and `channels` (a `#map` from the
(sender, receiver) instance pair to the sequence of messages in flight, each message a variant
`{"tag": name, "value": {fields}}`). Integers are `#bigint`, sets `#set`, enum values and actor
instances strings. Each state's `#meta` names the step that produced it. A liveness lasso
has ITF's `loop`: the index of the state the run returns to after the last one (the last
itself when nothing more happens).
"""

from __future__ import annotations

from checker import __version__, ir
from checker.compile import System
from checker.report import Counterexample, Report, SimulationReport
from checker.trace import Trace

FORMAT_URL = "https://apalache-mc.org/docs/adr/015adr-trace.html"


def _int(v: int) -> dict:
    return {"#bigint": str(int(v))}


def value(t: ir.Type, v) -> object:
    if isinstance(t, ir.BoolT):
        return bool(v)
    if isinstance(t, ir.IntT):
        return _int(v)
    if isinstance(t, (ir.EnumT, ir.RefT)):
        return ir.format_value(t, v)
    if isinstance(t, ir.SetT):
        if t.element is None:
            return {"#set": []}
        return {"#set": [ir.format_value(t.element, k) for k in range(ir.domain_size(t.element))
                         if v >> k & 1]}
    raise AssertionError(t)


def state_itf(system: System, s: tuple) -> dict:
    model, lay = system.model, system.layout
    out: dict = {}
    for a in model.actors:
        records = []
        for k in range(a.count):
            rec = {"state": a.state_name(s[lay.ctrl[a.name] + k])}
            for var in a.vars:
                rec[var.name] = value(var.type, s[lay.vars[(a.name, var.name)] + k])
            records.append(rec)
        out[a.name] = ({"#map": [[_int(k), r] for k, r in enumerate(records)]}
                       if a.replicated else records[0])
    for var in model.shared:
        out[var.name] = value(var.type, s[lay.shared[var.name]])
    chans = []
    for sl in lay.slots:
        msgs = []
        for m in s[sl.index]:
            decl = model.messages[m[0]]
            msgs.append({"tag": decl.name,
                         "value": {f.name: value(f.type, x) for f, x in zip(decl.fields, m[1:])}})
        key = {"#tup": [model.actor(sl.sender).instance_name(sl.sender_instance),
                        model.actor(sl.receiver).instance_name(sl.receiver_instance)]}
        chans.append([key, msgs])
    out["channels"] = {"#map": chans}
    if lay.fault_total is not None:  # the faults the run has had, in all and per clause
        out["faults"] = {"used": _int(s[lay.fault_total]), "by_clause": {"#map": [
            [c.text, _int(s[k])] for c, k in zip(system.faults.clauses, lay.fault_slots)]}}
    return out


def trace_itf(system: System, trace: Trace, *, source: str, property_name: str) -> dict:
    model = system.model
    names = [a.name for a in model.actors] + [v.name for v in model.shared] + ["channels"]
    if system.layout.fault_total is not None:
        names.append("faults")
    states = []
    path, lasso = trace.violation.path, trace.violation.lasso
    if lasso is not None and not lasso.stutter:
        path = path[:-1]  # the last state is path[loop] again: ITF's `loop` says so
    for i, s in enumerate(path):
        meta: dict = {"index": i}
        if i == 0:
            meta["action"] = "init"
        else:
            step = trace.steps[i - 1]
            meta["action"] = (f"FAULT: {step.fault.describe()}" if step.fault is not None
                              else f"{step.instance}: {step.kind} {step.name}")
        states.append({"#meta": meta, **state_itf(system, s)})
    doc = {
        "#meta": {
            "format": "ITF",
            "format-description": FORMAT_URL,
            "source": source,
            "description": f"protocheck {__version__}: counterexample to {property_name} "
                           f"in model {model.name}",
            "status": "violation",
        },
        "vars": names,
        "states": states,
    }
    if lasso is not None:  # after the last state, the run goes on at states[loop]
        doc["loop"] = len(path) - 1 if lasso.stutter else lasso.loop
    return doc


def counterexample_itf(report: Report | SimulationReport, cx: Counterexample) -> dict:
    """One counterexample of a report as an ITF document."""
    return trace_itf(report.system, cx.trace, source=report.spec_path,
                     property_name=cx.property.name)
