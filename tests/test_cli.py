"""The command line as staff use it: the console, exports read back, broken configs, migrations."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from storage import NewItem, open_repository
from tests.support import CONFIG, G11, G21, ROOT

TZ = ZoneInfo("Asia/Shanghai")


def run(*args: str, stdin: str | None = None, cwd=ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_console_answers_a_need_with_one_reply_and_exits_zero(tmp_path):
    p = run("run", "--db", str(tmp_path / "c.db"),
            stdin="/as wxid_liayi 李阿姨\n燕姐能帮我取个快递吗 我家502\n")
    assert p.returncode == 0, p.stderr
    replies = [line for line in p.stdout.splitlines() if "楼道管家:" in line]
    assert len(replies) == 1
    assert replies[0].startswith(f"[{G11}]") and "@叶笑燕" in replies[0] and "#1" in replies[0]


def test_console_help_and_group_switch(tmp_path):
    p = run("run", "--db", str(tmp_path / "c.db"),
            stdin=f"/help\n/group {G21}\n/as wxid_x 小刘\n请问明天几点停水？\n")
    assert p.returncode == 0
    assert "/group" in p.stdout and "/as" in p.stdout
    assert f"[{G21}] 楼道管家: @陈建国" in p.stdout


@pytest.fixture
async def ledger_db(tmp_path):
    db = tmp_path / "l.db"
    async with open_repository(db) as repo:
        for n, (building, group, text) in enumerate([
            ("1幢", G11, "=HYPERLINK(\"x\") 我家电话13912345678 灯坏了"),
            ("2幢", G21, "请问疫苗在哪打"),
        ]):
            await repo.create_item(NewItem(
                building=building, room="502" if n == 0 else None, group=group,
                category="complaint" if n == 0 else "question", urgent=False, text=text,
                reporter_id=f"wxid_{n}", reporter_name="居民", assignees=("wxid_yexiaoyan",),
                created_at=datetime(2026, 11, 27, 8, n, tzinfo=TZ), message_id=f"m{n}"))
    return db


def test_csv_export_has_a_bom_and_masks_phones(ledger_db, tmp_path):
    out = tmp_path / "l.csv"
    p = run("ledger", "--format", "csv", "-o", str(out), "--db", str(ledger_db))
    assert p.returncode == 0, p.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "编号" and len(rows) == 3
    assert "13912345678" not in raw.decode("utf-8-sig") and "139****5678" in rows[1][7]
    assert rows[1][7].startswith("'=")  # a formula stays text in Excel


def test_xlsx_export_reads_back(ledger_db, tmp_path):
    out = tmp_path / "l.xlsx"
    assert run("ledger", "--format", "xlsx", "-o", str(out), "--db", str(ledger_db)).returncode == 0
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "楼栋", "房号")
    assert rows[1][0] == 1 and rows[1][1] == "1幢" and rows[1][2] == "502"
    assert "139****5678" in rows[1][7]


def test_export_holds_only_the_building_asked_for(ledger_db):
    p = run("ledger", "--format", "json", "--building", "2幢", "--db", str(ledger_db))
    items = json.loads(p.stdout)
    assert [i["building"] for i in items] == ["2幢"]


def test_ledger_filters_by_status_and_prints_a_table(ledger_db):
    p = run("ledger", "--status", "open", "--db", str(ledger_db))
    assert p.returncode == 0 and "#1" in p.stdout and "#2" in p.stdout
    assert "13912345678" not in p.stdout
    assert json.loads(run("ledger", "--format", "json", "--status", "resolved",
                          "--db", str(ledger_db)).stdout) == []


@pytest.mark.parametrize("edit, needle", [
    (lambda s: s.replace("timezone: Asia/Shanghai", "timezone: Mars/Olympus"), "Mars/Olympus"),
    (lambda s: s.replace("community: 新宜社区\n", ""), "community"),
    (lambda s: s.replace("remind_after_minutes: 120", "remind_after_minutes: soon"), "remind_after_minutes"),
    (lambda s: s.replace("complaint: [property, captain]", "complaint: [plumber, captain]"), "plumber"),
    (lambda s: s.replace("新宜1幢2单元楼道群", "新宜1幢1单元楼道群"), "新宜1幢1单元楼道群"),
    (lambda s: s + "\n  - [unclosed", "YAML"),
    (lambda s: s.replace('digest_time: "08:00"', 'digest_time: "25:00"'), "digest_time"),
])
def test_broken_config_gives_one_line_and_exit_2(tmp_path, edit, needle):
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit(CONFIG.read_text(encoding="utf-8")), encoding="utf-8")
    for args in (["digest"], ["ledger"], ["replay", str(CONFIG)], ["run"]):
        p = run(*args, "-c", str(bad), "--db", str(tmp_path / "x.db"), stdin="")
        assert p.returncode == 2, (args, p.stderr)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0], p.stderr


def test_missing_config_and_missing_db(tmp_path):
    p = run("digest", "-c", str(tmp_path / "nope.yaml"))
    assert p.returncode == 2 and "nope.yaml" in p.stderr
    p = run("ledger", "--db", str(tmp_path / "none.db"))
    assert p.returncode == 2 and "none.db" in p.stderr


async def test_migration_upgrades_an_existing_database_and_keeps_its_rows(tmp_path):
    db = tmp_path / "old.db"
    first = resources.files("storage.migrations").joinpath("001_init.sql").read_text(encoding="utf-8")
    con = sqlite3.connect(db)
    con.executescript(first)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (1)")
    con.execute(
        "INSERT INTO items (building, room, grp, category, urgent, status, text, reporter_id,"
        " reporter_name, assignees, created_at, updated_at, message_id) VALUES"
        " ('1幢', '502', ?, 'need', 0, 'open', '取快递', 'wxid_liayi', '李阿姨', '[]',"
        " '2026-11-27T00:00:00.000000+00:00', '2026-11-27T00:00:00.000000+00:00', 'old-1')",
        (G11,))
    con.commit()
    con.close()
    latest = max(int(f.name[:3]) for f in resources.files("storage.migrations").iterdir()
                 if f.name.endswith(".sql"))
    async with open_repository(db) as repo:
        assert await repo.schema_version() == latest
        [item] = await repo.items()
        assert item.text == "取快递" and item.room == "502"
    async with open_repository(db) as repo:  # opening again migrates nothing
        assert await repo.schema_version() == latest


def test_database_newer_than_the_code_is_refused(tmp_path):
    db = tmp_path / "new.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (999)")
    con.commit()
    con.close()
    p = run("ledger", "--db", str(db))
    assert p.returncode == 2 and "999" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_eval_prints_the_fixed_shape():
    dev = ROOT.parent / "shared" / "corpus" / "dev.jsonl"
    if not dev.is_file():
        dev = ROOT / "nlp" / "data" / "dev.jsonl"
    p = run("eval", str(dev), "--json")
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert {"n", "accuracy", "macro_f1", "labels", "confusion", "urgent", "room"} <= set(r)
    assert set(r["labels"]) == {"need", "complaint", "question", "other"}
    assert {"precision", "recall", "f1", "support"} <= set(r["labels"]["need"])
    assert {"precision", "recall", "f1"} <= set(r["urgent"]) and "accuracy" in r["room"]
    assert r["n"] == 360


def test_train_uses_captains_corrections_and_the_bot_loads_the_model(tmp_path):
    db = tmp_path / "t.db"
    log = tmp_path / "log.jsonl"
    msgs = [
        {"id": "a1", "ts": "2026-11-27T09:00:00+08:00", "room": G11, "sender_id": "wxid_liayi",
         "sender_name": "李阿姨", "text": "楼下小卖部几点关门", "mentions": []},
        {"id": "a2", "ts": "2026-11-27T09:05:00+08:00", "room": G11,
         "sender_id": "wxid_yexiaoyan", "sender_name": "叶笑燕", "text": "#1 改 投诉", "mentions": []},
    ]
    log.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in msgs) + "\n", encoding="utf-8")
    assert run("replay", str(log), "--db", str(db)).returncode == 0
    model = tmp_path / "model.json"
    p = run("train", "--db", str(db), "-o", str(model))
    assert p.returncode == 0, p.stderr
    assert model.is_file() and "1" in p.stdout  # one correction used
    cfg = tmp_path / "c.yaml"
    cfg.write_text(CONFIG.read_text(encoding="utf-8").replace("model: null", f"model: {model}"),
                   encoding="utf-8")
    p = run("run", "-c", str(cfg), "--db", str(tmp_path / "r.db"), stdin="三楼灯坏了\n")
    assert p.returncode == 0 and "#1" in p.stdout
