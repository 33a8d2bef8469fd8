"""Item status as data: one table of legal moves; groups derived from it.

Code stores the key, decides by the group, and shows the label.
"""

from __future__ import annotations

TRANSITIONS: dict[tuple[str, str], str] = {
    ("open", "claim"): "claimed",
    ("open", "resolve"): "resolved",
    ("claimed", "resolve"): "resolved",
    ("claimed", "claim"): "claimed",  # another unit takes it over
    ("open", "transfer"): "open",
    ("claimed", "transfer"): "open",  # a new unit must claim it again
    ("resolved", "reopen"): "open",
    ("closed", "reopen"): "open",
    ("resolved", "close"): "closed",
    ("open", "close"): "closed",  # recategorised as chatter
    ("claimed", "close"): "closed",
}

STATUSES: tuple[str, ...] = ("open", "claimed", "resolved", "closed")
ACTIVE: frozenset[str] = frozenset({"open", "claimed"})  # 待办, reminders, escalation
DONE: frozenset[str] = frozenset({"resolved", "closed"})


class IllegalTransition(Exception):
    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"cannot {action} an item that is {status}")
        self.status = status
        self.action = action


def next_status(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None
