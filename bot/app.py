"""Wiring: one Stairbot runs the pipeline, the outbox and the scheduler over one transport.

Live transports (console, wechaty, tests) run on the wall clock with an apscheduler
AsyncIOScheduler; replay runs the same jobs on the simulated clock, in time order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.clock import Clock, SimClock
from bot.outbox import Outbox
from bot.pipeline import Pipeline
from bot.scheduler import Job, SimScheduler, jobs, live_scheduler
from bot.transports.base import Transport
from handlers import texts
from handlers.context import Ctx
from handlers.settings import Config
from nlp import Analyzer
from storage import Message, Outgoing, Repository, StorageError, storage_problem

log = logging.getLogger("stairbot")

BATCH = 256  # group commit: up to this many waiting messages share one transaction
DRAIN_STOP_TIMEOUT = 10.0  # seconds a stop waits for a send in flight to be marked
BUSY_BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0)  # seconds, on top of sqlite's own busy_timeout
REPLAY_STATE = "replay:state"  # kv key: where a replay stands, for resuming after a kill


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
        self._stopping = False  # a signal asked us to stop
        self._drainer_off = False
        self._inbox: asyncio.Queue[Message | None] | None = None
        self.pipeline = Pipeline(cfg, repo, analyzer, on_queued=self._queued,
                                 live=not transport.simulated)
        self.outbox = Outbox(repo, transport, cfg.outbox, clock)

    def _queued(self, rooms: set[str]) -> None:
        self.outbox.poke(rooms)
        self._wake.set()

    async def run_job(self, job: Job, now: datetime) -> None:
        try:
            # Jobs talk only to the repository, so they run on its thread, every query of a
            # sweep over hundreds of items in one hop.
            out = await self.repo.atomic_inline(lambda repo: job.fn(Ctx(repo, self.cfg, now)))
            await self.pipeline.queue(out, now)
        except Exception:
            log.exception("scheduled job %s failed", job.name)

    # -- live --------------------------------------------------------------------
    async def run(self) -> None:
        try:
            if self.transport.simulated:
                await self.run_replay()
            else:
                await self.run_live()
        except StorageError:
            raise
        except Exception as e:
            problem = storage_problem(e)
            if problem is None:
                raise
            raise StorageError(f"database cannot be written ({problem[0]}); stopped") from e

    async def _stored(self, step: Callable[[], Awaitable[object]], waiting: int) -> None:
        """Run a step that writes. A busy database is waited for with backoff; one that cannot
        be written stops the intake: staff are told, and the error names what was not stored."""
        for delay in (*BUSY_BACKOFF, None):
            try:
                await step()
                return
            except Exception as e:
                problem = storage_problem(e)
                if problem is None:
                    raise
                what, retry = problem
                if retry and delay is not None:
                    log.warning("database busy; trying again in %.1f s", delay)
                    await asyncio.sleep(delay)
                    continue
                log.error("database cannot be written (%s): stopping intake", what)
                await self._tell_staff_storage_down(what)
                raise StorageError(f"database cannot be written ({what}): stopped taking messages;"
                                   f" {waiting} received messages were not recorded") from e

    async def _tell_staff_storage_down(self, what: str) -> None:
        # Straight to the transport: the outbox lives in the database that just failed.
        office = self.cfg.units["office"]
        out = Outgoing(room=self.cfg.staff_group, mentions=(office.id,), urgent=True,
                       text=texts.STORAGE_DOWN.format(reason=texts.STORAGE_REASONS.get(what, what)))
        try:
            await self.transport.send(out)
        except Exception as e:
            log.error("could not tell staff that the database is down: %s", e)

    async def run_live(self) -> None:
        now = self.clock.now()
        await self.outbox.restore(now)  # what went out just before a restart counts
        # what a crash left half-done
        await self._stored(lambda: self.pipeline.process_pending(now), 0)
        sched = live_scheduler(self.cfg, now, lambda job: self.run_job(job, self.clock.now()))
        sched.start()
        drainer = asyncio.create_task(self._drain_forever())
        inbox: asyncio.Queue[Message | None] = asyncio.Queue()
        self._inbox = inbox
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
                await self._stored(lambda b=batch: self.pipeline.take(b, self.clock.now()),  # type: ignore[misc]
                                   len(batch) + inbox.qsize())
            if self._stopping:
                reader.cancel()
            else:
                await reader  # re-raises a transport failure
            await self._stop_drainer(drainer)
            await self._finish()
        finally:
            sched.shutdown(wait=False)
            await self._stop_drainer(drainer)
            if not reader.done():
                reader.cancel()

    def stop(self) -> None:
        """SIGTERM/SIGINT: take no new messages, let a send in flight be marked, then finish."""
        self._stopping = True
        self._wake.set()
        if self._inbox is not None:
            self._inbox.put_nowait(None)

    async def _stop_drainer(self, drainer: asyncio.Task[None]) -> None:
        # Never cancel a drain between a send and its "sent" mark: that would send it twice.
        self._drainer_off = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(drainer), DRAIN_STOP_TIMEOUT)
        except TimeoutError:
            drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drainer

    async def _read(self, inbox: asyncio.Queue[Message | None]) -> None:
        try:
            async for msg in self.transport.messages():
                inbox.put_nowait(msg)
        finally:
            inbox.put_nowait(None)

    async def _drain_forever(self) -> None:
        while not self._drainer_off:
            self._wake.clear()
            now = self.clock.now()
            full = self.outbox.limiter.full_until(now)
            if full is not None:
                # Under load the queue outgrows the budget; re-reading it after every batch
                # cannot send anything sooner and costs the intake milliseconds each time.
                with contextlib.suppress(TimeoutError):  # a stop still wakes it
                    await asyncio.wait_for(self._stop_event_wait(), (full - now).total_seconds())
                continue
            try:
                wait = await self.outbox.drain(now)
            except Exception:
                log.exception("outbox drain failed; retrying")
                wait = None
                await asyncio.sleep(1)
            if self._drainer_off:
                return
            timeout = None if wait is None else max(0.0, (wait - now).total_seconds())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _stop_event_wait(self) -> None:
        while not self._drainer_off:
            self._wake.clear()
            await self._wake.wait()

    async def _finish(self) -> None:
        """End of input. Stopped by a signal: one last pass over what is due now; the rest
        stays queued for the next start. The console's end of input: nobody will be there at
        07:00, so everything still queued goes, quiet-hour holds included, waiting out the
        rate limits. Failed sends stay queued either way."""
        if self._stopping:
            await self.outbox.drain(self.clock.now())
            return
        held_too = getattr(self.transport, "flush_held_at_end", False)
        while True:
            now = self.clock.now()
            wait = await self.outbox.drain(now, held_too=held_too)
            # Still to go before exit: everything (console), or only what is due by now.
            pending = [q for q in await self.repo.outgoing("pending")
                       if held_too or q.due_at <= now]
            if wait is None or not pending or all(q.attempts for q in pending):
                return
            await asyncio.sleep(max(0.0, (wait - self.clock.now()).total_seconds()))

    # -- replay --------------------------------------------------------------------
    # A replay can be killed at any moment and run again on the same file and database: it
    # resumes exactly where it stopped. Everything the simulation holds in memory is either
    # in the database already (the outbox and its send times rebuild the rate limits and the
    # clock) or in REPLAY_STATE, written in the same transaction as the work it describes:
    # how many messages were taken, each job's next fire time, the clock.
    async def run_replay(self) -> None:
        assert isinstance(self.clock, SimClock)
        self._sched: SimScheduler | None = None
        self._outbox_next: datetime | None = None
        saved = await self._load_state()
        self._state: dict[str, Any] = {}
        batch: list[Message] = []
        boundary: datetime | None = None
        last: datetime | None = None
        n = 0
        async for msg in self.transport.messages():
            n += 1
            if saved is not None:
                if n == 1 and (msg.id, msg.ts.isoformat()) != (saved["first_id"], saved["start"]):
                    saved = None  # another file: a fresh replay on an existing ledger
                elif n <= saved["n"]:
                    if n == saved["n"] and msg.id != saved["last_id"]:
                        log.warning("replay: message %d is not the one recorded; resuming anyway", n)
                    continue
            if saved is not None:
                await self._resume(saved)
                saved = None
            if batch and len(batch) < BATCH and (boundary is None or msg.ts < boundary):
                batch.append(msg)
                continue
            if batch:
                await self._flush(batch, n - 1)
                last = batch[-1].ts
            if not self._state:
                self._state = {"first_id": msg.id, "start": msg.ts.isoformat(), "n": 0,
                               "last_id": None, "last_ts": None, "sched": {}}
            await self._advance(msg.ts)
            batch, boundary = [msg], self._next_event()
        if saved is not None:  # every message was taken before: finish what was left
            await self._resume(saved)
            last = datetime.fromisoformat(saved["last_ts"]) if saved["last_ts"] else None
        if batch:
            await self._flush(batch, n)
            last = batch[-1].ts
        if last is not None:
            await self._advance(last)
            await self._finish_replay(last)

    async def _load_state(self) -> dict[str, Any] | None:
        raw = await self.repo.get(REPLAY_STATE)
        return json.loads(raw) if raw else None

    async def _save_state(self, **changes: Any) -> None:
        self._state.update(changes, clock=self.clock.now().isoformat())
        await self.repo.put(REPLAY_STATE, json.dumps(self._state))

    async def _resume(self, saved: dict[str, Any]) -> None:
        clock: SimClock = self.clock  # type: ignore[assignment]
        self._state = saved
        clock.set(datetime.fromisoformat(saved["clock"]))
        last_sent = await self.outbox.restore(clock.now())
        if last_sent is not None:
            clock.set(last_sent)
        start = datetime.fromisoformat(saved["start"])
        resume = {k: datetime.fromisoformat(v) if v else None for k, v in saved["sched"].items()}
        self._sched = SimScheduler(jobs(self.cfg, start), start, resume)
        await self.pipeline.process_pending(clock.now())
        if saved.get("flush_to"):  # stopped inside _flush: finish its drain
            flush_to = datetime.fromisoformat(saved["flush_to"])
            await self.outbox.drain(flush_to)
            clock.set(flush_to)
        self._outbox_next = await self.outbox.drain(clock.now())
        log.info("replay: resumed after message %d at %s", saved["n"], clock.now().isoformat())

    def _next_event(self) -> datetime | None:
        times = [t for t in (self._sched.next_time() if self._sched else None, self._outbox_next)
                 if t is not None]
        return min(times) if times else None

    async def _flush(self, batch: list[Message], n: int) -> None:
        async with self.repo.transaction():  # the messages, their work and the cursor: all or none
            await self.pipeline.take(batch, batch[-1].ts)
            await self._save_state(n=n, last_id=batch[-1].id, last_ts=batch[-1].ts.isoformat(),
                                   flush_to=batch[-1].ts.isoformat())
        self._outbox_next = await self.outbox.drain(batch[-1].ts)
        self.clock.set(batch[-1].ts)  # type: ignore[attr-defined]

    async def _advance(self, upto: datetime) -> None:
        """Run every job and outbox slot due up to `upto`, each at its own simulated time."""
        clock: SimClock = self.clock  # type: ignore[assignment]
        if self._sched is None:
            clock.set(upto)
            self._sched = SimScheduler(jobs(self.cfg, upto), upto)
            await self.pipeline.process_pending(upto)  # what a crash left half-done
            self._outbox_next = await self.outbox.drain(upto)
        while True:
            t = self._next_event()
            if t is None or t > upto:
                break
            clock.set(t)
            for when, job in self._sched.due(t):
                nxt = self._sched.next_of(job.name)
                async with self.repo.transaction():  # the job's output and its mark: once
                    await self.run_job(job, when)
                    sched = dict(self._state["sched"], **{job.name: nxt and nxt.isoformat()})
                    await self._save_state(sched=sched, flush_to=None)
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
