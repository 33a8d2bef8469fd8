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
async def open_repository(path: str | Path) -> AsyncIterator[SqliteRepository]:
    """A file path, or ":memory:" for a throwaway database (tests, dry runs)."""
    repo = await SqliteRepository.open(path)
    try:
        yield repo
    finally:
        await repo.close()
