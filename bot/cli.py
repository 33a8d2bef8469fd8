"""The `stairbot` command line. Exit 0 on success, 2 on bad input with one line on stderr."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.config import ConfigError, load_config
from handlers.settings import Config
from storage import StorageError

log = logging.getLogger("stairbot")


class UsageError(Exception):
    """Bad input from the user: one line, exit 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stairbot", description="楼道管家 stairbot")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging on stderr")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("-c", "--config", default="config.yaml", help="config file")
        sp.add_argument("--db", help="database file (default: the one the config names)")

    run = sub.add_parser("run", help="run the bot")
    common(run)
    run.add_argument("--transport", choices=("console", "wechaty"))

    rp = sub.add_parser("replay", help="feed a chat log through the bot on a simulated clock")
    rp.add_argument("file")
    common(rp)

    ev = sub.add_parser("eval", help="score the classifier on a labelled corpus")
    ev.add_argument("file")
    ev.add_argument("--json", action="store_true")

    dg = sub.add_parser("digest", help="print the staff digest for a day")
    dg.add_argument("--date", help="YYYY-MM-DD (default: yesterday)")
    dg.add_argument("--json", action="store_true")
    common(dg)

    lg = sub.add_parser("ledger", help="list or export ledger items")
    lg.add_argument("--building", action="append", help="only this building (repeatable)")
    lg.add_argument("--status", choices=("open", "claimed", "resolved", "closed"))
    lg.add_argument("--item", type=int, help="show one item with its audit trail")
    lg.add_argument("--format", choices=("table", "csv", "xlsx", "json"), default="table")
    lg.add_argument("-o", "--output", help="write to this file instead of stdout")
    common(lg)

    tr = sub.add_parser("train", help="retrain the classifier with captains' corrections")
    tr.add_argument("-o", "--output", help="model file (default: classifier.model in config)")
    common(tr)
    return p


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def _db(args: argparse.Namespace, cfg: Config) -> Path:
    return Path(args.db) if args.db else cfg.database_path()


def _existing_db(args: argparse.Namespace, cfg: Config) -> Path:
    path = _db(args, cfg)
    if not path.is_file():
        raise UsageError(f"database {path} does not exist (run or replay first)")
    return path


# -- commands --------------------------------------------------------------------------
async def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import Stairbot, build_analyzer
    from bot.clock import SystemClock
    from storage import open_repository

    cfg = _config(args)
    transport_name = args.transport or os.environ.get("STAIRBOT_TRANSPORT") or cfg.transport
    clock = SystemClock(cfg.tz)
    analyzer = build_analyzer(cfg)
    async with open_repository(_db(args, cfg)) as repo:
        if transport_name == "wechaty":
            from bot.transports.wechaty import WechatyTransport

            known = {k.removeprefix("room_id:"): v for k, v in (await repo.kv_items("room_id:")).items()}
            transport: Any = WechatyTransport(
                topics=[g.topic for g in cfg.groups] + [cfg.staff_group],
                known_ids=known,
                remember_room=lambda topic, rid: repo.put(f"room_id:{topic}", rid),
            )
        else:
            from bot.transports.console import ConsoleTransport

            names = {g.captain.id: g.captain.name for g in cfg.groups}
            names.update({u.id: u.name for u in cfg.units.values()})
            transport = ConsoleTransport(groups=[g.topic for g in cfg.groups] + [cfg.staff_group],
                                         names=names, now=clock.now)
        bot = Stairbot(cfg, repo, analyzer, transport, clock)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, bot.stop)
        try:
            await bot.run()
        finally:
            await transport.close()
    return 0



async def cmd_replay(args: argparse.Namespace) -> int:
    from bot.app import Stairbot, build_analyzer
    from bot.clock import SimClock
    from bot.transports.replay import ReplayTransport
    from storage import open_repository

    cfg = _config(args)
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"replay file {path} not found")
    clock = SimClock(cfg.tz)
    analyzer = build_analyzer(cfg)
    # A replay is batch work on a simulated clock: its SQL may run without thread hops.
    async with open_repository(_db(args, cfg), direct=True) as repo:
        transport = ReplayTransport(path, clock)
        await Stairbot(cfg, repo, analyzer, transport, clock).run()
        if transport.bad_lines:
            log.warning("replay: %d malformed lines skipped", transport.bad_lines)
    return 0


async def cmd_digest(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from handlers.context import Ctx
    from handlers.digest import build_digest, format_digest
    from storage import open_repository

    cfg = _config(args)
    now = datetime.now(cfg.tz)
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date {args.date!r} is not a date like 2026-11-28") from None
    else:
        day = now.date() - timedelta(days=1)
    async with open_repository(_existing_db(args, cfg)) as repo:
        d = await build_digest(Ctx(repo, cfg, now), day)
    if args.json:
        print(json.dumps(d.to_json(), ensure_ascii=False))
    else:
        print(format_digest(d, now))
    return 0


async def cmd_ledger(args: argparse.Namespace) -> int:
    from handlers import ledger
    from storage import NotFound, open_repository

    cfg = _config(args)
    known = {g.building for g in cfg.groups}
    for b in args.building or []:
        if b not in known:
            raise UsageError(f"--building {b!r} is not a building in the config ({', '.join(sorted(known))})")
    async with open_repository(_existing_db(args, cfg)) as repo:
        if args.item is not None:
            try:
                item = await repo.get_item(args.item)
            except NotFound:
                raise UsageError(f"--item {args.item}: no such item") from None
            row = ledger.item_row(item, cfg.tz)
            events = await repo.events(item.id)
            if args.format == "json":
                row["events"] = [
                    {"at": e.at.astimezone(cfg.tz).isoformat(timespec="seconds"),
                     "actor_id": e.actor_id, "action": e.action, "from": e.from_status,
                     "to": e.to_status, "message_id": e.message_id, "detail": e.detail}
                    for e in events
                ]
                _emit(args, ledger.to_json([row]).encode("utf-8") + b"\n")
            else:
                _emit(args, (ledger.to_table([row]) + "\n" + ledger.format_events(item, events, cfg.tz)
                             + "\n").encode("utf-8"))
            return 0
        items = await repo.items(buildings=args.building,
                                 statuses=[args.status] if args.status else None)
    rows = [ledger.item_row(i, cfg.tz) for i in items]
    if args.format == "json":
        data = ledger.to_json(rows).encode("utf-8") + b"\n"
    elif args.format == "csv":
        data = ledger.to_csv(rows)
    elif args.format == "xlsx":
        if not args.output and sys.stdout.isatty():
            raise UsageError("--format xlsx needs -o FILE (it is not text)")
        data = ledger.to_xlsx(rows)
    else:
        data = (ledger.to_table(rows) + "\n").encode("utf-8")
    _emit(args, data)
    return 0


def _emit(args: argparse.Namespace, data: bytes) -> None:
    if args.output:
        try:
            Path(args.output).write_bytes(data)
        except OSError as e:
            raise UsageError(f"cannot write {args.output}: {e.strerror}") from None
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


async def cmd_train(args: argparse.Namespace) -> int:
    from nlp import train_model
    from nlp.corpus import training_records
    from storage import open_repository

    cfg = _config(args)
    out = args.output or cfg.classifier.model
    if not out:
        raise UsageError("no model file: set classifier.model in the config or pass -o FILE")
    out_path = Path(out) if Path(out).is_absolute() or args.output else cfg.base_dir / out
    records: list[tuple[str, str, bool | None]] = [(r.text, r.label, r.urgent) for r in training_records()]
    corrections: list[tuple[str, str, bool | None]] = []
    db = _db(args, cfg)
    if db.is_file():
        async with open_repository(db) as repo:
            # A correction changes a category; it says nothing about urgency.
            corrections = [(text, label, None) for text, label in await repo.corrections()]
    model = train_model(records + corrections)
    model.save(out_path)
    print(f"模型已写入 {out_path}（训练样本 {len(records)} 条，楼道长纠正 {len(corrections)} 条）")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.eval_cmd import run_eval

    return run_eval(args.file, args.json)


COMMANDS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "run": cmd_run,
    "replay": cmd_replay,
    "digest": cmd_digest,
    "ledger": cmd_ledger,
    "train": cmd_train,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "eval":
            return cmd_eval(args)
        return asyncio.run(COMMANDS[args.command](args))
    except (ConfigError, UsageError, StorageError) as e:
        print(f"stairbot: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        from bot.transports.base import TransportError

        if isinstance(e, TransportError):
            print(f"stairbot: {e}", file=sys.stderr)
            return 3
        raise


if __name__ == "__main__":
    sys.exit(main())
