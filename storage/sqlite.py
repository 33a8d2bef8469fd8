"""The aiosqlite repository: the only place SQL is written.

One connection in WAL mode. Writes outside a transaction() commit on their own;
inside one they commit together (group commit). A task that holds the transaction
may call any method without deadlocking on itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import functools
import json
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.errors import NotFound, StorageError
from storage.models import Event, Item, Message, NewItem, Outgoing, QueuedOutgoing

log = logging.getLogger(__name__)
T = TypeVar("T")

_ITEM_COLS = (
    "id, building, room, grp, category, urgent, status, text, reporter_id, reporter_name,"
    " assignees, created_at, updated_at, message_id, confidence, unit, claimed_by,"
    " resolved_at, me_too, keywords, follow_up_at"
)
_OUT_COLS = (
    "id, room, text, mentions, urgent, key, item_id, direct_to, created_at, due_at,"
    " status, attempts, last_error"
)


def ts(dt: datetime) -> str:
    """One sortable text form for every stored time: UTC, microseconds, offset."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime reached storage")
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def from_ts(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def _migrations() -> list[tuple[int, str]]:
    found = []
    for f in resources.files("storage.migrations").iterdir():
        name = f.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), f.read_text(encoding="utf-8")))
    return sorted(found)


@functools.lru_cache(maxsize=4096)
def _ids(raw: str) -> tuple[str, ...]:
    """A stored JSON list as a tuple; the same few assignee lists recur across the ledger."""
    return tuple(json.loads(raw))


def _item(row: Sequence[Any]) -> Item:
    return Item(
        id=row[0],
        building=row[1],
        room=row[2],
        group=row[3],
        category=row[4],
        urgent=bool(row[5]),
        status=row[6],
        text=row[7],
        reporter_id=row[8],
        reporter_name=row[9],
        assignees=_ids(row[10]),
        created_at=from_ts(row[11]),  # type: ignore[arg-type]
        updated_at=from_ts(row[12]),  # type: ignore[arg-type]
        message_id=row[13],
        confidence=row[14],
        unit=row[15],
        claimed_by=row[16],
        resolved_at=from_ts(row[17]),
        me_too=row[18],
        keywords=_ids(row[19]),
        follow_up_at=from_ts(row[20]),
    )


def _queued(row: Sequence[Any]) -> QueuedOutgoing:
    out = Outgoing(
        room=row[1],
        text=row[2],
        mentions=_ids(row[3]),
        urgent=bool(row[4]),
        key=row[5],
        item_id=row[6],
        direct_to=row[7],
        due_at=from_ts(row[9]),
    )
    return QueuedOutgoing(
        id=row[0],
        out=out,
        created_at=from_ts(row[8]),  # type: ignore[arg-type]
        due_at=from_ts(row[9]),  # type: ignore[arg-type]
        status=row[10],
        attempts=row[11],
        last_error=row[12],
    )


_QUEUE_SQL = (
    "INSERT INTO outbox (room, text, mentions, urgent, key, item_id, direct_to, created_at, due_at)"
    " VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO NOTHING"
)


def _queue_row(out: Outgoing, now: datetime) -> tuple[Any, ...]:
    return (out.room, out.text, json.dumps(list(out.mentions)), int(out.urgent), out.key,
            out.item_id, out.direct_to, ts(now), ts(out.due_at or now))


def _record(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> list[bool]:
    marks = ",".join("?" * len(rows))
    seen = {r[0] for r in conn.execute(f"SELECT id FROM messages WHERE id IN ({marks})",
                                       [r[0] for r in rows])}
    fresh: list[bool] = []
    new = []
    for r in rows:
        fresh.append(r[0] not in seen)
        if fresh[-1]:
            seen.add(r[0])
            new.append(r)
    conn.executemany("INSERT INTO messages (id, ts, room, sender_id, sender_name, text, mentions,"
                     " kind, received_at) VALUES (?,?,?,?,?,?,?,?,?)", new)
    return fresh


def _similar(conn: sqlite3.Connection, params: list[tuple[Any, ...]]) -> list[bool]:
    sql = ("SELECT 1 FROM messages WHERE room = ? AND sender_id = ? AND ts >= ? AND ts <= ?"
           " AND text = ? AND id != ? AND state != 'received' LIMIT 1")
    return [conn.execute(sql, p).fetchone() is not None for p in params]


def _building_counts(conn: sqlite3.Connection, s: str, e: str,
                     active: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    # Four index range scans instead of one pass over the whole ledger: the day's new items
    # (items_created), the day's resolutions (items_resolved), what is active (by status), and
    # the list of buildings by skipping along an index on building.
    zero = {"new": 0, "need": 0, "complaint": 0, "question": 0, "urgent": 0, "resolved": 0,
            "open": 0}
    buildings = [r[0] for r in conn.execute(
        "WITH RECURSIVE b(x) AS (SELECT MIN(building) FROM items"
        " UNION ALL SELECT (SELECT MIN(building) FROM items WHERE building > x) FROM b"
        " WHERE x IS NOT NULL) SELECT x FROM b WHERE x IS NOT NULL AND EXISTS"
        " (SELECT 1 FROM items WHERE building = x AND category != 'other')")]
    out = {b: dict(zero) for b in buildings}
    for b, new, need, complaint, question, urgent in conn.execute(
        "SELECT building, COUNT(*), SUM(category = 'need'), SUM(category = 'complaint'),"
        " SUM(category = 'question'), SUM(urgent != 0) FROM items"
        " WHERE created_at >= ? AND created_at < ? AND category != 'other' GROUP BY building",
        (s, e),
    ):
        out[b].update(new=new, need=need, complaint=complaint, question=question, urgent=urgent)
    for b, n in conn.execute(
        "SELECT building, COUNT(*) FROM items WHERE resolved_at >= ? AND resolved_at < ?"
        " AND category != 'other' GROUP BY building", (s, e),
    ):
        out[b]["resolved"] = n
    marks = ",".join("?" * len(active))
    for b, n in conn.execute(
        f"SELECT building, COUNT(*) FROM items WHERE status IN ({marks}) AND created_at < ?"
        " AND category != 'other' GROUP BY building", (*active, e),
    ):
        out[b]["open"] = n
    return out


def _statements(conn: sqlite3.Connection, sqls: Sequence[str]) -> None:
    for sql in sqls:
        conn.execute(sql)


def _stmt(conn: sqlite3.Connection, sql: str, params: Any, mode: str) -> Any:
    if mode == "many":
        return conn.executemany(sql, params)
    cur = conn.execute(sql, params)
    if mode == "one":
        return cur.fetchone()
    if mode == "all":
        return cur.fetchall()
    return cur  # rowcount and lastrowid stay readable


def _after(conn: sqlite3.Connection, pre: Sequence[str], fn: Callable[..., T],
           args: Sequence[Any]) -> T:
    _statements(conn, pre)
    return fn(conn, *args)


def _atomic(conn: sqlite3.Connection, fn: Callable[..., T], *args: Any) -> T:
    """fn in a transaction of its own: BEGIN, fn, COMMIT in one hop."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn, *args)
    except BaseException:
        _rollback(conn)  # SQLite may have rolled back already (disk full): keep the real error
        raise
    conn.execute("COMMIT")
    return result


async def _committed(fn: Callable[[SqliteRepository], Coroutine[Any, Any, T]],
                     repo: SqliteRepository) -> T:
    conn = repo._inline
    assert conn is not None
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = await fn(repo)
    except BaseException:
        _rollback(conn)
        raise
    conn.execute("COMMIT")
    return result


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # BEGIN itself may have been what failed
        conn.execute("ROLLBACK")


WAL_LIMIT = 64 * 1024 * 1024  # bytes of WAL before a checkpoint may pause the writer


class _Checkpointer:
    """Copies the WAL back into the database from a thread and connection of its own, so that
    no commit on the hot path pays for a checkpoint's writes and fsync (autocheckpoint is off).
    PASSIVE never blocks the writer; the database is as durable either way."""

    def __init__(self, path: str, every: float = 1.0) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(path, every), daemon=True,
                                        name="stairbot-checkpoint")
        self._thread.start()

    def _run(self, path: str, every: float) -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        wal = Path(path + "-wal")
        try:
            conn.execute("PRAGMA busy_timeout = 1000")
            while not self._stop.wait(every):
                # Under a steady stream of commits PASSIVE never catches up with the last
                # frame, and the WAL only restarts when it has: past a bound, take a short
                # pause of the writer to copy everything and truncate it.
                try:
                    big = wal.stat().st_size > WAL_LIMIT
                except OSError:
                    big = False
                with contextlib.suppress(sqlite3.Error):
                    conn.execute(f"PRAGMA wal_checkpoint({'TRUNCATE' if big else 'PASSIVE'})"
                                 ).fetchall()
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class SqliteRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._db = conn
        self._lock = asyncio.Lock()
        self._owner: contextvars.ContextVar[bool] = contextvars.ContextVar(
            f"tx-{id(self)}", default=False
        )
        self._pre: list[str] = []  # control statements owed by the transaction's owner
        self._sp: bool | None = None  # innermost savepoint: None none, False wanted, True open
        self._begin: bool | None = False  # True: BEGIN owed, None: issued, False: no transaction
        self._inline: sqlite3.Connection | None = None  # set on run_inline's view, in its thread
        self._checkpointer: _Checkpointer | None = None
        # Direct: statements run on the caller's thread, no hop. For batch work (replay) that
        # has nothing else to keep responsive; the SQL and the commits are the same.
        self._direct = False

    # -- lifecycle ---------------------------------------------------------------
    @classmethod
    async def open(cls, path: str | Path, direct: bool = False) -> SqliteRepository:
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None,
                                           check_same_thread=not direct)
        except sqlite3.Error as e:
            raise StorageError(f"database {path} cannot be opened: {e}") from None
        repo = cls(conn)
        try:
            await conn.execute("PRAGMA busy_timeout = 10000")
            if str(path) != ":memory:":
                await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            # Ledger-wide reads (digest, sweeps) touch rows all over the file: keep them hot.
            await conn.execute("PRAGMA cache_size = -32768")
            await conn.execute("PRAGMA mmap_size = 268435456")
            await repo._migrate()
            if str(path) != ":memory:":
                await conn.execute("PRAGMA wal_autocheckpoint = 0")
                repo._checkpointer = _Checkpointer(str(path))
            repo._direct = direct
        except BaseException as e:
            await conn.close()  # aiosqlite's thread would otherwise keep the process alive
            if isinstance(e, sqlite3.DatabaseError):
                raise StorageError(f"database {path} cannot be used: {e}") from None
            raise
        return repo

    async def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        await self._db.close()  # the last connection out checkpoints what is left

    async def _migrate(self) -> None:
        await self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        async with self._db.execute("SELECT MAX(version) FROM schema_version") as cur:
            row = await cur.fetchone()
        current = (row[0] if row else None) or 0
        migrations = _migrations()
        latest = migrations[-1][0] if migrations else 0
        if current > latest:
            raise StorageError(f"database schema {current} is newer than this stairbot ({latest})")
        for version, sql in migrations:
            if version <= current:
                continue
            async with self.transaction():
                await self.run_sync(_statements, [st for st in sql.split(";\n") if st.strip()])
                await self._write("INSERT INTO schema_version VALUES (?)", (version,))
            log.info("database migrated to schema %d", version)

    async def schema_version(self) -> int:
        async with self._db.execute("SELECT MAX(version) FROM schema_version") as cur:
            row = await cur.fetchone()
        return int(row[0] or 0) if row else 0

    # -- transactions ------------------------------------------------------------
    # Every call into aiosqlite is a hop to its thread and back (~0.1 ms); a handful of SQL
    # statements costs a few microseconds. So each method below does its SQL in one hop, and
    # BEGIN and SAVEPOINT are issued lazily, in the hop of the first statement after them, and
    # RELEASE in the hop of the next one.

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """Run fn(conn, *args) on the connection's own thread: any number of statements, one hop.
        Inside transaction() it sees and joins the open transaction."""
        pre = self._prelude() if self._in_tx() else []
        if self._inline is not None:
            return _after(self._inline, pre, fn, args)
        if pre:
            return await self._hop(_after, self._db._conn, pre, fn, args)
        return await self._hop(fn, self._db._conn, *args)

    async def _hop(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) on the connection's thread (or right here, when direct)."""
        if self._direct:
            return fn(*args)
        return await self._db._execute(fn, *args)

    async def run_inline(self, fn: Callable[[SqliteRepository], Coroutine[Any, Any, T]]) -> T:
        """Run fn(repo) on the connection's thread, inside the caller's transaction, where every
        repository call executes at once instead of hopping threads: a whole batch of handler
        work for one round trip. fn may await this repository and nothing else."""
        if not self._owner.get():
            raise RuntimeError("run_inline needs the caller's transaction")
        view = copy.copy(self)

        def drive(conn: sqlite3.Connection) -> T:
            view._inline = conn
            coro = fn(view)
            try:
                coro.send(None)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            coro.close()
            raise RuntimeError("run_inline: fn awaited something other than the repository")

        try:
            return await self._hop(drive, self._db._conn)
        finally:
            self._pre, self._sp, self._begin = view._pre, view._sp, view._begin

    async def atomic_inline(self, fn: Callable[[SqliteRepository], Coroutine[Any, Any, T]]) -> T:
        """run_inline in a transaction of its own, BEGIN and COMMIT included: one hop in all.
        Inside the caller's transaction it simply joins it."""
        if self._in_tx():
            return await self.run_inline(fn)
        async with self.transaction():
            self._begin = False  # BEGIN and COMMIT go with the hop itself
            return await self.run_inline(functools.partial(_committed, fn))

    def _in_tx(self) -> bool:
        return self._inline is not None or self._owner.get()

    def in_transaction(self) -> bool:
        """Whether this task is inside a transaction() (its writes commit with the caller's)."""
        return self._in_tx()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if self._in_tx():
            yield  # already inside this task's transaction
            return
        async with self._lock:
            token = self._owner.set(True)
            self._pre, self._begin = [], True
            try:
                try:
                    yield
                except BaseException:
                    self._pre = []
                    if self._begin is None:  # begun
                        await self._hop(_rollback, self._db._conn)
                    raise
                self._pre = []  # COMMIT releases any savepoint still open
                if self._begin is None:
                    await self._hop(_statements, self._db._conn, ["COMMIT"])
            finally:
                self._sp, self._begin = None, False
                self._owner.reset(token)

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Inside a transaction: undo just this block's writes if it raises.

        The SAVEPOINT is issued by the block's first write and its RELEASE rides on the next
        statement (or the COMMIT), so a block that only reads costs no extra round trip."""
        async with self.transaction():
            outer, self._sp = self._sp, False  # False: wanted, not yet opened
            try:
                yield
            except BaseException:
                if self._sp:
                    await self.run_sync(_statements, ["ROLLBACK TO step", "RELEASE step"])
                self._sp = outer
                raise
            if self._sp and outer is False:
                outer = True  # an unopened enclosing block adopts it: it began inside that block
            elif self._sp:
                self._pre.append("RELEASE step")
            self._sp = outer

    def _prelude(self) -> list[str]:
        """Control statements owed before the next statement in this task's transaction."""
        pre, self._pre = self._pre, []
        if self._begin:
            pre.insert(0, "BEGIN IMMEDIATE")
            self._begin = None
        if self._sp is False:
            pre.append("SAVEPOINT step")
            self._sp = True
        return pre

    async def _exec(self, sql: str, params: Any = (), mode: str = "cursor") -> Any:
        """A write: in this task's transaction if it holds one, else committed on its own."""
        if self._in_tx():
            return await self.run_sync(_stmt, sql, params, mode)
        async with self._lock:
            return await self.run_sync(_atomic, _stmt, sql, params, mode)

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return await self._exec(sql, params)

    async def _writemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._exec(sql, list(rows), "many")

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return await self.run_sync(_stmt, sql, params, "all")

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return await self.run_sync(_stmt, sql, params, "one")

    # -- messages ----------------------------------------------------------------
    async def record_messages(self, msgs: Sequence[Message], received_at: datetime) -> list[bool]:
        """Store each message once; True where it is new (redeliveries are False)."""
        if not msgs:
            return []
        rows = [(m.id, ts(m.ts), m.room, m.sender_id, m.sender_name, m.text,
                 json.dumps(list(m.mentions)), m.kind, ts(received_at)) for m in msgs]
        if self._in_tx():
            return await self.run_sync(_record, rows)
        async with self._lock:
            return await self.run_sync(_atomic, _record, rows)

    async def pending_messages(self, limit: int = 1000) -> list[Message]:
        rows = await self._all(
            "SELECT id, ts, room, sender_id, sender_name, text, mentions, kind FROM messages"
            " WHERE state = 'received' ORDER BY ts, rowid LIMIT ?",
            (limit,),
        )
        return [
            Message(id=r[0], ts=from_ts(r[1]), room=r[2], sender_id=r[3], sender_name=r[4],  # type: ignore[arg-type]
                    text=r[5] or "", mentions=tuple(json.loads(r[6])), kind=r[7])
            for r in rows
        ]

    async def mark_message(
        self, message_id: str, state: str, category: str | None = None,
        urgent: bool | None = None, confidence: float | None = None,
    ) -> None:
        await self._write(
            "UPDATE messages SET state = ?, category = ?, urgent = ?, confidence = ? WHERE id = ?",
            (state, category, None if urgent is None else int(urgent), confidence, message_id),
        )

    async def message_state(self, message_id: str) -> str | None:
        row = await self._one("SELECT state FROM messages WHERE id = ?", (message_id,))
        return row[0] if row else None

    async def mark_messages(
        self, marks: Sequence[tuple[str, str, str | None, bool | None, float | None]]
    ) -> None:
        """mark_message for many: (id, state, category, urgent, confidence) each."""
        await self._writemany(
            "UPDATE messages SET state = ?, category = ?, urgent = ?, confidence = ? WHERE id = ?",
            [(st, cat, None if urg is None else int(urg), conf, mid)
             for mid, st, cat, urg, conf in marks],
        )

    async def similar_messages_since(self, checks: Sequence[tuple[Message, datetime]]) -> list[bool]:
        """similar_message_since for many (message, since) pairs, in one round trip."""
        if not checks:
            return []
        params = [(m.room, m.sender_id, ts(since), ts(m.ts), m.text, m.id) for m, since in checks]
        return await self.run_sync(_similar, params)

    async def count_messages(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM messages")
        return int(row[0])

    async def count_ignored(self, room: str, day: str) -> None:
        await self._write(
            "INSERT INTO ignored (room, day, n) VALUES (?, ?, 1)"
            " ON CONFLICT(room, day) DO UPDATE SET n = n + 1",
            (room, day),
        )

    async def ignored_counts(self) -> dict[str, int]:
        rows = await self._all("SELECT room, SUM(n) FROM ignored GROUP BY room")
        return {r[0]: int(r[1]) for r in rows}

    async def purge_text_before(self, before: datetime) -> int:
        cur = await self._write(
            "UPDATE messages SET text = NULL WHERE ts < ? AND text IS NOT NULL AND state != 'received'",
            (ts(before),),
        )
        return cur.rowcount

    async def rewrite_texts_before(self, before: datetime, statuses: Sequence[str],
                                   fn: Callable[[str], str]) -> int:
        """Retention for what outlives the raw messages: the text of items in these statuses
        created before then, and of captains' corrections, becomes fn(text) (the caller masks)."""
        marks = ",".join("?" * len(statuses))
        items = await self._all(f"SELECT id, text FROM items WHERE created_at < ? AND status IN ({marks})",
                                (ts(before), *statuses))
        corrections = await self._all("SELECT id, text FROM corrections WHERE at < ?", (ts(before),))
        new_items = [(fn(t), i) for i, t in items if fn(t) != t]
        new_corrections = [(fn(t), i) for i, t in corrections if fn(t) != t]
        async with self.transaction():
            if new_items:
                await self._writemany("UPDATE items SET text = ? WHERE id = ?", new_items)
            if new_corrections:
                await self._writemany("UPDATE corrections SET text = ? WHERE id = ?", new_corrections)
        return len(new_items) + len(new_corrections)

    # -- items -------------------------------------------------------------------
    async def create_item(self, new: NewItem) -> Item:
        at = ts(new.created_at)
        row = await self._exec(
            "INSERT INTO items (building, room, grp, category, urgent, status, text, reporter_id,"
            " reporter_name, assignees, created_at, updated_at, message_id, confidence, unit,"
            " keywords, follow_up_at) VALUES (?,?,?,?,?,'open',?,?,?,?,?,?,?,?,?,?,?)"
            f" RETURNING {_ITEM_COLS}",
            (new.building, new.room, new.group, new.category, int(new.urgent), new.text,
             new.reporter_id, new.reporter_name, json.dumps(list(new.assignees)), at, at,
             new.message_id, new.confidence, new.unit,
             json.dumps(list(new.keywords), ensure_ascii=False),
             ts(new.follow_up_at) if new.follow_up_at else None),
            "one",
        )
        return _item(row)

    async def get_item(self, item_id: int) -> Item:
        row = await self._one(f"SELECT {_ITEM_COLS} FROM items WHERE id = ?", (item_id,))
        if row is None:
            raise NotFound(item_id)
        return _item(row)

    async def update_item(self, item_id: int, at: datetime, **fields: Any) -> Item:
        allowed = {"status", "category", "urgent", "assignees", "unit", "claimed_by",
                   "resolved_at", "me_too", "follow_up_at"}
        sets, params = [], []
        for name, value in fields.items():
            if name not in allowed:
                raise ValueError(f"cannot update item field {name}")
            if name == "assignees":
                value = json.dumps(list(value))
            elif name in ("resolved_at", "follow_up_at"):
                value = ts(value) if value else None
            elif name == "urgent":
                value = int(value)
            sets.append(f"{name} = ?")
            params.append(value)
        sets.append("updated_at = ?")
        params.append(ts(at))
        row = await self._exec(f"UPDATE items SET {', '.join(sets)} WHERE id = ?"
                               f" RETURNING {_ITEM_COLS}", (*params, item_id), "one")
        if row is None:
            raise NotFound(item_id)
        return _item(row)

    async def items(
        self,
        *,
        buildings: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        assignee: str | None = None,
        groups: Sequence[str] | None = None,
        category: str | None = None,
        follow_up_by: datetime | None = None,
        limit: int | None = None,
    ) -> list[Item]:
        where, params = [], []
        if follow_up_by is not None:
            where.append("follow_up_at <= ?")
            params.append(ts(follow_up_by))
        for col, values in (("building", buildings), ("status", statuses), ("grp", groups)):
            if values is not None:
                where.append(f"{col} IN ({','.join('?' * len(values))})")
                params.extend(values)
        if since is not None:
            where.append("created_at >= ?")
            params.append(ts(since))
        if until is not None:
            where.append("created_at < ?")
            params.append(ts(until))
        if category is not None:
            where.append("category = ?")
            params.append(category)
        if assignee is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(items.assignees) WHERE value = ?)")
            params.append(assignee)
        sql = f"SELECT {_ITEM_COLS} FROM items"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_item(r) for r in await self._all(sql, params)]

    async def first_sharing_keywords(
        self, *, building: str, category: str, statuses: Sequence[str], since: datetime,
        words: Sequence[str], min_shared: int, room: str | None,
    ) -> Item | None:
        """The oldest item of that building and category, in `statuses`, created since, that
        shares at least `min_shared` of `words` and names no other room than `room`."""
        st = ",".join("?" * len(statuses))
        ws = ",".join("?" * len(words))
        row = await self._one(
            f"SELECT {_ITEM_COLS} FROM items WHERE building = ? AND category = ?"
            f" AND status IN ({st}) AND created_at >= ?"
            " AND (? IS NULL OR room IS NULL OR room = ?)"
            f" AND (SELECT COUNT(DISTINCT value) FROM json_each(items.keywords)"
            f" WHERE value IN ({ws})) >= ? ORDER BY id LIMIT 1",
            (building, category, *statuses, ts(since), room, room, *words, min_shared),
        )
        return _item(row) if row else None

    async def active_summary(
        self, statuses: Sequence[str], until: datetime
    ) -> list[tuple[int, str, datetime, bool]]:
        """(id, building, created_at, urgent) of the items in `statuses` created before `until`,
        by id: what a digest needs of every active item, read from one covering index."""
        marks = ",".join("?" * len(statuses))
        rows = await self._all(
            f"SELECT id, building, created_at, urgent FROM items WHERE status IN ({marks})"
            " AND created_at < ? ORDER BY id", (*statuses, ts(until)))
        return [(r[0], r[1], datetime.fromisoformat(r[2]), bool(r[3])) for r in rows]

    async def building_counts(
        self, start: datetime, end: datetime, active: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """Per building, for [start, end): new, by category, urgent, resolved; open as of now.
        Every building with a non-'other' item is listed, quiet ones with zeros."""
        return await self.run_sync(_building_counts, ts(start), ts(end), tuple(active))

    async def count_items(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM items")
        return int(row[0])

    # -- audit trail ---------------------------------------------------------------
    async def add_event(self, ev: Event) -> None:
        await self._write(
            "INSERT INTO events (item_id, at, actor_id, action, from_status, to_status, message_id,"
            " detail) VALUES (?,?,?,?,?,?,?,?)",
            (ev.item_id, ts(ev.at), ev.actor_id, ev.action, ev.from_status, ev.to_status,
             ev.message_id, ev.detail),
        )

    async def events(self, item_id: int) -> list[Event]:
        rows = await self._all(
            "SELECT item_id, at, actor_id, action, from_status, to_status, message_id, detail"
            " FROM events WHERE item_id = ? ORDER BY id",
            (item_id,),
        )
        return [Event(r[0], from_ts(r[1]), r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows]  # type: ignore[arg-type]

    # -- outbox --------------------------------------------------------------------
    async def queue(self, out: Outgoing, now: datetime) -> int | None:
        """Queue a message; None when one with the same key was queued before."""
        cur = await self._write(_QUEUE_SQL, _queue_row(out, now))
        return cur.lastrowid if cur.rowcount else None

    async def queue_many(self, outs: Sequence[tuple[Outgoing, datetime]]) -> None:
        """queue() for many (message, now) pairs whose row ids nobody needs, in one round trip."""
        if outs:
            await self._writemany(_QUEUE_SQL, [_queue_row(o, now) for o, now in outs])

    async def has_key(self, key: str) -> bool:
        return await self._one("SELECT 1 FROM outbox WHERE key = ?", (key,)) is not None

    async def due_outgoing(self, now: datetime, limit: int = 100, urgent_first: bool = False,
                           skip_rooms: Sequence[str] = ()) -> list[QueuedOutgoing]:
        order = "urgent DESC, due_at, id" if urgent_first else "due_at, id"
        skip = f" AND room NOT IN ({','.join('?' * len(skip_rooms))})" if skip_rooms else ""
        rows = await self._all(
            f"SELECT {_OUT_COLS} FROM outbox WHERE status = 'pending' AND due_at <= ?{skip}"
            f" ORDER BY {order} LIMIT ?",
            (ts(now), *skip_rooms, limit),
        )
        return [_queued(r) for r in rows]

    async def next_due(self) -> datetime | None:
        row = await self._one("SELECT MIN(due_at) FROM outbox WHERE status = 'pending'")
        return from_ts(row[0]) if row and row[0] else None

    async def mark_sent(self, ids: Sequence[int], at: datetime) -> None:
        await self._writemany(
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?",
            [(ts(at), i) for i in ids],
        )

    async def mark_failed(self, ids: Sequence[int], error: str, retry_at: datetime | None) -> None:
        """Retry later, or (retry_at None) give up and keep the row as failed for staff to see."""
        status = "pending" if retry_at else "failed"
        await self._writemany(
            "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?,"
            " due_at = COALESCE(?, due_at) WHERE id = ?",
            [(status, error[:500], ts(retry_at) if retry_at else None, i) for i in ids],
        )

    async def outgoing(self, status: str | None = None) -> list[QueuedOutgoing]:
        sql = f"SELECT {_OUT_COLS} FROM outbox"
        params: tuple[Any, ...] = ()
        if status:
            sql += " WHERE status = ?"
            params = (status,)
        return [_queued(r) for r in await self._all(sql + " ORDER BY id", params)]

    async def sent_since(self, since: datetime) -> list[tuple[str, str | None, datetime]]:
        """(room, direct_to, sent_at) of each message sent since then, oldest first; rows merged
        into one message share a sent_at and count once. Restarts rebuild the rate limits from it."""
        rows = await self._all(
            "SELECT DISTINCT room, direct_to, sent_at FROM outbox WHERE status = 'sent'"
            " AND sent_at >= ? ORDER BY sent_at",
            (ts(since),),
        )
        return [(r[0], r[1], from_ts(r[2])) for r in rows]  # type: ignore[misc]

    # -- corrections, kv -----------------------------------------------------------
    async def add_correction(
        self, item_id: int, text: str, category: str, by_id: str, at: datetime
    ) -> None:
        await self._write(
            "INSERT INTO corrections (item_id, text, category, by_id, at) VALUES (?,?,?,?,?)",
            (item_id, text, category, by_id, ts(at)),
        )

    async def corrections(self) -> list[tuple[str, str]]:
        rows = await self._all("SELECT text, category FROM corrections ORDER BY id")
        return [(r[0], r[1]) for r in rows]

    async def get(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM kv WHERE key = ?", (key,))
        return row[0] if row else None

    async def put(self, key: str, value: str) -> None:
        await self._write(
            "INSERT INTO kv (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def kv_items(self, prefix: str) -> dict[str, str]:
        rows = await self._all("SELECT key, value FROM kv WHERE key >= ? AND key < ?",
                               (prefix, prefix + "\uffff"))
        return {r[0]: r[1] for r in rows}
