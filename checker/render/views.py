"""Design-review views of a model, without exploration (structure, actor state machines), and
of a small explored state space (statespace). Pure functions from IR/graphs to DOT text.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from checker import ir
from checker.effects import effects
from checker.faultcode import restart_item
from checker.render.dot import attrs, wrap

if TYPE_CHECKING:
    import networkx as nx

ACTOR_FILL = "#d6eaf8"
SHARED_FILL = "#e8f8f5"
RED = "#c0392b"


def _head(name: str, title: str, rankdir: str) -> list[str]:
    return [f"digraph {name} {{",
            "  graph " + attrs(label=title, labelloc="t", fontname="Helvetica", fontsize=14,
                               rankdir=rankdir, nodesep=0.4, ranksep=0.6) + ";",
            "  node " + attrs(fontname="Helvetica", fontsize=10) + ";",
            "  edge " + attrs(fontname="Helvetica", fontsize=9) + ";"]


def structure_dot(model: ir.Model) -> str:
    """Actors (replicated ones once, with their count), message flows, shared variables."""
    out = _head("structure", f"protocol {model.name}: structure", "LR")
    for a in model.actors:
        label = f"{a.name} ×{a.count}" if a.replicated else a.name
        out.append(f"  a_{a.name} " + attrs(id=f"actor_{a.name}", label=label, shape="box",
                                            style="filled,bold", fillcolor=ACTOR_FILL) + ";")
    for v in model.shared:
        out.append(f"  s_{v.name} " + attrs(id=f"shared_{v.name}", label=f"{v.name}: {v.type}",
                                            shape="cylinder", style="filled",
                                            fillcolor=SHARED_FILL) + ";")
    flows: dict[tuple[str, str], list[str]] = {}
    reads: dict[tuple[str, str], bool] = {}
    writes: dict[tuple[str, str], bool] = {}
    for a in model.actors:
        for item in _items(a):
            eff = effects(item)
            for msg, receiver in sorted(eff.sends):
                names = flows.setdefault((a.name, receiver), [])
                if msg not in names:
                    names.append(msg)
            for v in eff.reads:
                reads[(a.name, v)] = True
            for v in eff.writes:
                writes[(a.name, v)] = True
        for h in a.crash_handlers:  # a supervisor hears of the crash
            names = flows.setdefault((h.crashed, a.name), [])
            if "(crash notice)" not in names:
                names.append("(crash notice)")
    for (s, r), msgs in flows.items():
        out.append(f"  a_{s} -> a_{r} " + attrs(label=wrap("\n".join(msgs), 28),
                                                color="#1f618d", fontcolor="#1f618d") + ";")
    for a in model.actors:
        for v in model.shared:
            w, rd = writes.get((a.name, v.name)), reads.get((a.name, v.name))
            if w or rd:
                kind = "reads, writes" if w and rd else ("writes" if w else "reads")
                out.append(f"  a_{a.name} -> s_{v.name} " + attrs(
                    label=kind, style="dashed", color="#117a65", fontcolor="#117a65",
                    dir="both" if w and rd else ("forward" if w else "back")) + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def _items(a: ir.Actor) -> list:
    """What an actor runs: handlers, steps, crash notices, and its restart (if it has one)."""
    items = [*a.handlers, *a.steps, *a.crash_handlers]
    if a.on_restart is not None:
        items.append(restart_item(a, a.on_restart.span))
    return items


def actors_dot(model: ir.Model) -> str:
    """Each actor's control states and the handlers/steps that move between them."""
    out = _head("actors", f"protocol {model.name}: actor state machines", "LR")
    for a in model.actors:
        name = f"{a.name}[{a.count}]" if a.replicated else a.name
        out.append(f"  subgraph cluster_{a.name} {{")
        out.append("    graph " + attrs(label=name, style="rounded,filled", fillcolor="#fbfcfc",
                                         color="gray50", fontname="Helvetica-Bold") + ";")
        out.append(f"    start_{a.name} " + attrs(shape="point", width=0.12, label="") + ";")
        for k, st in enumerate(a.states):
            out.append(f"    st_{a.name}_{k} " + attrs(
                id=f"state_{a.name}_{st}", label=st, shape="box", style="rounded,filled",
                peripheries=2 if k in a.finals else 1, fillcolor=ACTOR_FILL) + ";")
        out.append(f"    start_{a.name} -> st_{a.name}_{a.initial};")
        edges: dict[tuple[int, int], list[str]] = {}
        if a.on_restart is not None or a.restart_state is not None:  # where a restart resumes
            out.append(f"    down_{a.name} " + attrs(id=f"state_{a.name}_down", label="down",
                                                     shape="octagon", style="dashed",
                                                     color="gray40") + ";")
            resume = a.initial if a.restart_state is None else a.restart_state
            out.append(f"    down_{a.name} -> st_{a.name}_{resume} " + attrs(
                label="restart", style="dashed") + ";")
        for item in (*a.handlers, *a.steps, *a.crash_handlers):
            eff = effects(item)
            sources = item.states or tuple(range(len(a.states)))
            label = item.label
            if item.guard is not None:
                label += " [guarded]"
            for src in sources:
                for tgt in sorted(eff.targets, key=lambda t: -1 if t is None else t):
                    dst = src if tgt is None else tgt
                    names = edges.setdefault((src, dst), [])
                    if label not in names:
                        names.append(label)
        for (src, dst), labels in sorted(edges.items()):
            out.append(f"    st_{a.name}_{src} -> st_{a.name}_{dst} " + attrs(
                label=wrap("\n".join(labels), 30)) + ";")
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def statespace_dot(graph: nx.DiGraph, *, title: str, highlight: list[int]) -> str:
    """The reachable state graph; nodes carry `label`, edges `label`; `highlight` is a path."""
    out = _head("statespace", title, "TB")
    on_path = set(highlight)
    path_edges = set(itertools.pairwise(highlight))
    for n in sorted(graph.nodes):
        data = graph.nodes[n]
        hot = n in on_path
        out.append(f"  n{n} " + attrs(
            id=f"state_{n}", label=wrap(data["label"], 40), shape="box",
            style="filled,rounded", fillcolor="#fadbd8" if hot else
            ("#d6eaf8" if n == 0 else "white"),
            color=RED if hot else "black", penwidth=2 if hot else 1) + ";")
    for u, v in sorted(graph.edges):
        hot = (u, v) in path_edges
        out.append(f"  n{u} -> n{v} " + attrs(
            label=wrap(graph.edges[u, v]["label"], 30), color=RED if hot else "gray40",
            fontcolor=RED if hot else "black", penwidth=2 if hot else 1) + ";")
    out.append("}")
    return "\n".join(out) + "\n"
