"""The HTML report (`check --html`, `synthesize --html`) in a real headless browser: Debian's
Chromium driven by Selenium through Debian's chromedriver (both installed by .ci/setup). The
tests open the pages from disk, as a user opening a CI artifact does, step through a
counterexample with the keyboard and the buttons, and compare what the page shows at each step
(the DOM, not pixels) with the same run's JSON trace."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    # Not a skip: the report is a product, and CI installs the browser to test it.
    assert shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER), \
        "Debian's chromium and chromium-driver are needed (bash .ci/setup installs them)"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,900",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def protocheck(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checker", *args, "--no-progress"], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)


def report(tmp_path: Path, *specs: str) -> tuple[Path, dict]:
    """The HTML report of `specs` in tmp_path/html, and the same run's JSON document."""
    out = tmp_path / "html"
    done = protocheck("check", *specs, "--html", str(out))
    assert done.returncode == 0, done.stderr
    doc = json.loads(protocheck("check", *specs, "--json").stdout)
    return out, doc


def shown(driver) -> dict:
    """What the step panel shows now."""
    by = "css selector"
    rows = driver.find_elements(by, "#state tr[data-name]")
    return {
        "title": driver.find_element(by, "#step-title").text,
        "time": driver.find_element(by, "#step-time").text,
        "position": driver.find_element(by, "#position").text,
        "changed": [r.get_attribute("data-name") for r in rows
                    if "changed" in (r.get_attribute("class") or "")],
        "values": {r.get_attribute("data-name"): r.find_elements(by, "td")[1].text
                   for r in rows},
        "in_flight": [li.text for li in driver.find_elements(by, "#in-flight li")
                      if "empty" not in (li.get_attribute("class") or "")],
        "source": [s.text for s in driver.find_elements(by, "#step-source span.here")],
        "outlined": [g.get_attribute("id") for g in driver.find_elements(by, "#chart g.current")],
        "role": driver.find_element(by, "body").get_attribute("class"),
    }


def press(driver, key: str) -> None:
    from selenium.webdriver.common.keys import Keys

    driver.find_element("tag name", "body").send_keys(getattr(Keys, key, key))


def expected_changes(step: dict) -> list[str]:
    names = [c["name"] for c in step["changes"]]
    if step["state_before"] != step["state_after"]:
        names.append(step["instance"])
    return sorted(names)


def test_step_through_the_dora_counterexample(browser, tmp_path):
    out, doc = report(tmp_path, "specs/dora_drop_token_buggy.spec")
    violation = doc["results"][0]["violations"][0]
    steps = violation["trace"]["steps"]
    times = violation["witness"]["times"]
    browser.get((out / "index.html").as_uri())
    row = browser.find_element("css selector", "table.index tr:nth-child(2)").text
    assert "dora_drop_token_buggy" in row and "VIOLATED, as expected" in row
    browser.find_element("link text", violation["property"]).click()
    first = shown(browser)
    assert first["title"] == "initial state" and first["position"] == f"step 0 of {len(steps)}"
    assert first["values"] == violation["trace"]["initial"]
    assert first["changed"] == [] and first["outlined"] == []
    assert browser.find_element("id", "prev").get_attribute("disabled") == "true"
    values = dict(first["values"])
    for k, step in enumerate(steps, 1):
        press(browser, "ARROW_RIGHT")
        now = shown(browser)
        assert now["position"] == f"step {k} of {len(steps)}"
        assert now["title"].startswith(f"{k}. {step['instance']}") and step["name"] in now["title"]
        assert now["time"] == f"t = {times[k - 1]}"
        assert sorted(now["changed"]) == expected_changes(step)
        values.update({c["name"]: c["after"] for c in step["changes"]})
        values[step["instance"]] = step["state_after"]
        assert now["values"] == values  # the whole state, not only what changed
        assert now["outlined"] == [f"step_{k}"]  # exactly one box outlined in the chart
        assert browser.current_url.endswith(f"#step-{k}")
        line = step["location"]["line"]
        src = (ROOT / step["location"]["file"]).read_text().splitlines()[line - 1]
        assert now["source"][0].split(None, 1)[1] == src.strip()
    assert shown(browser)["role"] == "role-violation"
    assert browser.find_element("id", "next").get_attribute("disabled") == "true"
    press(browser, "ARROW_RIGHT")  # past the end: stays
    assert shown(browser)["position"] == f"step {len(steps)} of {len(steps)}"
    press(browser, "ARROW_LEFT")
    assert shown(browser)["position"] == f"step {len(steps) - 1} of {len(steps)}"
    press(browser, "HOME")
    assert shown(browser)["title"] == "initial state"
    browser.find_element("id", "last").click()
    assert shown(browser)["outlined"] == [f"step_{len(steps)}"]
    browser.find_element("id", "prev").click()
    assert shown(browser)["outlined"] == [f"step_{len(steps) - 1}"]


def test_a_link_opens_at_its_step(browser, tmp_path):
    out, doc = report(tmp_path, "specs/dora_drop_token_buggy.spec")
    page = next(out.glob("dora_drop_token_buggy-*.html"))
    browser.get(page.as_uri() + "#step-2")
    now = shown(browser)
    assert now["position"] == "step 2 of 3" and now["title"].startswith("2. Daemon")
    assert now["time"] == "t = " + doc["results"][0]["violations"][0]["witness"]["times"][1]


def test_messages_in_flight_follow_the_trace(browser, tmp_path):
    out, doc = report(tmp_path, "specs/forwarding_task_buggy_n2.spec")
    violation = doc["results"][0]["violations"][0]
    page = next(out.glob("forwarding_task_buggy_n2-*.html"))
    browser.get(page.as_uri())
    flying: list[int] = []
    busiest = 0
    for step in violation["trace"]["steps"]:
        press(browser, "ARROW_RIGHT")
        if step["received"]:
            flying.remove(step["received"]["id"])
        flying += [m["id"] for m in step["sent"]]
        now = shown(browser)
        assert [int(t.split("#")[1].split(":")[0].split("(")[0]) for t in now["in_flight"]] \
            == sorted(flying)
        assert now["time"] == ""  # untimed: no times
        busiest = max(busiest, len(flying))
    assert busiest > 0, "messages are in flight somewhere along this trace"


def test_lasso_and_fault_pages(browser, tmp_path):
    out, _doc = report(tmp_path, "tests/liveness/blinker_weak.spec",
                       "specs/forwarding_task_fixed_worker_crash.spec")
    browser.get((out / "blinker_weak-ends_broken.html").as_uri())
    press(browser, "END")
    now = shown(browser)
    assert now["role"] == "role-cycle"
    assert browser.find_element("id", "step-note").text == \
        "the cycle goes back to step 1: steps 1..2 repeat forever"
    browser.get((out / "blinker_weak-keeps_going_off.html").as_uri())
    press(browser, "END")
    assert browser.find_element("id", "step-note").text == "then nothing more happens"
    browser.get(next(out.glob("forwarding_task_fixed_worker_crash-*.html")).as_uri())
    roles = []
    for _ in range(6):
        press(browser, "ARROW_RIGHT")
        roles.append((shown(browser)["role"], shown(browser)["title"]))
    faults = [title for role, title in roles if role == "role-fault"]
    assert len(faults) == 1 and faults[0].startswith("5. FAULT crash Worker")


HOSTILE = "</script><script>window.pwned = 1</script><img src=x onerror='window.pwned = 2'>"


def test_model_text_cannot_inject_markup_or_code(browser, tmp_path):
    # Models come from pull requests: an assert message with markup in it must be shown as
    # text, and run nothing.
    (tmp_path / "hostile.model").write_text(
        "protocol hostile\nactor A {\n  state S initial\n  state T final\n"
        f'  step Go in S {{ assert false, "{HOSTILE}"\n    goto T }}\n}}\n')
    (tmp_path / "hostile.spec").write_text('spec hostile\nmodel "hostile.model"\n'
                                           "expect violated\n")
    done = protocheck("check", "hostile.spec", "--html", "html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = next((tmp_path / "html").glob("hostile-*.html"))
    assert "<img src=x" not in page.read_text() and "window.pwned = 1</script>" not in \
        page.read_text()
    browser.get(page.as_uri())
    press(browser, "END")
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_elements("css selector", "img") == []
    details = browser.find_element("id", "step-details").text
    assert f"FAILS: {HOSTILE}" in details


def test_synthesis_report(browser, tmp_path):
    out = tmp_path / "html"
    done = protocheck("synthesize", "specs/dora_drop_token_fixed.spec", "--html", str(out))
    assert done.returncode == 0, done.stderr
    browser.get((out / "index.html").as_uri())
    text = browser.find_element("tag name", "body").text
    line = next(x for x in done.stdout.splitlines() if "holds iff" in x)
    assert line.split("holds iff ", 1)[1] in text
    # The region plot, as an image the browser could decode (a broken one has no width).
    plot = browser.find_element("css selector", "img.plot")
    assert browser.execute_script("return arguments[0].naturalWidth", plot) > 300


def test_same_input_same_bytes(tmp_path):
    specs = ("specs/dora_drop_token_buggy.spec", "specs/forwarding_task_fixed_worker_crash.spec")
    runs = []
    for name in ("a", "b"):
        done = protocheck("check", *specs, "--html", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
        runs.append({p.name: p.read_bytes() for p in (tmp_path / name).iterdir()})
    assert runs[0] == runs[1]
    assert len(runs[0]) == 3  # the index and one page per counterexample


def test_index_lists_specs_that_could_not_be_checked(browser, tmp_path):
    (tmp_path / "broken.spec").write_text('spec broken\nmodel "missing.model"\nexpect holds\n')
    done = protocheck("check", "broken.spec", "--html", "html", cwd=tmp_path)
    assert done.returncode == 2  # the exit status still says: bad input
    browser.get((tmp_path / "html" / "index.html").as_uri())
    row = browser.find_element("css selector", "table.index tr:nth-child(2)").text
    assert "broken.spec" in row and "not checked" in row
    assert "broken.spec:2:7: error[PC408]: model file not found" in row
    assert "1 spec: 0 as expected, 0 mismatched, 0 inconclusive, 1 not checked" in \
        browser.find_element("tag name", "header").text


def test_links_keys_and_slider(browser, tmp_path):
    out, _doc = report(tmp_path, "specs/dora_drop_token_buggy.spec")
    page = next(out.glob("dora_drop_token_buggy-*.html")).as_uri()
    browser.get(page + "#step-1")
    # A link to another step of the page already open changes only the address.
    browser.execute_script("window.location.hash = '#step-3'")
    assert shown(browser)["position"] == "step 3 of 3"
    browser.get(page + "#step-2")
    assert shown(browser)["position"] == "step 2 of 3"
    # Alt+Left is the browser's Back, not a step back.
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(browser).key_down(Keys.ALT).send_keys(Keys.ARROW_LEFT).key_up(Keys.ALT) \
        .perform()
    assert shown(browser)["position"] == "step 2 of 3"
    # With the slider focused the keys still mean what the page says: down is the next step.
    slider = browser.find_element("id", "slider")
    slider.send_keys(Keys.ARROW_DOWN)
    assert shown(browser)["position"] == "step 3 of 3"
    slider.send_keys("k")
    assert shown(browser)["position"] == "step 2 of 3"


def test_source_lines_are_counted_as_the_parser_counts_them(tmp_path):
    # A form feed in a comment is no line break for the parser (nor for the page).
    (tmp_path / "ff.model").write_text("protocol ff\n# a comment \f with a form feed\nactor A {\n"
                                       "  state S initial\n  state T final\n"
                                       "  step Go in S { goto T }\n}\n")
    (tmp_path / "ff.spec").write_text('spec ff\nmodel "ff.model"\n'
                                      "invariant not_done: not (A at T)\nexpect violated\n")
    done = protocheck("check", "ff.spec", "--json", cwd=tmp_path)
    step = json.loads(done.stdout)["results"][0]["violations"][0]["trace"]["steps"][0]
    assert step["location"]["line"] == 6
    from checker.load import load_spec
    from checker.render.html import step_views
    from checker.run import check

    loaded = load_spec(str(tmp_path / "ff.spec"))
    r = check(loaded)
    view = step_views(r, r.counterexamples[0], loaded.sources)[1]
    marked = view["source"]["lines"][view["source"]["mark"][0] - view["source"]["first"]]
    assert marked.strip() == "step Go in S { goto T }"


def test_a_violation_in_the_initial_state(browser, tmp_path):
    (tmp_path / "z.model").write_text("protocol z\nactor A {\n  var x: 0..3 = 1\n"
                                      "  state S initial\n  state T final\n"
                                      "  step Go in S { goto T }\n}\n")
    (tmp_path / "z.spec").write_text('spec z\nmodel "z.model"\ninvariant zero: A.x == 0\n'
                                     "expect violated\n")
    done = protocheck("check", "z.spec", "--html", "html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    browser.get((tmp_path / "html" / "z-zero.html").as_uri())
    now = shown(browser)
    assert now["position"] == "step 0 of 0" and now["role"] == "role-violation"
    assert browser.find_element("id", "step-note").text == \
        "the initial state already violates the property"
    assert now["values"]["A.x"] == "1"
