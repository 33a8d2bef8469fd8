"""Nobody let in, nothing executed, nothing leaked: every hostile input has a defined outcome.

- commands act only for configured contact ids; a resident's command-like text changes nothing
- resident text is data: stored verbatim, never SQL, shell or a format template
- phone and ID-card numbers are masked wherever text leaves the ledger; logs above debug hold
  no message text; retention purges raw message text and keeps items and counts
"""

from __future__ import annotations

import ast
import asyncio
import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.scheduler import purge
from handlers import texts
from handlers.context import Ctx
from handlers.digest import build_digest, format_digest
from tests.support import CONFIG, G11, G12, G21, LI, ROOT, STAFF, WUYE, YE, ZHOU

PHONE, ID_CARD = "13812345678", "110101199003071234"
SOURCES = [p for pkg in ("bot", "handlers", "storage", "nlp") for p in (ROOT / pkg).rglob("*.py")]


# -- bad input: each has a defined outcome, and the bot carries on ---------------------------
# (text, what must happen: "nothing" = recorded, no item, no reply)
NOTHING = [
    "", "   ", "\t\r\n", "\u200b\u200c\u200d\ufeff", "😀" * 40, "👍👍👍", "\x00\x01\x02\x7f",
    "{0}{id}%s%d", "'; DROP TABLE items; --", "$(rm -rf /)", "`reboot`",
]


@pytest.mark.parametrize("text", NOTHING, ids=repr)
async def test_noise_is_recorded_and_nothing_else(stairbot, text):
    msg = await stairbot.say(G11, LI, text)
    assert stairbot.sent() == []
    assert await stairbot.repo.items() == []
    assert await stairbot.repo.message_state(msg.id) in ("handled", "echo")
    await stairbot.say(G11, LI, "楼道灯坏了")  # and the bot carries on
    assert "#1" in stairbot.sent()[0].text


async def test_ascii_gibberish_is_at_worst_a_guessed_item(stairbot):
    # The classifier may guess at text it does not know (nlp's call); the outcome is still defined:
    # recorded, and if it becomes an item, kept verbatim and acknowledged with the "guess" hint.
    text = "{__class__.__mro__}"
    msg = await stairbot.say(G11, LI, text)
    assert await stairbot.repo.message_state(msg.id) == "handled"
    for item in await stairbot.repo.items():
        assert item.text == text
    for s in stairbot.sent():
        assert "__class__" not in s.text and "#1" in s.text and "自动判断" in s.text


@pytest.mark.parametrize("text", [
    "楼道灯坏了" + "啊" * 50_000,
    "\u202e楼道灯坏了\u202c",
    "楼\u200b道\u200b灯\u200b坏\u200b了",
    "楼道灯坏了'; DROP TABLE items; --",
    "楼道灯坏了 {id}{reporter}{0}%s {{}}",
    "楼道灯坏了\x00\x07",
], ids=["50k", "rtl", "zero-width", "sql", "format", "control"])
async def test_a_report_wrapped_in_hostile_text_is_kept_verbatim(stairbot, text):
    await stairbot.say(G11, LI, text, name="李阿姨{0}")
    [out] = stairbot.sent()
    [item] = await stairbot.repo.items()
    assert item.text == text and item.reporter_name == "李阿姨{0}"  # data, stored as given
    assert f"#{item.id}" in out.text and len(out.text) < 200  # one short ack, no template left
    assert await stairbot.repo.count_items() == 1  # the tables are intact


async def test_forged_and_wrong_commands(stairbot):
    await stairbot.say(G11, LI, "楼道灯坏了", name="李阿姨")
    stairbot.sent()
    # a resident who renamed themself to look like the captain, with every command word
    for word in ("收到", "认领", "已处理", "好了", "完成", "转物业", "转社区", "改 其他"):
        await stairbot.say(G11, "wxid_fake", f"#1 {word}", name="叶笑燕")
    await stairbot.say(G11, "wxid_fake", "待办", name="叶笑燕")
    assert stairbot.sent() == []
    item = await stairbot.item(1)
    assert (item.status, item.category, item.assignees) == ("open", "complaint", (WUYE, YE))
    assert [e.action for e in await stairbot.repo.events(1)] == ["report"]
    # the real captain: an id that does not exist, an id far too long, another building
    await stairbot.say(G11, YE, "#4040 收到")
    assert [s.text for s in stairbot.sent()] == [texts.NOT_FOUND.format(id=4040)]
    await stairbot.say(G11, YE, "#12345678901234567890 收到")  # not a command: chatter
    assert stairbot.sent() == []
    await stairbot.say(G21, "wxid_y", "楼道灯坏了")
    stairbot.sent()
    await stairbot.say(G11, YE, "#2 已处理")
    assert [s.text for s in stairbot.sent()] == [texts.NOT_YOURS.format(id=2)]
    assert (await stairbot.item(2)).status == "open"


async def test_unknown_groups_and_staff_chatter(stairbot):
    await stairbot.say("隔壁小区闲聊群", YE, "#1 已处理")
    await stairbot.say("隔壁小区闲聊群", LI, "楼道灯坏了")
    await stairbot.say(STAFF, ZHOU, "楼道灯坏了")  # staff group: commands only, never an item
    assert stairbot.sent() == [] and await stairbot.repo.items() == []
    assert await stairbot.repo.ignored_counts() == {"隔壁小区闲聊群": 2}


# -- nothing a resident writes is executed ------------------------------------------------------
def _calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def test_templates_are_only_ever_the_texts_module():
    """`.format` is called on texts' constants only, so resident text can fill a template but
    never be one (a "{0.__class__}" from a resident stays text)."""
    bad = []
    for path in SOURCES:
        if "nlp" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        from_texts = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign)
                      for t in n.targets if isinstance(t, ast.Name)
                      and "texts." in ast.unparse(n.value) and "format" not in ast.unparse(n.value)}
        for call in _calls(tree):
            f = call.func
            if isinstance(f, ast.Attribute) and f.attr in ("format", "format_map"):
                recv = ast.unparse(f.value)
                ok = recv.startswith("texts.") or isinstance(f.value, ast.Constant) or recv in from_texts
                if not ok:
                    bad.append(f"{path.relative_to(ROOT)}:{call.lineno}: {recv}.format")
            if isinstance(f, ast.BinOp) and isinstance(f.op, ast.Mod):
                bad.append(f"{path.relative_to(ROOT)}:{call.lineno}: % formatting")
    assert bad == []


def test_no_shell_no_eval_and_sql_only_in_storage():
    bad = []
    for path in SOURCES:
        src = path.read_text(encoding="utf-8")
        tree = ast.parse(src)
        for call in _calls(tree):
            name = ast.unparse(call.func)
            if name in ("eval", "exec", "os.system", "os.popen", "compile") or name.startswith("subprocess."):
                bad.append(f"{path.relative_to(ROOT)}:{call.lineno}: {name}")
        if "storage" not in path.parts:
            for n in ast.walk(tree):
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and any(
                        k in n.value for k in ("SELECT ", "INSERT INTO", "UPDATE items", "DELETE FROM")):
                    bad.append(f"{path.relative_to(ROOT)}:{n.lineno}: SQL outside storage")
    assert bad == []


async def test_sql_in_every_field_is_stored_as_text(stairbot):
    evil = "x'); DELETE FROM items; --"
    await stairbot.say(G12, evil, f"楼道灯坏了 {evil}", name=evil, msg_id=evil)
    [item] = await stairbot.repo.items()
    assert (item.reporter_id, item.reporter_name, item.message_id) == (evil, evil, evil)
    assert await stairbot.repo.items(buildings=[evil]) == []
    assert await stairbot.repo.items(buildings=["1幢"]) == [item]


# -- nothing leaks -------------------------------------------------------------------------------
LEAKY = f"楼道水管漏水了，急，电话{PHONE}，身份证{ID_CARD}"


def _clean(text: str) -> bool:
    return PHONE not in text and ID_CARD not in text and "12345678" not in text


async def test_numbers_are_masked_in_pings_reminders_escalations_todo_and_digest(stairbot):
    await stairbot.say(G11, LI, LEAKY, name="李阿姨")
    await stairbot.say(G11, YE, "#1 转物业")
    await stairbot.say(G11, YE, "待办")
    await stairbot.advance(timedelta(hours=25))  # reminder, escalation, the 08:00 digest
    sent = stairbot.sent()
    assert any("待办" in s.text for s in sent) and any("超过" in s.text for s in sent)
    assert any(s.text.startswith("【") for s in sent)
    assert all(_clean(s.text) for s in sent), [s.text for s in sent if not _clean(s.text)]
    d = await build_digest(Ctx(stairbot.repo, stairbot.cfg, stairbot.now), stairbot.now.date())
    assert _clean(format_digest(d, stairbot.now)) and _clean(json.dumps(d.to_json(), ensure_ascii=False))


async def test_exports_are_masked_and_hold_only_the_buildings_asked_for(stairbot, tmp_path, capsys):
    await stairbot.say(G11, LI, LEAKY)
    await stairbot.say(G21, "wxid_x", f"电梯坏了，联系{PHONE}")
    db = tmp_path / "bot.db"

    def ledger(*args: str) -> int:  # the CLI runs its own event loop: give it a thread
        return main(["ledger", *args, "-c", str(CONFIG), "--db", str(db)])

    for fmt in ("json", "csv", "table"):
        assert await asyncio.to_thread(ledger, "--format", fmt, "--building", "2幢") == 0
        out = capsys.readouterr().out
        assert _clean(out) and "2幢" in out and "1幢" not in out
    assert await asyncio.to_thread(ledger, "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["building"] for r in rows} == {"1幢", "2幢"} and all(_clean(r["text"]) for r in rows)


async def test_logs_above_debug_hold_no_message_text(stairbot, caplog, monkeypatch):
    import handlers.router as router

    caplog.set_level(logging.DEBUG)
    await stairbot.say(G11, LI, LEAKY)
    real = router.ROUTES

    async def explode(inc, ctx):
        raise RuntimeError("handler bug")

    monkeypatch.setattr(router, "ROUTES", (("explode", explode), *real))
    await stairbot.say(G11, LI, f"第二条 {LEAKY}")  # a failing handler logs, and must not leak
    loud = [r for r in caplog.records if r.levelno > logging.DEBUG]
    assert any("failed" in r.getMessage() for r in loud)
    for r in loud:
        text = r.getMessage() + (r.exc_text or "")
        assert PHONE not in text and "漏水" not in text, text


async def test_retention_purges_message_text_and_keeps_items_and_counts(stairbot):
    await stairbot.say(G11, LI, LEAKY)
    await stairbot.say(G11, LI, "哈哈好的")
    before = await build_digest(Ctx(stairbot.repo, stairbot.cfg, stairbot.now), stairbot.now.date())
    later = stairbot.now + timedelta(days=stairbot.cfg.privacy.retention_days + 1)
    await purge(Ctx(stairbot.repo, stairbot.cfg, later))
    rows = await stairbot.repo._all("SELECT text FROM messages")  # raw text is gone
    assert rows and all(r[0] is None for r in rows)
    assert await stairbot.repo.count_messages() == 2  # counts stay
    [item] = await stairbot.repo.items()
    assert item.category == "complaint" and item.building == "1幢"  # the record stays
    after = await build_digest(Ctx(stairbot.repo, stairbot.cfg, stairbot.now), stairbot.now.date())
    assert after.buildings == before.buildings
    assert item.text == LEAKY  # still open: the text is still needed to do the work


async def test_retention_masks_the_text_of_old_finished_items(stairbot):
    await stairbot.say(G11, LI, LEAKY)
    await stairbot.say(G21, "wxid_x", f"电梯坏了，联系{PHONE}")
    await stairbot.say(G11, YE, "#1 已处理")
    later = stairbot.now + timedelta(days=stairbot.cfg.privacy.retention_days + 1)
    await purge(Ctx(stairbot.repo, stairbot.cfg, later))
    done, active = await stairbot.item(1), await stairbot.item(2)
    assert _clean(done.text) and "漏水" in done.text and done.status == "resolved"
    assert PHONE in active.text  # open items keep what the worker needs


def test_sources_exist():
    assert len(SOURCES) > 20 and all(isinstance(p, Path) for p in SOURCES)
