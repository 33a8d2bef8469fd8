"""Drive the whole bot without a chat service (after Errbot's test backend).

A TestTransport records what the bot says; the Harness speaks as a contact in a group,
drains the outbox through the real rate limits on a fake clock, and fires scheduled jobs
when the clock is advanced. Everything between the wire and the database is production code.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import Stairbot, build_analyzer
from bot.clock import SimClock
from bot.config import load_config
from bot.scheduler import SimScheduler, jobs
from handlers.settings import Config
from storage import Item, Message, Outgoing, Repository

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CONFIG = ROOT / "config.yaml"

G11 = "新宜1幢1单元楼道群"
G12 = "新宜1幢2单元楼道群"
G21 = "新宜2幢1单元楼道群"
STAFF = "新宜社区工作群"
YE, WANG, CHEN = "wxid_yexiaoyan", "wxid_wangxia", "wxid_chenjianguo"
WUYE, ZHOU = "wxid_wuye_xiaozhang", "wxid_zhouhaifang"
LI = "wxid_liayi"


class TestTransport:
    """The wire, faked: what the bot sends lands in a list."""

    __test__ = False
    name = "test"
    simulated = False

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.fail_next = 0  # make the next N sends raise, as a flaky service would

    async def messages(self) -> AsyncIterator[Message]:  # the harness feeds the pipeline directly
        return
        yield

    async def send(self, out: Outgoing) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("send refused")
        self.sent.append(out)

    async def close(self) -> None:
        pass


@dataclass
class Sent:
    at: datetime
    out: Outgoing

    @property
    def room(self) -> str:
        return self.out.room

    @property
    def text(self) -> str:
        return self.out.text

    @property
    def mentions(self) -> tuple[str, ...]:
        return self.out.mentions


class Harness:
    def __init__(self, cfg: Config, repo: Repository, start: datetime) -> None:
        self.cfg = cfg
        self.repo = repo
        self.clock = SimClock(cfg.tz, start)
        self.transport = TestTransport()
        self.bot = Stairbot(cfg, repo, build_analyzer(cfg), self.transport, self.clock)
        self.bot.pipeline.live = True
        self.scheduler = SimScheduler(jobs(cfg, start), start)
        self._ids = itertools.count(1)
        self._log: list[Sent] = []
        self._seen = 0

    @property
    def now(self) -> datetime:
        return self.clock.now()

    async def say(self, room: str, sender: str, text: str, name: str | None = None,
                  msg_id: str | None = None, ts: datetime | None = None) -> Message:
        msg = Message(id=msg_id or f"t{next(self._ids)}", ts=ts or self.now, room=room,
                      sender_id=sender, sender_name=name or sender, text=text)
        await self.bot.pipeline.take([msg], self.now)
        await self._drain()
        return msg

    async def _drain(self) -> None:
        """Send everything due, waiting out the rate limits on the fake clock."""
        for _ in range(10_000):
            before = len(self.transport.sent)
            wait = await self.bot.outbox.drain(self.now)
            self._log.extend(Sent(self.now, o) for o in self.transport.sent[before:])
            if wait is None or (wait > self.now and not await self._limited()):
                return
            self.clock.set(max(wait, self.now))

    async def _limited(self) -> bool:
        return bool(await self.repo.due_outgoing(self.now, limit=1))

    async def advance(self, delta: timedelta) -> None:
        """Let time pass: scheduled jobs fire at their times, held messages go out."""
        end = self.now + delta
        while True:
            nxt = self.scheduler.next_time()
            due = await self.repo.next_due()
            t = min(x for x in (nxt, due, end) if x is not None)
            if t > end:
                break
            self.clock.set(t)
            for when, job in self.scheduler.due(t):
                await self.bot.run_job(job, when)
            await self._drain()
            if t == end:
                break
        self.clock.set(end)

    def sent(self) -> list[Sent]:
        """What the bot said since the last call."""
        new = self._log[self._seen:]
        self._seen = len(self._log)
        return new

    async def item(self, item_id: int) -> Item:
        return await self.repo.get_item(item_id)


def demo_config() -> Config:
    return load_config(CONFIG)
