"""What hover says about a declaration: its kind and owner, the declaration as written, and,
when the file was checked without errors, what the checker resolved (a variable's type and
initial value with the spec's constants applied, an actor's instance count, a param's range
and the value a spec fixes it to).

The resolved facts come from the IR of the same texts the hover is about (the server passes
the IR only when it was built from them); without one, hover shows what the source says.
"""

from __future__ import annotations

import os

from checker import ir
from checker.dsl import ast
from checker.lsp.symbols import Decl
from checker.source import Source

MAX_SHOWN = 400  # characters of a declaration shown (an invariant may be long)

_KIND = {"actor": "actor", "message": "message", "field": "message field", "state": "state",
         "variable": "variable", "shared": "shared variable", "const": "constant",
         "enum": "enum", "member": "enum member", "param": "timing parameter",
         "timer": "timer", "group": "group", "step": "step", "invariant": "invariant",
         "liveness": "liveness property", "bound": "bound variable"}


def hover_markdown(decl: Decl, sources: dict[str, Source], model: ir.Model | None,
                   config: ir.CheckConfig | None = None) -> str:
    """The hover text of a declaration, in Markdown."""
    owner = f" of {_OWNER.get(decl.kind, '')} `{decl.owner}`" if decl.owner else ""
    lines = [f"**{_KIND.get(decl.kind, decl.kind)}** `{decl.name}`{owner}"]
    written = _written(decl, sources.get(decl.span.path))
    if written:
        lines += ["", "```protocheck", written, "```"]
    facts = _facts(decl, model, config) if model is not None else []
    if facts:
        lines += ["", *(f"- {f}" for f in facts)]
    lines += ["", f"declared at {os.path.basename(decl.span.path)}:{decl.span.line}"]
    return "\n".join(lines)


_OWNER = {"state": "actor", "variable": "actor", "timer": "actor", "step": "actor",
          "field": "message", "member": "enum"}


def _written(decl: Decl, src: Source | None) -> str:
    node = decl.node
    if src is None or node is None:
        return ""
    if decl.kind == "bound":
        return _bound_text(decl, src)
    if decl.kind == "field":
        return src.slice(node.span)
    text = src.slice(node.span)
    if isinstance(node, (ast.ActorDecl, ast.Step)):
        text = text.split("{", 1)[0].rstrip()  # the header, not the whole body
    if len(text) > MAX_SHOWN:
        text = text[:MAX_SHOWN] + " ..."
    return text


def _bound_text(decl: Decl, src: Source) -> str:
    node = decl.node
    if isinstance(node, ast.Quant):
        return f"{node.kind} {decl.name} in {src.slice(node.domain.span)}"
    if isinstance(node, ast.Pick):
        return f"pick {decl.name} in {src.slice(node.domain.span)}"
    if isinstance(node, ast.LivenessDecl):
        dom = next((d for v, d in node.foralls if v == decl.name), None)
        return f"forall {decl.name} in {src.slice(dom.span)}" if dom is not None else ""
    return ""


def _facts(decl: Decl, model: ir.Model, config: ir.CheckConfig | None) -> list[str]:
    """What the checker resolved about a declaration, in words."""
    name = decl.name
    if decl.kind == "actor":
        actor = _find(model.actors, name)
        if actor is None:
            return []
        count = (f"{actor.count} instances: {name}[0] .. {name}[{actor.count - 1}]"
                 if actor.replicated else "one instance")
        states = ", ".join(_state_words(actor, i) for i in range(len(actor.states)))
        return [count, f"states: {states}"]
    if decl.kind in ("variable", "shared"):
        owner = _find(model.actors, decl.owner) if decl.kind == "variable" else None
        var = _find(owner.vars if owner else model.shared, name)
        if var is None:
            return []
        durable = " (durable: kept across a crash)" if var.durable else ""
        return [f"type `{var.type}`, initially `{ir.format_value(var.type, var.init)}`"
                + durable]
    if decl.kind == "field":
        msg = _find(model.messages, decl.owner)
        f = _find(msg.fields, name) if msg else None
        return [f"type `{f.type}`"] if f else []
    if decl.kind == "message":
        msg = _find(model.messages, name)
        if msg is None:
            return []
        fields = ", ".join(f"{f.name}: {f.type}" for f in msg.fields)
        return [f"fields: {fields}" if fields else "no fields"]
    if decl.kind == "const" and name in model.const_display:
        overridden = config is not None and any(n == name for n, _ in config.overrides)
        return [f"value `{model.const_display[name]}`"
                + (" (set by the spec)" if overridden else "")]
    if decl.kind == "param":
        p = _find(model.params, name)
        if p is None:
            return []
        fixed = dict(model.fixed_params)
        out = [f"{p.kind} in {p.lo}..{p.hi}"]
        if name in fixed:
            out.append(f"fixed by the spec to `{fixed[name]}`")
        return out
    if decl.kind == "timer":
        actor = _find(model.actors, decl.owner)
        duration = dict(actor.timers).get(name) if actor else None
        return [f"duration `{duration}`"] if duration is not None else []
    return []


def _state_words(actor: ir.Actor, i: int) -> str:
    flags = [w for w, on in (("initial", i == actor.initial), ("final", i in actor.finals),
                             ("restart", i == actor.restart_state)) if on]
    return actor.states[i] + (f" ({', '.join(flags)})" if flags else "")


def _find(items, name: str):
    return next((x for x in items if x.name == name), None)
