"""An item's life after its first ping: commands from the chat, and the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.support import G11, G12, LI, STAFF, WANG, WUYE, YE, ZHOU


async def _report_light(stairbot, room=G11, sender=LI):
    await stairbot.say(room, sender, "三楼楼道的灯坏了，晚上下楼看不见", name="李阿姨")
    stairbot.sent()


async def test_claim_then_resolve_pings_the_reporter(stairbot):
    await _report_light(stairbot)
    await stairbot.say(G11, WUYE, "#1 收到", name="物业小张")
    [claimed] = stairbot.sent()
    assert "#1" in claimed.text and "物业小张" in claimed.text
    assert (await stairbot.item(1)).status == "claimed"

    await stairbot.say(G11, WUYE, "#1 已处理")
    [note] = stairbot.sent()
    assert note.room == G11 and note.mentions == (LI,) and "#1" in note.text
    item = await stairbot.item(1)
    assert item.status == "resolved" and item.resolved_at is not None
    actions = [e.action for e in await stairbot.repo.events(1)]
    assert actions == ["report", "claim", "resolve"]


async def test_every_resolve_word_works(stairbot):
    for n, word in enumerate(("已处理", "好了", "完成"), 1):
        await _report_light(stairbot, sender=f"wxid_r{n}")
        await stairbot.say(G11, YE, f"#{n} {word}")
        assert (await stairbot.item(n)).status == "resolved"


async def test_impostor_with_the_captains_name_changes_nothing(stairbot):
    await _report_light(stairbot)
    for text in ("#1 收到", "#1 已处理", "#1 转物业", "#1 改 其他", "待办"):
        await stairbot.say(G11, "wxid_fake", text, name="叶笑燕")
    assert stairbot.sent() == []
    item = await stairbot.item(1)
    assert item.status == "open" and item.category == "complaint"
    assert [e.action for e in await stairbot.repo.events(1)] == ["report"]


async def test_captain_cannot_act_on_another_stairwell(stairbot):
    await _report_light(stairbot)
    await stairbot.say(G12, WANG, "#1 已处理")
    [reply] = stairbot.sent()
    assert "#1" in reply.text
    assert (await stairbot.item(1)).status == "open"


async def test_transfer_pings_the_new_unit(stairbot):
    await stairbot.say(G11, LI, "能不能帮我问问这周的菜什么时候送到")
    stairbot.sent()
    await stairbot.say(G11, YE, "#1 转社区")
    [out] = stairbot.sent()
    assert out.room == STAFF and out.mentions == (ZHOU,) and "#1" in out.text
    item = await stairbot.item(1)
    assert item.unit == "office" and item.assignees == (ZHOU,)


async def test_recategorise_is_kept_for_training(stairbot):
    await stairbot.say(G11, LI, "楼下小卖部几点关门")
    stairbot.sent()
    await stairbot.say(G11, YE, "#1 改 投诉")
    [out] = stairbot.sent()
    assert "#1" in out.text
    assert (await stairbot.item(1)).category == "complaint"
    assert await stairbot.repo.corrections() == [("楼下小卖部几点关门", "complaint")]


async def test_recategorise_as_chatter_closes_the_item(stairbot):
    await stairbot.say(G11, LI, "楼下小卖部几点关门")
    await stairbot.say(G11, YE, "#1 改 其他")
    assert (await stairbot.item(1)).status == "closed"


async def test_unknown_item_and_repeated_claim_get_a_short_answer(stairbot):
    await stairbot.say(G11, YE, "#99 收到")
    [out] = stairbot.sent()
    assert "#99" in out.text
    await _report_light(stairbot)
    await stairbot.say(G11, YE, "#1 收到")
    await stairbot.advance(timedelta(minutes=1))  # within seconds it would count as an echo
    await stairbot.say(G11, YE, "#1 收到")
    replies = stairbot.sent()
    assert len(replies) == 2 and "#1" in replies[1].text
    assert [e.action for e in await stairbot.repo.events(1)] == ["report", "claim"]


async def test_todo_lists_open_items_oldest_first(stairbot):
    for n in range(12):
        await stairbot.say(G11, f"wxid_r{n}", f"{n + 1}01家门口的灯坏了")
        await stairbot.advance(timedelta(minutes=1))
    stairbot.sent()
    await stairbot.say(G11, YE, "#3 已处理")
    stairbot.sent()
    await stairbot.say(G11, YE, "待办")
    [out] = stairbot.sent()
    lines = out.text.splitlines()
    assert "11" in lines[0]  # 12 reported, one resolved
    listed = [line.split()[0] for line in lines[1:]]
    assert listed == ["#1", "#2", "#4", "#5", "#6", "#7", "#8", "#9", "#10", "#11"]


async def test_reporter_saying_not_fixed_reopens(stairbot):
    await _report_light(stairbot)
    await stairbot.say(G11, WUYE, "#1 好了")
    stairbot.sent()
    await stairbot.advance(timedelta(hours=3))
    await stairbot.say(G11, LI, "还没好啊，还是黑的")
    [out] = stairbot.sent()
    assert "#1" in out.text and WUYE in out.mentions
    assert (await stairbot.item(1)).status == "open"


async def test_second_report_of_same_problem_is_linked_not_repinged(stairbot):
    await stairbot.say(G11, LI, "电梯坏了，停在5楼不动")
    stairbot.sent()
    await stairbot.say(G12, "wxid_other", "电梯又坏了，停在5楼不动了")
    [out] = stairbot.sent()
    assert out.mentions == () and "#1" in out.text
    assert len(await stairbot.repo.items()) == 1
    assert (await stairbot.item(1)).me_too == 1


async def test_reminder_then_escalation(stairbot):
    await _report_light(stairbot)
    await stairbot.advance(timedelta(hours=2, minutes=1))
    [remind] = stairbot.sent()
    assert remind.room == G11 and WUYE in remind.mentions and "#1" in remind.text
    await stairbot.advance(timedelta(hours=22))
    [esc] = [s for s in stairbot.sent() if not s.text.startswith("【")]
    assert esc.room == STAFF and esc.mentions == (ZHOU,) and "#1" in esc.text
    await stairbot.advance(timedelta(hours=30))
    # nothing twice; the digest is the only thing at 08:00
    assert all("#1 " not in s.text or s.text.startswith("【") for s in stairbot.sent())


async def test_claimed_item_is_not_reminded(stairbot):
    await _report_light(stairbot)
    await stairbot.say(G11, WUYE, "#1 收到")
    stairbot.sent()
    await stairbot.advance(timedelta(hours=3))
    assert stairbot.sent() == []


async def test_urgent_reminder_after_fifteen_minutes(stairbot):
    await stairbot.say(G11, LI, "有人困在电梯里了！快来人")
    stairbot.sent()
    await stairbot.advance(timedelta(minutes=16))
    [remind] = stairbot.sent()
    assert "#1" in remind.text and YE in remind.mentions


async def test_quiet_hours_hold_a_complaint_until_seven(stairbot):
    await stairbot.advance(_until(stairbot, 23, 30))
    await stairbot.say(G11, LI, "楼上装修噪音太大了，吵得睡不着")
    assert stairbot.sent() == []
    await stairbot.advance(_until(stairbot, 7, 0))
    [out] = stairbot.sent()
    assert out.at.hour == 7 and out.at.minute == 0 and "#1" in out.text
    # the reminder clock started at 07:00, not while the ping was held
    await stairbot.advance(timedelta(hours=1, minutes=50))
    assert [s.room for s in stairbot.sent()] == [STAFF]  # only the 08:00 digest
    await stairbot.advance(timedelta(minutes=11))
    [remind] = stairbot.sent()
    assert "#1" in remind.text


async def test_urgent_at_night_goes_at_once(stairbot):
    await stairbot.advance(_until(stairbot, 23, 40))
    await stairbot.say(G11, LI, "楼道里有烟，好像着火了！")
    sent = stairbot.sent()
    assert {s.room for s in sent} == {G11, STAFF}
    assert all(s.at.hour == 23 for s in sent)


async def test_digest_at_eight_in_the_staff_group(stairbot):
    await _report_light(stairbot)
    await stairbot.say(G12, "wxid_b", "我家水管爆了，水流了一地！")
    stairbot.sent()
    await stairbot.advance(_until(stairbot, 8, 1))
    digests = [s for s in stairbot.sent() if s.text.startswith("【")]
    [d] = digests
    assert d.room == STAFF and d.at.hour == 8 and d.at.minute == 0
    assert "1幢：新增2" in d.text and "紧急1" in d.text


def _until(stairbot, hour: int, minute: int) -> timedelta:
    now: datetime = stairbot.now
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    return target - now


async def test_restart_between_ping_and_reminder_sends_each_once(cfg, tmp_path):
    from storage import open_repository
    from tests.conftest import START
    from tests.support import Harness

    db = tmp_path / "restart.db"
    async with open_repository(db) as repo:
        bot = Harness(cfg, repo, START)
        await _report_light(bot)
        await bot.advance(timedelta(hours=2, minutes=5))
        assert [s.text[:2] for s in bot.sent()] == ["#1"]  # the reminder
    # a new process, later the same day: the reminder is not repeated, escalation comes once
    async with open_repository(db) as repo:
        bot = Harness(cfg, repo, START + timedelta(hours=2, minutes=10))
        await bot.advance(timedelta(hours=1))
        assert bot.sent() == []
        await bot.advance(timedelta(hours=22))
        escalations = [s for s in bot.sent() if s.out.key == "escalate:1"]
        assert len(escalations) == 1
    async with open_repository(db) as repo:
        bot = Harness(cfg, repo, START + timedelta(hours=25, minutes=30))
        await bot.advance(timedelta(hours=1))
        assert bot.sent() == []
