"""Scheduled work on apscheduler triggers: the digest, the follow-up sweep, retention.

Live, an AsyncIOScheduler fires them on the wall clock. In replay the same triggers are
asked for their next fire time and run on the simulated clock, in time order with the messages.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from handlers.context import Ctx
from handlers.digest import daily_digest
from handlers.followup import sweep
from handlers.privacy import mask
from handlers.settings import Config
from storage import Outgoing
from storage.states import DONE

log = logging.getLogger("stairbot.scheduler")

JobFn = Callable[[Ctx], Awaitable[list[Outgoing]]]


async def purge(ctx: Ctx) -> list[Outgoing]:
    """Retention: raw message text goes after N days; items and counts stay. An item's text is
    its record (what the problem was), so it stays, but once the item is done and older than N
    days its phone and ID-card numbers are masked for good, as are captains' corrections."""
    before = ctx.now - timedelta(days=ctx.cfg.privacy.retention_days)
    n = await ctx.repo.purge_text_before(before)
    m = await ctx.repo.rewrite_texts_before(before, sorted(DONE), mask)
    if n or m:
        log.info("retention: purged the text of %d messages, masked %d item texts", n, m)
    return []


@dataclass(frozen=True)
class Job:
    name: str
    trigger: BaseTrigger
    fn: JobFn


def jobs(cfg: Config, start: datetime) -> list[Job]:
    tz = cfg.tz
    d = cfg.schedule.digest_time
    return [
        # The sweep comes first so that, at the same instant, reminders precede the digest.
        Job("sweep", IntervalTrigger(seconds=cfg.schedule.sweep_every_seconds, start_date=start,
                                     timezone=tz), sweep),
        Job("digest", CronTrigger(hour=d.hour, minute=d.minute, timezone=tz), daily_digest),
        Job("retention", CronTrigger(hour=3, minute=30, timezone=tz), purge),
    ]


class SimScheduler:
    """Fires the jobs' triggers on a simulated clock, in order."""

    def __init__(self, jobs: list[Job], start: datetime,
                 resume: dict[str, datetime | None] | None = None) -> None:
        self._jobs = jobs
        self._next: dict[str, datetime | None] = {
            j.name: j.trigger.get_next_fire_time(None, start) for j in jobs
        }
        self._next.update({k: v for k, v in (resume or {}).items() if k in self._next})

    def next_of(self, name: str) -> datetime | None:
        """When that job fires next (what a resumed replay must carry on from)."""
        return self._next[name]

    def next_time(self) -> datetime | None:
        times = [t for t in self._next.values() if t is not None]
        return min(times) if times else None

    def due(self, upto: datetime) -> list[tuple[datetime, Job]]:
        """Pop the jobs due at the earliest fire time, if that is no later than `upto`."""
        t = self.next_time()
        if t is None or t > upto:
            return []
        fired = []
        for j in self._jobs:
            if self._next[j.name] == t:
                fired.append((t, j))
                nxt = j.trigger.get_next_fire_time(t, t + timedelta(microseconds=1))
                self._next[j.name] = nxt
        return fired


def live_scheduler(cfg: Config, start: datetime,
                   run: Callable[[Job], Awaitable[None]]) -> AsyncIOScheduler:
    sched = AsyncIOScheduler(timezone=cfg.tz)
    for job in jobs(cfg, start):
        # coalesce + one instance: a stalled loop never fires a job twice in a row
        sched.add_job(run, job.trigger, args=[job], id=job.name, coalesce=True,
                      max_instances=1, misfire_grace_time=3600)
    return sched
