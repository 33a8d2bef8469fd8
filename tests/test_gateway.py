"""End to end over a real wire: `stairbot run --transport wechaty` (a subprocess, started as
`python -m bot`) against the local npm puppet-service gateway (tests/gateway_fixture.py).

The config is ./config.yaml with three test-only changes: no quiet hours and the digest
half a day away (the tests run at any hour), and no per-group send interval (rate limits
are the outbox's own tests; here they would only slow consecutive replies down).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.gateway_fixture import Gateway

pytestmark = pytest.mark.gateway

ROOT = Path(__file__).resolve().parent.parent
STAIR = "新宜1幢1单元楼道群"  # captain wxid_yexiaoyan
STAIR2 = "新宜1幢2单元楼道群"  # captain wxid_wangxia
STAIR3 = "新宜2幢1单元楼道群"  # captain wxid_chenjianguo
STAFF = "新宜社区工作群"
OTHER = "隔壁小区闲聊群"  # not in the config
CAPTAIN, PROPERTY, OFFICE = "wxid_yexiaoyan", "wxid_wuye_xiaozhang", "wxid_zhouhaifang"
LI, ZHANG, FAKE = "wxid_liayi", "wxid_zhangshu", "wxid_fake"
OFFICIAL_ACCOUNT = "gh_xinyi_wuye"

NEED = "燕姐能帮我取个快递吗 我家502"
COMPLAINT = "三楼楼道的灯坏了好几天了"
URGENT = "楼道里好大的煤气味！！"
QUIET_S = 1.5  # how long "the bot says nothing" is watched for

ROUND_TRIPS: list[float] = []


# ---- the bot as a subprocess ---------------------------------------------------------


def _config(tmp: Path) -> Path:
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    tz = ZoneInfo(cfg.get("timezone", "Asia/Shanghai"))
    cfg["database"] = str(tmp / "unused.db")
    cfg["schedule"]["quiet_hours"] = {"start": "00:00", "end": "00:00"}
    cfg["schedule"]["digest_time"] = (datetime.now(tz) + timedelta(hours=12)).strftime("%H:%M")
    cfg["outbox"]["per_group_interval_seconds"] = 0
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


class Stairbot:
    """`stairbot run --transport wechaty` on one database, (re)startable."""

    def __init__(self, gateway: Gateway, tmp: Path) -> None:
        self.gateway = gateway
        self.db = tmp / "stairbot.db"
        self.config = _config(tmp)
        self.proc: subprocess.Popen[str] | None = None
        self.log = tmp / "stairbot.log"

    def env(self, token: str | None = None) -> dict[str, str]:
        return {
            **os.environ,
            "WECHATY_PUPPET_SERVICE_ENDPOINT": self.gateway.endpoint,
            "WECHATY_PUPPET_SERVICE_TOKEN": token or self.gateway.token,
            "PYTHONUNBUFFERED": "1",
        }

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "bot", *args, "-c", str(self.config), "--db", str(self.db)]

    def start(self) -> None:
        assert self.proc is None
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                self.cmd("run", "--transport", "wechaty"), cwd=ROOT, env=self.env(),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, text=True,
            )
        try:
            self.gateway.wait_client(timeout=20)
        except AssertionError:
            self.stop()
            raise AssertionError("stairbot did not connect:\n" + self.log.read_text()) from None

    def stop(self) -> int | None:
        """SIGTERM, as a supervisor restarting the service would send."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.gateway.wait_client(attached=False, timeout=10)
        return proc.returncode

    def ledger(self) -> list[dict[str, Any]]:
        out = subprocess.run(self.cmd("ledger", "--format", "json"), cwd=ROOT, env=self.env(),
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return list(json.loads(out.stdout))


@pytest.fixture
def live_bot(gateway: Gateway, tmp_path: Path) -> Iterator[Stairbot]:
    gateway.drain()
    bot = Stairbot(gateway, tmp_path)
    bot.start()
    try:
        yield bot
    finally:
        bot.stop()
        gateway.drain()


def say_and_time(gateway: Gateway, sender: str, text: str, room: str) -> tuple[dict, float]:
    t0 = time.monotonic()
    gateway.say(sender, text, room=room)
    out = gateway.sent(timeout=5)
    rtt = out["observed"] - t0
    ROUND_TRIPS.append(rtt)
    return out, rtt


def assert_quiet(gateway: Gateway, what: str) -> None:
    extra = gateway.quiet(QUIET_S)
    assert extra == [], f"{what}: the bot said {extra}"


# ---- tests ---------------------------------------------------------------------------


def test_need_complaint_urgent_are_routed(gateway: Gateway, live_bot: Stairbot) -> None:
    gateway.say(OFFICIAL_ACCOUNT, URGENT, room=STAIR)  # official accounts are not residents
    assert_quiet(gateway, "official account")

    out, rtt = say_and_time(gateway, LI, NEED, STAIR)
    assert out["room"] == STAIR
    assert CAPTAIN in out["mentions"] and "#1" in out["text"]
    assert rtt < 1.0, f"reply took {rtt:.3f} s"
    print(f"\nround trip (say -> reply observed at the gateway): {rtt * 1000:.0f} ms")

    out, _ = say_and_time(gateway, ZHANG, COMPLAINT, STAIR2)
    assert out["room"] == STAIR2
    assert PROPERTY in out["mentions"] and "#2" in out["text"]

    gateway.say(LI, URGENT, room=STAIR3)
    sent = [gateway.sent(timeout=5), gateway.sent(timeout=5)]
    by_room = {s["room"]: s for s in sent}
    assert set(by_room) == {STAIR3, STAFF}, sent
    assert {"wxid_chenjianguo", PROPERTY} <= set(by_room[STAIR3]["mentions"])
    assert OFFICE in by_room[STAFF]["mentions"]
    assert "#3" in by_room[STAIR3]["text"]

    # chatter, a photo, a group the config does not name: nothing said, nothing filed
    gateway.say(LI, "哈哈好的", room=STAIR)
    gateway.say(ZHANG, kind="image", room=STAIR)
    gateway.say(LI, URGENT, room=OTHER)
    # the bot's own messages came back to it as messages (PuppetMock echoes sends):
    # had they been processed, they would have been filed or answered by now
    assert_quiet(gateway, "chatter, image, unconfigured group and own echoes")

    # private messages: one hint a day per person, delivered privately (Contact.say)
    gateway.say(ZHANG, "请问疫苗在哪里打", to="wxid_stairbot")
    out = gateway.sent(timeout=5)
    assert out["to"] == ZHANG and out["room"] is None and out["mentions"] == []
    gateway.say(ZHANG, "在吗", to="wxid_stairbot")
    assert_quiet(gateway, "second private message the same day")

    items = live_bot.ledger()
    assert [(i["id"], i["category"], i["group"], i["urgent"]) for i in items] == [
        (1, "need", STAIR, False),
        (2, "complaint", STAIR2, False),
        (3, items[2]["category"], STAIR3, True),
    ]
    assert all(i["reporter_id"] != "wxid_stairbot" for i in items)


def test_impostor_changes_nothing_captain_does(gateway: Gateway, live_bot: Stairbot) -> None:
    need = gateway.say(LI, NEED, room=STAIR)
    assert "#1" in gateway.sent(timeout=5)["text"]
    gateway.redeliver(need)  # the same message id again, within the process

    gateway.say(FAKE, "#1 已处理", room=STAIR)  # display name 叶笑燕, id not the captain's
    assert_quiet(gateway, "impostor's command")
    [item] = live_bot.ledger()
    assert item["status"] == "open"

    # the same words from the real captain do resolve it, and tell the reporter
    gateway.say(CAPTAIN, "#1 已处理", room=STAIR)
    out = gateway.sent(timeout=5)
    assert out["room"] == STAIR and LI in out["mentions"]
    [item] = live_bot.ledger()
    assert item["status"] == "resolved"


def test_restart_and_rename_lose_nothing_repeat_nothing(
    gateway: Gateway, live_bot: Stairbot
) -> None:
    first = gateway.say(LI, NEED, room=STAIR)
    out = gateway.sent(timeout=5)
    assert "#1" in out["text"]
    renamed = STAIR2 + "（新）"
    gateway.rename(STAIR2, renamed, by="wxid_wangxia")
    # let the outbox record the send: SIGTERM inside that window repeats it (see below)
    time.sleep(0.5)
    try:
        live_bot.stop()
        # while the bot is down: a new need, and WeChat redelivers the first message
        gateway.say(ZHANG, "能帮忙买点感冒药吗 我家301 在隔离", room=STAIR)
        gateway.redeliver(first)
        assert gateway.quiet(0.5) == []
        live_bot.start()

        out = gateway.sent(timeout=10)
        assert out["room"] == STAIR and "#2" in out["text"], out
        assert_quiet(gateway, "after restart (repeats)")

        # the renamed group is still known by its id, from the database
        gateway.say(ZHANG, COMPLAINT, room=renamed)
        out = gateway.sent(timeout=5)
        assert out["room_id"] == "xinyi_1_2@chatroom" and PROPERTY in out["mentions"]
        assert "#3" in out["text"]
    finally:
        gateway.rename(renamed, STAIR2, by="wxid_wangxia")

    items = live_bot.ledger()
    assert [(i["id"], i["group"]) for i in items] == [(1, STAIR), (2, STAIR), (3, STAIR2)]
    assert items[0]["reporter_id"] == LI and items[1]["reporter_id"] == ZHANG


def test_sigterm_right_after_a_send_does_not_repeat_it(
    gateway: Gateway, live_bot: Stairbot
) -> None:
    gateway.say(LI, NEED, room=STAIR)
    assert "#1" in gateway.sent(timeout=5)["text"]
    live_bot.stop()  # at once
    live_bot.start()
    assert_quiet(gateway, "after an immediate restart")


def test_gateway_restart_is_survived(gateway: Gateway, live_bot: Stairbot) -> None:
    gateway.restart()  # the bot's connection drops; it must reconnect by itself
    gateway.wait_client(timeout=20)
    out, _ = say_and_time(gateway, LI, NEED, STAIR)
    assert "#1" in out["text"] and CAPTAIN in out["mentions"]
    assert live_bot.proc is not None and live_bot.proc.poll() is None


def test_backlog_is_recorded_not_answered(gateway: Gateway, tmp_path: Path) -> None:
    gateway.drain()
    bot = Stairbot(gateway, tmp_path)
    cfg = yaml.safe_load(bot.config.read_text(encoding="utf-8"))
    max_age = float(cfg["wechaty"]["backlog_max_age"])
    # said while no bot was connected, long enough ago to be backlog
    gateway.say(LI, NEED, room=STAIR, age=max_age + 600)
    bot.start()
    try:
        assert_quiet(gateway, "backlog")
        [item] = bot.ledger()
        assert item["text"] == NEED and item["status"] == "open"
        # a fresh message right after is answered as usual
        gateway.say(ZHANG, COMPLAINT, room=STAIR)
        out = gateway.sent(timeout=5)
        assert "#2" in out["text"]
    finally:
        bot.stop()
        gateway.drain()


def test_wrong_token_exits_nonzero_with_one_line(gateway: Gateway, tmp_path: Path) -> None:
    bot = Stairbot(gateway, tmp_path)
    out = subprocess.run(bot.cmd("run", "--transport", "wechaty"), cwd=ROOT,
                         env=bot.env(token="not-the-token"), stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode not in (0, None), out
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert lines, "nothing on stderr"
    assert "token" in lines[-1].lower() and "WECHATY_PUPPET_SERVICE_TOKEN" in lines[-1], out.stderr
    assert "not-the-token" not in out.stderr and gateway.token not in out.stderr


def test_missing_endpoint_exits_nonzero(gateway: Gateway, tmp_path: Path) -> None:
    bot = Stairbot(gateway, tmp_path)
    env = bot.env()
    del env["WECHATY_PUPPET_SERVICE_ENDPOINT"]
    out = subprocess.run(bot.cmd("run", "--transport", "wechaty"), cwd=ROOT, env=env,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert out.returncode not in (0, None)
    assert "WECHATY_PUPPET_SERVICE_ENDPOINT" in out.stderr.strip().splitlines()[-1]


def test_zz_report_round_trip() -> None:
    if not ROUND_TRIPS:
        pytest.skip("no round trip measured")
    ms = sorted(r * 1000 for r in ROUND_TRIPS)
    print(f"\nround trips over {len(ms)} replies: min {ms[0]:.0f} ms, "
          f"median {ms[len(ms) // 2]:.0f} ms, max {ms[-1]:.0f} ms")
