"""Two days in the demo groups, replayed through the real command line on a simulated clock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import CONFIG, G11, G12, G21, ROOT, STAFF, WUYE, YE, ZHOU

DATA = Path(__file__).parent / "data" / "two_days.jsonl"


def stairbot(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          cwd=ROOT, check=check, timeout=120)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    db = tmp_path_factory.mktemp("replay") / "r.db"
    p = stairbot("replay", str(DATA), "-c", str(CONFIG), "--db", str(db))
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    return db, lines, p.stderr


def _find(lines, room, needle):
    return [m for m in lines if m["room"] == room and needle in m["text"]]


def test_stdout_holds_only_json_lines_and_the_bad_line_is_reported(replayed):
    _, lines, stderr = replayed
    assert all(set(m) == {"ts", "room", "text", "mentions"} for m in lines)
    assert "two_days.jsonl:6:" in stderr


def test_first_pings_go_to_the_right_people(replayed):
    _, lines, _ = replayed
    [need] = _find(lines, G11, "#1 收到")
    assert need["mentions"] == [YE] and need["ts"].startswith("2026-11-27T08:15")
    [complaint] = _find(lines, G12, "#2 收到")
    assert complaint["mentions"][0] == WUYE
    [question] = _find(lines, G21, "#3 收到")
    assert question["mentions"] == ["wxid_chenjianguo"]


def test_unknown_group_and_chatter_get_nothing(replayed):
    _, lines, _ = replayed
    assert not [m for m in lines if m["room"] == "隔壁小区闲聊群"]
    assert not [m for m in lines if "张叔" in m["text"]]


def test_reminder_for_an_unclaimed_item(replayed):
    _, lines, _ = replayed
    [r] = _find(lines, G12, "#2 还没有人认领")
    assert r["ts"].startswith("2026-11-27T10:30") and WUYE in r["mentions"]


def test_night_complaint_is_held_and_urgent_goes_at_once(replayed):
    _, lines, _ = replayed
    [held] = _find(lines, G21, "#5 收到")
    assert held["ts"].startswith("2026-11-28T07:00")
    urgent = [m for m in lines if "#6" in m["text"] and "紧急" in m["text"]]
    assert {m["room"] for m in urgent} == {G12, STAFF}
    assert all(m["ts"].startswith("2026-11-27T23:40") for m in urgent)
    assert [m["mentions"] for m in urgent if m["room"] == STAFF] == [[ZHOU]]


def test_digest_at_eight_and_escalation_after_a_day(replayed):
    _, lines, _ = replayed
    [digest] = [m for m in lines if m["text"].startswith("【新宜社区日报】2026-11-27")]
    assert digest["room"] == STAFF and digest["ts"].startswith("2026-11-28T08:00")
    [esc] = _find(lines, STAFF, "#2 新宜1幢2单元楼道群")
    assert esc["mentions"] == [ZHOU] and esc["ts"].startswith("2026-11-28T08:30")
    assert lines.index(digest) < lines.index(esc)


def test_resolution_notes_mention_the_reporter(replayed):
    _, lines, _ = replayed
    [note] = _find(lines, G11, "#1 已处理好了")
    assert note["mentions"] == ["wxid_liayi"]


def test_impostor_command_has_no_effect(replayed):
    db, lines, _ = replayed
    # 陈建国 resolved #3 at 09:30; the impostor's "#3 已处理" at 09:20 did nothing
    [note] = _find(lines, G21, "#3 已处理好了")
    assert note["ts"].startswith("2026-11-27T09:30")
    item = json.loads(stairbot("ledger", "--item", "3", "--format", "json", "--db", str(db)).stdout)[0]
    assert [e["actor_id"] for e in item["events"]] == ["wxid_xiaoliu", "wxid_chenjianguo"]


def test_ledger_shows_final_status_of_every_item(replayed):
    db, _, _ = replayed
    items = json.loads(stairbot("ledger", "--format", "json", "--db", str(db)).stdout)
    assert [i["id"] for i in items] == [1, 2, 3, 4, 5, 6]
    status = {i["id"]: i["status"] for i in items}
    assert status == {1: "resolved", 2: "resolved", 3: "resolved", 4: "open", 5: "open",
                      6: "resolved"}
    fields = {"id", "building", "room", "group", "category", "urgent", "status", "text",
              "reporter_id", "reporter_name", "assignees", "created_at"}
    assert all(fields <= set(i) for i in items)
    first = items[0]
    assert (first["building"], first["room"], first["group"], first["category"]) == (
        "1幢", "502", G11, "need")
    assert first["created_at"] == "2026-11-27T08:15:00+08:00"
    assert first["assignees"] == [YE] and first["reporter_id"] == "wxid_liayi"


def test_digest_json_counts_the_day(replayed):
    db, _, _ = replayed
    d = json.loads(stairbot("digest", "--date", "2026-11-27", "--json", "--db", str(db)).stdout)
    assert d["date"] == "2026-11-27" and d["community"] == "新宜社区"
    b1, b2 = d["buildings"]["1幢"], d["buildings"]["2幢"]
    assert b1["new"] == 4 and b1["by_category"] == {"need": 1, "complaint": 3, "question": 0}
    assert b1["urgent"] == 1
    assert b2["new"] == 2 and b2["by_category"] == {"need": 0, "complaint": 1, "question": 1}
    assert b1["resolved"] == 1 and b2["resolved"] == 1


def test_replaying_again_repeats_nothing(replayed, tmp_path):
    db, _, _ = replayed
    again = stairbot("replay", str(DATA), "--db", str(db))
    assert again.stdout == ""
