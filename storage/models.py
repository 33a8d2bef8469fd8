"""Plain records that cross package boundaries. storage/ is the bottom layer, so they live here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Message:
    """One inbound chat message, as every transport delivers it."""

    id: str
    ts: datetime  # timezone-aware
    room: str  # group topic
    sender_id: str
    sender_name: str
    text: str
    mentions: tuple[str, ...] = ()
    kind: str = "text"  # text, image, voice, file, …
    room_id: str | None = None  # transport-level group id, when the transport has one

    @property
    def is_private(self) -> bool:
        return self.room == ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message the bot wants to say; mentions are contact ids."""

    room: str
    text: str
    mentions: tuple[str, ...] = ()
    urgent: bool = False
    key: str | None = None  # idempotency key: the same key is never queued twice
    item_id: int | None = None
    due_at: datetime | None = None  # held until then (quiet hours); None = at once
    direct_to: str | None = None  # a contact id: a private message instead of a group one


@dataclass(frozen=True, slots=True)
class QueuedOutgoing:
    """An outbox row: an Outgoing with its delivery state."""

    id: int
    out: Outgoing
    created_at: datetime
    due_at: datetime
    status: str  # pending, sent, failed
    attempts: int = 0
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """A ledger item (Open311-style fields where they exist)."""

    id: int
    building: str
    room: str | None
    group: str
    category: str
    urgent: bool
    status: str
    text: str
    reporter_id: str
    reporter_name: str
    assignees: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    message_id: str
    confidence: float = 1.0
    unit: str = "captain"  # the unit currently responsible: captain, property, office
    claimed_by: str | None = None
    resolved_at: datetime | None = None
    me_too: int = 0
    keywords: tuple[str, ...] = field(default=())
    follow_up_at: datetime | None = None  # when a reminder or escalation may next be due


@dataclass(frozen=True, slots=True)
class NewItem:
    building: str
    room: str | None
    group: str
    category: str
    urgent: bool
    text: str
    reporter_id: str
    reporter_name: str
    assignees: tuple[str, ...]
    created_at: datetime
    message_id: str
    confidence: float = 1.0
    unit: str = "captain"
    keywords: tuple[str, ...] = ()
    follow_up_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One line of an item's audit trail."""

    item_id: int
    at: datetime
    actor_id: str
    action: str
    from_status: str | None
    to_status: str | None
    message_id: str | None = None
    detail: str | None = None
