"""`--timeout` is the budget of the whole run: parsing, checking and compiling count, and a
budget spent before exploring begins is an inconclusive PC601 (exit 3), not a run that ignores
it. A zero budget is spent at the first check, so these tests do not depend on machine speed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from checker.compile import compile_system
from checker.deadline import Deadline, OutOfTime
from checker.engines import bfs
from checker.engines.common import Limits
from checker.load import MAX_FILE_BYTES, load_spec
from checker.run import CheckOptions, check

ROOT = Path(__file__).resolve().parent.parent
UNTIMED = ROOT / "specs" / "forwarding_task_buggy_n1.spec"
TIMED = ROOT / "specs" / "dora_drop_token_fixed.spec"


def test_check_with_a_spent_budget_stops_while_parsing(cli):
    code, out, err = cli("check", "--timeout", "0", str(UNTIMED))
    assert code == 3, out + err
    assert f"{UNTIMED}:1:1: error[PC601]: the timeout of 0 s ran out while parsing " \
           f"{UNTIMED}; nothing was explored" in err
    assert "= raise --timeout, or make the model smaller" in err


def test_json_reports_the_spent_budget_as_a_pc601_error_and_exit_3(cli):
    code, out, _ = cli("check", "--json", "--timeout", "0", str(UNTIMED))
    doc = json.loads(out)
    assert code == doc["exit_code"] == 3
    assert doc["results"] == []
    assert [e["code"] for e in doc["errors"]] == ["PC601"]


def test_synthesize_with_a_spent_budget(cli):
    code, _, err = cli("synthesize", "--timeout", "0", str(TIMED))
    assert code == 3
    assert "error[PC601]: the timeout of 0 s ran out while parsing" in err


def test_run_api_raises_out_of_time():
    with pytest.raises(OutOfTime) as info:
        check(str(UNTIMED), CheckOptions(timeout=0))
    assert info.value.phase == f"parsing {UNTIMED}"


def test_compiling_checks_the_deadline():
    loaded = load_spec(str(UNTIMED))
    with pytest.raises(OutOfTime) as info:
        compile_system(loaded.model, loaded.config.invariants, Deadline.start(0.0))
    assert info.value.phase == "compiling the model"


def test_the_engine_counts_time_spent_before_it_started():
    # The run began 10 s ago (loading took them): a 5 s budget stops the search at once, and
    # the reason names the user's timeout, not what was left of it.
    loaded = load_spec(str(ROOT / "specs" / "forwarding_task_fixed_n4.spec"))
    result = bfs.search(loaded.system, Limits(timeout=5, since=time.perf_counter() - 10))
    assert not result.complete
    assert result.limit == "timeout of 5 s reached"
    assert result.stats.states < 10


def test_a_generous_budget_changes_nothing(cli):
    assert cli("check", "--timeout", "600", str(UNTIMED))[0] == 0


def test_files_beyond_the_size_limit_are_refused_before_reading(cli, tmp_path):
    model = tmp_path / "m.model"
    model.write_text("protocol p\n" + "# padding\n" * (MAX_FILE_BYTES // 10)
                     + "actor A { state S initial final }\n")
    spec = tmp_path / "s.spec"
    spec.write_text('spec s\nmodel "m.model"\nexpect holds\n')
    code, _, err = cli("check", str(spec))
    assert code == 2
    assert f"{model}:0:0: error[PC505]: {model} has {model.stat().st_size:,} bytes, more " \
           f"than the limit of {MAX_FILE_BYTES:,} for a model or spec file" in err


def test_plugin_timeout_fails_the_item_as_inconclusive(pytester):
    spec = pytester.path / "s.spec"
    spec.write_text(UNTIMED.read_text().replace("../models/", f"{ROOT}/models/"))
    result = pytester.runpytest("--protocheck",
                                "--protocheck-timeout", "0", "--protocheck-allow-root",
                                str(ROOT), str(spec))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the timeout of 0 s ran out while parsing*"])
