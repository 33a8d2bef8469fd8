"""The storage exception tree: callers catch at the level they mean."""


class StorageError(Exception):
    """The database cannot be used (unreadable, read-only, disk full, newer schema)."""


class NotFound(StorageError, KeyError):
    """No row with that key."""
