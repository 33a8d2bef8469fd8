"""The only wall clock in stairbot; replay swaps in a simulated one."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class SimClock:
    """Time as the replayed messages and the scheduled jobs say it is; never runs backwards."""

    def __init__(self, tz: tzinfo, start: datetime | None = None) -> None:
        self.tz = tz
        self._now = start

    def now(self) -> datetime:
        if self._now is None:
            raise RuntimeError("simulated clock read before the first message")
        return self._now

    def set(self, t: datetime) -> None:
        t = t.astimezone(self.tz)
        if self._now is None or t > self._now:
            self._now = t

    @property
    def started(self) -> bool:
        return self._now is not None
