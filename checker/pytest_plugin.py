"""pytest plugin: with `pytest --protocheck`, every `*.spec` file collected by pytest is a test
item that passes iff its verdict matches the spec's `expect`. A failure shows the verdict and
the counterexample trace, exactly as `protocheck check` prints them.

Registered through the `pytest11` entry point, so installing protocheck is enough; without the
option the plugin collects nothing.
"""

from __future__ import annotations

import pytest

from checker.diagnostics import CheckError
from checker.explore import explore
from checker.load import load_spec
from checker.render import text
from checker.trace import build_trace


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("protocheck")
    group.addoption("--protocheck", action="store_true",
                    help="collect *.spec files and check them with protocheck")
    group.addoption("--protocheck-max-states", type=int, default=None, metavar="N",
                    help="stop each exploration after N states (then the test fails as "
                         "inconclusive)")


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
        try:
            loaded = load_spec(str(self.path))
        except CheckError as err:
            raise SpecFailure("\n".join(d.render() for d in err.diagnostics)) from None
        cfg = loaded.config
        result = explore(loaded.system, search=cfg.search, deadlock=cfg.deadlock,
                         max_states=self.config.getoption("protocheck_max_states")
                         or cfg.max_states, max_depth=cfg.max_depth)
        if result.verdict == cfg.expect:
            return
        lines = [f"spec {cfg.name}: verdict {result.verdict}, expected {cfg.expect}"
                 + (f" ({result.limit})" if result.limit else ""),
                 f"explored: {text.stats_line(result)}"]
        invariants = {inv.name: inv for inv in cfg.invariants}
        for v in result.violations:
            trace = build_trace(loaded.system, v)
            lines.append("violated: " + "\n".join(
                text.property_header(v, invariants.get(v.property))))
            lines += text.render_trace(loaded.system, trace, invariants.get(v.property))
        raise SpecFailure("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, SpecFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"protocheck spec {self.name}"
