"""Property tests (hypothesis): the command parser, masking, replay lines, and the whole pipeline
on whatever a resident can type. 7,500 generated examples here; tests/test_nlp_properties.py
adds 4,000 on nlp.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.transports.replay import ReplayLineError, parse_line
from handlers.commands import ItemCommand, TodoCommand, parse_command
from handlers.privacy import mask
from storage import Message
from tests.support import G11, G12, G21, LI, STAFF, YE, Harness, demo_config

CFG = demo_config()
WORDS = CFG.commands
TZ = ZoneInfo("Asia/Shanghai")

# What a captain's thumb produces: command words, ids, hashes (half and full width), spaces,
# WeChat's mention space, mentions, and noise.
_BITS = st.sampled_from([
    "#", "＃", " ", "\u2005", "\u3000", "\n", "@叶笑燕", "@物业小张 ", "12", "7", "0", "999999999",
    "1234567890", *WORDS.claim, *WORDS.resolve, *WORDS.transfer, WORDS.recategorize,
    *WORDS.categories, *WORDS.todo, "好", "了", "吗", "？", "x", "😀", "\u200b",
])
command_like = st.lists(_BITS, max_size=8).map("".join)
texts = st.one_of(command_like, st.text(max_size=60))


@settings(max_examples=2500, deadline=None)
@given(texts)
def test_parse_command_never_raises_and_answers_in_shape(text: str) -> None:
    cmd = parse_command(text, WORDS)
    assert cmd is None or isinstance(cmd, TodoCommand | ItemCommand)
    if isinstance(cmd, ItemCommand):
        assert 0 <= cmd.item_id <= 999_999_999
        assert cmd.action in ("claim", "resolve", "transfer", "recategorize")
        assert re.search(r"[#＃]\s*0*" + str(cmd.item_id), text)  # the id is one the text holds
        if cmd.action == "transfer":
            assert cmd.arg in CFG.units or cmd.arg == "captain"
        if cmd.action == "recategorize":
            assert cmd.arg in ("need", "complaint", "question", "other")
    if "#" not in text and "＃" not in text:
        assert not isinstance(cmd, ItemCommand)


@settings(max_examples=1500, deadline=None)
@given(st.integers(0, 999_999_999), st.sampled_from(["claim", "resolve", "transfer", "recategorize"]),
       st.data(), st.sampled_from(["", "@叶笑燕\u2005", "@物业小张 @周海芳 ", "  "]),
       st.sampled_from(["#", "＃", "# ", "＃ "]), st.sampled_from([" ", "  ", "\u3000", ""]))
def test_every_well_formed_command_parses_to_what_was_meant(item_id, action, data, mention, hash_,
                                                            gap) -> None:
    if action == "claim":
        word, arg = data.draw(st.sampled_from(WORDS.claim)), None
    elif action == "resolve":
        word, arg = data.draw(st.sampled_from(WORDS.resolve)), None
    elif action == "transfer":
        word = data.draw(st.sampled_from(sorted(WORDS.transfer)))
        arg = WORDS.transfer[word]
    else:
        label = data.draw(st.sampled_from(sorted(WORDS.categories)))
        word, arg = f"{WORDS.recategorize} {label}", WORDS.categories[label]
    text = f"{mention}{hash_}{item_id}{gap or ' '}{word}"
    assert parse_command(text, WORDS) == ItemCommand(item_id, action, arg)
    # Text after the command makes it chatter, never a different command.
    assert parse_command(text + " 谢谢大家的帮忙", WORDS) is None


_DIGITS = st.text(alphabet="0123456789", min_size=11, max_size=11)


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=30), st.sampled_from(["13", "15", "18", "19"]),
       st.text(alphabet="0123456789", min_size=9, max_size=9),
       st.sampled_from(["", "+86", "+86 ", "86-"]), st.text(max_size=30))
def test_mask_hides_every_mobile_number(before, prefix, rest, cc, after) -> None:
    phone = prefix + rest
    masked = mask(f"{before} {cc}{phone} {after}")
    assert phone not in masked
    assert rest[-4:] in masked  # the last four stay, so people can still tell numbers apart
    assert mask(masked) == masked


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
                 st.dictionaries(st.sampled_from(["id", "ts", "room", "sender_id", "sender_name", "text",
                                                  "mentions", "kind"]),
                                 st.one_of(st.text(max_size=20), st.integers(), st.none(),
                                           st.lists(st.text(max_size=5), max_size=3)))
                 .map(json.dumps)))
def test_a_replay_line_parses_or_is_refused_with_a_reason(line: str) -> None:
    try:
        msg = parse_line(line)
    except ReplayLineError as e:
        assert str(e)
        return
    assert msg.id and msg.ts.tzinfo is not None and "\x00" not in msg.text


# -- the whole pipeline --------------------------------------------------------------------
_LOOP = asyncio.new_event_loop()
_BOT: list[Harness] = []


def _harness() -> Harness:
    if not _BOT:
        from storage import SqliteRepository

        repo = _LOOP.run_until_complete(SqliteRepository.open(":memory:"))
        _BOT.append(Harness(CFG, repo, datetime(2026, 11, 28, 9, 0, tzinfo=TZ)))
    return _BOT[0]


@pytest.fixture(scope="module", autouse=True)
def _close_harness():
    yield
    if _BOT:  # aiosqlite's thread would keep the interpreter alive
        _LOOP.run_until_complete(_BOT.pop().repo.close())


hostile = st.one_of(
    texts,
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", " ", "\u200b\u200d\ufeff", "\u202e灯坏了", "' OR 1=1; --", "{0}{id}%s%n",
                     "{__class__}", "😀" * 100, "楼道灯坏了" * 2000, "\x00\x01\x7f", "#1 已处理"]),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from([G11, G12, G21, STAFF, "陌生群", ""]),
       st.sampled_from([LI, YE, "wxid_zhouhaifang", "wxid_wuye_xiaozhang", "", "wxid_伪装的楼道长"]),
       hostile, st.sampled_from(["text", "image"]))
def test_the_pipeline_takes_anything_and_keeps_going(room, sender, text, kind) -> None:
    bot = _harness()

    async def one() -> None:
        before = await bot.repo.count_messages()
        bot.clock.set(bot.now + timedelta(seconds=7))
        msg = Message(id=f"h{before}-{len(text)}-{hash(text) & 0xffff}", ts=bot.now, room=room,
                      sender_id=sender, sender_name="某人", text=text.replace("\x00", ""), kind=kind)
        await bot.bot.pipeline.take([msg], bot.now)
        await bot._drain()
        state = await bot.repo.message_state(msg.id)
        if room in (G11, G12, G21, STAFF, ""):
            assert state in ("handled", "echo", "backlog"), state  # never 'failed', never stuck
        else:
            assert state is None  # unknown group: a count, nothing more
        for s in bot.sent():  # whatever is said is a whole message to a known group
            assert s.text and (s.room in (G11, G12, G21, STAFF) or s.out.direct_to)

    _LOOP.run_until_complete(one())
