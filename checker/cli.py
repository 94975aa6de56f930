"""The `protocheck` command line: arguments, dispatch, and the last line of defence (a crash is
exit 70 with the traceback in a file, never exit 1).

The commands themselves run in `checker.commands`, imported only once the arguments are
parsed, so that `--version` and `--help` are instant. Every verdict comes from `checker.run`;
exit codes are those of `checker.exitcodes`. Only this layer and `commands` print.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from typing import TYPE_CHECKING

from checker import __version__
from checker.baseline import FAIL_ON
from checker.engines import ENGINES, STORES, SYMMETRY
from checker.engines.pools import ClusterUnavailable
from checker.exitcodes import (
    EXIT_BASELINE,
    EXIT_INCONCLUSIVE,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
)
from checker.files import OutputError
from checker.symbolic import ZONES
from checker.symbolic.errors import PolyhedraUnavailable, SolverGaveUp

if TYPE_CHECKING:
    from fractions import Fraction

DIAGRAM_CAP = 2000  # `diagram --view statespace`: a picture of more states is not readable


PLOT_FIX_DIGITS = 30  # --plot-fix: params range over small whole numbers; 30 digits is plenty


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: exit 2 without a traceback
        self.print_usage(sys.stderr)
        print(f"protocheck: error: {message}", file=sys.stderr)
        sys.exit(EXIT_INPUT)


class _Version(argparse.Action):
    """--version: read from the package metadata only when asked (checker.distribution)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from checker.distribution import version_line

        print(version_line())
        parser.exit()


def _arg_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="protocheck",
                description="Model checker for initialization and shutdown protocols.")
    p.add_argument("--version", action=_Version, nargs=0,
                   help="print the installed package's name and version, and exit")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="check specs (files or folders of *.spec)")
    c.add_argument("paths", nargs="+", metavar="PATH")
    _allow_root(c)
    c.add_argument("--json", action="store_true", help="print a machine-readable result")
    c.add_argument("--max-states", type=int, metavar="N",
                   help="stop after N distinct states (verdict: inconclusive)")
    c.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop after this many seconds per spec (verdict: inconclusive)")
    c.add_argument("--search", choices=["bfs", "dfs"],
                   help="search order of untimed specs (default: the spec's, else bfs; only "
                        "bfs gives shortest traces); timed specs are always explored "
                        "breadth-first, to the end")
    c.add_argument("--engine", choices=ENGINES, default="level",
                   help="the engine of an untimed breadth-first search: level (a BFS level at a "
                        "time, numpy; the default) or reference (one state at a time); both "
                        "give identical results")
    c.add_argument("--store", choices=STORES, default="auto",
                   help="how the level engine keeps the states it found: exact rows (no "
                        "state can be missed), 64-bit fingerprints (~20 bytes a state; the "
                        "output gives the chance a collision missed one), or auto (the "
                        "default: exact while the rows fit a quarter of this machine's memory)")
    c.add_argument("--symmetry", choices=SYMMETRY, default="auto",
                   help="auto (the default): when the instances of replicated actors are "
                        "interchangeable (nothing depends on their index; checked), explore "
                        "one state per orbit; off: every state")
    c.add_argument("--workers", type=_positive, metavar="N",
                   help="untimed breadth-first searches: N worker processes, each owning the "
                        "states whose fingerprint names it (the result is the one-process "
                        "result); with --cluster, N Ray actors (default: one per CPU there)")
    c.add_argument("--cluster", metavar="ADDRESS",
                   help="run the workers as actors of a Ray cluster: 'local' starts one on "
                        "this machine, else a Ray address (auto, HOST:6379, "
                        "ray://HOST:10001); needs Ray (pip install 'ray>=2.9,<3')")
    c.add_argument("--por", action="store_true",
                   help="untimed specs: partial-order reduction (expand, per state, only a set "
                        "of independent transitions that cannot hide a violation): fewer "
                        "states; each counterexample re-shortened afterwards; no coverage")
    c.add_argument("--all-violations", action="store_true",
                   help="keep exploring after the first violation: one shortest trace per "
                        "violated property")
    c.add_argument("--no-progress", action="store_true", help="never print a progress line")
    _zones(c)
    c.add_argument("--diagrams", metavar="DIR",
                   help="write each counterexample as DIR/<spec>-<property>.svg and .dot")
    c.add_argument("--png", action="store_true", help="with --diagrams: also write PNG")
    c.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    c.add_argument("--sarif", metavar="FILE", help="write a SARIF 2.1.0 report")
    c.add_argument("--itf", metavar="DIR",
                   help="write each counterexample as DIR/<spec>-<property>.itf.json (ITF)")
    c.add_argument("--html", metavar="DIR",
                   help="write an HTML report to DIR (index.html): every spec's verdict, and "
                        "each counterexample as a page to step through (opens from disk)")
    c.add_argument("--baseline", metavar="OLD.json",
                   help="compare with a previous run's --json output: new, fixed and "
                        "changed violations per spec and property (specs matched by name)")
    c.add_argument("--fail-on", choices=FAIL_ON,
                   help=f"with --baseline, when to exit {EXIT_BASELINE}: on new violations "
                        "(new, the default), on those or changed counterexamples (changed), "
                        "on any difference (any), or never")
    sy = sub.add_parser("synthesize",
                        help="the exact param region where every property of a timed spec holds")
    sy.add_argument("paths", nargs="+", metavar="SPEC")
    _allow_root(sy)
    sy.add_argument("--json", action="store_true", help="print a machine-readable result")
    sy.add_argument("--max-states", type=int, metavar="N",
                    help="stop after N symbolic states (the region is then not exact)")
    sy.add_argument("--timeout", type=float, metavar="SECONDS",
                    help="stop after this many seconds per spec (the region is then not exact)")
    sy.add_argument("--no-progress", action="store_true", help="never print a progress line")
    sy.add_argument("--html", metavar="DIR",
                    help="write an HTML report to DIR (index.html): each spec's region")
    _zones(sy)
    sy.add_argument("--plot", metavar="DIR",
                    help="draw the param region (safe and violating pieces, their boundaries, "
                         "the witness) as DIR/<spec>-region.svg and .png")
    sy.add_argument("--plot-params", type=_plot_params, metavar="X[,Y]",
                    help="with --plot: the free params on the axes (default: the first two "
                         "in declaration order; one name draws a strip)")
    sy.add_argument("--plot-fix", type=_plot_fix, action="append", default=[],
                    metavar="NAME=VALUE",
                    help="with --plot: draw the plane at this value of a free param that is "
                         "not on an axis (repeatable); the others are projected: safe where "
                         "every value of them is")
    _simulate_parser(sub)
    pa = sub.add_parser("parse", help="validate a model or spec and summarise it")
    pa.add_argument("file")
    _allow_root(pa)
    d = sub.add_parser("diagram", help="draw a design-review view of a model (or a spec's model)")
    d.add_argument("file", help="a .model file, or a .spec file (its constants are applied)")
    _allow_root(d)
    d.add_argument("--view", choices=["structure", "actors", "statespace"], required=True)
    d.add_argument("--output", metavar="DIR", default="diagrams",
                   help="folder for <name>-<view>.dot/.svg (default: diagrams)")
    d.add_argument("--png", action="store_true", help="also write PNG")
    d.add_argument("--max-states", type=int, default=DIAGRAM_CAP, metavar="N",
                   help=f"statespace: refuse models with more than N states "
                        f"(default {DIAGRAM_CAP})")
    ls = sub.add_parser("lsp", help="run the language server for editors (stdio JSON-RPC; "
                                    "docs/editor.md)")
    _allow_root(ls)
    ls.add_argument("--stdio", action="store_true",
                    help="accepted for editors that pass it: stdio is the only transport")
    return p


def _simulate_parser(sub) -> None:
    """`protocheck simulate`: random runs for models too large to check (docs/simulate.md)."""
    si = sub.add_parser("simulate", help="random runs of specs too large to check: finds "
                        "violations (shrunk), proves nothing")
    si.add_argument("paths", nargs="+", metavar="SPEC")
    _allow_root(si)
    si.add_argument("--seed", type=_seed, default=0, metavar="S",
                    help="the runs are a function of the seed (default 0) and their index")
    si.add_argument("--depth", type=_positive, metavar="D",
                    help="steps per run (default: the spec's `bound depth`, else 100)")
    how_many = si.add_mutually_exclusive_group()
    how_many.add_argument("--runs", type=_positive, metavar="R", help="runs (default 1000)")
    how_many.add_argument("--time-budget", type=_seconds, metavar="SECONDS",
                          help="make runs for this long instead; a run it cuts short is not "
                               "counted, and which run fails first does not depend on it")
    how_many.add_argument("--run", type=_index, metavar="K",
                          help="make only run K (as the `reproduce:` line of a violation says)")
    si.add_argument("--json", action="store_true", help="print a machine-readable result")
    si.add_argument("--diagrams", metavar="DIR",
                    help="write the counterexample as DIR/<spec>-<property>.svg and .dot")
    si.add_argument("--png", action="store_true", help="with --diagrams: also write PNG")
    si.add_argument("--itf", metavar="DIR",
                    help="write the counterexample as DIR/<spec>-<property>.itf.json (ITF)")


SEED_DIGITS = 30  # a seed is a name for a stream of draws; 30 digits are plenty


def _seed(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > SEED_DIGITS:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 with at most "
                                         f"{SEED_DIGITS} digits, not {text!r}")
    return int(text)


def _index(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > SEED_DIGITS:
        raise argparse.ArgumentTypeError(f"expected a run index, a whole number from 0, "
                                         f"not {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, not {text!r}")
    return value


def _zones(p: argparse.ArgumentParser) -> None:
    p.add_argument("--zones", choices=ZONES, default="ppl",
                   help="how the timed engine stores zones: ppl (exact polyhedra, the "
                        "default) or z3 (formulas with quantifier elimination: the first "
                        "engine, much slower; kept to cross-check)")


def _allow_root(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-root", action="append", default=[], metavar="DIR",
                   help="also read models from DIR (by default a spec's model must be inside "
                        "the spec's git repository, or its folder outside any repository)")


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return n


def _plot_params(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(","))
    if not 1 <= len(names) <= 2 or not all(names):
        raise argparse.ArgumentTypeError(f"expected one or two param names, X or X,Y, not "
                                         f"{text!r}")
    if len(names) == 2 and names[0] == names[1]:
        raise argparse.ArgumentTypeError(f"param {names[0]} is given twice; expected two "
                                         "different params")
    return names


def _plot_fix(text: str) -> tuple[str, Fraction]:
    from fractions import Fraction  # here: --version and --help load nothing more

    name, eq, value = text.partition("=")
    name = name.strip()
    if not eq or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, not {text!r}")
    expected = "expected NAME=VALUE with a number such as 5, 2.5 or 5/2"
    if len(value.strip()) > PLOT_FIX_DIGITS:  # `1e5000` would be a 5,000-digit number
        raise argparse.ArgumentTypeError(f"the value of {name} has more than "
                                         f"{PLOT_FIX_DIGITS} characters; {expected}")
    try:
        number = Fraction(value.strip())
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"the value of {name} is {value.strip()!r}, not a "
                                         f"number; {expected}") from None
    if max(abs(number.numerator), number.denominator) >= 10 ** PLOT_FIX_DIGITS:
        raise argparse.ArgumentTypeError(f"the value of {name} is {value.strip()!r}, beyond "
                                         f"{PLOT_FIX_DIGITS} digits; {expected}")
    return name, number


def _check_plot_options(parser: argparse.ArgumentParser, args) -> None:
    if args.command != "synthesize":
        return
    if (args.plot_params or args.plot_fix) and not (args.plot or args.html):
        parser.error("--plot-params and --plot-fix choose what --plot DIR (and the region plot "
                     "of --html DIR) draws; add --plot DIR or --html DIR")
    seen: dict[str, Fraction] = {}
    for name, value in args.plot_fix:
        if name in seen:
            parser.error(f"--plot-fix: param {name} is given twice ({seen[name]} and {value}); "
                         "expected one value per param")
        seen[name] = value
        if name in (args.plot_params or ()):
            parser.error(f"param {name} is both on an axis (--plot-params) and fixed "
                         "(--plot-fix); expected one or the other")


def main(argv: list[str] | None = None) -> int:
    parser = _arg_parser()
    if not (sys.argv[1:] if argv is None else argv):
        # No command at all: the help, on stderr, and exit 2 as for any usage error (a script
        # or hook that runs a bare `protocheck` is broken; `protocheck --help` exits 0).
        parser.print_help(sys.stderr)
        print("protocheck: error: no command given", file=sys.stderr)
        return EXIT_INPUT
    args = parser.parse_args(argv)
    _check_plot_options(parser, args)
    if (args.command == "check" and args.engine == "reference"
            and (args.workers not in (None, 1) or args.cluster is not None)):
        parser.error("--workers and --cluster partition the level engine; they do not go "
                     "with --engine reference")
    if args.command == "check" and args.por and (args.workers not in (None, 1)
                                                 or args.cluster is not None):
        parser.error("--por runs in one process; it does not go with --workers or --cluster")
    if args.command == "check" and args.fail_on is not None and args.baseline is None:
        parser.error("--fail-on says when a difference from the baseline fails the run: it "
                     "needs --baseline OLD.json")
    try:
        if args.command == "lsp":  # the language server (checker/lsp/), at this layer
            from checker.lsp.protocol import serve

            return serve(tuple(args.allow_root))
        from checker import commands  # only now: --version and --help load nothing more

        return {"check": commands.check, "diagram": commands.diagram,
                "synthesize": commands.synthesize, "parse": commands.parse,
                "simulate": commands.simulate}[args.command](args)
    except KeyboardInterrupt:
        print("\nprotocheck: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SolverGaveUp as err:
        print(f"protocheck: {err}; no verdict", file=sys.stderr)
        return EXIT_INCONCLUSIVE
    except PolyhedraUnavailable as err:
        print(f"protocheck: {err}", file=sys.stderr)
        return EXIT_INPUT
    except ClusterUnavailable as err:
        print(f"protocheck: {err}", file=sys.stderr)
        return EXIT_INPUT
    except OutputError as err:
        print(f"protocheck: {err}", file=sys.stderr)
        return EXIT_INPUT
    except ModuleNotFoundError as err:  # a package protocheck needs is not installed here
        from checker.distribution import missing_dependency

        message = missing_dependency(err)
        if message is None:
            return _internal_error(argv)
        print(message, file=sys.stderr)
        return EXIT_INPUT
    except Exception:  # noqa: BLE001 - the last line of defence: never exit 1 on a crash
        return _internal_error(argv)


def _internal_error(argv: list[str] | None) -> int:
    """A crash is our bug, not a verdict: say so, keep the traceback in a file, exit 70."""
    report = (f"protocheck {__version__} crashed\ncommand: {sys.argv[0]} "
              f"{' '.join(argv if argv is not None else sys.argv[1:])}\n\n"
              + traceback.format_exc())
    path = os.path.join(tempfile.gettempdir(), f"protocheck-crash-{os.getpid()}.txt")
    try:
        from checker.files import write_atomic

        write_atomic(path, report)
        where = f"the traceback is in {path}"
    except OSError:
        where = "the traceback follows:\n" + report
    print(f"protocheck: internal error: this is a bug in protocheck, not a verdict; {where}",
          file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
