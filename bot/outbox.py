"""Draining the outbox through the rate limits, merging pings to the same people.

Every message was written to the outbox in the transaction that caused it. Here it is sent,
then marked sent; a failed send is retried with backoff and never dropped.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.transports.base import Transport
from handlers.settings import Outbox as OutboxSettings
from storage import Outgoing, QueuedOutgoing, Repository

log = logging.getLogger("stairbot.outbox")


class RateLimiter:
    """At most one message per group per interval, and N a minute overall."""

    def __init__(self, per_room: timedelta, per_minute: int) -> None:
        self.per_room = per_room
        self.per_minute = per_minute
        self._last: dict[str, datetime] = {}
        self._recent: deque[datetime] = deque()

    def next_slot(self, room: str, now: datetime) -> datetime:
        t = now
        last = self._last.get(room)
        if last is not None:
            t = max(t, last + self.per_room)
        while self._recent and self._recent[0] <= now - timedelta(minutes=1):
            self._recent.popleft()
        if len(self._recent) >= self.per_minute:
            t = max(t, self._recent[0] + timedelta(minutes=1))
        return t

    def full_until(self, now: datetime) -> datetime | None:
        """While the minute's budget is spent nothing can go, whatever is queued: until when."""
        while self._recent and self._recent[0] <= now - timedelta(minutes=1):
            self._recent.popleft()
        if len(self._recent) >= self.per_minute:
            return self._recent[0] + timedelta(minutes=1)
        return None

    def busy_rooms(self, now: datetime) -> dict[str, datetime]:
        """Groups that sent too recently to send again at `now`, with when they may again."""
        return {r: last + self.per_room for r, last in self._last.items()
                if last + self.per_room > now and not r.startswith("@")}

    def room_budget(self, now: datetime) -> int:
        """Sends left in the minute before `now`. Reads only: a replay drain still sends at
        earlier simulated times, which must see the whole window."""
        edge = now - timedelta(minutes=1)
        return self.per_minute - sum(1 for t in self._recent if t > edge)

    def taken(self, room: str, at: datetime) -> None:
        self._last[room] = at
        self._recent.append(at)


def _merge_key(q: QueuedOutgoing) -> tuple[str, str, tuple[str, ...]] | None:
    if q.out.direct_to or not q.out.mentions:
        return None
    return (q.out.room, "urgent" if q.out.urgent else "", tuple(sorted(q.out.mentions)))


def merge(rows: Sequence[QueuedOutgoing], window: timedelta) -> list[list[QueuedOutgoing]]:
    """Pings to the same people in the same group, queued close together, go as one message."""
    batches: list[list[QueuedOutgoing]] = []
    open_: dict[tuple[str, str, tuple[str, ...]], list[QueuedOutgoing]] = {}
    for q in rows:
        key = _merge_key(q)
        batch = open_.get(key) if key else None
        if batch is not None and q.created_at - batch[0].created_at <= window:
            batch.append(q)
            continue
        batch = [q]
        batches.append(batch)
        if key:
            open_[key] = batch
    return batches


def combined(batch: Sequence[QueuedOutgoing]) -> Outgoing:
    first = batch[0].out
    if len(batch) == 1:
        return first
    mentions: list[str] = []
    for q in batch:
        mentions.extend(m for m in q.out.mentions if m not in mentions)
    return Outgoing(room=first.room, text="\n".join(q.out.text for q in batch),
                    mentions=tuple(mentions), urgent=first.urgent, direct_to=first.direct_to)


class Outbox:
    def __init__(self, repo: Repository, transport: Transport, settings: OutboxSettings,
                 clock: Clock) -> None:
        self.repo = repo
        self.transport = transport
        self.settings = settings
        self.clock = clock
        self.limiter = RateLimiter(timedelta(seconds=settings.per_group_interval_seconds),
                                   settings.global_per_minute)
        self.sent = 0
        # What the last drain said about the next time (None: nothing pending), and whether
        # anything was queued since: replay drains after every line, and most add nothing.
        self._next: datetime | None = None
        self._stale = True
        self._poked: set[str] = set()

    async def restore(self, now: datetime) -> datetime | None:
        """After a restart, count what was sent just before it against the limits, so a crash
        never buys a burst. Returns the last send time (None: nothing recent)."""
        window = max(timedelta(minutes=1), self.limiter.per_room)
        last = None
        for room, direct_to, at in await self.repo.sent_since(now - window):
            self.limiter.taken((direct_to and f"@{direct_to}") or room, at)
            last = at
        return last

    def _retry_at(self, attempts: int, now: datetime) -> datetime:
        delays = self.settings.retry_delays_seconds
        return now + timedelta(seconds=delays[min(attempts, len(delays) - 1)])

    def poke(self, rooms: set[str] | None = None) -> None:
        """Something was queued (for these groups; None: anywhere): look at the queue again."""
        if rooms is None:
            self._stale = True
        else:
            self._poked |= rooms

    def _skippable(self, now: datetime) -> bool:
        """Whether a drain now could send nothing: nothing became due since the last one, and
        every group that got new mail is still inside its interval or the budget is spent."""
        if self._stale or (self._next is not None and self._next <= now):
            return False
        if self._poked:
            start = self.clock.now() if self.transport.simulated else now
            soonest = min(self.limiter.next_slot(r, start) for r in self._poked)
            if soonest <= now:
                return False
            self._next = soonest if self._next is None else min(self._next, soonest)
            self._poked = set()
        return True

    async def drain(self, now: datetime, held_too: bool = False) -> datetime | None:
        """Send what is due and allowed now. Returns when to call again (None: nothing pending).

        held_too sends messages held for quiet hours as well (the console's end of input).
        """
        if not held_too and self._skippable(now):
            return self._next
        self._next = await self._drain(now, held_too)
        self._stale = False
        self._poked = set()
        return self._next

    async def _drain(self, now: datetime, held_too: bool) -> datetime | None:
        sim = self.transport.simulated
        full = self.limiter.full_until(self.clock.now() if sim else now)
        if full is not None and full > now:
            # The minute's budget is spent: nothing can go before `full`, however long the
            # queue; reading it would only cost time (a burst leaves thousands queued).
            return full
        # Only rows that could go now: none for a group still inside its interval, and about
        # as many as the minute's budget has left (a few more, for merging); urgent ones first.
        # (A replay drain covers the simulated time from the clock to `now`: a group still
        # busy at `now` can send nothing in it.)
        limit = 20 + 3 * self.limiter.room_budget(now)
        busy = self.limiter.busy_rooms(now)
        rows = await self.repo.due_outgoing(datetime.max.replace(tzinfo=UTC) if held_too else now,
                                            limit=limit, urgent_first=not sim,
                                            skip_rooms=sorted(busy))
        sent_any = False
        wait: datetime | None = None
        window = timedelta(seconds=self.settings.merge_window_seconds)
        if sim:
            # Replay drains a batch at once: each message goes at its own simulated time.
            rows = sorted(rows, key=lambda q: (q.due_at, q.id))
        else:
            # Urgent messages jump the queue; the limiter still applies to them.
            rows = sorted(rows, key=lambda q: (not q.out.urgent, q.due_at, q.id))
        for batch in merge(rows, window):
            out = combined(batch)
            room = (out.direct_to and f"@{out.direct_to}") or out.room
            at = max(batch[0].due_at, self.clock.now()) if sim else now
            slot = self.limiter.next_slot(room, at)
            if slot > now:
                wait = slot if wait is None else min(wait, slot)
                continue
            if sim:
                at = slot
                self.clock.set(at)  # type: ignore[attr-defined]
            ids = [q.id for q in batch]
            try:
                await self.transport.send(out)
            except Exception as e:  # the transport said no: keep it, try again later
                attempts = max(q.attempts for q in batch) + 1
                retry = self._retry_at(attempts - 1, at)
                log.warning("send to %s failed (attempt %d): %s", out.room, attempts, e)
                await self.repo.mark_failed(ids, str(e) or type(e).__name__, retry)
                wait = retry if wait is None else min(wait, retry)
                continue
            self.limiter.taken(room, at)
            await self.repo.mark_sent(ids, at)
            self.sent += 1
            sent_any = True
        nxt = await self.repo.next_due()
        if nxt is None:
            return wait
        options = [w for w in (wait, min(busy.values(), default=None)) if w is not None]
        if nxt > now and not held_too:
            options.append(nxt)
        elif sent_any and (held_too or len(rows) >= limit):
            options.append(now)  # more rows than one drain takes
        # Nothing to wait for, yet something is due: it was queued meanwhile; look again.
        return min(options) if options else now
