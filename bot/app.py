"""Wiring: one Stairbot runs the pipeline, the outbox and the scheduler over one transport.

Live transports (console, wechaty, tests) run on the wall clock with an apscheduler
AsyncIOScheduler; replay runs the same jobs on the simulated clock, in time order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime

from bot.clock import Clock, SimClock
from bot.outbox import Outbox
from bot.pipeline import Pipeline
from bot.scheduler import Job, SimScheduler, jobs, live_scheduler
from bot.transports.base import Transport
from handlers.context import Ctx
from handlers.settings import Config
from nlp import Analyzer
from storage import Message, Repository

log = logging.getLogger("stairbot")

BATCH = 256  # group commit: up to this many waiting messages share one transaction


def build_analyzer(cfg: Config) -> Analyzer:
    c = cfg.classifier
    model = None
    if c.model:
        model = cfg.base_dir / c.model
        if not model.is_file():
            model = None  # not trained yet: the shipped model serves
    return Analyzer(extra_lexicon={k: list(v) for k, v in c.extra_lexicon.items()},
                    extra_words=list(c.extra_words), model_path=model,
                    guess_threshold=c.guess_threshold)


class Stairbot:
    def __init__(self, cfg: Config, repo: Repository, analyzer: Analyzer, transport: Transport,
                 clock: Clock) -> None:
        self.cfg = cfg
        self.repo = repo
        self.transport = transport
        self.clock = clock
        self._wake = asyncio.Event()
        self.pipeline = Pipeline(cfg, repo, analyzer, on_queued=self._wake.set,
                                 live=not transport.simulated)
        self.outbox = Outbox(repo, transport, cfg.outbox, clock)

    async def run_job(self, job: Job, now: datetime) -> None:
        try:
            out = await job.fn(Ctx(self.repo, self.cfg, now))
            await self.pipeline.queue(out, now)
        except Exception:
            log.exception("scheduled job %s failed", job.name)

    # -- live --------------------------------------------------------------------
    async def run(self) -> None:
        if self.transport.simulated:
            await self.run_replay()
        else:
            await self.run_live()

    async def run_live(self) -> None:
        now = self.clock.now()
        await self.pipeline.process_pending(now)  # what a crash left half-done
        sched = live_scheduler(self.cfg, now, lambda job: self.run_job(job, self.clock.now()))
        sched.start()
        drainer = asyncio.create_task(self._drain_forever())
        inbox: asyncio.Queue[Message | None] = asyncio.Queue()
        reader = asyncio.create_task(self._read(inbox))
        try:
            while True:
                first = await inbox.get()
                if first is None:
                    break
                batch = [first]
                while not inbox.empty() and len(batch) < BATCH:
                    nxt = inbox.get_nowait()
                    if nxt is None:
                        inbox.put_nowait(None)
                        break
                    batch.append(nxt)
                await self.pipeline.take(batch, self.clock.now())
            await reader  # re-raises a transport failure
            await self._finish()
        finally:
            sched.shutdown(wait=False)
            drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drainer
            if not reader.done():
                reader.cancel()

    async def _read(self, inbox: asyncio.Queue[Message | None]) -> None:
        try:
            async for msg in self.transport.messages():
                inbox.put_nowait(msg)
        finally:
            inbox.put_nowait(None)

    async def _drain_forever(self) -> None:
        while True:
            self._wake.clear()
            now = self.clock.now()
            try:
                wait = await self.outbox.drain(now)
            except Exception:
                log.exception("outbox drain failed; retrying")
                wait = None
                await asyncio.sleep(1)
            timeout = None if wait is None else max(0.0, (wait - now).total_seconds())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _finish(self) -> None:
        """End of input: nobody will be here at 07:00, so send everything still queued,
        quiet-hour holds included, waiting out the rate limits. Failed sends stay queued."""
        while True:
            now = self.clock.now()
            wait = await self.outbox.drain(now, held_too=True)
            pending = await self.repo.outgoing("pending")
            if wait is None or not pending or all(q.attempts for q in pending):
                return
            await asyncio.sleep(max(0.0, (wait - self.clock.now()).total_seconds()))

    # -- replay --------------------------------------------------------------------
    async def run_replay(self) -> None:
        assert isinstance(self.clock, SimClock)
        self._sched: SimScheduler | None = None
        self._outbox_next: datetime | None = None
        batch: list[Message] = []
        boundary: datetime | None = None
        async for msg in self.transport.messages():
            if batch and len(batch) < BATCH and (boundary is None or msg.ts < boundary):
                batch.append(msg)
                continue
            if batch:
                await self._flush(batch)
            await self._advance(msg.ts)
            batch, boundary = [msg], self._next_event()
        if batch:
            await self._flush(batch)
            await self._advance(batch[-1].ts)
            await self._finish_replay(batch[-1].ts)

    def _next_event(self) -> datetime | None:
        times = [t for t in (self._sched.next_time() if self._sched else None, self._outbox_next)
                 if t is not None]
        return min(times) if times else None

    async def _flush(self, batch: list[Message]) -> None:
        await self.pipeline.take(batch, batch[-1].ts)
        self._outbox_next = await self.outbox.drain(batch[-1].ts)
        self.clock.set(batch[-1].ts)  # type: ignore[attr-defined]

    async def _advance(self, upto: datetime) -> None:
        """Run every job and outbox slot due up to `upto`, each at its own simulated time."""
        clock: SimClock = self.clock  # type: ignore[assignment]
        if self._sched is None:
            clock.set(upto)
            self._sched = SimScheduler(jobs(self.cfg, upto), upto)
            await self.pipeline.process_pending(upto)  # a resumed replay finishes old work
            self._outbox_next = await self.outbox.drain(upto)
        while True:
            t = self._next_event()
            if t is None or t > upto:
                break
            clock.set(t)
            for when, job in self._sched.due(t):
                await self.run_job(job, when)
            self._outbox_next = await self.outbox.drain(clock.now())
        clock.set(upto)

    async def _finish_replay(self, end: datetime) -> None:
        """After the last line: send what was due by then, even if the limits push it later."""
        clock: SimClock = self.clock  # type: ignore[assignment]
        while True:
            if not await self.repo.due_outgoing(end, limit=1):
                return
            nxt = await self.outbox.drain(clock.now())
            if nxt is None:
                return
            clock.set(max(nxt, clock.now()))


@contextlib.asynccontextmanager
async def running(bot: Stairbot) -> AsyncIterator[Stairbot]:
    try:
        yield bot
    finally:
        await bot.transport.close()
