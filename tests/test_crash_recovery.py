"""Kill the real `stairbot replay` with SIGKILL at many random moments, restart it on the same
database each time, and compare with an uninterrupted run: nothing lost, nothing doubled.

Why the comparison is exact, and the one allowance it makes: a replay prints a sent message on
stdout and then marks it sent in the database; no process can do both atomically, so a kill
between the two means the restarted run prints that message again (at-least-once, as any chat
service would deliver it). The restart resumes the simulation exactly (clock, job times and rate
limits come back from the database), so the repeat is byte-identical to the line already printed,
and it is the first line the restarted run prints. A consumer drops it by comparing with the last
line it read; the test does the same and counts such repeats, and everything else must match the
uninterrupted run line for line, timestamps included.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.data.chatlog import generate
from tests.support import CONFIG, ROOT

KILLS = 22  # issue 6 asks for at least 20 kill points
SEED = 6


def _config(tmp: Path) -> Path:
    # The demo config with a 5-minute sweep instead of 1: the sweep is the replay's main cost,
    # and reminders at 5-minute granularity exercise the same resume logic.
    text = CONFIG.read_text(encoding="utf-8").replace("sweep_every_seconds: 60", "sweep_every_seconds: 300")
    assert "sweep_every_seconds: 300" in text
    path = tmp / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


def _lines(out: bytes) -> list[str]:
    """Complete lines only: a line cut off by the kill was never fully printed."""
    parts = out.decode("utf-8", errors="replace").split("\n")
    return parts[:-1]


def _run_killed(args: list[str], kill_at_ts: str | None, delay: float, rnd: random.Random
                ) -> tuple[list[str], bool]:
    """Run once; kill when stdout reaches kill_at_ts (plus a random jitter) or after delay
    seconds. Returns the complete lines printed and whether the process finished by itself."""
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    assert p.stdout is not None
    got = b""
    if kill_at_ts is None:
        time.sleep(delay)
    else:
        while True:
            line = p.stdout.readline()
            if not line:
                break
            got += line
            if json.loads(line)["ts"] >= kill_at_ts:
                time.sleep(rnd.uniform(0, 0.1))  # land anywhere: mid-send, mid-job, mid-batch
                break
    finished = p.poll() is not None
    if not finished:
        p.send_signal(signal.SIGKILL)
    # Read on through the same buffered pipe: communicate() would read the raw descriptor and
    # drop whatever readline() had already buffered.
    rest = p.stdout.read()
    p.wait(timeout=120)
    if finished or p.returncode == 0:
        assert p.returncode == 0, p.returncode
        return _lines(got + rest), True
    assert p.returncode == -signal.SIGKILL
    return _lines(got + rest), False


def _ledgers(*pairs: tuple[Path, Path]) -> list[object]:
    """`stairbot ledger --format json` for each (db, config), run side by side."""
    procs = [subprocess.Popen(_cmd("ledger", "--format", "json", "-c", str(cfg), "--db", str(db)),
                              stdout=subprocess.PIPE, cwd=ROOT) for db, cfg in pairs]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    return [json.loads(o) for o in outs]


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(db)
    try:
        return {
            "messages": con.execute("SELECT id, state, category FROM messages ORDER BY id").fetchall(),
            "ignored": con.execute("SELECT room, day, n FROM ignored ORDER BY room, day").fetchall(),
            "outbox": con.execute("SELECT key, room, text, status, sent_at FROM outbox ORDER BY key, id").fetchall(),
            "events": con.execute("SELECT item_id, at, actor_id, action, to_status FROM events ORDER BY id").fetchall(),
        }
    finally:
        con.close()


@pytest.mark.slow
def test_replay_killed_at_random_moments_ends_as_an_uninterrupted_run(tmp_path):
    log = generate(tmp_path / "log.jsonl", n=2000)
    cfg = _config(tmp_path)
    ref_db, db = tmp_path / "ref.db", tmp_path / "killed.db"
    # The uninterrupted run goes alongside the killed ones (two cores).
    ref = subprocess.Popen(_cmd("replay", str(log), "-c", str(cfg), "--db", str(ref_db)),
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)

    rnd = random.Random(SEED)
    msgs = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines() if x.startswith('{"id": "m')]
    t0, t1 = datetime.fromisoformat(msgs[0]["ts"]), datetime.fromisoformat(msgs[-1]["ts"])
    # Each kill lands a random stretch of simulated time (0.5-3% of the log) beyond what the
    # last run printed, so the kills walk through most of the two days however fast the replay
    # is; a few land while the process is still starting up.
    args = _cmd("replay", str(log), "-c", str(cfg), "--db", str(db))
    segments: list[list[str]] = []
    kills, reached, finished = 0, t0, False
    while kills < KILLS and not finished:
        target = None if kills in (0, 1, 12, KILLS - 1) else \
            (reached + (t1 - t0) * rnd.uniform(0.005, 0.03)).isoformat()
        # Timed kills land in start-up (imports and jieba take over a second): a replay is now
        # fast enough to finish the whole log within a later timer.
        lines, finished = _run_killed(args, target, rnd.uniform(0.05, 0.8), rnd)
        segments.append(lines)
        if lines:
            reached = max(reached, datetime.fromisoformat(json.loads(lines[-1])["ts"]))
        kills += not finished
    if not finished:  # then run to the end
        segments.append(_run_to_end(args)[0])
    again, _ = _run_to_end(args)  # and a finished replay run again prints nothing
    assert again == []

    ref_out, _ = ref.communicate(timeout=300)
    assert ref.returncode == 0
    want = _lines(ref_out)

    merged: list[str] = []
    repeats = 0
    for seg in segments:
        if seg and merged and seg[0] == merged[-1]:
            seg = seg[1:]  # the message in flight when the kill came, printed again
            repeats += 1
        merged.extend(seg)
    print(f"\ncrash recovery: {kills} kills survived (the last at {reached.isoformat()}), {repeats}"
          f" in-flight lines re-printed, {len(want)} messages sent, {len(segments)} runs")
    assert kills >= 20
    assert repeats <= kills
    # No two lines of one run are alike (a group gets one message per interval), so line-for-line
    # equality means none lost and none extra.
    assert len(set(want)) == len(want)
    assert merged == want
    got, expected = _ledgers((db, cfg), (ref_db, cfg))
    assert len(expected) > 100 and got == expected
    assert _tables(db) == _tables(ref_db)


def _run_to_end(args: list[str]) -> tuple[list[str], bool]:
    p = subprocess.run(args, capture_output=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    return _lines(p.stdout), True


def test_a_finished_replay_run_again_repeats_nothing(tmp_path):
    log = generate(tmp_path / "log.jsonl", n=120)
    db = tmp_path / "r.db"
    args = _cmd("replay", str(log), "-c", str(CONFIG), "--db", str(db))
    first, _ = _run_to_end(args)
    assert first
    second, _ = _run_to_end(args)
    assert second == []


class Killed(BaseException):
    """Stands for SIGKILL in-process: nothing after it runs, no handler catches it."""


async def test_a_kill_between_print_and_commit_reprints_exactly_that_line(tmp_path):
    """The at-least-once window, hit on purpose: the line printed before the kill comes again,
    byte for byte, as the first line of the next run, and nothing else differs."""
    import io

    from bot.app import Stairbot, build_analyzer
    from bot.clock import SimClock
    from bot.transports.replay import ReplayTransport
    from storage import open_repository
    from tests.support import demo_config

    cfg = demo_config()
    analyzer = build_analyzer(cfg)
    log = generate(tmp_path / "log.jsonl", n=150)

    async def replay(db: Path, kill_at: int | None = None) -> list[str]:
        out = io.StringIO()
        async with open_repository(db) as repo:
            clock = SimClock(cfg.tz)
            bot = Stairbot(cfg, repo, analyzer, ReplayTransport(log, clock, out=out, err=io.StringIO()),
                           clock)
            calls = 0
            real = repo.mark_sent

            async def mark_sent(ids, at):  # type: ignore[no-untyped-def]
                nonlocal calls
                calls += 1
                if calls == kill_at:
                    raise Killed
                await real(ids, at)

            repo.mark_sent = mark_sent  # type: ignore[method-assign]
            with contextlib.suppress(Killed):
                await bot.run()
        return out.getvalue().splitlines()

    want = await replay(tmp_path / "ref.db")
    assert len(want) > 40
    db = tmp_path / "killed.db"
    first = await replay(db, kill_at=len(want) // 2)
    second = await replay(db, kill_at=len(want) // 2 - 5)
    third = await replay(db)
    assert first[-1] == second[0] and second[-1] == third[0]  # the lines in flight, again
    assert first + second[1:] + third[1:] == want

