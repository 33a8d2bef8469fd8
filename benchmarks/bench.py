"""stairbot benchmark: one run, one set of generated messages, every figure of issue 7.

    python benchmarks/bench.py [--json] [--messages N] [--seed S]

Figures (all on this machine, one process unless said otherwise):
  jieba_mps      bare jieba.lcut(text) (defaults, HMM on) over the messages
  classify_mps   nlp Analyzer.analyze over the same messages
  loop_mps       the durable loop: Pipeline.take on batches of BATCH messages into a
                 SqliteRepository on a temp file (record, commit, analyse, handlers, ledger,
                 outbox rows, commit); loop_ratio = loop_mps / jieba_mps
  p50_ms/p99_ms  live path (Stairbot.run_live, wall clock) fed at a steady 500 msg/s over 200
                 groups: from a message's scheduled arrival to the moment its first ping is
                 visible in the outbox table to another process (committed). A poller process
                 reads the table every POLL_S, so figures carry up to POLL_S of observation lag.
  startup_s      `stairbot run` (console) subprocess fed one need on stdin: process start to
                 the reply line on stdout; median of 3
  rss_mb         peak RSS of this process after the loop and live phases (it ran the loop)
  digest_1m_s    handlers.digest.build_digest for one day over a ledger of 1,000,000 items
  replay_100k_s  `stairbot replay` subprocess over 100,000 generated lines (demo groups)
Temp files live in one temp dir that is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import gen  # noqa: E402
import jieba  # noqa: E402

from bot.app import BATCH, Stairbot, build_analyzer  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.pipeline import Pipeline  # noqa: E402
from handlers.context import Ctx  # noqa: E402
from handlers.digest import build_digest  # noqa: E402
from storage import Message, Outgoing, open_repository  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
RATE = 500.0  # messages a second in the live phase
POLL_S = 0.0005
BIN = Path(sys.executable).parent
START = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)  # a Monday morning, outside quiet hours


def say(*a: object) -> None:
    print(*a, file=sys.stderr, flush=True)


# -- 1, 2: tokenizer and classifier alone --------------------------------------------------
def bench_jieba(texts: list[str]) -> float:
    jieba.lcut(texts[0])  # initialised already; warm the first call
    t = time.perf_counter()
    for s in texts:
        jieba.lcut(s)
    return len(texts) / (time.perf_counter() - t)


def bench_classify(analyzer, texts: list[str]) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    for s in texts:
        analyzer.analyze(s)
    return len(texts) / (time.perf_counter() - t)


# -- 3: the durable loop -------------------------------------------------------------------
async def bench_loop(cfg, analyzer, msgs: list[Message], db: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    async with open_repository(db) as repo:
        p = Pipeline(cfg, repo, analyzer, live=True)
        t = time.perf_counter()
        for i in range(0, len(msgs), BATCH):
            batch = msgs[i:i + BATCH]
            await p.take(batch, batch[-1].ts)
        dt = time.perf_counter() - t
        items, out = await repo.count_items(), len(await repo.outgoing())
        pending = len(await repo.pending_messages(limit=10))
    assert pending == 0, "the loop left messages unprocessed"
    return {"loop_mps": len(msgs) / dt, "loop_items": items, "loop_outbox": out}


# -- 4: live latency -----------------------------------------------------------------------
class FeedTransport:
    """Feeds messages at a steady rate on the wall clock; notes when each was due."""

    name = "bench"
    simulated = False

    def __init__(self, msgs: list[Message], rate: float) -> None:
        self.msgs = msgs
        self.rate = rate
        self.arrival: dict[str, float] = {}
        self.fed = asyncio.Event()
        self.sent = 0

    async def messages(self) -> AsyncIterator[Message]:
        t0 = time.perf_counter() + 0.2
        for i, m in enumerate(self.msgs):
            due = t0 + i / self.rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            self.arrival[m.id] = due  # late delivery by a busy loop counts against us
            yield dataclasses.replace(m, ts=datetime.now(TZ))
        self.fed.set()
        await asyncio.Event().wait()  # input stays open; the bench stops the bot

    async def send(self, out: Outgoing) -> None:
        self.sent += 1

    async def close(self) -> None:
        pass


async def bench_latency(cfg, analyzer, msgs: list[Message], db: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    async with open_repository(db) as repo:
        poller = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "poller.py"),
                                   str(db), str(POLL_S)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        feed = FeedTransport(msgs, RATE)
        bot = Stairbot(cfg, repo, analyzer, feed, SystemClock(TZ))
        task = asyncio.create_task(bot.run_live())
        await feed.fed.wait()
        await asyncio.sleep(1.0)  # stragglers
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        out, _ = poller.communicate("", timeout=60)
        expected = {m for (m,) in await repo._all(
            "SELECT message_id FROM items UNION SELECT substr(key, 5) FROM outbox"
            " WHERE key LIKE 'cmd:%'")}
    seen: dict[str, float] = json.loads(out)
    if os.environ.get("BENCH_DUMP"):
        Path(os.environ["BENCH_DUMP"]).write_text(json.dumps([seen, feed.arrival]))
    lat = sorted((seen[m] - feed.arrival[m]) * 1000 for m in seen if m in feed.arrival)
    missing = len([m for m in expected if m in feed.arrival and m not in seen])
    q = statistics.quantiles(lat, n=100, method="inclusive")
    return {"p50_ms": q[49], "p99_ms": q[98], "lat_n": len(lat), "lat_max_ms": lat[-1],
            "lat_missing": missing}


# -- 5: start-up ---------------------------------------------------------------------------
def bench_startup(tmp: Path, runs: int = 3) -> float:
    times = []
    for i in range(runs):
        db = tmp / f"startup{i}.db"
        t = time.perf_counter()
        p = subprocess.Popen([str(BIN / "stairbot"), "run", "-c", str(gen.DEMO_CONFIG),
                              "--db", str(db), "--transport", "console"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             encoding="utf-8", cwd=tmp)
        assert p.stdin and p.stdout
        p.stdin.write("谁能帮我取个快递 我家502 谢谢\n")
        p.stdin.close()  # end of input: the console sends what is queued, held or not
        line = p.stdout.readline()
        took = time.perf_counter() - t
        p.wait(timeout=30)
        if "#1" not in line:
            raise RuntimeError(f"startup: unexpected first line {line!r}")
        times.append(took)
    return statistics.median(times)


# -- 6: digest over 1M items ---------------------------------------------------------------
def _fill_ledger(db: Path, buildings: list[tuple[str, str]], n: int, last_day: date,
                 seed: int) -> None:
    """1M items over the year up to last_day. Older than a week: 98% resolved or closed."""
    rng = random.Random(seed)
    end = datetime.combine(last_day + timedelta(days=1), dtime(0), tzinfo=TZ).astimezone(UTC)
    span = 365 * 86400

    def rows():  # type: ignore[no-untyped-def]
        for i in range(n):
            age = rng.random() * span
            created = end - timedelta(seconds=age)
            b, grp = rng.choice(buildings)
            cat = rng.choices(("need", "complaint", "question", "other"), (35, 35, 25, 5))[0]
            r = rng.random()
            if age < 7 * 86400:
                status = "open" if r < 0.3 else "claimed" if r < 0.5 else "resolved"
            else:
                status = "open" if r < 0.01 else "claimed" if r < 0.02 else \
                    "resolved" if r < 0.9 else "closed"
            if cat == "other":
                status = "closed"
            c = created.isoformat(timespec="microseconds")
            resolved = (created + timedelta(hours=rng.random() * 48)).isoformat(
                timespec="microseconds") if status == "resolved" else None
            yield (b, None, grp, cat, int(rng.random() < 0.03), status, "楼道灯坏了", "wxid_r",
                   "李阿姨", '["wxid_cap"]', c, resolved or c, f"m{i}", 0.9, "captain", None,
                   resolved, 0, "[]")

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    # Bulk load: drop the migrations' indexes on items, insert, then build them again from
    # their own SQL (a sort per index instead of 1M random inserts into each).
    indexes = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items'"
        " AND sql IS NOT NULL")]
    conn.execute("BEGIN")
    for name, in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'"
                              " AND tbl_name = 'items' AND sql IS NOT NULL").fetchall():
        conn.execute(f"DROP INDEX {name}")
    conn.executemany(
        "INSERT INTO items (building, room, grp, category, urgent, status, text, reporter_id,"
        " reporter_name, assignees, created_at, updated_at, message_id, confidence, unit,"
        " claimed_by, resolved_at, me_too, keywords) VALUES"
        " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", sorted(rows(), key=lambda r: r[10]))
    for sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.close()


async def bench_digest(cfg, db: Path, n: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    async with open_repository(db):
        pass  # the schema, through the repository's migrations
    last_day = date(2026, 11, 29)
    t = time.perf_counter()
    _fill_ledger(db, [(g.building, g.topic) for g in cfg.groups], n, last_day, 7)
    fill = time.perf_counter() - t
    async with open_repository(db) as repo:
        now = datetime.combine(last_day + timedelta(days=1), dtime(8), tzinfo=TZ)
        t = time.perf_counter()
        d = await build_digest(Ctx(repo, cfg, now), last_day)
        took = time.perf_counter() - t
    return {"digest_1m_s": took, "digest_fill_s": fill, "digest_overdue": len(d.overdue),
            "digest_new": sum(c["new"] for c in d.buildings.values())}


# -- 7: replay of 100k lines ---------------------------------------------------------------
def bench_replay(tmp: Path, n: int, seed: int, limit: float) -> dict[str, float | None]:
    path = tmp / "replay.jsonl"
    # Three busy demo groups, one message a second on average: 100k lines ≈ 28 simulated
    # hours, so the night's quiet hours, a digest, retention and ~1,700 sweeps all run.
    gen.write_jsonl(path, gen.messages(n, gen.demo_groups(), seed, START, gap=1.0))
    db = tmp / "replay.db"
    t = time.perf_counter()
    with (tmp / "replay.out").open("w") as out:
        p = subprocess.Popen([str(BIN / "stairbot"), "replay", str(path), "-c",
                              str(gen.DEMO_CONFIG), "--db", str(db)],
                             stdout=out, stderr=subprocess.PIPE, text=True)
        try:
            _, err = p.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            p.kill()  # over budget: say how far it got, not a made-up total
            p.communicate()
            took = time.perf_counter() - t
            done = sqlite3.connect(db).execute("SELECT COUNT(*) FROM messages").fetchone()[0]
            return {"replay_100k_s": None, "replay_cut_at_s": took, "replay_lines_done": done}
    took = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"replay failed: {err[-500:]}")
    lines = sum(1 for _ in (tmp / "replay.out").open())
    return {"replay_100k_s": took, "replay_sent": lines,
            "replay_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


# -- run -----------------------------------------------------------------------------------
async def main_async(args: argparse.Namespace, tmp: Path) -> dict[str, float | None]:
    only = set(args.only.split(",")) if args.only else set(PHASES)
    cfg_path, groups = gen.make_config(tmp, 200)
    cfg = load_config(cfg_path)
    analyzer = build_analyzer(cfg)  # initialises jieba once, as the bot does
    msgs = list(gen.messages(args.messages, groups, args.seed, START, gap=1 / RATE,
                             jitter=False))
    texts = [m.text for m in msgs]
    r: dict[str, float | None] = {}
    say(f"{len(msgs)} messages, {len(set(texts))} distinct texts, 200 groups")
    if "jieba" in only:
        r["jieba_mps"] = bench_jieba(texts)
        say(f"jieba {r['jieba_mps']:.0f}/s")
    if "classify" in only:
        r["classify_mps"] = bench_classify(analyzer, texts)
        say(f"classify {r['classify_mps']:.0f}/s")
    if "loop" in only:
        r.update(await bench_loop(cfg, analyzer, msgs, tmp / "loop.db"))
        r["loop_ratio"] = r["loop_mps"] / r.get("jieba_mps", float("nan"))
        say(f"loop {r['loop_mps']:.0f}/s ratio {r['loop_ratio']:.2f}")
    if "latency" in only:
        live_msgs = list(gen.messages(args.live_messages, groups, args.seed + 1, START,
                                      gap=1 / RATE, jitter=False))
        r.update(await bench_latency(cfg, analyzer, live_msgs, tmp / "live.db"))
        say(f"latency p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms over {r['lat_n']:.0f}"
            f" (max {r['lat_max_ms']:.1f} ms)")
    r["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if "startup" in only:
        r["startup_s"] = bench_startup(tmp)
        say(f"startup {r['startup_s']:.2f} s")
    if "digest" in only:
        r.update(await bench_digest(cfg, tmp / "digest.db", args.ledger))
        say(f"digest {r['digest_1m_s']:.3f} s (fill {r['digest_fill_s']:.1f} s)")
    if "replay" in only:
        r.update(bench_replay(tmp, args.replay, args.seed + 2, args.replay_limit))
        say(f"replay {r['replay_100k_s']} s")
    return r


PHASES = ("jieba", "classify", "loop", "latency", "startup", "digest", "replay")
KEYS = ("jieba_mps", "classify_mps", "loop_mps", "loop_ratio", "p50_ms", "p99_ms", "startup_s",
        "rss_mb", "digest_1m_s", "replay_100k_s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    ap.add_argument("--messages", type=int, default=20_000)
    ap.add_argument("--live-messages", type=int, default=15_000)
    ap.add_argument("--ledger", type=int, default=1_000_000)
    ap.add_argument("--replay", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--replay-limit", type=float, default=240.0,
                    help="seconds the replay may take before it is stopped and reported as not met")
    ap.add_argument("--only", help="comma-separated phases, for profiling: " + ",".join(PHASES))
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="stairbot-bench-"))
    t = time.perf_counter()
    try:
        r = asyncio.run(main_async(args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"total {time.perf_counter() - t:.0f} s; details: "
        + json.dumps({k: v if v is None else round(v, 3) for k, v in r.items() if k not in KEYS}))
    out = {k: None if r[k] is None else round(r[k], 3) for k in KEYS if k in r}
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:15} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
