"""The language server over its real protocol: `python3 -m checker lsp` as a subprocess, spoken
to in stdio JSON-RPC by tests/lsp_client.py, as an editor speaks to it.

Positions in the expectations are found in the texts by the tests themselves (the line and
column of a word), and the diagnostics are compared with the CLI's own output: the golden
files of tests/errors/ are what `protocheck parse` and `check` print, and every case there
must come out of the server with the same code, position, message and hint.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from lsp_client import ROOT, Client

SEED_MODEL = ROOT / "models" / "forwarding_task.model"
SEED_SPEC = ROOT / "specs" / "forwarding_task_buggy_n2.spec"
TIMED_MODEL = ROOT / "models" / "graceful_shutdown.model"
ERRORS = ROOT / "tests" / "errors"


@pytest.fixture
def client():
    c = Client()
    c.initialize()
    yield c
    c.kill()
    assert b"Traceback" not in c.stderr


def where(text: str, needle: str, nth: int = 0, plus: int = 0) -> tuple[int, int]:
    """The 0-based line and UTF-16 column of the nth occurrence of `needle` (plus `plus`)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += plus
    line = text.count("\n", 0, at)
    before = text[text.rfind("\n", 0, at) + 1:at]
    return line, len(before.encode("utf-16-le")) // 2


def span(text: str, needle: str, nth: int = 0, plus: int = 0, width: int | None = None
         ) -> dict:
    """The LSP range of the nth `needle` (or of `width` units from `plus` units into it)."""
    line, col = where(text, needle, nth, plus)
    if width is None:
        width = len(needle.encode("utf-16-le")) // 2
    return {"start": {"line": line, "character": col},
            "end": {"line": line, "character": col + width}}


def project(tmp_path: Path) -> Path:
    """A folder that is a project as the loader sees one (a git work tree)."""
    (tmp_path / ".git").mkdir(parents=True)
    return tmp_path


# ---------------------------------------------------------------- the session


def test_initialize_says_what_the_server_offers():
    c = Client()
    try:
        result = c.initialize()
        caps = result["capabilities"]
        assert result["serverInfo"]["name"] == "protocheck"
        assert caps["hoverProvider"] and caps["definitionProvider"]
        assert caps["documentSymbolProvider"]
        assert caps["textDocumentSync"]["change"] == 1  # full texts: see docs/editor.md
        assert caps["positionEncoding"] == "utf-16"
        assert c.shutdown() == 0
    finally:
        c.kill()


def test_exit_without_shutdown_is_status_1():
    c = Client()
    try:
        c.initialize()
        c.notify("exit", None)
        assert c.proc.wait(timeout=30) == 1
    finally:
        c.kill()


# ---------------------------------------------------------------- diagnostics as you type


def test_an_error_appears_where_it_is_and_goes_when_fixed(client, tmp_path):
    uri = (tmp_path / "typo.model").as_uri()  # never saved: the editor's text is all there is
    good = SEED_MODEL.read_text()
    bad = good.replace("goto Waiting", "goto Waitin", 1)
    client.open(uri, bad, "protocheck-model")
    diags = client.diagnostics(uri)
    assert len(diags) == 1
    d = diags[0]
    assert d["code"] == "PC209" and d["severity"] == 1 and d["source"] == "protocheck"
    assert d["range"] == span(bad, "goto Waitin")
    assert d["message"] == "actor HttpClient has no state 'Waitin'\ndid you mean 'Waiting'?"
    client.change(uri, good, 2)
    assert client.diagnostics(uri) == []
    client.change(uri, good.replace("ok = msg.ok", "ok = msg.okay"), 3)
    (d,) = client.diagnostics(uri, lambda ds: ds)
    assert d["code"].startswith("PC2") and "okay" in d["message"]
    client.close(uri)
    assert client.diagnostics(uri) == []  # a closed document keeps no diagnostics


def test_typing_fast_ends_with_the_last_text_checked(client, tmp_path):
    uri = (tmp_path / "fast.model").as_uri()
    good = SEED_MODEL.read_text()
    client.open(uri, good, "protocheck-model")
    assert client.diagnostics(uri) == []
    for version in range(2, 12):  # ten keystrokes faster than the debounce
        client.change(uri, good.replace("goto Waiting", "goto W" + "x" * version, 1), version)
    (d,) = client.diagnostics(uri, lambda ds: ds)
    assert "'W" + "x" * 11 + "'" in d["message"]


def _golden(case: Path) -> list[dict]:
    """The diagnostics `protocheck` printed for a case: path, position, caret, hint."""
    lines = case.with_suffix(case.suffix + ".expected").read_text().split("\n")
    head = re.compile(r"^(\S[^:]*):(\d+):(\d+): (error|warning)\[(\w+)\]: (.*)$")
    out = []
    for n, text in enumerate(lines):
        m = head.match(text)
        if not m:
            assert text == "" or text.startswith("    "), text  # nothing else is printed
            continue
        d = {"path": m[1], "line": int(m[2]), "column": int(m[3]), "severity": m[4],
             "code": m[5], "message": m[6], "caret": None, "hint": None}
        rest = lines[n + 1:n + 4]
        if len(rest) > 1 and rest[1].strip().startswith("^"):
            d["source_line"] = rest[0][4:]
            d["caret"] = (len(rest[1]) - len(rest[1].lstrip()) - 4, rest[1].count("^"))
            rest = rest[2:]
        if rest and rest[0].startswith("    = "):
            d["hint"] = rest[0][6:]
        out.append(d)
    return out


CASES = sorted(p for p in ERRORS.iterdir()
               if p.suffix in (".model", ".spec") and not p.name.startswith("_"))


def test_every_golden_case_gives_the_clis_diagnostics(client):
    """The server's diagnostics for each file of tests/errors/ are the CLI's: same file, code,
    severity, start, extent of the caret, message (paths as the CLI printed them: relative to
    the repository) and hint."""
    assert len(CASES) >= 60
    for case in CASES:
        expected = _golden(case)
        assert expected, case
        uri = case.as_uri()
        client.open(uri, case.read_text(), f"protocheck-{case.suffix[1:]}")
        got: dict[str, list] = {uri: client.diagnostics(uri)}
        for path in {d["path"] for d in expected} - {str(case.relative_to(ROOT))}:
            other = (ROOT / path).resolve().as_uri()
            got[other] = client.diagnostics(other, lambda ds: ds)
        for d in expected:
            target = (ROOT / d["path"]).resolve().as_uri()
            match = [g for g in got[target] if _same(g, d)]
            assert len(match) == 1, (case.name, d, got[target])
        assert sum(len(ds) for ds in got.values()) == len(expected), case.name
        client.close(uri)
        for other, ds in got.items():
            if ds:  # what was shown is taken back
                client.diagnostics(other, lambda ds: not ds)


def _same(got: dict, want: dict) -> bool:
    message, _, hint = got["message"].partition("\n")
    start, end = got["range"]["start"], got["range"]["end"]
    where_ok = (start["line"], start["character"]) == (max(want["line"] - 1, 0),
                                                       max(want["column"] - 1, 0))
    if want["caret"] is not None:
        col, width = want["caret"]
        where_ok &= start["character"] == col
        if end["line"] == start["line"]:
            where_ok &= end["character"] - start["character"] == max(width, 1) or \
                (end["character"] == start["character"] and width == 1)
        else:  # a span over several lines: the CLI underlines to the end of the first
            where_ok &= col + width == len(want["source_line"])
    return (where_ok and got["code"] == want["code"]
            and got["severity"] == {"error": 1, "warning": 2}[want["severity"]]
            and message.replace(str(ROOT) + "/", "") == want["message"]
            and (hint or None) == want["hint"])


def test_a_specs_errors_in_its_model_are_published_on_the_model(client, tmp_path):
    root = project(tmp_path)
    model = root / "m.model"
    model.write_text(SEED_MODEL.read_text().replace("ok = msg.ok", "ok = 3"))
    spec = root / "s.spec"
    spec.write_text('spec s\nmodel "m.model"\nconst N = 2\n'
                    "invariant i: forall c in HttpClient: c at Done implies c.ok\n"
                    "expect violated\n")
    client.open(spec.as_uri(), spec.read_text(), "protocheck-spec")
    assert client.diagnostics(spec.as_uri()) == []  # the spec itself is fine
    (d,) = client.diagnostics(model.as_uri(), lambda ds: ds)  # the model is not even open
    on_disk = model.read_text()
    assert d["code"] == "PC306" and d["range"] == span(on_disk, "ok = 3", plus=5, width=1)
    # The editor's unsaved text of the model wins over the file: fixed there, the spec's
    # check of it is clean, although the file on disk still has the error.
    client.open(model.as_uri(), SEED_MODEL.read_text(), "protocheck-model")
    assert client.diagnostics(model.as_uri(), lambda ds: not ds) == []
    # Changing the open model checks the spec again: an actor the spec names disappears.
    renamed = SEED_MODEL.read_text().replace("HttpClient", "Client")
    client.change(model.as_uri(), renamed, 2)
    (d,) = client.diagnostics(spec.as_uri(), lambda ds: ds)
    assert d["code"] == "PC204" and "HttpClient" in d["message"]
    assert d["range"]["start"]["line"] == 3


def test_the_model_is_told_each_error_once(client, tmp_path):
    """Open the model and a spec of it: the model's own check and the spec's find the same
    error; the model shows it once."""
    root = project(tmp_path)
    model = root / "m.model"
    text = SEED_MODEL.read_text().replace("goto Waiting", "goto Waitin", 1)
    model.write_text(text)
    spec = root / "s.spec"
    spec.write_text('spec s\nmodel "m.model"\nexpect violated\n')
    client.open(model.as_uri(), text, "protocheck-model")
    assert len(client.diagnostics(model.as_uri())) == 1
    client.open(spec.as_uri(), spec.read_text(), "protocheck-spec")
    assert client.diagnostics(spec.as_uri()) == []
    client.change(model.as_uri(), text.replace("goto Waitin", "goto Waitn"), 2)
    (d,) = client.diagnostics(model.as_uri(), lambda ds: ds and "Waitn" in ds[0]["message"])
    assert d["range"] == span(text.replace("goto Waitin", "goto Waitn"), "goto Waitn")
    for n in client.notifications:  # and never twice in a later publication either
        if n["method"] == "textDocument/publishDiagnostics" and n["params"]["uri"] == \
                model.as_uri():
            assert len(n["params"]["diagnostics"]) <= 1


def test_columns_are_utf16_code_units(client, tmp_path):
    text = ('protocol p\nactor A {\n  state S initial\n'
            '  step T { assert true, "h\u00e9llo \U0001F389"; goto Nowhere }\n}\n')
    uri = (tmp_path / "u.model").as_uri()
    client.open(uri, text, "protocheck-model")
    (d,) = client.diagnostics(uri)
    # The emoji is one code point but two UTF-16 units: the range starts one unit later
    # than the code-point column the CLI prints.
    assert d["range"] == span(text, "goto Nowhere")
    assert d["range"]["start"]["character"] == text.split("\n")[3].index("goto") + 1
    bad = text.replace("state S", "state S\U0001F389")
    client.change(uri, bad, 2)
    (d,) = client.diagnostics(uri, lambda ds: ds and ds[0]["code"] == "PC101")
    assert d["range"] == span(bad, "\U0001F389")  # one character, two units wide


def test_utf32_positions_when_the_client_asks():
    c = Client()
    try:
        assert c.initialize(encodings=["utf-32"])["capabilities"]["positionEncoding"] == \
            "utf-32"
        text = 'protocol p\nactor A {\n  state S initial\n  step T { assert true, "\U0001F389"; goto X }\n}\n'
        c.open("untitled:u", text, "protocheck-model")
        (d,) = c.diagnostics("untitled:u")
        assert d["range"]["start"] == {"line": 3,
                                       "character": text.split("\n")[3].index("goto")}
        assert c.shutdown() == 0
    finally:
        c.kill()


# ---------------------------------------------------------------- hover and definition


def _hover(client, uri: str, text: str, needle: str, nth: int = 0, plus: int = 1) -> str:
    answer = client.at("textDocument/hover", uri, *where(text, needle, nth, plus))
    assert answer.get("error") is None
    assert answer["result"] is not None, needle
    return answer["result"]["contents"]["value"]


def test_hover_tells_kind_declaration_and_type(client):
    uri, text = SEED_MODEL.as_uri(), SEED_MODEL.read_text()
    client.open(uri, text, "protocheck-model")
    assert client.diagnostics(uri) == []
    actor = _hover(client, uri, text, "to Invocation[", plus=4)
    assert actor.startswith("**actor** `Invocation`")
    assert "actor Invocation[N]" in actor
    assert "3 instances: Invocation[0] .. Invocation[2]" in actor  # const N = 3 here
    message = _hover(client, uri, text, "send HttpResponse", plus=6)
    assert "**message** `HttpResponse`" in message and "fields: ok: bool" in message
    assert "message HttpResponse(ok: bool)" in message
    variable = _hover(client, uri, text, "forwarding_task_set = true")
    assert "**variable** `forwarding_task_set` of actor `Invocation`" in variable
    assert "type `bool`, initially `false`" in variable
    field = _hover(client, uri, text, "msg.ok", plus=5)
    assert "**message field** `ok` of message `HttpResponse`" in field
    state = _hover(client, uri, text, "goto Waiting", plus=6)
    assert "**state** `Waiting` of actor `HttpClient`" in state and "state Waiting" in state
    const = _hover(client, uri, text, "when not FIXED", plus=9)
    assert "**constant** `FIXED`" in const and "value `false`" in const
    assert client.at("textDocument/hover", uri, 0, 0)["result"] is None  # a comment


def test_hover_on_params_and_timers(client):
    uri, text = TIMED_MODEL.as_uri(), TIMED_MODEL.read_text()
    client.open(uri, text, "protocheck-model")
    assert client.diagnostics(uri) == []
    grace = _hover(client, uri, text, "= grace", plus=3)
    assert "**timing parameter** `grace`" in grace and "int in 1..30" in grace
    assert "param grace: int in 1..30" in grace
    timer = _hover(client, uri, text, "timer hard_coded_delay", plus=8)
    assert "**timer** `hard_coded_delay`" in timer and "duration `10`" in timer


def test_hover_in_a_spec_uses_the_specs_constants(client):
    uri, text = SEED_SPEC.as_uri(), SEED_SPEC.read_text()
    client.open(uri, text, "protocheck-spec")
    assert client.diagnostics(uri) == []
    actor = _hover(client, uri, text, "in Invocation", plus=4)
    assert "2 instances" in actor  # the spec's const N = 2, not the model's 3
    const = _hover(client, uri, text, "const N", plus=6)
    assert "value `2` (set by the spec)" in const
    bound = _hover(client, uri, text, "i.forwarding_task_set")
    assert "**bound variable** `i`" in bound and "forall i in Invocation" in bound
    var = _hover(client, uri, text, "i.forwarding_task_set", plus=3)
    assert "**variable** `forwarding_task_set` of actor `Invocation`" in var
    invariant = _hover(client, uri, text, "invariant no_failed", plus=11)
    assert "**invariant** `no_failed_http_response`" in invariant


def _definition(client, uri: str, text: str, needle: str, nth: int = 0, plus: int = 1):
    answer = client.at("textDocument/definition", uri, *where(text, needle, nth, plus))
    assert answer.get("error") is None
    return answer["result"]


def test_go_to_definition(client):
    uri, text = SEED_MODEL.as_uri(), SEED_MODEL.read_text()
    client.open(uri, text, "protocheck-model")
    (loc,) = _definition(client, uri, text, "goto Waiting", plus=6)
    assert loc["uri"] == uri and loc["range"] == span(text, "Waiting")  # its declaration
    (loc,) = _definition(client, uri, text, "msg.ok", plus=5)
    assert loc["range"] == span(text, "ok: bool)", width=2)  # the field of HttpResponse
    (loc,) = _definition(client, uri, text, "send InvocationRequest", plus=6)
    assert loc["range"] == span(text, "InvocationRequest")
    (loc,) = _definition(client, uri, text, "not FIXED", plus=5)
    assert loc["range"] == span(text, "FIXED")
    (loc,) = _definition(client, uri, text, "on HttpRequest in Idle", plus=19)
    assert loc["range"] == span(text, "Idle", nth=text.count("Idle", 0,
                                                            text.index("actor Invocation")))
    assert _definition(client, uri, text, "protocol") is None  # a keyword


def test_go_to_definition_from_a_spec_into_its_model(client):
    uri, text = SEED_SPEC.as_uri(), SEED_SPEC.read_text()
    model = SEED_MODEL.read_text()
    client.open(uri, text, "protocheck-spec")
    (loc,) = _definition(client, uri, text, "at EnsuringForwarding", plus=4)
    assert loc["uri"] == SEED_MODEL.as_uri()
    assert loc["range"] == span(model, "EnsuringForwarding")
    (loc,) = _definition(client, uri, text, "c.ok", plus=2)
    assert loc["uri"] == SEED_MODEL.as_uri()
    assert loc["range"] == span(model, "var ok", plus=4, width=2)  # HttpClient's variable
    (loc,) = _definition(client, uri, text, "../models", plus=3)
    assert loc["uri"] == SEED_MODEL.as_uri()  # the model path opens the model


def test_outline(client):
    uri, text = SEED_MODEL.as_uri(), SEED_MODEL.read_text()
    client.open(uri, text, "protocheck-model")
    symbols = client.request("textDocument/documentSymbol",
                             {"textDocument": {"uri": uri}})["result"]
    names = [s["name"] for s in symbols]
    assert names[:2] == ["N", "FIXED"]
    assert [n for n in names if n in ("HttpClient", "Invocation", "Worker")] == \
        ["HttpClient", "Invocation", "Worker"]
    client_actor = next(s for s in symbols if s["name"] == "HttpClient")
    assert [c["name"] for c in client_actor["children"]] == ["ok", "Idle", "Waiting", "Done",
                                                            "SendRequest"]


# ---------------------------------------------------------------- hostile input


def test_broken_frames_do_not_stop_the_server(client, tmp_path):
    client.send_raw(b"this is not a header\r\n\r\n")
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json")
    body = b'{"jsonrpc": "2.0", "method": "x", "params": "\xff\xfe"}'
    client.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    for params in ({"nonsense": True},  # requests the protocol does not allow: answered
                   {"textDocument": {"uri": "file:///x.model"},
                    "position": {"line": -5, "character": 10**12}}):
        answer = client.request("textDocument/hover", params)
        assert answer["error"]["code"] == -32602 and "data" not in answer["error"]
    assert client.request("no/such/method", {})["error"]["code"] == -32601
    answer = client.request("textDocument/definition",  # a document that was never opened
                            {"textDocument": {"uri": "file:///nowhere.model"},
                             "position": {"line": 0, "character": 0}})
    assert answer == {"jsonrpc": "2.0", "id": answer["id"], "result": None}
    uri = (tmp_path / "after.model").as_uri()
    client.open(uri, "protocol p\nactor A { state S initial; goto S }\n", "protocheck-model")
    (d,) = client.diagnostics(uri)
    assert d["code"] == "PC102"  # still checking
    logs = [n["params"]["message"] for n in client.notifications
            if n["method"] == "window/logMessage"]
    assert all("Traceback" not in m for m in logs)


def test_garbage_text_is_a_located_diagnostic(client, tmp_path):
    uri = (tmp_path / "g.model").as_uri()
    text = "protocol p\nactor A {\n  state S\x00 initial\x1b[31m \ud800\n}\n"
    client.open(uri, text, "protocheck-model")
    (d,) = client.diagnostics(uri)
    assert d["code"] == "PC101" and d["range"]["start"] == {"line": 2, "character": 9}
    assert "\x00" not in d["message"] and "\u2400" in d["message"]  # shown as the CLI shows it
    binary = bytes(range(256)).decode("latin-1") * 40
    client.change(uri, binary, 2)
    (d,) = client.diagnostics(uri, lambda ds: ds and ds[0]["range"]["start"]["line"] == 0)
    assert d["code"] == "PC101" and d["range"]["start"]["character"] == 0
    assert d["message"].startswith("unexpected character '\u2400'")  # the NUL, made visible


def test_huge_lines(client, tmp_path):
    uri = (tmp_path / "h.model").as_uri()
    long_comment = "# " + "x" * 200_000
    text = f"protocol p\n{long_comment}\nactor A {{ state S initial; step T {{ goto Nowhere }} }}\n"
    client.open(uri, text, "protocheck-model")
    (d,) = client.diagnostics(uri)
    assert d["code"] == "PC209" and d["range"] == span(text, "goto Nowhere")
    too_big = "protocol p\nconst X = 1 # " + "y" * 600_000 + "\n"
    client.change(uri, too_big, 2)
    (d,) = client.diagnostics(uri, lambda ds: ds and ds[0]["code"] == "PC505")
    assert d["range"]["start"] == {"line": 0, "character": 0}
    assert "600,0" in d["message"] and "524,288" in d["message"]


def test_a_spec_cannot_reach_outside_its_project(client, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.model"
    secret.write_text("protocol SECRET_TOKEN_12345\n")
    root = project(tmp_path / "proj")
    (root / "link.model").symlink_to(secret)
    cases = {'"../outside/secret.model"': "PC504", '"link.model"': "PC504",
             '"/etc/passwd"': "PC503", '"../../../../../../etc/hostname"': "PC503"}
    for n, (target, code) in enumerate(cases.items()):
        spec = root / f"s{n}.spec"
        text = f"spec s{n}\nmodel {target}\nexpect holds\n"
        spec.write_text(text)
        client.open(spec.as_uri(), text, "protocheck-spec")
        (d,) = client.diagnostics(spec.as_uri())
        assert d["code"] == code, target
        assert d["range"] == span(text, target)
        hover = client.at("textDocument/hover", spec.as_uri(), 1, 8)["result"]
        definition = client.at("textDocument/definition", spec.as_uri(), 1, 8)["result"]
        assert definition is None and hover is None  # the model was not read
    assert "SECRET_TOKEN" not in json.dumps(client.notifications)
    # An open document outside the project is not read through a spec either.
    client.open(secret.as_uri(), "protocol SECRET_TOKEN_12345\n", "protocheck-model")
    client.diagnostics(secret.as_uri())
    moved = '# moved down a line\nspec s0\nmodel "../outside/secret.model"\nexpect holds\n'
    client.change((root / "s0.spec").as_uri(), moved, 2)
    (d,) = client.diagnostics((root / "s0.spec").as_uri(),
                              lambda ds: ds and ds[0]["range"]["start"]["line"] == 2)
    assert d["code"] == "PC504"
    assert "SECRET_TOKEN" not in json.dumps(client.notifications)


def test_an_unsaved_spec_is_not_resolved(client):
    text = 'spec s\nmodel "../models/forwarding_task.model"\nexpect holds\n'
    client.open("untitled:Untitled-1", text, "protocheck-spec")
    (d,) = client.diagnostics("untitled:Untitled-1")
    assert d["severity"] == 3 and "not saved" in d["message"] and "code" not in d


def test_an_internal_error_is_logged_and_the_server_goes_on(tmp_path):
    plant = ("import sys\nimport checker.lsp.analysis as a\n"
             "def boom(*args, **kwargs):\n    raise RuntimeError('planted bug')\n"
             "a.load_model = boom\nfrom checker.cli import main\nsys.exit(main())\n")
    c = Client(code=plant)
    try:
        c.initialize()
        uri = (tmp_path / "x.model").as_uri()
        text = SEED_MODEL.read_text()
        c.open(uri, text, "protocheck-model")
        log = c.wait_for("window/logMessage", lambda p: "internal error" in p["message"])
        assert log["type"] == 1 and "bug in protocheck" in log["message"]
        assert "Traceback" not in log["message"] and "planted bug" not in log["message"]
        crash = re.search(r"the traceback is in (\S+)$", log["message"])[1]
        assert "RuntimeError: planted bug" in Path(crash).read_text()
        os.unlink(crash)
        assert c.diagnostics(uri) == []
        # Hover does not need the loader: still answered.
        assert "**actor** `Worker`" in _hover(c, uri, text, "actor Worker", plus=7)
        assert c.shutdown() == 0
    finally:
        c.kill()
    assert b"Traceback" not in c.stderr
