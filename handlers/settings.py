"""The community's settings as frozen, validated models (loaded from YAML by bot.config).

Nothing downstream ever sees a half-valid config: every cross-reference is checked here.
"""

from __future__ import annotations

import re
from datetime import time, timedelta, tzinfo
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CATEGORIES = ("need", "complaint", "question", "other")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Model):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)


class Unit(Person):
    label: str = Field(min_length=1)
    group: str | None = None  # None: mentioned in the stairwell group the item came from


class Group(_Model):
    topic: str = Field(min_length=1)
    building: str = Field(min_length=1)
    captain: Person


class Commands(_Model):
    claim: tuple[str, ...]
    resolve: tuple[str, ...]
    transfer: dict[str, str]
    recategorize: str
    categories: dict[str, str]
    todo: tuple[str, ...]
    not_fixed: tuple[str, ...]
    reopen_within_days: float = Field(gt=0)
    todo_limit: int = Field(gt=0)

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, v: dict[str, str]) -> dict[str, str]:
        for word, cat in v.items():
            if cat not in CATEGORIES:
                raise ValueError(f"{word}: {cat!r} is not one of {', '.join(CATEGORIES)}")
        return v


def _parse_hhmm(v: Any) -> time:
    if isinstance(v, int):  # YAML reads an unquoted 08:00 as sexagesimal 480
        v = f"{v // 60:02d}:{v % 60:02d}"
    m = _HHMM.match(str(v))
    if not m:
        raise ValueError(f"{v!r} is not a time like 08:00")
    return time(int(m.group(1)), int(m.group(2)))


class QuietHours(_Model):
    start: time
    end: time

    _t = field_validator("start", "end", mode="before")(lambda cls, v: _parse_hhmm(v))


class Schedule(_Model):
    digest_time: time
    quiet_hours: QuietHours
    remind_after_minutes: float = Field(gt=0)
    remind_urgent_after_minutes: float = Field(gt=0)
    escalate_after_minutes: float = Field(gt=0)
    escalate_urgent_after_minutes: float = Field(gt=0)
    sweep_every_seconds: float = Field(gt=0)

    _t = field_validator("digest_time", mode="before")(lambda cls, v: _parse_hhmm(v))

    def remind_after(self, urgent: bool) -> timedelta:
        m = self.remind_urgent_after_minutes if urgent else self.remind_after_minutes
        return timedelta(minutes=m)

    def escalate_after(self, urgent: bool) -> timedelta:
        m = self.escalate_urgent_after_minutes if urgent else self.escalate_after_minutes
        return timedelta(minutes=m)


class Duplicates(_Model):
    window_hours: float = Field(gt=0)
    min_shared_words: int = Field(ge=1)
    categories: tuple[str, ...] = ("complaint",)

    @field_validator("categories")
    @classmethod
    def _known(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for cat in v:
            if cat not in CATEGORIES:
                raise ValueError(f"{cat!r} is not one of {', '.join(CATEGORIES)}")
        return v


class Outbox(_Model):
    per_group_interval_seconds: float = Field(ge=0)
    global_per_minute: int = Field(gt=0)
    merge_window_seconds: float = Field(ge=0)
    retry_delays_seconds: tuple[float, ...] = Field(min_length=1)


class Classifier(_Model):
    guess_threshold: float = Field(ge=0, le=1)
    model: str | None = None
    extra_words: tuple[str, ...] = ()
    extra_lexicon: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("extra_lexicon")
    @classmethod
    def _known(cls, v: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for cat in v:
            if cat not in (*CATEGORIES, "urgent"):
                raise ValueError(f"{cat!r} is not a category or 'urgent'")
        return v


class Wechaty(_Model):
    backlog_max_age: float = Field(gt=0)
    private_reply_per_day: int = Field(ge=0)


class Privacy(_Model):
    retention_days: float = Field(gt=0)


class Config(_Model):
    community: str = Field(min_length=1)
    timezone: str
    database: str = Field(min_length=1)
    transport: str = "console"
    staff_group: str = Field(min_length=1)
    units: dict[str, Unit]
    groups: tuple[Group, ...] = Field(min_length=1)
    routing: dict[str, tuple[str, ...]]
    staff: tuple[str, ...] = ()
    commands: Commands
    schedule: Schedule
    duplicates: Duplicates
    outbox: Outbox
    classifier: Classifier
    wechaty: Wechaty
    privacy: Privacy
    # set by load_config: where relative paths in the file are resolved from
    base_dir: Path = Path(".")

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {v!r}") from None
        return v

    @field_validator("transport")
    @classmethod
    def _transport(cls, v: str) -> str:
        if v not in ("console", "wechaty"):
            raise ValueError(f"{v!r} is not console or wechaty")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        topics = [g.topic for g in self.groups]
        for t in topics:
            if topics.count(t) > 1:
                raise ValueError(f"groups: two groups share the topic {t!r}")
        if self.staff_group in topics:
            raise ValueError(f"staff_group: {self.staff_group!r} is also a stairwell group")
        for name in ("property", "office"):
            if name not in self.units:
                raise ValueError(f"units: the {name!r} unit is missing")
        for name, unit in self.units.items():
            # a unit reached in a group the bot is not in would never hear of anything
            if unit.group is not None and unit.group not in (*topics, self.staff_group):
                raise ValueError(f"units.{name}.group: {unit.group!r} is not the staff group"
                                 " or a stairwell group")
        for key, targets in self.routing.items():
            if key not in ("need", "complaint", "question", "urgent"):
                raise ValueError(f"routing.{key}: not need, complaint, question or urgent")
            for t in targets:
                if t != "captain" and t not in self.units:
                    raise ValueError(f"routing.{key}: no unit named {t!r}")
        for key in ("need", "complaint", "question", "urgent"):
            if key not in self.routing:
                raise ValueError(f"routing.{key}: missing")
        for word, unit in self.commands.transfer.items():
            if unit != "captain" and unit not in self.units:
                raise ValueError(f"commands.transfer.{word}: no unit named {unit!r}")
        return self

    # -- lookups used everywhere -------------------------------------------------
    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _groups_by_topic(self) -> tuple[tuple[Group, ...], dict[str, Group]]:
        # Every message looks its group up, and a community has hundreds of groups.
        return self.groups, {g.topic: g for g in self.groups}

    def group(self, topic: str) -> Group | None:
        groups, by_topic = self._groups_by_topic
        if groups is not self.groups:  # model_copy(update=...) copied the cache with the rest
            del self.__dict__["_groups_by_topic"]
            groups, by_topic = self._groups_by_topic
        return by_topic.get(topic)

    def unit_ids(self) -> frozenset[str]:
        return frozenset(u.id for u in self.units.values())

    def person_name(self, contact_id: str) -> str | None:
        for u in self.units.values():
            if u.id == contact_id:
                return u.name
        for g in self.groups:
            if g.captain.id == contact_id:
                return g.captain.name
        return None

    def database_path(self) -> Path:
        p = Path(self.database)
        return p if p.is_absolute() else self.base_dir / p


