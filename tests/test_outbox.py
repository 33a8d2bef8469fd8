"""What leaves the bot, and how fast: merged pings, per-group and global caps, retries."""

from __future__ import annotations

import itertools
from datetime import timedelta

from handlers.settings import Group, Person
from storage import Message, open_repository
from tests.conftest import START
from tests.support import G11, WUYE, YE, Harness

PROBLEMS = ["楼道灯坏了", "水管漏水了", "门禁坏了刷不开", "垃圾两天没人收了", "楼下有人乱停车堵住了消防通道"]


def _burst(room: str, texts: list[str], at, prefix: str = "b") -> list[Message]:
    return [Message(id=f"{prefix}{n}", ts=at, room=room, sender_id=f"wxid_r{n}",
                    sender_name=f"居民{n}", text=t) for n, t in enumerate(texts)]


async def test_pings_to_the_same_people_in_one_group_are_merged(stairbot):
    await stairbot.bot.pipeline.take(_burst(G11, PROBLEMS, stairbot.now), stairbot.now)
    await stairbot._drain()
    [out] = stairbot.sent()
    assert set(out.mentions) == {WUYE, YE}
    assert [f"#{n}" in out.text for n in range(1, 6)] == [True] * 5
    assert len(out.text.splitlines()) == 5


async def test_one_message_per_group_every_three_seconds(stairbot):
    for n, text in enumerate(PROBLEMS[:3]):
        await stairbot.bot.pipeline.take(_burst(G11, [text], stairbot.now, prefix=f"s{n}"),
                                         stairbot.now)
        await stairbot.bot.outbox.drain(stairbot.now)
        await stairbot.advance(timedelta(seconds=1))
    await stairbot.advance(timedelta(seconds=30))
    times = [s.at for s in stairbot.sent()]
    assert len(times) >= 2
    assert all(b - a >= timedelta(seconds=3) for a, b in itertools.pairwise(times))


async def test_global_cap_of_twenty_a_minute(cfg, tmp_path):
    groups = tuple(Group(topic=f"测试{n}号楼道群", building=f"{n}幢",
                         captain=Person(id=f"wxid_cap{n}", name=f"楼长{n}")) for n in range(40))
    big = cfg.model_copy(update={"groups": groups})
    async with open_repository(tmp_path / "cap.db") as repo:
        bot = Harness(big, repo, START)
        msgs = [Message(id=f"c{n}", ts=bot.now, room=g.topic, sender_id=f"wxid_p{n}",
                        sender_name="居民", text="谁能帮我取个快递，我在隔离")
                for n, g in enumerate(groups)]
        await bot.bot.pipeline.take(msgs, bot.now)
        await bot.advance(timedelta(minutes=3))
        sent = bot.sent()
        assert len(sent) == 40  # all delivered in the end, none dropped
        for s in sent:
            window = [t for t in sent if s.at <= t.at < s.at + timedelta(minutes=1)]
            assert len(window) <= 20
        assert sent[-1].at - sent[0].at >= timedelta(minutes=1)


async def test_a_failed_send_is_retried_not_dropped(stairbot):
    stairbot.transport.fail_next = 2
    await stairbot.say(G11, "wxid_x", "楼道灯坏了")
    assert stairbot.sent() == []
    [row] = await stairbot.repo.outgoing("pending")
    assert row.attempts >= 1 and row.last_error
    await stairbot.advance(timedelta(minutes=2))
    [out] = stairbot.sent()
    assert "#1" in out.text
    assert await stairbot.repo.outgoing("pending") == []


async def test_a_live_transport_ending_at_night_does_not_wait_for_seven(cfg, tmp_path):
    import asyncio
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.app import Stairbot, build_analyzer
    from bot.clock import SimClock

    night = datetime(2026, 11, 28, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

    class OneMessage:
        name, simulated = "feed", False

        def __init__(self) -> None:
            self.sent: list = []

        async def messages(self):
            yield Message(id="n1", ts=night, room=G11, sender_id="wxid_x", sender_name="邻居",
                          text="楼上装修噪音太大了，吵得睡不着")

        async def send(self, out) -> None:
            self.sent.append(out)

        async def close(self) -> None:
            pass

    async with open_repository(tmp_path / "night.db") as repo:
        feed = OneMessage()
        bot = Stairbot(cfg, repo, build_analyzer(cfg), feed, SimClock(cfg.tz, night))
        await asyncio.wait_for(bot.run(), timeout=20)  # returns; the ping stays held
        assert feed.sent == []
        [held] = await repo.outgoing("pending")
        assert held.due_at.astimezone(cfg.tz).hour == 7
