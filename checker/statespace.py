"""The reachable state graph of a small model as a networkx DiGraph, for the statespace view.

Nodes are numbered in BFS order (0 is the initial state) and carry a `label`; edges carry the
labels of the transitions between the two states. Exploration stops with `TooLarge` past the
cap (`protocheck diagram --max-states`, default 2,000), because a picture of more states
than that is no longer readable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker import ir
from checker.compile import System

if TYPE_CHECKING:  # networkx loads only when a state-space diagram is drawn
    import networkx as nx


class TooLarge(Exception):
    def __init__(self, cap: int):
        super().__init__(f"the state space has more than {cap:,} states")
        self.cap = cap


def state_label(system: System, s: tuple) -> str:
    model, lay = system.model, system.layout
    parts = []
    for a in model.actors:
        for k in range(a.count):
            text = f"{a.instance_name(k)}: {a.state_name(s[lay.ctrl[a.name] + k])}"
            vals = [f"{v.name}={ir.format_value(v.type, s[lay.vars[(a.name, v.name)] + k])}"
                    for v in a.vars]
            parts.append(text + (f" ({', '.join(vals)})" if vals else ""))
    for v in model.shared:
        parts.append(f"{v.name}={ir.format_value(v.type, s[lay.shared[v.name]])}")
    pending = sum(len(s[sl.index]) for sl in lay.slots)
    if pending:
        parts.append(f"{pending} message{'s' if pending != 1 else ''} in flight")
    return "\n".join(parts)


def build_graph(system: System, cap: int) -> tuple[nx.DiGraph, dict]:
    """Returns the graph and the map from state tuples to node numbers."""
    import networkx as nx

    g = nx.DiGraph()
    index = {system.initial: 0}
    order = [system.initial]
    g.add_node(0, label=state_label(system, system.initial))
    head = 0
    fired = [0] * len(system.transitions)
    while head < len(order):
        s = order[head]
        out: list = []
        info: list = []
        system.successors_traced(s, out, [], fired, info)
        for t, (tid, inst, _slot, _msg) in zip(out, info):
            if t not in index:
                if len(order) >= cap:
                    raise TooLarge(cap)
                index[t] = len(order)
                order.append(t)
                g.add_node(index[t], label=state_label(system, t))
            tr = system.transitions[tid]
            label = f"{system.model.actor(tr.actor).instance_name(inst)}: {tr.label}"
            u, v = head, index[t]
            if g.has_edge(u, v):
                if label not in g.edges[u, v]["label"].split("\n"):
                    g.edges[u, v]["label"] += "\n" + label
            else:
                g.add_edge(u, v, label=label)
        head += 1
    return g, index
