"""pytest plugin: with `pytest --protocheck`, every `*.spec` file collected by pytest is a test
item that passes iff its verdict matches the spec's `expect`: the same `checker.run.check` as
`protocheck check`, so the same verdict. A failure shows exactly what `protocheck check`
prints for the spec (verdict, statistics, counterexample traces).

Registered through the `pytest11` entry point, so installing protocheck is enough; without the
option the plugin collects nothing.
"""

from __future__ import annotations

import pytest

from checker import run
from checker.deadline import OutOfTime
from checker.diagnostics import CheckError
from checker.render import text
from checker.report import EXIT_OK
from checker.run import CheckOptions
from checker.symbolic.errors import PolyhedraUnavailable, SolverGaveUp


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("protocheck")
    group.addoption("--protocheck", action="store_true",
                    help="collect *.spec files and check them with protocheck")
    group.addoption("--protocheck-max-states", type=int, default=None, metavar="N",
                    help="stop each exploration after N states (then the test fails as "
                         "inconclusive)")
    group.addoption("--protocheck-timeout", type=float, default=None, metavar="SECONDS",
                    help="stop each spec's check after SECONDS, loading and compiling included "
                         "(then the test fails as inconclusive)")
    group.addoption("--protocheck-allow-root", action="append", default=[], metavar="DIR",
                    help="also read models from DIR (by default a spec's model must be inside "
                         "the spec's git repository)")


def pytest_collect_file(file_path, parent):
    if parent.config.getoption("protocheck") and file_path.suffix == ".spec":
        return SpecFile.from_parent(parent, path=file_path)
    return None


class SpecFile(pytest.File):
    def collect(self):
        yield SpecItem.from_parent(self, name=self.path.stem)


class SpecFailure(Exception):
    """The spec's verdict does not match its expectation; carries the report to show."""


class SpecItem(pytest.Item):
    def runtest(self) -> None:
        self.user_properties.append(("spec", str(self.path)))
        try:
            report = run.check(str(self.path), CheckOptions(
                max_states=self.config.getoption("protocheck_max_states"),
                timeout=self.config.getoption("protocheck_timeout"),
                roots=tuple(self.config.getoption("protocheck_allow_root"))))
        except CheckError as err:
            self.user_properties.append(("verdict", "error"))
            raise SpecFailure("\n".join(d.render() for d in err.diagnostics)) from None
        except OutOfTime as err:
            self.user_properties.append(("verdict", "inconclusive"))
            raise SpecFailure(f"{self.path}: {err}") from None
        except PolyhedraUnavailable as err:
            self.user_properties.append(("verdict", "error"))
            raise SpecFailure(f"{self.path}: {err}") from None
        except SolverGaveUp as err:
            self.user_properties.append(("verdict", "inconclusive"))
            raise SpecFailure(f"{self.path}: {err}; no verdict") from None
        # In pytest's --junitxml report, so that CI (and our differential test) can read the
        # verdict and not only pass/fail.
        self.user_properties += [
            ("verdict", report.verdict),
            ("violated", " ".join(c.property.name for c in report.counterexamples)),
            ("trace_steps", " ".join(str(len(c.trace.steps)) for c in report.counterexamples)),
        ]
        if report.exit_code != EXIT_OK:
            raise SpecFailure("\n".join(text.report_lines(report)))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, SpecFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"protocheck spec {self.name}"
