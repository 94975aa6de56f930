"""Running the CLI's commands: `check`, `simulate`, `synthesize`, `parse` and `diagram`, from
parsed arguments to printed results and an exit code.

`checker.cli` parses the arguments and imports this module only then, so that `--version`
and `--help` do not load the checker. Every verdict comes from `checker.run`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from contextlib import contextmanager

from checker import baseline, files, run
from checker.deadline import Deadline, OutOfTime
from checker.diagnostics import CheckError, Diagnostic
from checker.dsl.parse import file_kind
from checker.exitcodes import EXIT_BASELINE, overall
from checker.load import load_model, load_spec, read_source
from checker.render import json as render_json
from checker.render import text
from checker.render.itf import counterexample_itf
from checker.render.sarif import sarif_document
from checker.render.views import actors_dot, statespace_dot, structure_dot
from checker.report import (
    EXIT_INCONCLUSIVE,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_MISMATCH,
    EXIT_OK,
    Report,
    SimulationReport,
    SynthesisReport,
)
from checker.run import CheckOptions, SimulateOptions, SynthesisOptions
from checker.source import Span
from checker.statespace import TooLarge, build_graph


def _spec_files_or_report(paths: list[str]) -> list[str] | None:
    """The spec files to run, or None after printing why there are none."""
    try:
        return _spec_files(paths)
    except CheckError as err:
        _print_diags(err.diagnostics)
        return None


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


def _print_diags(diags) -> None:
    for d in diags:
        print(d.render(), file=sys.stderr)


def _emit(text: str) -> None:
    """Print to stdout. When the reader has gone (`protocheck check ... | head -1`), the rest
    is dropped but the run goes on, so the exit status still tells the verdict."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # later writes and the final flush go nowhere


def _finish_progress(progress) -> None:
    if progress is not None:
        sys.stderr.write("\r\x1b[K")


def _charts(report: Report | SimulationReport, args) -> dict[str, str]:
    """Each counterexample's sequence chart (DOT), once for --diagrams and --html alike
    (`simulate` has no --html)."""
    if not (args.diagrams or getattr(args, "html", None)):
        return {}
    from checker.render.charts import counterexample_dot  # loads only to draw

    return {cx.property.name: counterexample_dot(report, cx) for cx in report.counterexamples}


def _write_outputs(report: Report, args, charts: dict[str, str]) -> dict[str, list[str]]:
    """Diagrams and ITF files of one spec's counterexamples; property -> diagram files."""
    diagrams = {}
    stems = files.counterexample_stems(report.name,
                                       [cx.property.name for cx in report.counterexamples])
    for cx in report.counterexamples:
        stem = stems[cx.property.name]
        base = os.path.join(args.diagrams or "", stem)
        if args.diagrams:
            formats = ("svg", "png") if args.png else ("svg",)
            diagrams[cx.property.name] = files.write_diagram(
                base, charts[cx.property.name], formats)
        if args.itf:
            target = os.path.join(args.itf, f"{stem}.itf.json")
            files.write_atomic(target, json.dumps(counterexample_itf(report, cx), indent=2) + "\n")
    return diagrams


def _html_pages(report: Report, sources: dict, charts: dict[str, str]) -> dict[str, str]:
    """The step-through page of each of a report's counterexamples: file name -> HTML."""
    from checker.render import html  # loads only when asked for

    pages = {}
    names = html.page_names(report)
    for cx in report.counterexamples:
        svg = files.render(charts[cx.property.name], "svg").decode() \
            if files.dot_available() else None
        pages[names[cx.property.name]] = html.counterexample_page(report, cx, svg, sources)
    return pages


def _write_html(directory: str, pages: dict[str, str], index: str) -> None:
    """The pages first, the index last: an index never links to a page not yet written."""
    for name, text_ in sorted(pages.items()):
        files.write_atomic(os.path.join(directory, name), text_)
    files.write_atomic(os.path.join(directory, "index.html"), index)


def _claim_name(loaded, names: dict[str, str]) -> None:
    """A run's outputs are named after its specs (pages, diagrams, ITF files, plots, SARIF
    fingerprints, --baseline's matching): a second spec of the same name is an input error,
    not a silent overwrite."""
    name, path = loaded.config.name, loaded.config.path
    if name in names:
        src = loaded.sources.get(path)
        lines = src.text.split("\n") if src is not None else []
        at = next((i for i, text in enumerate(lines, 1)
                   if re.match(rf"\s*spec\s+{re.escape(name)}\b", text)), 1)
        raise CheckError([Diagnostic(
            "error", "PC507", f"spec {name} is already the name of {names[name]} in this run",
            Span(path, at, 1, at, 1), lines[at - 1] if lines else "",
            "outputs are named after specs: give each spec of a run its own name")])
    names[name] = path


def _check_one(path: str, args, stop, names: dict[str, str]
               ) -> tuple[Report, dict[str, list[str]], dict]:
    deadline = Deadline.start(args.timeout)  # the timeout covers loading and compiling
    loaded = load_spec(path, tuple(args.allow_root), deadline)
    _claim_name(loaded, names)
    if not args.json:
        _print_diags(loaded.warnings)
    progress = None if args.no_progress else _progress_printer(loaded.config.name)
    options = CheckOptions(search=args.search, max_states=args.max_states, timeout=args.timeout,
                           all_violations=args.all_violations, progress=progress, stop=stop,
                           started=deadline.started, zones=args.zones, engine=args.engine,
                           store=args.store, symmetry=args.symmetry, workers=args.workers,
                           cluster=args.cluster, por=args.por)
    try:
        report = run.check(loaded, options)
    finally:
        _finish_progress(progress)
    if not args.json:  # what the run itself warns of (options it could not apply)
        _print_diags(report.warnings[len(loaded.warnings):])
    charts = _charts(report, args)
    pages = _html_pages(report, loaded.sources, charts) if args.html else {}
    return report, _write_outputs(report, args, charts), pages


def _not_explored(err: CheckError | OutOfTime, path: str) -> tuple[list[Diagnostic], int]:
    """What to show for a spec that was not explored, and its exit code: its input errors
    (2), or a timeout that ran out before exploring began (PC601, at the spec; 3, not 2: the
    input is fine)."""
    if isinstance(err, CheckError):
        return err.diagnostics, EXIT_INPUT
    return [Diagnostic("error", "PC601", str(err), Span(path, 1, 1, 1, 1), "",
                       "raise --timeout, or make the model smaller")], EXIT_INCONCLUSIVE


def _read_baseline(path: str) -> dict:
    """The --baseline document (checker.baseline.load); CheckError when it cannot be used."""
    try:
        with open(path, "rb") as f:
            data = f.read(baseline.MAX_BASELINE_BYTES + 1)  # a pipe has no size to ask first
    except FileNotFoundError:
        raise baseline.error(path, f"no such file: {path}", "write the baseline first: "
                             "protocheck check --json SPEC... > OLD.json") from None
    except OSError as err:
        raise baseline.error(path, f"cannot read {path}: {err.strerror or err}") from None
    return baseline.load(path, data)


def _compared(old: dict | None, current: dict, args) -> baseline.Comparison | None:
    """This run against the baseline; None without one, or when the run was interrupted
    (the specs after the interrupted one were not run: they would all read as removed)."""
    if old is None:
        return None
    if current["exit_code"] == EXIT_INTERRUPTED:
        print(f"protocheck: not compared with {args.baseline}: the run was interrupted",
              file=sys.stderr)
        return None
    return baseline.compare(old, current)


FOLDER_OPTIONS = ("diagrams", "itf", "html", "plot")  # each names a folder to write into
FILE_OPTIONS = ("junit", "sarif")  # each names a file to write


def _outputs_ready(args) -> bool:
    """Make the output folders now, and refuse a folder that is a file or a file that is a
    folder: found before the search, not as a crash after it."""
    for option in FOLDER_OPTIONS + FILE_OPTIONS:
        path = getattr(args, option, None)
        if path is None:
            continue
        flag = "--" + option
        try:
            if path == "":
                raise OSError("an empty path")
            if option in FOLDER_OPTIONS:
                os.makedirs(path, exist_ok=True)
            elif os.path.isdir(path):
                raise OSError("it is a folder")
            else:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        except OSError as err:
            why = err.strerror or str(err)
            what = "a folder" if option in FOLDER_OPTIONS else "a file"
            print(f"protocheck: {flag} {path!r}: cannot write there ({why}); expected {what}",
                  file=sys.stderr)
            return False
    return True


def _warn_without_dot(args) -> None:
    """Without Graphviz's `dot`, charts are written as .dot text only: say so, once."""
    html = getattr(args, "html", None)
    if (args.diagrams or html) and not files.dot_available():
        lost = [what for wanted, what in ((args.diagrams, ".dot files only"),
                                          (html, "HTML pages without sequence charts"))
                if wanted]
        print(f"protocheck: Graphviz 'dot' was not found; writing {' and '.join(lost)} "
              f"({files.GRAPHVIZ_HINT})", file=sys.stderr)


def check(args) -> int:
    if not _outputs_ready(args):
        return EXIT_INPUT
    _warn_without_dot(args)
    try:  # the baseline first: a bad one is found before minutes of searching, not after
        old = None if args.baseline is None else _read_baseline(args.baseline)
        spec_files = _spec_files(args.paths)
    except CheckError as err:
        _print_diags(err.diagnostics)
        return EXIT_INPUT
    codes: list[int] = []
    reports: list[Report] = []
    docs, errors = [], []
    pages: dict[str, str] = {}
    unchecked: list[tuple[str, list[Diagnostic]]] = []  # specs not explored, and why
    names: dict[str, str] = {}  # spec name -> its file: each name once per run
    for path in spec_files:
        try:
            with _ctrl_c_flag() as stop:
                report, diagrams, spec_pages = _check_one(path, args, stop, names)
        except (CheckError, OutOfTime) as err:
            diags, code = _not_explored(err, path)
            unchecked.append((path, diags))
            errors += [render_json.diagnostic_json(d, path) for d in diags]  # and --baseline
            if not args.json:
                _print_diags(diags)
            codes.append(code)
            continue
        codes.append(report.exit_code)
        reports.append(report)
        pages.update(spec_pages)
        docs.append(render_json.report_json(report, diagrams if args.diagrams else None))
        if not args.json:
            _emit(("\n" if len(reports) > 1 else "") + "\n".join(text.report_lines(report,
                                                                                  diagrams)))
        if report.interrupted:
            print(f"protocheck: interrupted while checking {path}; partial statistics: "
                  f"{report.stats.states:,} states, {report.stats.transitions:,} transitions",
                  file=sys.stderr)
            break
    final = overall(codes)
    comparison = _compared(old, render_json.document(docs, errors, final), args)
    fail_on = args.fail_on or baseline.DEFAULT_FAIL_ON
    if comparison is not None and comparison.fails(fail_on):
        final = overall([final, EXIT_BASELINE])
    if args.junit:
        from checker.render.junit import junit_document  # loads only when asked for

        files.write_atomic(args.junit, junit_document(reports))
    if args.html:
        from checker.render.html import check_index

        _write_html(args.html, pages, check_index(reports, unchecked))
    if args.sarif:
        doc = sarif_document(reports, os.getcwd())
        files.write_atomic(args.sarif, json.dumps(doc, indent=2) + "\n")
    if args.json:
        compared = None if comparison is None else \
            render_json.baseline_json(comparison, args.baseline, fail_on)
        _emit(json.dumps(render_json.document(docs, errors, final, compared), indent=2))
        return final
    if len(spec_files) > 1 and final != EXIT_INTERRUPTED:
        _emit(f"\n{len(spec_files)} specs: {codes.count(EXIT_OK)} as expected, "
              f"{codes.count(EXIT_MISMATCH)} mismatched, {codes.count(EXIT_INCONCLUSIVE)} "
              f"inconclusive, {codes.count(EXIT_INPUT)} with errors")
    if comparison is not None:
        _emit("\n" + "\n".join(text.baseline_lines(comparison, args.baseline, fail_on)))
    return final


def parse(args) -> int:
    try:
        src = read_source(args.file)
        if file_kind(src) == "spec":
            loaded = load_spec(args.file, tuple(args.allow_root))
        else:
            loaded = load_model(args.file)
    except CheckError as err:
        _print_diags(err.diagnostics)
        return EXIT_INPUT
    _print_diags(list(loaded.warnings))
    if loaded.config is not None:
        cfg = loaded.config
        _emit(f"{args.file}: spec {cfg.name}: ok")
        _emit(f"  model: {loaded.model.path}")
        _emit(f"  expect: {cfg.expect}; deadlock detection: {'on' if cfg.deadlock else 'off'}; "
             f"search: {cfg.search}")
        for inv in cfg.invariants:
            _emit(f"  invariant {inv.name}: {inv.source_text}")
    else:
        _emit(f"{args.file}: " + "\n".join(text.summarize_model(loaded.model, loaded.system)))
    return EXIT_OK


def simulate(args) -> int:
    """Random runs of each spec (checker.run.simulate): the text and JSON have no times, so
    the same seed and input print the same bytes; the times go to stderr."""
    if not _outputs_ready(args):
        return EXIT_INPUT
    _warn_without_dot(args)
    spec_files = _spec_files_or_report(args.paths)
    if spec_files is None:
        return EXIT_INPUT
    codes: list[int] = []
    docs, errors = [], []
    names: dict[str, str] = {}
    for path in spec_files:
        try:
            loaded = load_spec(path, tuple(args.allow_root))
            _claim_name(loaded, names)
            if not args.json:
                _print_diags(loaded.warnings)
            with _ctrl_c_flag() as stop:
                report = run.simulate(loaded, SimulateOptions(
                    seed=args.seed, depth=args.depth, runs=args.runs,
                    time_budget=args.time_budget, run=args.run,
                    roots=tuple(args.allow_root), stop=stop))
        except CheckError as err:
            diags, code = _not_explored(err, path)
            errors += [render_json.diagnostic_json(d, path) for d in diags]
            if not args.json:
                _print_diags(diags)
            codes.append(code)
            continue
        codes.append(report.exit_code)
        diagrams = _write_outputs(report, args, _charts(report, args))
        docs.append(render_json.simulation_json(report, diagrams if args.diagrams else None))
        if not args.json:
            _emit(("\n" if len(docs) > 1 else "") + "\n".join(text.simulation_lines(report,
                                                                                    diagrams)))
        sim = report.simulation
        found = "" if sim.found_after is None else \
            f"; the violating run ended {sim.found_after:.3f} s in"
        print(f"protocheck: {path}: {sim.runs:,} run{'s' if sim.runs != 1 else ''}, "
              f"{sim.steps:,} steps in {sim.seconds:.3f} s{found}", file=sys.stderr)
        if report.interrupted:
            print(f"protocheck: interrupted while simulating {path}", file=sys.stderr)
            break
    final = overall(codes)
    if args.json:
        _emit(json.dumps(render_json.document(docs, errors, final), indent=2))
    elif len(spec_files) > 1 and final != EXIT_INTERRUPTED:
        _emit(f"\n{len(spec_files)} specs: {codes.count(EXIT_OK)} agree with their expect, "
              f"{codes.count(EXIT_MISMATCH)} mismatched, {codes.count(EXIT_INCONCLUSIVE)} "
              f"without the violation they expect, {codes.count(EXIT_INPUT)} with errors")
    return final


def synthesize(args) -> int:
    if not _outputs_ready(args):
        return EXIT_INPUT
    spec_files = _spec_files_or_report(args.paths)
    if spec_files is None:
        return EXIT_INPUT
    codes: list[int] = []
    docs = []
    syntheses: list[SynthesisReport] = []
    region_svgs: dict[str, bytes] = {}  # spec name -> its region plot, for --html
    interrupted: SynthesisReport | None = None  # the spec a Ctrl-C stopped, if one did
    names: dict[str, str] = {}
    for path in spec_files:
        try:
            deadline = Deadline.start(args.timeout)
            loaded = load_spec(path, tuple(args.allow_root), deadline)
            _claim_name(loaded, names)
            _check_plot_choice(loaded, args)  # before the work, so a typo costs nothing
            syn = _synthesize_one(loaded, args, deadline.started)
        except (CheckError, OutOfTime) as err:
            diags, code = _not_explored(err, path)
            _print_diags(diags)
            codes.append(code)
            continue
        except run.NoParams as err:
            print(f"protocheck: {path}: {err}; use `protocheck check`", file=sys.stderr)
            codes.append(EXIT_INPUT)
            continue
        codes.append(syn.exit_code)
        if syn.interrupted:
            print(f"protocheck: interrupted while synthesizing {path}; partial statistics: "
                  f"{syn.stats.states:,} symbolic states, {syn.stats.transitions:,} "
                  "transitions; no region", file=sys.stderr)
            # The specs done so far are written out; this one with no region (half a search
            # would give a wrong one), and those after it not at all.
            docs.append(render_json.synthesis_json(syn) | {"verdict": None, "safe": None,
                                                           "violated": {}})
            interrupted = syn
            break
        doc = render_json.synthesis_json(syn)
        docs.append(doc)
        syntheses.append(syn)
        if not args.json:
            _emit("\n".join(text.synthesis_lines(syn)))
        if args.plot or args.html:
            try:
                images = _region_images(loaded, syn, args)
            except CheckError as err:
                if args.plot:
                    _print_diags(err.diagnostics)
                    codes.append(EXIT_INPUT)
                    continue
                # Only --html wanted it: the region is exact, the report goes on without it.
                print(f"protocheck: {path}: the HTML report has no region plot: "
                      f"{err.diagnostics[0].message}", file=sys.stderr)
                images = {}
            if "svg" in images:
                region_svgs[syn.name] = images["svg"]
            if args.plot:
                plots = _write_plot(syn, images, args.plot)
                doc["plots"] = plots
                if not args.json:
                    for p in plots:
                        _emit(p)
    code = overall(codes)
    if args.html:
        from checker.render.html import synthesis_index

        _write_html(args.html, {}, synthesis_index(syntheses, region_svgs, interrupted))
    if args.json:
        _emit(json.dumps({"tool": "protocheck", "schema": 1, "synthesis": docs,
                          "exit_code": code}, indent=2))
    return code


def _plot_error(loaded, err) -> CheckError:
    """A --plot-params / --plot-fix problem as a diagnostic at the param's declaration (at the
    spec when the model has no such param)."""
    param = next((p for p in loaded.model.params if p.name == err.param), None)
    if param is not None:
        span = param.span
        src = loaded.sources.get(span.path)
        line = src.line_text(span.line) if src is not None else ""
    else:
        span, line = Span(loaded.config.path, 1, 1, 1, 1), ""
    return CheckError([Diagnostic("error", "PC413", str(err), span, line,
                                  "choose the axes with --plot-params X,Y and the value of "
                                  "another free param with --plot-fix NAME=VALUE")])


def _check_plot_choice(loaded, args) -> None:
    if not (args.plot or args.html):
        return
    from checker.render.region_plane import PlotError, choose_plane, free_params

    if not free_params(loaded.model):
        return  # said after the synthesis: there is nothing to plot
    try:
        choose_plane(loaded.model, args.plot_params, dict(args.plot_fix))
    except PlotError as err:
        raise _plot_error(loaded, err) from None


def _region_images(loaded, syn: SynthesisReport, args) -> dict[str, bytes]:
    """The region plot of a synthesis as the formats --plot and --html need (none without
    free params); a bad --plot-params or --plot-fix is a located error."""
    if not syn.free_params:
        if args.plot:
            print(f"protocheck: {syn.spec_path}: spec {syn.name} has no free params (the spec "
                  "fixes them all): nothing to plot", file=sys.stderr)
        return {}
    from checker.render.region_plane import PlotError
    from checker.render.region_plot import region_images  # loads matplotlib only to draw

    formats = ("svg", "png") if args.plot else ("svg",)
    try:
        return region_images(syn, args.plot_params, dict(args.plot_fix), formats)
    except PlotError as err:
        raise _plot_error(loaded, err) from None


def _write_plot(syn: SynthesisReport, images: dict[str, bytes], directory: str) -> list[str]:
    """DIR/<spec>-region.svg and .png; the paths written."""
    base = os.path.join(directory, f"{files.file_stem(syn.name)}-region")
    written = []
    for fmt, data in images.items():
        files.write_atomic(f"{base}.{fmt}", data)
        written.append(f"{base}.{fmt}")
    return written


def _synthesize_one(loaded, args, started: float) -> SynthesisReport:
    progress = None if args.no_progress else _progress_printer(loaded.config.name)
    try:
        with _ctrl_c_flag() as stop:
            return run.synthesize(loaded, SynthesisOptions(
                max_states=args.max_states, timeout=args.timeout, progress=progress, stop=stop,
                started=started, zones=args.zones))
    finally:
        _finish_progress(progress)


def diagram(args) -> int:
    try:
        src = read_source(args.file)
        loaded = load_spec(args.file, tuple(args.allow_root)) if file_kind(src) == "spec" \
            else load_model(args.file)
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
            report = run.check(loaded)
            if report.counterexamples:
                v = report.counterexamples[0].violation
                # A timed path's states are in the untimed graph (it over-approximates).
                highlight = [index[s] for s in v.path if s in index]
                title += f"; counterexample to {v.property} in red"
        dot_text = statespace_dot(graph, title=title, highlight=highlight)
    if not files.dot_available():
        print("protocheck: Graphviz 'dot' was not found; writing the .dot file only "
              f"({files.GRAPHVIZ_HINT})", file=sys.stderr)
    base = os.path.join(args.output, f"{name}-{args.view}")
    written = files.write_diagram(base, dot_text, ("svg", "png") if args.png else ("svg",))
    for p in written:
        _emit(p)
    return EXIT_OK
