"""Faults: a burst, a flaky send, a busy database, a full disk, a read-only database, a restart.

Nothing is lost silently: what cannot be stored stops the intake with a clear error and a word
to staff; what cannot be sent is kept and retried with backoff, never dropped.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from bot.app import Stairbot, build_analyzer
from bot.clock import SystemClock
from handlers import texts
from handlers.settings import Group, Person
from storage import Message, Outgoing, StorageError, open_repository
from tests.conftest import START
from tests.support import G11, G21, STAFF, ZHOU, Harness

NEEDS = ["谁能帮我取个快递，我在隔离", "楼道灯坏了", "请问明天停水吗", "哈哈好的", "水管漏水了",
         "家里老人需要买药", "电梯坏了", "早上好", "垃圾没人收", "谢谢大家"]


def _groups(n: int) -> tuple[Group, ...]:
    return tuple(Group(topic=f"测试{i}号楼道群", building=f"{i}幢",
                       captain=Person(id=f"wxid_cap{i}", name=f"楼长{i}")) for i in range(n))


async def test_a_burst_of_1000_in_10_seconds_across_100_groups(cfg, tmp_path):
    groups = _groups(100)
    big = cfg.model_copy(update={"groups": groups})
    async with open_repository(tmp_path / "burst.db") as repo:
        bot = Harness(big, repo, START)
        msgs = [Message(id=f"b{n}", ts=START + timedelta(milliseconds=10 * n),
                        room=groups[n % 100].topic, sender_id=f"wxid_p{n}", sender_name="居民",
                        text=NEEDS[(n // 100) % len(NEEDS)] + f" {n}号") for n in range(1000)]
        # as a live transport would deliver them: in small batches as they arrive
        for chunk in (msgs[i:i + 37] for i in range(0, len(msgs), 37)):
            bot.clock.set(chunk[-1].ts)
            await bot.bot.pipeline.take(chunk, bot.now)
        assert await repo.count_messages() == 1000  # all recorded
        assert await repo.pending_messages() == []
        items = await repo.count_items()
        assert items >= 600
        await bot._drain()
        sent = bot.sent()
        rows = await repo.outgoing()
        assert rows and all(r.status == "sent" for r in rows)  # all sent, once
        assert sum(len(s.text.splitlines()) for s in sent) == len(rows)
        for s in sent:  # the caps held throughout
            assert len([t for t in sent if s.at <= t.at < s.at + timedelta(minutes=1)]) <= 20
        for _room, same in itertools.groupby(sorted(sent, key=lambda s: (s.room, s.at)),
                                             key=lambda s: s.room):
            times = [s.at for s in same]
            assert all(b - a >= timedelta(seconds=3) for a, b in itertools.pairwise(times))
        print(f"\nburst: 1000 messages, {items} items, {len(rows)} replies in {len(sent)} sends "
              f"over {sent[-1].at - sent[0].at}")


async def test_a_failing_send_is_retried_with_backoff_and_never_dropped(stairbot):
    attempts: list[datetime] = []
    real_send = stairbot.transport.send

    async def flaky(out: Outgoing) -> None:
        attempts.append(stairbot.now)
        await real_send(out)

    stairbot.transport.send = flaky  # type: ignore[method-assign]
    stairbot.transport.fail_next = 7  # more failures than there are retry delays
    await stairbot.say(G11, "wxid_x", "楼道灯坏了")
    await stairbot.advance(timedelta(hours=1))
    [out] = stairbot.sent()
    assert "#1" in out.text
    gaps = [round((b - a).total_seconds()) for a, b in itertools.pairwise(attempts)]
    assert gaps == [5, 15, 60, 300, 300, 300, 300]  # the config's delays, then the last one again
    [row] = await stairbot.repo.outgoing()
    assert row.status == "sent" and row.attempts == 8 and row.last_error == "send refused"


async def test_a_busy_database_is_waited_for_not_failed(stairbot, tmp_path):
    db = tmp_path / "bot.db"
    holding, release = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        con = sqlite3.connect(db, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        holding.set()
        release.wait(5)
        con.execute("COMMIT")
        con.close()

    t = threading.Thread(target=hold_the_write_lock)
    t.start()
    holding.wait(5)
    asyncio.get_running_loop().call_later(0.8, release.set)
    await stairbot.say(G21, "wxid_x", "电梯坏了，困了好久")  # waits out the other writer
    t.join()
    assert await stairbot.repo.count_messages() == 1
    assert "#1" in stairbot.sent()[0].text


class Feed:
    """A live transport that delivers a fixed list of messages, then ends."""

    name = "feed"
    simulated = False
    flush_held_at_end = True  # like the console: at the end, quiet-hour holds go too (wall clock)

    def __init__(self, msgs: list[Message]) -> None:
        self.msgs = msgs
        self.sent: list[Outgoing] = []

    async def messages(self) -> AsyncIterator[Message]:
        for m in self.msgs:
            await asyncio.sleep(0)
            yield m

    async def send(self, out: Outgoing) -> None:
        self.sent.append(out)

    async def close(self) -> None:
        pass


def _live(cfg, repo, msgs: list[Message]) -> tuple[Stairbot, Feed]:
    feed = Feed(msgs)
    return Stairbot(cfg, repo, build_analyzer(cfg), feed, SystemClock(cfg.tz)), feed


def _msgs(n: int, prefix: str = "f") -> list[Message]:
    now = datetime.now(START.tzinfo)
    return [Message(id=f"{prefix}{i}", ts=now, room=G11, sender_id=f"wxid_r{i}", sender_name="居民",
                    text=f"楼道第{i}层的灯坏了，麻烦看看" + "。" * 200) for i in range(n)]


@pytest.mark.parametrize("fault, words", [
    ("PRAGMA max_page_count = {pages}", "full"),  # the disk fills up
    ("PRAGMA query_only = 1", "read-only"),  # the file turns read-only
])
async def test_a_database_that_cannot_be_written_stops_intake_loudly(cfg, tmp_path, fault, words):
    async with open_repository(tmp_path / "f.db") as repo:
        bot, feed = _live(cfg, repo, _msgs(1, "ok"))
        await bot.run()
        assert await repo.count_messages() == 1
        pages = (await (await repo._db.execute("PRAGMA page_count")).fetchone())[0]
        await repo._db.execute(fault.format(pages=pages))
        bot, feed = _live(cfg, repo, _msgs(60))
        with pytest.raises(StorageError) as e:
            await asyncio.wait_for(bot.run(), 60)
        line = str(e.value)
        assert words in line and "\n" not in line
        # staff hear of it in their group, sent directly since the outbox cannot be written
        [down] = [o for o in feed.sent if o.room == STAFF]
        assert down.text.startswith(texts.STORAGE_DOWN.split("（")[0]) and down.mentions == (ZHOU,)
        assert "not recorded" in line  # and it says how much was not stored
        assert await repo.count_messages() >= 1  # what was stored before is intact


async def test_a_restart_does_not_reset_the_rate_limits(cfg, tmp_path):
    db = tmp_path / "r.db"
    groups = _groups(30)
    big = cfg.model_copy(update={"groups": groups})
    async with open_repository(db) as repo:
        bot = Harness(big, repo, START)
        for i, g in enumerate(groups[:20]):
            await bot.say(g.topic, f"wxid_p{i}", "谁能帮我取个快递，我在隔离")
        assert len(bot.sent()) == 20  # the minute's quota, used up in 20 × 0 s
        first = bot.now
    async with open_repository(db) as repo:  # a new process ten seconds later
        bot = Harness(big, repo, first + timedelta(seconds=10))
        await bot.bot.outbox.restore(bot.now)
        await bot.say(groups[25].topic, "wxid_q", "谁能帮我取个快递，我在隔离", msg_id="after-restart")
        [s] = bot.sent()
        assert s.at >= START + timedelta(minutes=1)  # waited for the quota, crash or not



async def test_a_message_the_analyzer_chokes_on_is_marked_failed_and_the_rest_go_on(stairbot):
    real = stairbot.bot.pipeline.analyzer.analyze

    def analyze(text: str):
        if "毒" in text:
            raise RecursionError("nlp bug")
        return real(text)

    stairbot.bot.pipeline.analyzer.analyze = analyze  # type: ignore[method-assign]
    msgs = [Message(id=f"p{i}", ts=stairbot.now, room=G11, sender_id=f"wxid_{i}", sender_name="居民",
                    text=t) for i, t in enumerate(["楼道灯坏了", "毒", "电梯坏了，困了好久"])]
    await stairbot.bot.pipeline.take(msgs, stairbot.now)  # one batch, one transaction
    assert [await stairbot.repo.message_state(m.id) for m in msgs] == ["handled", "failed", "handled"]
    assert await stairbot.repo.pending_messages() == []  # nothing left to crash the next start
    assert await stairbot.repo.count_items() == 2
