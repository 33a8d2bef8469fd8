"""Watch an outbox table from another process: when did each message's first ping become
visible to a reader (i.e. committed)? Prints {message_id: perf_counter seconds} as JSON.

Run as `python poller.py DB INTERVAL_S`; it stops when its stdin is closed. perf_counter is
CLOCK_MONOTONIC on Linux, so its times compare with the parent's.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time

_SQL = ("SELECT o.id, o.key, i.message_id FROM outbox o LEFT JOIN items i ON i.id = o.item_id"
        " WHERE o.id > ? ORDER BY o.id")


def message_of(key: str | None, item_msg: str | None) -> str | None:
    """The message that caused an outbox row: ack rows name their item, the others the message."""
    if not key:
        return item_msg
    kind, _, rest = key.partition(":")
    if kind == "ack":
        return item_msg
    return rest if kind in ("dup", "cmd", "resolved", "transfer", "reopen") else None


def main() -> None:
    db, interval = sys.argv[1], float(sys.argv[2])
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
    seen: dict[str, float] = {}
    last = 0
    while not stop.is_set():
        rows = conn.execute(_SQL, (last,)).fetchall()
        now = time.perf_counter()
        for oid, key, item_msg in rows:
            last = oid
            mid = message_of(key, item_msg)
            if mid is not None:
                seen.setdefault(mid, now)
        time.sleep(interval)
    json.dump(seen, sys.stdout)


if __name__ == "__main__":
    main()
