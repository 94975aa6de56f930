"""A small LSP client for the language server's tests: it starts `python3 -m checker lsp` as a
subprocess and speaks JSON-RPC to it over stdio, frame by frame (Content-Length headers), as an
editor does. Written by hand rather than with pygls's client so that a test can also send
what no well-behaved client would (broken frames, bytes that are not JSON).

Messages from the server are read on a thread into a queue; a test waits for a response by
id, or for a notification that satisfies a condition, each with a timeout, so a server that
hangs fails the test instead of stalling it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAIT = 30.0  # seconds for any one answer; the server answers the seeds in milliseconds


class ServerGone(Exception):
    pass


class Client:
    def __init__(self, *args: str, code: str | None = None, cwd: Path = ROOT):
        """`code`: run this Python instead of `-m checker` (a test that plants a bug)."""
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "checker"]
        self.proc = subprocess.Popen([*command, "lsp", *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                                     env=env)
        self.inbox: queue.Queue = queue.Queue()
        self.notifications: list[dict] = []  # every notification seen, in order
        self.next_id = 0
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        self._stderr_reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_reader.start()

    # ---- wire
    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.inbox.put(json.loads(out.read(length)))

    def _drain_stderr(self) -> None:
        self.stderr = self.proc.stderr.read()

    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    # ---- messages
    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict | None) -> dict:
        """Send a request; its response (with 'result' or 'error')."""
        self.next_id += 1
        ident = self.next_id
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        return self._wait(lambda m: m.get("id") == ident and "method" not in m)

    def wait_for(self, method: str, where=lambda params: True, timeout: float = WAIT) -> dict:
        """The params of the first notification (seen before or after now) of this method
        that satisfies `where`."""
        for m in self.notifications:
            if m["method"] == method and where(m["params"]):
                self.notifications.remove(m)
                return m["params"]
        m = self._wait(lambda m: m.get("method") == method and where(m.get("params")),
                       timeout)
        self.notifications.remove(m)
        return m["params"]

    def _wait(self, match, timeout: float = WAIT) -> dict:
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no such message from the server")
            try:
                m = self.inbox.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("no such message from the server") from None
            if m is None:
                raise ServerGone(self.stderr.decode(errors="replace"))
            if "method" in m and "id" not in m:
                self.notifications.append(m)
            if match(m):
                return m
            if "method" in m and "id" in m:  # a request from the server: answer it
                self.send({"jsonrpc": "2.0", "id": m["id"], "result": None})

    def diagnostics(self, uri: str, where=lambda ds: True, timeout: float = WAIT) -> list:
        """The next diagnostics published for a URI that satisfy `where`."""
        return self.wait_for("textDocument/publishDiagnostics",
                             lambda p: p["uri"] == uri and where(p["diagnostics"]),
                             timeout)["diagnostics"]

    # ---- the usual exchanges
    def initialize(self, root: Path = ROOT, encodings: list[str] | None = None) -> dict:
        caps: dict = {"textDocument": {"hover": {"contentFormat": ["markdown"]}}}
        if encodings:
            caps["general"] = {"positionEncodings": encodings}
        answer = self.request("initialize", {"processId": os.getpid(),
                                             "rootUri": root.as_uri(),
                                             "capabilities": caps})
        self.notify("initialized", {})
        return answer["result"]

    def open(self, uri: str, text: str, language: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language, "version": version, "text": text}})

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": text}]})

    def close(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def at(self, method: str, uri: str, line: int, character: int) -> dict:
        return self.request(method, {"textDocument": {"uri": uri},
                                     "position": {"line": line, "character": character}})

    def shutdown(self) -> int:
        """Shut down and exit as an editor does; the server's exit status."""
        assert self.request("shutdown", None).get("error") is None
        self.notify("exit", None)
        return self.proc.wait(timeout=WAIT)

    def kill(self) -> None:
        """End the server if it still runs; then `stderr` holds all it wrote there."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._stderr_reader.join(timeout=WAIT)
