"""Storage: the database and nothing else. Imports nothing else of stairbot's."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from storage.errors import NotFound, StorageError, storage_problem
from storage.models import Event, Item, Message, NewItem, Outgoing, QueuedOutgoing
from storage.sqlite import SqliteRepository

Repository = SqliteRepository

__all__ = [
    "Event",
    "Item",
    "Message",
    "NewItem",
    "NotFound",
    "Outgoing",
    "QueuedOutgoing",
    "Repository",
    "StorageError",
    "open_repository",
    "storage_problem",
]


@contextlib.asynccontextmanager
async def open_repository(path: str | Path, direct: bool = False
                          ) -> AsyncIterator[SqliteRepository]:
    """A file path, or ":memory:" for a throwaway database (tests, dry runs).

    direct=True runs statements on the caller's thread: for batch work such as a replay,
    where nothing else needs the event loop meanwhile."""
    repo = await SqliteRepository.open(path, direct)
    try:
        yield repo
    finally:
        await repo.close()
