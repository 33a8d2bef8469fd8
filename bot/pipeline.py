"""The one-way flow for a batch of inbound messages: record → analyse → handlers → outbox.

Each message is committed before any work is done on it; the work for it (items, audit,
outgoing messages) is then written in one transaction with the message marked handled,
so a crash at any point leaves either nothing or everything, and a restart finishes the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from handlers.context import Ctx, Incoming
from handlers.router import dispatch
from handlers.settings import Config
from nlp import Analyzer
from storage import Message, Outgoing, Repository

log = logging.getLogger("stairbot.pipeline")

# WeChat sometimes delivers the same text twice under new ids seconds apart.
ECHO_WINDOW = timedelta(seconds=10)


class Pipeline:
    def __init__(self, cfg: Config, repo: Repository, analyzer: Analyzer,
                 on_queued: Callable[[], None] | None = None, live: bool = False) -> None:
        self.cfg = cfg
        self.repo = repo
        self.analyzer = analyzer
        self.on_queued = on_queued or (lambda: None)
        self.live = live  # the backlog guard only makes sense on a live transport
        self._known = {g.topic for g in cfg.groups} | {cfg.staff_group}

    def wanted(self, msg: Message) -> bool:
        return msg.is_private or msg.room in self._known

    async def take(self, msgs: Sequence[Message], now: datetime) -> None:
        """Record a batch durably (one commit), then process whatever is still pending."""
        wanted = []
        for m in msgs:
            if self.wanted(m):
                wanted.append(m)
            else:
                await self.repo.count_ignored(m.room, m.ts.astimezone(self.cfg.tz).date().isoformat())
        if wanted:
            await self.repo.record_messages(wanted, now)
        await self.process_pending(now)

    async def process_pending(self, now: datetime) -> int:
        done = 0
        while True:
            pending = await self.repo.pending_messages(limit=500)
            if not pending:
                return done
            async with self.repo.transaction():
                for msg in pending:
                    await self._process(msg, now)
            done += len(pending)
            self.on_queued()

    async def _process(self, msg: Message, now: datetime) -> None:
        if msg.kind != "text" or not msg.text.strip():
            await self.repo.mark_message(msg.id, "handled")
            return
        if await self.repo.similar_message_since(msg, msg.ts - ECHO_WINDOW):
            await self.repo.mark_message(msg.id, "echo")
            return
        if not self.live:
            now = msg.ts  # replay: a message's own time is the time it happened
        analysis = self.analyzer.analyze(msg.text)
        answer = not (self.live and now - msg.ts > timedelta(seconds=self.cfg.wechaty.backlog_max_age))
        ctx = Ctx(self.repo, self.cfg, now)
        route = "?"
        try:
            async with self.repo.savepoint():
                route, out = await dispatch(Incoming(msg, analysis, answer), ctx)
                for o in out:
                    await self.repo.queue(o, now)
        except Exception:
            # One bad message must not stop the others; its partial work was rolled back.
            log.exception("message %s failed in route %s", msg.id, route)
            await self.repo.mark_message(msg.id, "failed", analysis.category, analysis.urgent,
                                         analysis.confidence)
            return
        log.debug("message %s → %s (%s), %d to send", msg.id, route, analysis.category, len(out))
        await self.repo.mark_message(msg.id, "handled" if answer else "backlog",
                                     analysis.category, analysis.urgent, analysis.confidence)

    async def queue(self, out: Sequence[Outgoing], now: datetime) -> int:
        """Queue what a scheduled job produced, in one transaction."""
        n = 0
        async with self.repo.transaction():
            for o in out:
                n += await self.repo.queue(o, now) is not None
        if n:
            self.on_queued()
        return n
