"""Every kind of config mistake: one clear line on stderr that names the problem, exit 2.

Run in-process through bot.cli.main (the same code the `stairbot` script runs), so that many
broken files cost little; tests/test_cli.py checks a few through a real subprocess.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from tests.support import CONFIG

BASE: dict[str, Any] = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
COMMANDS = (["run"], ["replay", str(CONFIG)], ["digest"], ["ledger"])

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        *head, last = path.split(".")
        for k in head:
            d = d[int(k)] if k.isdigit() else d[k]  # type: ignore[index]
        d[int(last) if last.isdigit() else last] = value  # type: ignore[index]
    return edit


def _drop(path: str) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        *head, last = path.split(".")
        for k in head:
            d = d[int(k)] if k.isdigit() else d[k]  # type: ignore[index]
        del d[last]
    return edit


# (what is wrong, the edit, a word the one line must contain)
MISTAKES: list[tuple[str, Edit, str]] = [
    ("unknown timezone", _set("timezone", "Mars/Olympus"), "Mars/Olympus"),
    ("empty timezone", _set("timezone", ""), "timezone"),
    ("timezone of the wrong type", _set("timezone", 8), "timezone"),
    ("missing top-level key", _drop("community"), "community"),
    ("missing nested key", _drop("schedule.digest_time"), "digest_time"),
    ("missing section", _drop("outbox"), "outbox"),
    ("missing routing entry", _drop("routing.urgent"), "routing.urgent"),
    ("missing unit", _drop("units.office"), "office"),
    ("missing captain", _drop("groups.0.captain"), "captain"),
    ("captain without an id", _set("groups.0.captain.id", ""), "captain.id"),
    ("a unit in no group the bot is in", _set("units.office.group", "不存在的群"), "不存在的群"),
    ("two groups, one topic", _set("groups.1.topic", "新宜1幢1单元楼道群"), "新宜1幢1单元楼道群"),
    ("staff group is a stairwell group", _set("staff_group", "新宜2幢1单元楼道群"), "staff_group"),
    ("route to a unit that does not exist", _set("routing.complaint", ["plumber", "captain"]), "plumber"),
    ("transfer to a unit that does not exist", _set("commands.transfer", {"转保安": "guard"}), "guard"),
    ("unknown category word", _set("commands.categories", {"闲聊": "chat"}), "chat"),
    ("no groups", _set("groups", []), "groups"),
    ("groups not a list", _set("groups", "新宜1幢"), "groups"),
    ("units not a mapping", _set("units", ["property"]), "units"),
    ("number as text", _set("outbox.global_per_minute", "many"), "global_per_minute"),
    ("negative rate", _set("outbox.global_per_minute", -1), "global_per_minute"),
    ("no retry delays", _set("outbox.retry_delays_seconds", []), "retry_delays_seconds"),
    ("zero retention", _set("privacy.retention_days", 0), "retention_days"),
    ("bad time of day", _set("schedule.quiet_hours.start", "late"), "quiet_hours.start"),
    ("hour 25", _set("schedule.digest_time", "25:00"), "digest_time"),
    ("threshold above 1", _set("classifier.guess_threshold", 2), "guess_threshold"),
    ("unknown setting", _set("colour", "red"), "colour"),
    ("unknown transport", _set("transport", "telegram"), "telegram"),
    ("staff as a string", _set("staff", "wxid_zhouhaifang"), "staff"),
    ("command words not text", _set("commands.todo", [1, 2]), "commands.todo"),
    ("section null", _set("schedule", None), "schedule"),
]


def _run(capsys: pytest.CaptureFixture[str], args: list[str], cfg: Path, db: Path) -> tuple[int, list[str]]:
    rc = main([*args, "-c", str(cfg), "--db", str(db)])
    return rc, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("what, edit, needle", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_gives_one_line_naming_it_and_exit_2(tmp_path, capsys, what, edit, needle):
    data = copy.deepcopy(BASE)
    edit(data)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rc, lines = _run(capsys, ["ledger"], bad, tmp_path / "x.db")
    assert rc == 2
    assert len(lines) == 1 and needle in lines[0] and lines[0].startswith("stairbot: config"), lines


def test_unknown_timezone_stops_every_command(tmp_path, capsys):
    bad = tmp_path / "mars.yaml"
    bad.write_text(CONFIG.read_text(encoding="utf-8").replace("Asia/Shanghai", "Mars/Olympus"),
                   encoding="utf-8")
    for args in COMMANDS:
        rc, lines = _run(capsys, args, bad, tmp_path / "x.db")
        assert rc == 2, args
        assert len(lines) == 1 and "timezone" in lines[0] and "'Mars/Olympus'" in lines[0], lines
    assert not (tmp_path / "x.db").exists()  # nothing was started


@pytest.mark.parametrize("raw, needle", [
    (b"", "mapping"),
    (b"- a\n- b\n", "mapping"),
    (b"just words\n", "mapping"),
    (b"\xff\xfe\x00\x00garbage", "cannot be read"),
    (b"community: [unclosed\n", "not valid YAML at line"),
    (b"community: a\n\tbad: tab\n", "not valid YAML"),
])
def test_unreadable_or_shapeless_files(tmp_path, capsys, raw, needle):
    bad = tmp_path / "raw.yaml"
    bad.write_bytes(raw)
    for args in COMMANDS:
        rc, lines = _run(capsys, args, bad, tmp_path / "x.db")
        assert rc == 2 and len(lines) == 1 and needle in lines[0] and "raw.yaml" in lines[0], lines


def test_a_directory_or_a_missing_file(tmp_path, capsys):
    rc, lines = _run(capsys, ["digest"], tmp_path, tmp_path / "x.db")
    assert rc == 2 and len(lines) == 1 and "cannot be read" in lines[0]
    rc, lines = _run(capsys, ["run"], tmp_path / "nope.yaml", tmp_path / "x.db")
    assert rc == 2 and len(lines) == 1 and "nope.yaml" in lines[0] and "not found" in lines[0]


def test_a_database_that_is_not_one(tmp_path, capsys):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    for args in (["ledger"], ["digest"], ["replay", str(CONFIG)]):
        rc, lines = _run(capsys, args, CONFIG, junk)
        assert rc == 2 and len(lines) == 1 and "junk.db" in lines[0], lines
