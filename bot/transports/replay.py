"""Replay: a JSON Lines chat log in, one JSON line per message the bot says out.

Time is the messages' own: the app drives a simulated clock from their timestamps.
A line that does not parse is reported on stderr (line number, reason) and skipped.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from bot.clock import Clock
from storage.models import Message, Outgoing

log = logging.getLogger("stairbot.replay")

_FIELDS = ("id", "ts", "room", "sender_id", "sender_name", "text")


class ReplayLineError(ValueError):
    pass


def parse_line(line: str) -> Message:
    try:
        raw: Any = json.loads(line)
    except json.JSONDecodeError as e:
        raise ReplayLineError(f"not JSON ({e.msg})") from None
    if not isinstance(raw, dict):
        raise ReplayLineError("not a JSON object")
    for f in _FIELDS:
        if f not in raw:
            raise ReplayLineError(f"missing {f!r}")
        if not isinstance(raw[f], str):
            raise ReplayLineError(f"{f!r} is not a string")
    if not raw["id"]:
        raise ReplayLineError("empty 'id'")
    try:
        ts = datetime.fromisoformat(raw["ts"])
    except ValueError:
        raise ReplayLineError(f"'ts' is not an ISO 8601 time: {raw['ts'][:40]!r}") from None
    if ts.tzinfo is None:
        raise ReplayLineError("'ts' has no UTC offset")
    mentions = raw.get("mentions", [])
    if not isinstance(mentions, list) or not all(isinstance(m, str) for m in mentions):
        raise ReplayLineError("'mentions' is not a list of contact ids")
    kind = raw.get("kind", "text")
    if not isinstance(kind, str):
        raise ReplayLineError("'kind' is not a string")
    # NUL cannot live in SQLite text through every driver; nothing a person typed needs it
    text = raw["text"].replace("\x00", "")
    return Message(id=raw["id"], ts=ts, room=raw["room"], sender_id=raw["sender_id"],
                   sender_name=raw["sender_name"], text=text, mentions=tuple(mentions), kind=kind)


class ReplayTransport:
    name = "replay"
    simulated = True

    def __init__(self, path: str | Path, clock: Clock, out: IO[str] | None = None,
                 err: IO[str] | None = None) -> None:
        self.path = Path(path)
        self.clock = clock
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.bad_lines = 0

    async def messages(self) -> AsyncIterator[Message]:
        last: datetime | None = None
        with self.path.open(encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    msg = parse_line(line)
                    if last is not None and msg.ts < last:
                        raise ReplayLineError("time runs backwards")
                except ReplayLineError as e:
                    self.bad_lines += 1
                    print(f"{self.path}:{n}: skipped: {e}", file=self.err)
                    continue
                last = msg.ts
                yield msg

    async def send(self, out: Outgoing) -> None:
        record = {"ts": self.clock.now().isoformat(), "room": out.room, "text": out.text,
                  "mentions": list(out.mentions)}
        if out.direct_to:
            record["to"] = out.direct_to
        self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.out.flush()

    async def close(self) -> None:
        pass
