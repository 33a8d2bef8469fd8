"""Routing of each kind of message, as residents and captains see it in their groups."""

from __future__ import annotations

from tests.support import G11, G12, G21, LI, STAFF, WUYE, YE, ZHOU


async def test_need_pings_the_captain_with_the_item_number(stairbot):
    await stairbot.say(G11, LI, "燕姐能帮我取个快递吗 我家502", name="李阿姨")
    [out] = stairbot.sent()
    assert out.room == G11
    assert out.mentions == (YE,)
    assert "#1" in out.text and "李阿姨" in out.text
    item = await stairbot.item(1)
    assert (item.category, item.status, item.room, item.building) == ("need", "open", "502", "1幢")
    assert item.assignees == (YE,)


async def test_complaint_goes_to_property_with_captain_in_copy(stairbot):
    await stairbot.say(G12, "wxid_zhangshu", "三楼楼道的灯坏了好几天了，晚上黑乎乎的", name="张叔")
    [out] = stairbot.sent()
    assert out.room == G12
    assert out.mentions[0] == WUYE and "wxid_wangxia" in out.mentions
    assert "#1" in out.text
    assert (await stairbot.item(1)).category == "complaint"


async def test_question_goes_to_the_captain(stairbot):
    await stairbot.say(G21, LI, "请问这周六的疫苗接种在哪里打？几点开始？")
    [out] = stairbot.sent()
    assert out.room == G21 and out.mentions == ("wxid_chenjianguo",)
    assert (await stairbot.item(1)).category == "question"


async def test_urgent_reaches_captain_property_and_office_at_once(stairbot):
    await stairbot.say(G11, LI, "楼道里好大的煤气味！！快来人")
    sent = stairbot.sent()
    assert len(sent) == 2
    here = next(s for s in sent if s.room == G11)
    staff = next(s for s in sent if s.room == STAFF)
    assert set(here.mentions) == {YE, WUYE}
    assert staff.mentions == (ZHOU,)
    assert "#1" in here.text and "#1" in staff.text
    assert (await stairbot.item(1)).urgent


async def test_chatter_gets_no_reply_and_no_item(stairbot):
    for text in ("哈哈好的", "谢谢燕姐！", "👍👍", "早上好"):
        await stairbot.say(G11, LI, text)
    assert stairbot.sent() == []
    assert await stairbot.repo.items() == []
    assert await stairbot.repo.count_messages() == 4  # chatter is still kept


async def test_unknown_group_is_ignored_but_counted(stairbot):
    await stairbot.say("隔壁小区闲聊群", LI, "楼道灯坏了")
    assert stairbot.sent() == []
    assert await stairbot.repo.items() == []
    assert await stairbot.repo.count_messages() == 0
    assert await stairbot.repo.ignored_counts() == {"隔壁小区闲聊群": 1}


async def test_ids_count_up_across_groups(stairbot):
    await stairbot.say(G11, LI, "谁能帮我去药店买点布洛芬，我在隔离")
    await stairbot.say(G21, "wxid_x", "2幢1单元电梯又坏了，困了好久")
    texts = [s.text for s in stairbot.sent()]
    assert any("#1" in t for t in texts) and any("#2" in t for t in texts)


async def test_redelivered_message_is_handled_once(stairbot):
    await stairbot.say(G11, LI, "楼下的水管漏水了，麻烦物业看看", msg_id="wx-1")
    await stairbot.say(G11, LI, "楼下的水管漏水了，麻烦物业看看", msg_id="wx-1")
    await stairbot.say(G11, LI, "楼下的水管漏水了，麻烦物业看看", msg_id="wx-2")  # echo, new id
    assert len(stairbot.sent()) == 1
    assert len(await stairbot.repo.items()) == 1


async def test_an_unsure_classification_is_routed_and_marked_as_a_guess(cfg, tmp_path):
    from storage import open_repository
    from tests.conftest import START
    from tests.support import Harness

    unsure = cfg.model_copy(update={"classifier": cfg.classifier.model_copy(
        update={"guess_threshold": 1.0})})
    async with open_repository(tmp_path / "g.db") as repo:
        bot = Harness(unsure, repo, START)
        await bot.say(G11, LI, "楼下的水管漏水了")
        [out] = bot.sent()
        assert "#1" in out.text and "改" in out.text  # tells the captain how to correct it
        assert len(await repo.items()) == 1
