"""A pytest plugin: the local wechaty puppet-service gateway (tests/gateway) as a fixture.

`gateway` starts `node tests/gateway/gateway.mjs` on a free loopback port and yields a
`Gateway` handle: speak as any demo contact (`say`), rename a group, redeliver a message,
restart the gateway, and read what the bot sent (`sent`, `quiet`). Tests are skipped
only when `node` is missing; a gateway that is installed but does not come up fails.

Enable with `pytest_plugins = ["tests.gateway_fixture"]` in tests/conftest.py.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

GATEWAY_DIR = Path(__file__).parent / "gateway"
SCRIPT = GATEWAY_DIR / "gateway.mjs"
START_TIMEOUT_S = 30.0
REPLY_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gateway:
    """One gateway process (restartable on the same port) and what it reported."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.endpoint = f"127.0.0.1:{port}"
        self._proc: subprocess.Popen[str] | None = None
        self._sent: queue.Queue[dict[str, Any]] = queue.Queue()
        self._replies: dict[int, dict[str, Any]] = {}
        self._cond = threading.Condition()
        self._next_id = 0
        self._attached = False
        self._stderr: list[str] = []

    # ---- process --------------------------------------------------------------------

    def start(self) -> None:
        self._attached = False
        ready = threading.Event()
        self._proc = subprocess.Popen(
            ["node", str(SCRIPT), "--port", str(self.port), "--token", self.token],
            cwd=GATEWAY_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1,
            env={**os.environ, "WECHATY_LOG": os.environ.get("WECHATY_LOG", "warn")},
        )
        threading.Thread(target=self._read_stdout, args=(self._proc, ready), daemon=True).start()
        threading.Thread(target=self._read_stderr, args=(self._proc,), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready.wait(0.1):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"the wechaty gateway did not start (exit {self._proc.returncode});"
                    f" is `npm ci --prefix tests/gateway` done?\n" + "".join(self._stderr[-30:]),
                    pytrace=False,
                )

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                assert proc.stdin is not None
                proc.stdin.write('{"cmd":"stop"}\n')
                proc.stdin.flush()
                proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait(5)
        self._attached = False

    def restart(self) -> None:
        """A new gateway on the same port; the bot must reconnect on its own."""
        self.stop()
        self.start()

    def _read_stdout(self, proc: subprocess.Popen[str], ready: threading.Event) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # library chatter; the protocol is JSON lines only
            kind = event.get("event")
            if kind == "ready":
                ready.set()
            elif kind == "sent":
                event["observed"] = time.monotonic()
                self._sent.put(event)
            elif kind in ("client", "login"):
                with self._cond:
                    if kind == "client":
                        self._attached = bool(event.get("attached"))
                    self._cond.notify_all()
            elif "id" in event:
                with self._cond:
                    self._replies[event["id"]] = event
                    self._cond.notify_all()

    def _read_stderr(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self._stderr.append(line)
            del self._stderr[:-200]

    # ---- control --------------------------------------------------------------------

    def command(self, cmd: str, **fields: Any) -> dict[str, Any]:
        proc = self._proc
        assert proc is not None and proc.stdin is not None, "gateway not running"
        with self._cond:
            self._next_id += 1
            req_id = self._next_id
        proc.stdin.write(json.dumps({"id": req_id, "cmd": cmd, **fields}, ensure_ascii=False) + "\n")
        proc.stdin.flush()
        with self._cond:
            if not self._cond.wait_for(lambda: req_id in self._replies, REPLY_TIMEOUT_S):
                raise AssertionError(f"gateway did not answer {cmd}")
            reply = self._replies.pop(req_id)
        if not reply.get("ok"):
            raise AssertionError(f"gateway refused {cmd}: {reply.get('error')}")
        return reply

    def say(self, sender: str, text: str = "", *, room: str | None = None,
            to: str | None = None, mentions: tuple[str, ...] = (), kind: str = "text",
            age: float = 0, msg_id: str | None = None) -> str:
        """A contact speaks in a group (by topic or id) or privately to `to` (default: the
        bot); `age` dates the message that many seconds back. Returns the message id."""
        fields: dict[str, Any] = {"from": sender, "text": text, "type": kind, "age": age,
                                  "mentions": list(mentions)}
        if room is not None:
            fields["room"] = room
        elif to is not None:
            fields["to"] = to
        if msg_id is not None:
            fields["msg_id"] = msg_id
        return str(self.command("say", **fields)["msg_id"])

    def redeliver(self, msg_id: str) -> None:
        self.command("redeliver", msg_id=msg_id)

    def rename(self, room: str, topic: str, by: str) -> None:
        self.command("rename", room=room, topic=topic, by=by)

    def wait_client(self, attached: bool = True, timeout: float = 20.0) -> None:
        """Until a bot is attached to the event stream (logged in and listening), or,
        with attached=False, until none is."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._attached == attached, timeout):
                state = "connected to" if attached else "left"
                raise AssertionError(f"no bot {state} the gateway within {timeout:g} s")

    @property
    def attached(self) -> bool:
        return self._attached

    # ---- what the bot said ----------------------------------------------------------

    def sent(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next message the bot sent: {room, room_id, to, text, mentions, observed}."""
        try:
            return self._sent.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the bot sent nothing within {timeout:g} s") from None

    def quiet(self, seconds: float) -> list[dict[str, Any]]:
        """Everything the bot sent during the next `seconds` (expected: nothing)."""
        end = time.monotonic() + seconds
        got = []
        while (left := end - time.monotonic()) > 0:
            try:
                got.append(self._sent.get(timeout=left))
            except queue.Empty:
                break
        return got

    def drain(self) -> list[dict[str, Any]]:
        got = []
        while True:
            try:
                got.append(self._sent.get_nowait())
            except queue.Empty:
                return got


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the wechaty gateway tests need it")
    if not (GATEWAY_DIR / "node_modules").is_dir():
        pytest.fail("tests/gateway/node_modules is missing: run `npm ci --prefix tests/gateway`",
                    pytrace=False)
    gw = Gateway(free_port(), token=f"stairbot-test-{os.getpid()}")
    gw.start()
    try:
        yield gw
    finally:
        gw.stop()
