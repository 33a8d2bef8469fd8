"""The storage exception tree: callers catch at the level they mean."""


class StorageError(Exception):
    """The database cannot be used (unreadable, read-only, disk full, newer schema)."""


class NotFound(StorageError, KeyError):
    """No row with that key."""


# sqlite's own words (lowercased) → what to call it, and whether waiting can help
_KINDS = (("full", "full", False), ("readonly", "read-only", False), ("read-only", "read-only", False),
          ("locked", "busy", True), ("busy", "busy", True), ("disk i/o", "I/O error", False),
          ("malformed", "corrupt", False), ("not a database", "corrupt", False))


def storage_problem(e: BaseException) -> tuple[str, bool] | None:
    """What is wrong with the database, if e or the error it arose from says so:
    ("full" | "read-only" | "busy" | "I/O error" | "corrupt", worth retrying). None: not ours."""
    import sqlite3

    seen: set[int] = set()
    cur: BaseException | None = e
    found = None
    while cur is not None and id(cur) not in seen:  # a failed ROLLBACK can hide the real cause
        seen.add(id(cur))
        if isinstance(cur, sqlite3.Error):
            text = str(cur).lower()
            for needle, what, retry in _KINDS:
                if needle in text:
                    return what, retry
            found = found or ("error: " + str(cur), False)
        cur = cur.__cause__ or cur.__context__
    return found
