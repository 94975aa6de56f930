"""The HTML report (`check --html DIR`, `synthesize --html DIR`): static pages that open from
disk, with no server and no network, so that a CI artifact or a folder attached to a bug report
is the whole report.

`index.html` lists every spec with its verdict and links to one page per counterexample. That
page steps through the trace (buttons, a slider, the arrow keys, Home and End; the step is in
the address, `#step-3`, so a link can point at one): the sequence chart with the current step
outlined, the step's headline and what it did, its source lines with the model text around
them, the full state after it with the values it changed marked, and the messages in flight.
Step 0 is the initial state. A timed trace shows each step's time and the witness; a lasso
marks the steps of its cycle; an injected fault is a step like any other, marked as one.

The pages are pure functions of the typed report: what each step shows is decided here, in
Python (`step_views`), and the page's script only puts those strings on the screen. Model and
spec text is untrusted (it comes from pull requests): it reaches a page only HTML-escaped, or
inside the JSON data block, where `<`, `>` and `&` are written as `\\u003c`, `\\u003e` and
`\\u0026` so that no text can close the block, and the script shows it with `textContent`,
never as markup. The script and the style sheet are constants. The chart is Graphviz's SVG
(Graphviz escapes the text it draws), inlined without its XML prolog so that the script can
outline a step by its node id (`step_N`, see checker.render.sequence).
"""

from __future__ import annotations

import base64
import html
import json
import re

from checker import __version__
from checker.diagnostics import Diagnostic
from checker.files import counterexample_stems
from checker.properties import INCONCLUSIVE
from checker.render.text import (
    constants_text,
    length_text,
    property_header,
    step_details,
    step_headline,
    synthesis_verdict,
    verdict_line,
)
from checker.report import Counterexample, Report, SynthesisReport
from checker.source import Source, Span
from checker.trace import Change, Step, Trace

CONTEXT = 2  # source lines shown around a step's own lines
MAX_LINES = 14  # a longer handler is cut: the page is for orientation, the editor for reading


def page_names(report: Report) -> dict[str, str]:
    """Each counterexample's page file name (as its diagram's: `<spec>-<property>.html`)."""
    stems = counterexample_stems(report.name, [cx.property.name for cx in report.counterexamples])
    return {name: f"{stem}.html" for name, stem in stems.items()}


# --- What each step shows --------------------------------------------------------------------

def _group(c: Change) -> str:
    """The instance a state entry belongs to, or "shared"."""
    return "shared" if c.shared else c.name.split(".")[0]


def _state_rows(state: dict[str, Change], changed: dict[str, str]) -> list[list]:
    """[group, name, value, value before this step or None] for every entry, model order."""
    return [[_group(c), c.name, c.after, changed.get(c.name)] for c in state.values()]


def _advance(state: dict[str, Change], s: Step) -> dict[str, str]:
    """Apply a step to the state (in place); returns name -> value before, for what changed."""
    changed = {}
    if s.state_before != s.state_after and s.instance in state:
        changed[s.instance] = s.state_before
        state[s.instance] = Change(s.instance, s.state_after, s.state_after)
    for c in s.changes:
        old = state.get(c.name)
        changed[c.name] = c.before
        state[c.name] = Change(c.name, c.after, c.after, old.shared if old else c.shared)
    return changed


def _source_view(span: Span | None, sources: dict[str, Source]) -> dict | None:
    """The lines of a span with a little context, or None if the file is not at hand."""
    if span is None or span.line < 1:
        return None
    src = sources.get(span.path)
    if src is None:
        return None
    lines = src.text.split("\n")  # as the parser counts lines (not at a form feed)
    last = min(max(span.end_line, span.line), span.line + MAX_LINES - 1, len(lines))
    first_shown = max(1, span.line - CONTEXT)
    last_shown = min(len(lines), last + CONTEXT)
    return {"path": span.path, "first": first_shown, "mark": [span.line, last],
            "lines": lines[first_shown - 1:last_shown]}


def _messages(step: Step | None, trace: Trace) -> list[str]:
    flying = step.in_flight if step is not None else ()
    return [f"{m.describe()}: {m.sender} → {m.receiver}" for m in flying]


def _cycle_note(trace: Trace, number: int) -> str:
    if trace.loop is None:
        return ""
    if number == len(trace.steps):
        return f"the cycle goes back to step {trace.loop}: steps {trace.loop}..{number} " \
               "repeat forever"
    if number >= trace.loop:
        return f"on the cycle that repeats forever (steps {trace.loop}..{len(trace.steps)})"
    return ""


def _end_note(trace: Trace) -> str:
    """What happens after the last step of a liveness counterexample, if anything does."""
    w = trace.violation.witness
    if w is not None and getattr(w, "late", ""):
        return f"then nothing has to happen until t={w.late}, past the deadline"
    if trace.stutter:
        return "then nothing more happens"
    return ""


def _role(s: Step, trace: Trace) -> str:
    if s.fault is not None:
        return "fault"
    if trace.loop is not None and s.number >= trace.loop:
        return "cycle"
    if s.number == len(trace.steps) and trace.loop is None and not trace.stutter \
            and not _end_note(trace):
        return "violation"
    return "step"


def step_views(report: Report, cx: Counterexample, sources: dict[str, Source]) -> list[dict]:
    """What the page shows at each step: view 0 is the initial state, view k step k."""
    trace = cx.trace
    times = cx.violation.witness.times if cx.violation.witness is not None else ()
    state = {c.name: c for c in trace.initial}
    # No steps: the initial state itself breaks the property.
    views = [{"title": "initial state", "time": "0" if times else None, "where": "",
              "details": [], "role": "initial" if trace.steps else "violation",
              "note": "" if trace.steps else "the initial state already violates the property",
              "state": _state_rows(state, {}), "in_flight": [], "source": None}]
    for s in trace.steps:
        changed = _advance(state, s)
        at = times[s.number - 1] if s.number - 1 < len(times) else None
        notes = [n for n in (_cycle_note(trace, s.number),
                             _end_note(trace) if s.number == len(trace.steps) else "") if n]
        views.append({
            "title": f"{s.number}. {step_headline(s, report.system)}",
            "time": at,
            "where": str(s.span),
            "details": step_details(s),
            "role": _role(s, trace),
            "note": "; ".join(notes),
            "state": _state_rows(state, changed),
            "in_flight": _messages(s, trace),
            "source": _source_view(s.span, sources),
        })
    return views


# --- Pages -----------------------------------------------------------------------------------

STYLE = """
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0550ae;
  --changed: #fff3b0; --bad: #a40e26; --good: #116329; --warn: #7d4e00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color: var(--ink); margin: 0; }
header { padding: 12px 20px; border-bottom: 1px solid var(--line); background: #f6f8fa; }
header h1 { font-size: 18px; margin: 0 0 4px; }
header p { margin: 2px 0; color: var(--muted); }
a { color: var(--accent); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 12.5px; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 3px 10px 3px 0; vertical-align: top; }
.index { margin: 16px 20px; }
.index td, .index th { border-bottom: 1px solid var(--line); padding: 6px 14px 6px 0; }
.verdict-violated { color: var(--bad); font-weight: 600; }
.verdict-holds { color: var(--good); font-weight: 600; }
.verdict-inconclusive { color: var(--warn); font-weight: 600; }
.mismatch { color: var(--bad); font-weight: 700; }
.controls { display: flex; gap: 8px; align-items: center; padding: 8px 20px;
  border-bottom: 1px solid var(--line); position: sticky; top: 0; background: white; z-index: 2; }
.controls button { font-size: 14px; padding: 3px 10px; }
.controls input[type=range] { flex: 1; max-width: 420px; }
main.steps { display: grid; grid-template-columns: minmax(0, 3fr) minmax(360px, 2fr); gap: 16px;
  padding: 12px 20px; }
#chart { overflow: auto; max-height: calc(100vh - 140px); border: 1px solid var(--line); }
#chart svg { display: block; max-width: 100%; height: auto; }
#chart g.current { filter: drop-shadow(0 0 4px #e8a200) drop-shadow(0 0 3px #e8a200); }
#chart g.current polygon, #chart g.current path { stroke-width: 3px; }
#panel h2 { font-size: 16px; margin: 0 0 4px; }
#step-where, #step-time, #step-note { margin: 2px 0; color: var(--muted); }
#step-note { color: #6639ba; }
#step-details { margin: 6px 0; padding-left: 18px; }
.role-violation #step-title { color: var(--bad); }
.role-fault #step-title { color: #32383f; }
.role-cycle #step-title { color: #6639ba; }
pre#step-source { background: #f6f8fa; border: 1px solid var(--line); padding: 6px 0;
  overflow-x: auto; }
pre#step-source span { display: block; padding: 0 8px; white-space: pre; }
pre#step-source span.here { background: #ddf4ff; }
#state td.changed { background: var(--changed); }
#state tr.group td { font-weight: 600; padding-top: 6px; }
#state td.before { color: var(--muted); }
h3 { font-size: 14px; margin: 14px 0 4px; }
ul#in-flight { margin: 0; padding-left: 18px; }
.empty { color: var(--muted); font-style: italic; }
img.plot { display: block; max-width: 100%; margin: 10px 0; }
footer { color: var(--muted); padding: 10px 20px; font-size: 12px; }
"""

# The page's only code: it reads the views from the data block and shows one at a time.
SCRIPT = """
(function () {
  "use strict";
  var views = JSON.parse(document.getElementById("trace-data").textContent);
  var current = 0;
  function el(id) { return document.getElementById(id); }
  function make(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function clear(e) { while (e.firstChild) { e.removeChild(e.firstChild); } }
  function showSource(v) {
    var pre = el("step-source"); clear(pre);
    pre.hidden = !v.source;
    if (!v.source) { return; }
    v.source.lines.forEach(function (text, i) {
      var n = v.source.first + i;
      var here = n >= v.source.mark[0] && n <= v.source.mark[1];
      var pad = String(n); while (pad.length < 4) { pad = " " + pad; }
      pre.appendChild(make("span", pad + "  " + text, here ? "here" : ""));
    });
  }
  function showState(v) {
    var table = el("state"); clear(table);
    var group = null;
    v.state.forEach(function (row) {
      if (row[0] !== group) {
        group = row[0];
        var g = make("tr", null, "group"); g.appendChild(make("td", group)); table.appendChild(g);
      }
      var tr = make("tr");
      tr.dataset.name = row[1];
      tr.appendChild(make("td", row[1], "mono"));
      var changed = row[3] !== null;
      tr.appendChild(make("td", row[2], "mono" + (changed ? " changed" : "")));
      tr.appendChild(make("td", changed ? "was " + row[3] : "", "mono before"));
      if (changed) { tr.className = "changed"; }
      table.appendChild(tr);
    });
  }
  function showList(id, items, none) {
    var ul = el(id); clear(ul);
    if (!items.length) { ul.appendChild(make("li", none, "empty")); }
    items.forEach(function (t) { ul.appendChild(make("li", t)); });
  }
  function outline(k) {
    var svg = el("chart");
    Array.prototype.forEach.call(svg.querySelectorAll("g.current"), function (g) {
      g.classList.remove("current");
    });
    var node = k > 0 ? document.getElementById("step_" + k) : null;
    if (node) {
      node.classList.add("current");
      if (node.scrollIntoView) { node.scrollIntoView({block: "nearest", inline: "nearest"}); }
    }
  }
  function show(k) {
    current = Math.max(0, Math.min(views.length - 1, k));
    var v = views[current];
    document.body.className = "role-" + v.role;
    el("step-title").textContent = v.title;
    el("step-time").textContent = v.time === null ? "" : "t = " + v.time;
    el("step-where").textContent = v.where;
    el("step-note").textContent = v.note;
    showList("step-details", v.details, "");
    el("step-details").hidden = !v.details.length;
    showSource(v);
    showState(v);
    showList("in-flight", v.in_flight, "none");
    el("position").textContent = "step " + current + " of " + (views.length - 1);
    el("slider").value = current;
    el("first").disabled = el("prev").disabled = current === 0;
    el("last").disabled = el("next").disabled = current === views.length - 1;
    outline(current);
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#step-" + current);
    }
  }
  el("first").onclick = function () { show(0); };
  el("prev").onclick = function () { show(current - 1); };
  el("next").onclick = function () { show(current + 1); };
  el("last").onclick = function () { show(views.length - 1); };
  el("slider").max = views.length - 1;
  el("slider").oninput = function () { show(parseInt(el("slider").value, 10)); };
  document.addEventListener("keydown", function (e) {
    // Alt+Left is the browser's Back, Ctrl+Home the page's top: those stay the browser's.
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
    var keys = {ArrowRight: current + 1, ArrowDown: current + 1, j: current + 1,
      ArrowLeft: current - 1, ArrowUp: current - 1, k: current - 1,
      Home: 0, End: views.length - 1};
    if (Object.prototype.hasOwnProperty.call(keys, e.key)) {
      e.preventDefault(); show(keys[e.key]);
    }
  });
  function fromAddress() {
    var m = /^#step-(\\d+)$/.exec(window.location.hash);
    return m ? parseInt(m[1], 10) : 0;
  }
  // A link to another step of a page already open changes only the address.
  window.addEventListener("hashchange", function () { show(fromAddress()); });
  show(fromAddress());
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _data_block(data: object) -> str:
    """JSON that no text inside can break out of (see the module docstring)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'<script type="application/json" id="trace-data">{text}</script>'


def _svg_inline(svg: str) -> str:
    """Graphviz's SVG document as an element: without the XML declaration, doctype and the
    comments Graphviz adds (its version would make the page differ between machines)."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    return svg.strip()


def _page(title: str, head: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<header>{head}</header>\n{body}\n<footer>protocheck {_e(__version__)}</footer>\n"
            "</body>\n</html>\n")


def _verdict_class(verdict: str) -> str:
    return "verdict-" + re.sub(r"[^a-z]+", "-", verdict.lower()).strip("-")


def counterexample_page(report: Report, cx: Counterexample, chart_svg: str | None,
                        sources: dict[str, Source]) -> str:
    """One counterexample to step through."""
    v = cx.violation
    consts = constants_text(report.model)
    head = [f"<h1>{_e(report.name)}: {_e(cx.property.name)} violated</h1>",
            f'<p><a href="index.html">all specs</a> · spec {_e(report.spec_path)} on model '
            f"{_e(report.model.path)}" + (f" ({_e(consts)})" if consts else "") + "</p>",
            "<p>" + "<br>".join(_e(line.strip()) for line in property_header(cx)) + "</p>",
            f"<p>counterexample: {_e(length_text(cx.trace))}</p>"]
    if v.region is not None:
        head.append(f"<p>violated for: <code>{_e(v.region)}</code></p>")
    if v.witness is not None and v.witness.params:
        head.append(f"<p>witness: <code>{_e(v.witness.params_text())}</code> (the times of "
                    "the steps below are this witness's)</p>")
    views = step_views(report, cx, sources)
    chart = _svg_inline(chart_svg) if chart_svg else \
        '<p class="empty">no chart: Graphviz\'s dot is not installed</p>'
    body = f"""<div class="controls">
<button id="first" title="the initial state (Home)">« first</button>
<button id="prev" title="the previous step (←)">‹ back</button>
<button id="next" title="the next step (→)">next ›</button>
<button id="last" title="the last step (End)">last »</button>
<input id="slider" type="range" min="0" max="{len(views) - 1}" value="0" aria-label="step">
<span id="position"></span>
</div>
<main class="steps">
<section id="chart">{chart}</section>
<section id="panel">
<h2 id="step-title"></h2>
<p id="step-time"></p>
<p id="step-where" class="mono"></p>
<p id="step-note"></p>
<ul id="step-details"></ul>
<pre id="step-source"></pre>
<h3>State after this step</h3>
<table id="state"></table>
<h3>Messages in flight</h3>
<ul id="in-flight"></ul>
</section>
</main>
{_data_block(views)}
<script>{SCRIPT}</script>"""
    return _page(f"{report.name}: {cx.property.name}", "\n".join(head), body)


def _explored(r: Report) -> str:
    # Not stats_line: its seconds would make two runs' pages differ.
    st = r.stats
    return f"{st.states:,} states, {st.transitions:,} transitions, depth {st.depth}"


def check_index(reports: list[Report],
                unchecked: list[tuple[str, list[Diagnostic]]] = ()) -> str:
    """Every spec of a run with its verdict, and a link to each counterexample's page; specs
    that could not be explored (`unchecked`: path and diagnostics) with why."""
    rows = []
    for r in reports:
        pages = page_names(r)
        links = "<br>".join(
            f'<a href="{_e(pages[cx.property.name])}">{_e(cx.property.name)}</a>'
            f" ({_e(length_text(cx.trace))})" for cx in r.counterexamples) or "—"
        verdict = verdict_line(r).removeprefix("verdict: ")
        cls = _verdict_class(r.verdict) + ("" if r.matches else " mismatch")
        rows.append(f"<tr><td>{_e(r.name)}<br><span class=\"mono\">{_e(r.spec_path)}</span>"
                    f'</td><td class="{cls}">{_e(verdict)}</td>'
                    f"<td>{links}</td><td>{_e(_explored(r))}</td></tr>")
    for path, diags in unchecked:
        why = "\n".join(d.render() for d in diags)
        rows.append(f'<tr><td><span class="mono">{_e(path)}</span></td><td class="mismatch">'
                    f'not checked</td><td colspan="2"><pre>{_e(why)}</pre></td></tr>')
    matched = sum(1 for r in reports if r.matches)
    unsure = sum(1 for r in reports if r.verdict == INCONCLUSIVE)
    total = len(reports) + len(unchecked)
    head = (f"<h1>protocheck report</h1><p>{total} spec{'' if total == 1 else 's'}: "
            f"{matched} as expected, {len(reports) - matched - unsure} mismatched, {unsure} "
            "inconclusive" + (f", {len(unchecked)} not checked (input errors or a timeout)"
                              if unchecked else "") + "</p>")
    body = ('<table class="index"><tr><th>spec</th><th>verdict</th><th>counterexamples</th>'
            "<th>explored</th></tr>\n" + "\n".join(rows) + "\n</table>")
    return _page("protocheck report", head, body)


def _image(svg: bytes, alt: str) -> str:
    # An <img> of a data URI, not inline SVG: matplotlib's element ids (figure_1, glyphs) would
    # repeat between the plots of one page, and an image runs nothing.
    data = base64.b64encode(svg).decode()
    return f'<img class="plot" alt="{_e(alt)}" src="data:image/svg+xml;base64,{data}">'


def synthesis_index(reports: list[SynthesisReport], plots: dict[str, bytes],
                    interrupted: SynthesisReport | None = None) -> str:
    """Every synthesized spec: the region where it holds, per property where it does not, and
    the region plot (`plots`: spec name -> SVG) where there is one; and the spec a Ctrl-C
    stopped, if one did, with no region."""
    sections = []
    for syn in reports:
        ranges = ", ".join(f"{p.name}: {p.kind} in {p.lo}..{p.hi}" for p in syn.free_params)
        rows = "".join(f"<tr><td>{_e(name)}</td><td><code>{_e(region)}</code></td></tr>"
                       for name, region in syn.violated)
        exact = "" if syn.complete else \
            f'<p class="mismatch">not exact: {_e(syn.limit or "a bound stopped the search")}</p>'
        plot = plots.get(syn.name)
        sections.append(
            f'<section class="index"><h2>{_e(syn.name)}</h2>'
            f'<p class="mono">{_e(syn.spec_path)} ({_e(ranges)})</p>{exact}'
            f"<p>{_e(synthesis_verdict(syn))}</p>"
            + (f"<table><tr><th>property</th><th>violated for</th></tr>{rows}</table>"
               if rows else "")
            + (_image(plot, f"region plot of {syn.name}") if plot else "")
            + "</section>")
    if interrupted is not None:
        sections.append(
            f'<section class="index"><h2>{_e(interrupted.name)}</h2>'
            f'<p class="mono">{_e(interrupted.spec_path)}</p>'
            f'<p class="mismatch">interrupted after {interrupted.stats.states:,} symbolic '
            "states: no region (the specs after it were not synthesized)</p></section>")
    head = (f"<h1>protocheck synthesis report</h1><p>{len(reports)} "
            f"spec{'' if len(reports) == 1 else 's'}"
            + (", then an interrupted one" if interrupted is not None else "") + "</p>")
    return _page("protocheck synthesis report", head, "\n".join(sections))
