"""The documentation says what the tool does now.

* Every fenced block of the teaching pages (docs/bugs.md, docs/cookbook.md, docs/tutorial/*.md)
  is checked, through a marker in an HTML comment right above it:
  - `<!-- file: PATH -->`: the block is the whole file PATH (a model or spec that the specs
    below check);
  - `<!-- lines: PATH A-B -->`: the block is lines A to B of PATH;
  - `<!-- output: ARGS -->`: the block is what `protocheck ARGS` prints, run from the
    repository root (stdout, then stderr), with exit code 0, or N with `output exit=N:`.
    A line `...` stands for any number of lines left out; times and rates
    (`0.01 s`, `1,165 states/s`) may differ. Blocks with no `...` are golden outputs:
    PROTOCHECK_UPDATE_GOLDEN=1 rewrites them (read the diff before committing); blocks with
    `...` are excerpts and must be edited by hand.
  Only `sh` blocks (commands to type) need no marker. Markers elsewhere in docs/ and the
  README are checked the same way.
* A link to lines of a file (`model#L12-L20`) cites only a range that the page quotes under
  a `lines` marker, so a citation cannot drift from the file.
* Every spec in docs/tutorial/ and docs/cookbook/ is checked and matches its `expect`; every
  model there is used by a spec and every file of docs/cookbook/ is named in the cookbook.
* The tutorial's region plot is what `synthesize --plot` draws now (byte for byte, as the
  seeds' plots in tests/test_region_plot.py).
* No tracked file outside .ci/ points at the folder beside the checkout that a clone does not
  have.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, main_in_root

TEACHING = [ROOT / "docs" / "bugs.md", ROOT / "docs" / "cookbook.md",
            *sorted((ROOT / "docs" / "tutorial").glob("*.md"))]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
EXAMPLE_SPECS = sorted([*(ROOT / "docs" / "tutorial").glob("*.spec"),
                        *(ROOT / "docs" / "cookbook").glob("*.spec")])

MARKER = re.compile(r"<!--\s*(file|lines|output)(?:\s+exit=(\d+))?\s*:?\s*(.*?)\s*-->")
FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)\s*$")
# What differs between runs: elapsed times and rates.
TIME = re.compile(r"\d[\d,]*\.\d+ s\b")
RATE = re.compile(r"\d[\d,]* states/s\b")


@dataclass
class Block:
    page: Path
    line: int          # 1-based line of the opening fence
    lang: str
    body: list[str]
    marker: tuple[str, str, str] | None   # (kind, exit code or "", argument)
    start: int         # index of the first body line in the page's lines
    end: int           # index of the closing fence


def blocks(page: Path) -> list[Block]:
    lines = page.read_text().split("\n")
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        assert j < len(lines), f"{page}:{i + 1}: a code block that is never closed"
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        found = MARKER.fullmatch(lines[k].strip()) if k >= 0 else None
        marker = (found.group(1), found.group(2) or "", found.group(3)) if found else None
        out.append(Block(page, i + 1, m.group(2), lines[i + 1:j], marker, i + 1, j))
        i = j + 1
    return out


def _rel(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _normal(line: str) -> str:
    return RATE.sub("N states/s", TIME.sub("T s", line.rstrip()))


def matches(quoted: list[str], actual: list[str]) -> bool:
    """Whether `quoted` is `actual` with runs of lines left out where it says `...`."""
    quoted = [_normal(q) for q in quoted]
    actual = [_normal(a) for a in actual]
    parts, part = [], []
    for q in quoted:
        if q.strip() == "...":
            parts.append(part)
            part = []
        else:
            part.append(q)
    parts.append(part)
    if len(parts) == 1:
        return quoted == actual
    first, *middle, last = parts
    if actual[:len(first)] != first or (last and actual[-len(last):] != last):
        return False
    at, stop = len(first), len(actual) - len(last)
    for p in middle:
        while at + len(p) <= stop and actual[at:at + len(p)] != p:
            at += 1
        if at + len(p) > stop:
            return False
        at += len(p)
    return True


@functools.lru_cache(maxsize=1)
def _outputs() -> dict[str, tuple[int, list[str]]]:
    """Every documented command, each run as the reader runs it: `python3 -m checker ARGS` in
    a fresh process from the repository root (two at a time). A fresh process, because one
    that ran other specs first may word a region differently (the order of an `or`)."""
    commands = sorted({b.marker[2] for page in PAGES for b in blocks(page)
                       if b.marker and b.marker[0] == "output"})

    def run(args: str) -> tuple[int, list[str]]:
        p = subprocess.run([sys.executable, "-m", "checker", *args.split()], cwd=ROOT,
                           capture_output=True, text=True, timeout=600, check=False)
        return p.returncode, (p.stdout + p.stderr).rstrip("\n").split("\n")

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(commands, pool.map(run, commands)))


def _file_lines(path: str) -> list[str]:
    target = ROOT / path
    assert target.is_file(), f"{path} does not exist"
    return target.read_text().rstrip("\n").split("\n")


# ---------------------------------------------------------------- the pages' blocks

def test_teaching_pages_exist():
    names = {_rel(p) for p in TEACHING}
    assert {"docs/bugs.md", "docs/cookbook.md", "docs/tutorial/README.md",
            "docs/tutorial/untimed.md", "docs/tutorial/timed.md"} <= names


@pytest.mark.parametrize("page", TEACHING, ids=_rel)
def test_every_block_of_a_teaching_page_is_checked(page):
    unchecked = [b.line for b in blocks(page) if b.marker is None and b.lang != "sh"]
    assert not unchecked, f"{_rel(page)}: blocks without a marker at lines {unchecked}"
    if page.name != "README.md":  # the tutorials' index has commands only
        assert any(b.marker for b in blocks(page))


@pytest.mark.slow  # about 30 commands, each in a fresh process
@pytest.mark.parametrize("page", [p for p in PAGES if MARKER.search(p.read_text())], ids=_rel)
def test_marked_blocks_match(page):
    problems, rewrites = [], []
    for b in blocks(page):
        if b.marker is None:
            continue
        kind, exit_code, arg = b.marker
        where = f"{_rel(page)}:{b.line}"
        if kind == "file":
            if b.body != _file_lines(arg):
                problems.append(f"{where}: not the text of {arg}")
        elif kind == "lines":
            path, span = arg.rsplit(" ", 1)
            first, last = (int(n) for n in span.split("-"))
            text = _file_lines(path)
            assert 1 <= first <= last <= len(text), f"{where}: {path} has {len(text)} lines"
            if b.body != text[first - 1:last]:
                problems.append(f"{where}: not lines {first}-{last} of {path}")
        else:
            code, actual = _outputs()[arg]
            if code != int(exit_code or 0):
                problems.append(f"{where}: `protocheck {arg}` exits with {code}")
            if not matches(b.body, actual):
                if os.environ.get("PROTOCHECK_UPDATE_GOLDEN") and \
                        not any(q.strip() == "..." for q in b.body):
                    rewrites.append((b, actual))
                    continue
                diff = "\n".join(difflib.unified_diff(
                    [_normal(q) for q in b.body], [_normal(a) for a in actual],
                    "quoted", "printed", lineterm=""))
                problems.append(f"{where}: `protocheck {arg}` prints otherwise:\n{diff}")
    if rewrites:
        lines = page.read_text().split("\n")
        for b, actual in sorted(rewrites, key=lambda r: -r[0].start):
            lines[b.start:b.end] = actual
        page.write_text("\n".join(lines))
    assert not problems, "\n".join(problems)


def test_the_matcher_is_strict():
    actual = ["a", "b", "c", "explored: 4 states, 0.00 s (56,349 states/s)", "d"]
    assert matches(["a", "b", "c", "explored: 4 states, 1.25 s (9 states/s)", "d"], actual)
    assert matches(["a", "...", "d"], actual)
    assert matches(["...", "c", "...", "d"], actual)
    assert matches(["a", "...", "b", "c", "...", "d"], actual)
    assert not matches(["a", "c", "...", "d"], actual)        # a run must be contiguous
    assert not matches(["b", "...", "d"], actual)             # it starts at the start
    assert not matches(["a", "..."] + ["c", "b"], actual)     # in order, to the end
    assert not matches(["a", "b"], actual)                    # no `...`: all of it
    assert not matches(["a", "...", "explored: 5 states, 0.00 s (1 states/s)", "d"], actual)


_CITATION = re.compile(r"\]\(([^)#\s]+)#L(\d+)-L(\d+)\)")


@pytest.mark.parametrize("page", TEACHING, ids=_rel)
def test_cited_line_ranges_are_quoted(page):
    quoted = set()
    for b in blocks(page):
        if b.marker and b.marker[0] == "lines":
            path, span = b.marker[2].rsplit(" ", 1)
            quoted.add((path, span))
    text = page.read_text()
    cited = _CITATION.findall(text)
    for target, first, last in cited:
        path = os.path.normpath(os.path.join(os.path.dirname(_rel(page)), target))
        assert (path, f"{first}-{last}") in quoted, \
            f"{_rel(page)} cites {path} lines {first}-{last} but quotes no such block"
    if page.name == "bugs.md":
        assert len(cited) >= 8


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces
    to hyphens."""
    out, fenced = set(), False
    for line in page.read_text().split("\n"):
        if FENCE.match(line):
            fenced = not fenced
        m = re.match(r"#{1,6} (.*)", line)
        if m and not fenced:
            out.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_relative_links_resolve(page):
    text = page.read_text()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = (page.parent / file).resolve() if file else page
        assert path.exists(), f"{_rel(page)} links to {target}, which does not exist"
        assert ROOT in path.parents or path == ROOT, f"{_rel(page)} links outside: {target}"
        if anchor and path.suffix == ".md":
            assert anchor in _anchors(path), f"{_rel(page)} links to {target}: no such heading"


# ---------------------------------------------------------------- the example files

@pytest.mark.parametrize("spec", EXAMPLE_SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_example_spec_matches_its_expect(spec, capsys):
    rel = str(spec.relative_to(ROOT))
    code = main_in_root("check", "--no-progress", rel)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "as expected" in out


def test_example_files_are_used_and_named():
    specs = {p: p.read_text() for p in EXAMPLE_SPECS}
    assert len([p for p in specs if p.parent.name == "cookbook"]) >= 10
    for model in [*(ROOT / "docs" / "tutorial").glob("*.model"),
                  *(ROOT / "docs" / "cookbook").glob("*.model")]:
        assert any(f'model "{model.name}"' in text for p, text in specs.items()
                   if p.parent == model.parent), f"no spec checks {model.name}"
    cookbook = (ROOT / "docs" / "cookbook.md").read_text()
    for f in sorted((ROOT / "docs" / "cookbook").iterdir()):
        assert f"docs/cookbook/{f.name}" in cookbook, f"docs/cookbook.md never names {f.name}"


def test_tutorial_region_plot_is_current(tmp_path):
    assert main_in_root("synthesize", "--no-progress", "--plot", str(tmp_path),
                        "docs/tutorial/startup_deadline.spec") == 0
    images = ROOT / "docs" / "tutorial" / "images"
    for ext in ("svg", "png"):
        name = f"startup_deadline-region.{ext}"
        data = (tmp_path / name).read_bytes()
        if os.environ.get("PROTOCHECK_UPDATE_GOLDEN"):
            (images / name).write_bytes(data)
        # The test extra pins matplotlib and Pillow, whose versions decide these bytes.
        assert data == (images / name).read_bytes(), f"docs/tutorial/images/{name} is stale"
    assert "images/startup_deadline-region.png" in \
        (ROOT / "docs" / "tutorial" / "timed.md").read_text()


# ---------------------------------------------------------------- nothing outside the project

# Spelled in pieces so that this file does not match itself.
OUTSIDE = re.compile(r"\.\./" + "shared" + r"|/work/" + "shared")


def test_no_tracked_file_points_outside_the_checkout():
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    files = [f for f in files if f and not f.startswith(".ci/")]
    assert len(files) > 100
    offenders = []
    for f in files:
        path = ROOT / f
        if not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            text = path.read_bytes().decode("latin-1")
        if OUTSIDE.search(text):
            offenders.append(f)
    assert not offenders, f"these files point at a folder a clone does not have: {offenders}"


def test_the_outside_pattern_catches_both_spellings():
    assert OUTSIDE.search("see ../" "shared/SEED-BUGS.md")
    assert OUTSIDE.search("/work/" "shared/seeds/000.txt")
    assert not OUTSIDE.search("shared placeholder_mode: bool")
