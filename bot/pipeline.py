"""The one-way flow for a batch of inbound messages: record → analyse → handlers → outbox.

Each message is committed before any work is done on it; the work for it (items, audit,
outgoing messages) is then written in one transaction with the message marked handled,
so a crash at any point leaves either nothing or everything, and a restart finishes the rest.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from handlers.context import Ctx, Incoming
from handlers.router import dispatch
from handlers.settings import Config
from nlp import Analysis, Analyzer
from storage import Message, Outgoing, Repository


def room_key(out: Outgoing) -> str:
    """Where a message goes, for the rate limits: a group, or "@id" for a private chat."""
    return f"@{out.direct_to}" if out.direct_to else out.room


log = logging.getLogger("stairbot.pipeline")

# WeChat sometimes delivers the same text twice under new ids seconds apart.
ECHO_WINDOW = timedelta(seconds=10)
PENDING_LIMIT = 500  # messages processed per transaction
# Chatter repeats word for word ("收到", "好的", "谢谢"): about half of a busy hour's texts were
# seen before. nlp is pure, so a text's analysis can be kept; 20k entries are a few MB.
ANALYSIS_CACHE = 20_000


class Pipeline:
    def __init__(self, cfg: Config, repo: Repository, analyzer: Analyzer,
                 on_queued: Callable[[set[str]], None] | None = None, live: bool = False) -> None:
        self.cfg = cfg
        self.repo = repo
        self.analyzer = analyzer
        self.on_queued = on_queued or (lambda rooms: None)  # told the rooms that got mail
        self.live = live  # the backlog guard only makes sense on a live transport
        self._known = {g.topic for g in cfg.groups} | {cfg.staff_group}
        self._analyses: dict[str, Analysis] = {}  # text → analysis, least recently used first

    def wanted(self, msg: Message) -> bool:
        return msg.is_private or msg.room in self._known

    async def take(self, msgs: Sequence[Message], now: datetime) -> None:
        """Record a batch and process what is pending, in one transaction and one thread hop:
        a message counts as taken once that commits. Should the processing fail, the batch is
        still recorded on its own (in a transaction of its own) before the error goes up, so
        nothing received is lost; the next start processes it."""
        wanted = [m for m in msgs if self.wanted(m)]
        ignored = [m for m in msgs if not self.wanted(m)]
        try:
            await self.process_pending(now, functools.partial(self._record, wanted, ignored, now))
        except Exception:
            if not wanted or self.repo.in_transaction():
                raise  # the caller's transaction decides what is kept
            try:
                await self.repo.record_messages(wanted, now)
            except Exception:
                log.exception("the batch could not be recorded on its own either")
            raise

    async def _record(self, wanted: Sequence[Message], ignored: Sequence[Message],
                      now: datetime, repo: Repository) -> None:
        for m in ignored:
            await repo.count_ignored(m.room, m.ts.astimezone(self.cfg.tz).date().isoformat())
        if wanted:
            await repo.record_messages(wanted, now)

    async def process_pending(self, now: datetime,
                              first: Callable[[Repository], Awaitable[None]] | None = None) -> int:
        """Process what is pending, PENDING_LIMIT messages a transaction; `first` runs at the
        start of the first one (take's recording)."""
        done = 0
        while True:
            # One thread hop for the whole batch, BEGIN to COMMIT, instead of one per statement.
            n, queued = await self.repo.atomic_inline(
                functools.partial(self._process_batch, now=now, first=first))
            first = None
            if not n:
                return done
            done += n
            if queued:
                self.on_queued(queued)
            if n < PENDING_LIMIT:
                return done  # we hold the only writer: nothing else can have arrived

    async def _process_batch(self, repo: Repository, now: datetime,
                             first: Callable[[Repository], Awaitable[None]] | None = None
                             ) -> tuple[int, set[str]]:
        """Process what is pending, in order, inside the caller's transaction. What reads no
        state of the batch (echo checks against earlier batches, message marks, outgoing rows)
        is done in bulk; handlers still run one message at a time, each in its savepoint."""
        if first is not None:
            await first(repo)
        pending = await repo.pending_messages(limit=PENDING_LIMIT)
        texts = [m for m in pending if m.kind == "text" and m.text.strip()]
        in_db = await repo.similar_messages_since([(m, m.ts - ECHO_WINDOW) for m in texts])
        echo_db = {m.id for m, hit in zip(texts, in_db, strict=True) if hit}
        earlier: dict[tuple[str, str, str], list[tuple[datetime, str]]] = {}
        marks: list[tuple[str, str, str | None, bool | None, float | None]] = []
        outs: list[tuple[Outgoing, datetime]] = []
        for msg in pending:
            key = (msg.room, msg.sender_id, msg.text)
            marks.append(await self._process(repo, msg, now, msg.id in echo_db
                                             or _echoes(msg, earlier.get(key, ())), outs))
            earlier.setdefault(key, []).append((msg.ts, msg.id))
        await repo.queue_many(outs)
        await repo.mark_messages(marks)
        return len(pending), {room_key(o) for o, _ in outs}

    async def _process(self, repo: Repository, msg: Message, now: datetime, echo: bool,
                       outs: list[tuple[Outgoing, datetime]]
                       ) -> tuple[str, str, str | None, bool | None, float | None]:
        """Handle one message; returns its mark and appends what it sends to `outs`."""
        if msg.kind != "text" or not msg.text.strip():
            return (msg.id, "handled", None, None, None)
        if echo:
            return (msg.id, "echo", None, None, None)
        if not self.live:
            now = msg.ts  # replay: a message's own time is the time it happened
        try:
            analysis = self._analyze(msg.text)
        except Exception:
            # A message nlp chokes on would otherwise roll back its whole batch, and again
            # on every restart: mark it and go on.
            log.exception("message %s could not be analysed", msg.id)
            return (msg.id, "failed", None, None, None)
        answer = not (self.live and now - msg.ts > timedelta(seconds=self.cfg.wechaty.backlog_max_age))
        ctx = Ctx(repo, self.cfg, now)
        route = "?"
        try:
            async with repo.savepoint():
                route, out = await dispatch(Incoming(msg, analysis, answer), ctx)
        except Exception:
            # One bad message must not stop the others; its partial work was rolled back.
            log.exception("message %s failed in route %s", msg.id, route)
            return (msg.id, "failed", analysis.category, analysis.urgent, analysis.confidence)
        log.debug("message %s → %s (%s), %d to send", msg.id, route, analysis.category, len(out))
        outs.extend((o, now) for o in out)
        return (msg.id, "handled" if answer else "backlog", analysis.category, analysis.urgent,
                analysis.confidence)

    def _analyze(self, text: str) -> Analysis:
        cache = self._analyses
        a = cache.pop(text, None)
        if a is None:
            a = self.analyzer.analyze(text)
            if len(cache) >= ANALYSIS_CACHE:
                del cache[next(iter(cache))]
        cache[text] = a  # most recently used last
        return a

    async def queue(self, out: Sequence[Outgoing], now: datetime) -> int:
        """Queue what a scheduled job produced, in one transaction."""
        n = 0
        async with self.repo.transaction():
            for o in out:
                n += await self.repo.queue(o, now) is not None
        if n:
            self.on_queued({room_key(o) for o in out})
        return n


def _echoes(msg: Message, earlier: Sequence[tuple[datetime, str]]) -> bool:
    """Same sender, group and text under another id within ECHO_WINDOW, earlier in this batch
    (the batch's rows are marked only at its end, so the database cannot see them yet)."""
    since = msg.ts - ECHO_WINDOW
    return any(since <= t <= msg.ts and mid != msg.id for t, mid in earlier)
