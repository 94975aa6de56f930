"""The `protocheck` command line: the only layer that prints, reads arguments and sets exit codes.

Exit codes: 0 every verdict matches its `expect`; 1 a mismatch; 2 bad input or usage;
3 inconclusive (a bound or the timeout stopped exploration before a verdict); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from contextlib import contextmanager
from dataclasses import dataclass

from checker import files
from checker.diagnostics import CheckError, Diagnostic
from checker.dsl.parse import file_kind
from checker.explore import explore
from checker.load import load_model, load_spec, read_source
from checker.render import json as render_json
from checker.render import text
from checker.render.itf import trace_itf
from checker.render.junit import junit_document
from checker.render.sarif import sarif_document
from checker.render.sequence import sequence_dot
from checker.render.views import actors_dot, statespace_dot, structure_dot
from checker.source import Span
from checker.statespace import DEFAULT_CAP, TooLarge, build_graph
from checker.symbolic.timed import explore_timed, synthesize
from checker.symbolic.zones import SolverGaveUp
from checker.trace import build_trace

EXIT_OK, EXIT_MISMATCH, EXIT_INPUT, EXIT_INCONCLUSIVE = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # Ctrl-C, after printing partial statistics


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: exit 2 without a traceback
        self.print_usage(sys.stderr)
        print(f"protocheck: error: {message}", file=sys.stderr)
        sys.exit(EXIT_INPUT)


def _arg_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="protocheck",
                description="Model checker for initialization and shutdown protocols.")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="check specs (files or folders of *.spec)")
    c.add_argument("paths", nargs="+", metavar="PATH")
    c.add_argument("--json", action="store_true", help="print a machine-readable result")
    c.add_argument("--max-states", type=int, metavar="N",
                   help="stop after N distinct states (verdict: inconclusive)")
    c.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop after this many seconds per spec (verdict: inconclusive)")
    c.add_argument("--search", choices=["bfs", "dfs"],
                   help="search order (default: the spec's, else bfs; only bfs gives "
                        "shortest traces)")
    c.add_argument("--all-violations", action="store_true",
                   help="keep exploring after the first violation: one shortest trace per "
                        "violated property")
    c.add_argument("--no-progress", action="store_true", help="never print a progress line")
    c.add_argument("--diagrams", metavar="DIR",
                   help="write each counterexample as DIR/<spec>-<property>.svg and .dot")
    c.add_argument("--png", action="store_true", help="with --diagrams: also write PNG")
    c.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    c.add_argument("--sarif", metavar="FILE", help="write a SARIF 2.1.0 report")
    c.add_argument("--itf", metavar="DIR",
                   help="write each counterexample as DIR/<spec>-<property>.itf.json (ITF)")
    sy = sub.add_parser("synthesize",
                        help="the exact param region where every property of a timed spec holds")
    sy.add_argument("paths", nargs="+", metavar="SPEC")
    sy.add_argument("--json", action="store_true", help="print a machine-readable result")
    sy.add_argument("--max-states", type=int, metavar="N",
                    help="stop after N symbolic states (the region is then not exact)")
    sy.add_argument("--timeout", type=float, metavar="SECONDS",
                    help="stop after this many seconds per spec (the region is then not exact)")
    sy.add_argument("--no-progress", action="store_true", help="never print a progress line")
    pa = sub.add_parser("parse", help="validate a model or spec and summarise it")
    pa.add_argument("file")
    d = sub.add_parser("diagram", help="draw a design-review view of a model (or a spec's model)")
    d.add_argument("file", help="a .model file, or a .spec file (its constants are applied)")
    d.add_argument("--view", choices=["structure", "actors", "statespace"], required=True)
    d.add_argument("--output", metavar="DIR", default="diagrams",
                   help="folder for <name>-<view>.dot/.svg (default: diagrams)")
    d.add_argument("--png", action="store_true", help="also write PNG")
    d.add_argument("--max-states", type=int, default=DEFAULT_CAP, metavar="N",
                   help=f"statespace: refuse models with more than N states "
                        f"(default {DEFAULT_CAP})")
    return p


def _spec_files(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        if os.path.isdir(p):
            found = []
            for root, _dirs, files in os.walk(p):
                found += [os.path.join(root, f) for f in files if f.endswith(".spec")]
            if not found:
                raise CheckError([Diagnostic("error", "PC502", f"no .spec files in {p}",
                                             Span(p, 0, 0, 0, 0))])
            out += sorted(found)
        else:
            out.append(p)
    return out


def _progress_printer(name: str):
    if not sys.stderr.isatty():
        return None

    def show(states: int, transitions: int, depth: int, seconds: float) -> None:
        sys.stderr.write(f"\r{name}: {states:,} states, {transitions:,} transitions, depth "
                         f"{depth}, {seconds:.0f} s, {states / max(seconds, 1e-9):,.0f} "
                         "states/s\x1b[K")
        sys.stderr.flush()

    return show


@contextmanager
def _ctrl_c_flag():
    """While exploring, the first Ctrl-C only sets a flag that the explorer polls between
    states. A KeyboardInterrupt raised at an arbitrary bytecode can land inside a Z3 object's
    `__del__`, where Python prints it and swallows it. A second Ctrl-C raises as usual."""
    hit = [False]

    def on_sigint(_signum, _frame) -> None:
        if hit[0]:
            raise KeyboardInterrupt
        hit[0] = True

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread: keep Python's own handling
        yield lambda: False
        return
    try:
        yield lambda: hit[0]
    finally:
        signal.signal(signal.SIGINT, previous)


def _print_diags(diags: list[Diagnostic]) -> None:
    for d in diags:
        print(d.render(), file=sys.stderr)


@dataclass
class _SpecRun:
    """Everything one spec's check produced, for the text, JSON, JUnit and SARIF outputs."""

    code: int
    doc: dict
    lines: list[str]
    texts: list[str]  # per violation: its text trace
    traces: list
    spans: dict  # property name -> Span of its declaration
    expect_span: Span
    properties: list[str]
    interrupted: bool


def _check_one(path: str, args) -> _SpecRun:
    loaded = load_spec(path)
    warnings = [d.render() for d in loaded.warnings]
    if not args.json:
        _print_diags(list(loaded.warnings))
    cfg = loaded.config
    progress = None if args.no_progress else _progress_printer(cfg.name)
    z3_note = ""
    if loaded.model.timed:
        # Timed models are explored to the end, so each violation's param region is exact.
        with _ctrl_c_flag() as stop:
            timed = explore_timed(
                loaded.system, deadlock=cfg.deadlock,
                max_states=args.max_states if args.max_states is not None else cfg.max_states,
                timeout=args.timeout, stop_at_first=False, progress=progress, stop=stop)
        result = timed.result
        z3_note = (f"; Z3: {timed.space.z3_calls:,} calls, {timed.space.z3_seconds:.2f} s")
    else:
        with _ctrl_c_flag() as stop:
            result = explore(
                loaded.system,
                search=args.search or cfg.search,
                deadlock=cfg.deadlock,
                max_states=args.max_states if args.max_states is not None else cfg.max_states,
                max_depth=cfg.max_depth,
                timeout=args.timeout,
                stop_at_first=not args.all_violations,
                progress=progress,
                stop=stop,
            )
    if progress is not None:
        sys.stderr.write("\r\x1b[K")
    traces = [build_trace(loaded.system, v) for v in result.violations]
    if result.verdict == "inconclusive":
        code = EXIT_INCONCLUSIVE
        matches = False
    else:
        matches = result.verdict == cfg.expect
        code = EXIT_OK if matches else EXIT_MISMATCH
    invariants = {inv.name: inv for inv in cfg.invariants}
    diagrams: list[list[str]] = []
    if args.diagrams:
        consts = text.constants_text(loaded.model)
        for v, trace in zip(result.violations, traces):
            title = (f"spec {cfg.name}" + (f" ({consts})" if consts else "")
                     + f": counterexample, {len(trace.steps)} steps")
            if v.witness is not None:
                title += f"\nwitness: {v.witness.params_text()}; violated for {v.region}"
            dot_text = sequence_dot(loaded.system, trace, title=title,
                                    invariant=invariants.get(v.property))
            base = os.path.join(args.diagrams, f"{cfg.name}-{v.property}")
            formats = ("svg", "png") if args.png else ("svg",)
            diagrams.append(files.write_diagram(base, dot_text, formats))
    doc = render_json.result_json(spec_path=path, spec_name=cfg.name, model=loaded.model,
                                  system=loaded.system, config=cfg, result=result,
                                  traces=traces, matches=matches, warnings=warnings)
    itfs = []
    for v, trace in zip(doc["violations"], traces):
        v["itf"] = trace_itf(loaded.system, trace, source=path, property_name=v["property"])
        itfs.append(v["itf"])
    for v, written in zip(doc["violations"], diagrams):
        v["diagrams"] = written
    if args.itf:
        for v, itf in zip(doc["violations"], itfs):
            target = os.path.join(args.itf, f"{cfg.name}-{v['property']}.itf.json")
            files.write_atomic(target, json.dumps(itf, indent=2) + "\n")
    lines = []
    consts = text.constants_text(loaded.model)
    lines.append(f"== {path}: spec {cfg.name} on {loaded.model.path}"
                 + (f" ({consts})" if consts else ""))
    verdict = result.verdict.upper()
    if result.verdict == "inconclusive":
        lines.append(f"verdict: INCONCLUSIVE ({result.limit}); expected {cfg.expect}")
    elif matches:
        lines.append(f"verdict: {verdict}, as expected")
    else:
        lines.append(f"verdict: {verdict}, but the spec expects '{cfg.expect}'  <-- MISMATCH")
    note = ""
    if result.verdict == "violated" and not result.complete:
        note = f" (stopped: {result.limit})" if result.limit else \
            " (stopped at the first violation)"
    lines.append(f"explored: {text.stats_line(result)}{note}{z3_note}")
    texts = []
    for n, (v, trace) in enumerate(zip(result.violations, traces)):
        block = ["violated: " + "\n".join(text.property_header(v, invariants.get(v.property)))]
        block += text.render_trace(loaded.system, trace, invariants.get(v.property))
        if diagrams:
            block.append("  diagram: " + ", ".join(p for p in diagrams[n]
                                                   if not p.endswith(".dot")) or diagrams[n][0])
        texts.append("\n".join(block))
        lines.append("")
        lines += block
    cov = text.coverage_lines(loaded.system, result)
    if cov:
        lines.append("")
        lines += cov
    properties = [inv.name for inv in cfg.invariants] + (["deadlock"] if cfg.deadlock else [])
    return _SpecRun(code, doc, lines, texts, traces,
                    {inv.name: inv.span for inv in cfg.invariants},
                    loaded.spec.expect_span or loaded.spec.span, properties,
                    result.limit == "interrupted")


def _cmd_check(args) -> int:
    if args.diagrams and not files.dot_available():
        print("protocheck: Graphviz 'dot' was not found; writing .dot files only (install the "
              "Debian package graphviz)", file=sys.stderr)
    try:
        spec_files = _spec_files(args.paths)
    except CheckError as err:
        _print_diags(err.diagnostics)
        return EXIT_INPUT
    codes = []
    runs: list[_SpecRun] = []
    errors = []
    interrupted = False
    for path in spec_files:
        try:
            run = _check_one(path, args)
        except CheckError as err:
            if args.json:
                errors += [{"severity": d.severity, "code": d.code, "message": d.message,
                            "location": render_json.location(d.span), "rendered": d.render()}
                           for d in err.diagnostics]
            else:
                _print_diags(err.diagnostics)
            codes.append(EXIT_INPUT)
            continue
        codes.append(run.code)
        runs.append(run)
        if not args.json:
            if len(runs) > 1:
                print()
            print("\n".join(run.lines), flush=True)
        if run.interrupted:
            interrupted = True
            print(f"protocheck: interrupted while checking {path}; partial statistics: "
                  f"{run.doc['stats']['states']:,} states, "
                  f"{run.doc['stats']['transitions']:,} transitions", file=sys.stderr)
            break
    if EXIT_INPUT in codes:
        final = EXIT_INPUT
    elif EXIT_MISMATCH in codes:
        final = EXIT_MISMATCH
    elif EXIT_INCONCLUSIVE in codes:
        final = EXIT_INCONCLUSIVE
    else:
        final = EXIT_OK
    if interrupted:
        final = EXIT_INTERRUPTED
    if args.junit:
        entries = [dict(r.doc, _text=r.texts, _properties=r.properties,
                        _seconds=r.doc["stats"]["seconds"]) for r in runs]
        files.write_atomic(args.junit, junit_document(entries))
    if args.sarif:
        entries = [dict(r.doc, _traces=r.traces, _spans=r.spans, _expect_span=r.expect_span)
                   for r in runs]
        doc = sarif_document(entries, os.getcwd())
        files.write_atomic(args.sarif, json.dumps(doc, indent=2) + "\n")
    if args.json:
        print(json.dumps(render_json.document([r.doc for r in runs], errors, final), indent=2))
    elif len(spec_files) > 1 and not interrupted:
        ok = codes.count(EXIT_OK)
        print(f"\n{len(spec_files)} specs: {ok} as expected, {codes.count(EXIT_MISMATCH)} "
              f"mismatched, {codes.count(EXIT_INCONCLUSIVE)} inconclusive, "
              f"{codes.count(EXIT_INPUT)} with errors")
    return final


def _cmd_parse(args) -> int:
    try:
        src = read_source(args.file)
        if file_kind(src) == "spec":
            loaded = load_spec(args.file)
        else:
            loaded = load_model(args.file)
    except CheckError as err:
        _print_diags(err.diagnostics)
        return EXIT_INPUT
    _print_diags(list(loaded.warnings))
    if loaded.config is not None:
        cfg = loaded.config
        print(f"{args.file}: spec {cfg.name}: ok")
        print(f"  model: {loaded.model.path}")
        print(f"  expect: {cfg.expect}; deadlock detection: {'on' if cfg.deadlock else 'off'}; "
              f"search: {cfg.search}")
        for inv in cfg.invariants:
            print(f"  invariant {inv.name}: {inv.source_text}")
    else:
        print(f"{args.file}: " + "\n".join(text.summarize_model(loaded.model, loaded.system)))
    return EXIT_OK


def _cmd_synthesize(args) -> int:
    try:
        spec_files = _spec_files(args.paths)
    except CheckError as err:
        _print_diags(err.diagnostics)
        return EXIT_INPUT
    code = EXIT_OK
    docs = []
    for path in spec_files:
        try:
            loaded = load_spec(path)
        except CheckError as err:
            _print_diags(err.diagnostics)
            code = EXIT_INPUT
            continue
        if not loaded.model.params:
            print(f"protocheck: {path}: model {loaded.model.name} has no params to synthesize; "
                  "use `protocheck check`", file=sys.stderr)
            code = EXIT_INPUT
            continue
        progress = None if args.no_progress else _progress_printer(loaded.config.name)
        with _ctrl_c_flag() as stop:
            syn = synthesize(loaded.system, deadlock=loaded.config.deadlock,
                             max_states=args.max_states, timeout=args.timeout,
                             progress=progress, stop=stop)
        if progress is not None:
            sys.stderr.write("\r\x1b[K")
        if syn.limit == "interrupted":
            print(f"protocheck: interrupted while synthesizing {path}; partial statistics: "
                  f"{syn.stats.states:,} symbolic states, {syn.stats.transitions:,} "
                  "transitions; no region", file=sys.stderr)
            return EXIT_INTERRUPTED
        ranges = ", ".join(f"{p.name}: {p.kind} in {p.lo}..{p.hi}" for p in loaded.model.params)
        fixed = ", ".join(f"{n} = {v}" for n, v in loaded.model.fixed_params)
        if not syn.complete:
            code = max(code, EXIT_INCONCLUSIVE)
        docs.append({"spec": loaded.config.name, "path": path, "params": ranges,
                     "fixed": fixed or None, "verdict": syn.verdict, "safe": syn.safe,
                     "violated": dict(syn.per_property), "complete": syn.complete,
                     "stats": {"states": syn.stats.states, "transitions": syn.stats.transitions,
                               "seconds": round(syn.stats.seconds, 6),
                               "z3_seconds": round(syn.z3_seconds, 6)}})
        if args.json:
            continue
        print(f"== {path}: spec {loaded.config.name} ({ranges}"
              + (f"; fixed: {fixed}" if fixed else "") + ")")
        if not syn.complete:
            print("INCOMPLETE: a bound stopped the search; the region below is not exact")
        if syn.verdict == "holds iff":
            print(f"every property holds iff {syn.safe}")
        else:
            print(f"every property {syn.verdict} parameter values")
        for name, region in syn.per_property:
            if region == "true":
                print(f"  {name} is violated for every parameter value")
            else:
                print(f"  {name} is violated iff {region}")
        print(f"explored: {syn.stats.states:,} symbolic states, {syn.stats.transitions:,} "
              f"transitions, {syn.stats.seconds:.2f} s (Z3 {syn.z3_seconds:.2f} s)")
    if args.json:
        print(json.dumps({"tool": "protocheck", "schema": 1, "synthesis": docs,
                          "exit_code": code}, indent=2))
    return code


def _cmd_diagram(args) -> int:
    try:
        src = read_source(args.file)
        loaded = load_spec(args.file) if file_kind(src) == "spec" else load_model(args.file)
    except CheckError as err:
        _print_diags(err.diagnostics)
        return EXIT_INPUT
    model = loaded.model
    name = loaded.config.name if loaded.config else model.name
    consts = text.constants_text(model)
    if args.view == "structure":
        dot_text = structure_dot(model)
    elif args.view == "actors":
        dot_text = actors_dot(model)
    else:
        try:
            graph, index = build_graph(loaded.system, args.max_states)
        except TooLarge as err:
            print(f"protocheck: {err}; the statespace view is for small models (set smaller "
                  f"constants in a spec, or raise --max-states)", file=sys.stderr)
            return EXIT_INPUT
        highlight: list[int] = []
        title = f"{name}" + (f" ({consts})" if consts else "") + \
            f": {graph.number_of_nodes()} states, {graph.number_of_edges()} edges"
        if loaded.config is not None:
            cfg = loaded.config
            result = explore(loaded.system, deadlock=cfg.deadlock)
            if result.violations:
                v = result.violations[0]
                highlight = [index[s] for s in v.path]
                title += f"; counterexample to {v.property} in red"
        dot_text = statespace_dot(graph, title=title, highlight=highlight)
    if not files.dot_available():
        print("protocheck: Graphviz 'dot' was not found; writing the .dot file only (install "
              "the Debian package graphviz)", file=sys.stderr)
    base = os.path.join(args.output, f"{name}-{args.view}")
    written = files.write_diagram(base, dot_text, ("svg", "png") if args.png else ("svg",))
    for p in written:
        print(p)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _arg_parser().parse_args(argv)
    try:
        if args.command == "check":
            return _cmd_check(args)
        if args.command == "diagram":
            return _cmd_diagram(args)
        if args.command == "synthesize":
            return _cmd_synthesize(args)
        return _cmd_parse(args)
    except KeyboardInterrupt:
        print("\nprotocheck: interrupted", file=sys.stderr)
        return 130
    except SolverGaveUp as err:
        print(f"protocheck: {err}; no verdict", file=sys.stderr)
        return EXIT_INCONCLUSIVE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
