"""The staff digest for one day: per building counts, what is overdue, the oldest open items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from handlers import texts
from handlers.context import Ctx
from handlers.privacy import summary
from storage import Item, Outgoing
from storage.states import ACTIVE

_ZERO = {"new": 0, "need": 0, "complaint": 0, "question": 0, "urgent": 0, "resolved": 0, "open": 0}


@dataclass(frozen=True, slots=True)
class Digest:
    day: date
    community: str
    buildings: dict[str, dict[str, int]]
    overdue: list[int] = field(default_factory=list)  # item ids
    oldest: list[Item] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "community": self.community,
            "buildings": {
                b: {"new": c["new"], "open": c["open"], "resolved": c["resolved"],
                    "urgent": c["urgent"],
                    "by_category": {k: c[k] for k in ("need", "complaint", "question")}}
                for b, c in self.buildings.items()
            },
            "overdue": list(self.overdue),
        }


def day_bounds(ctx: Ctx, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=ctx.cfg.tz)
    return start, start + timedelta(days=1)


async def build_digest(ctx: Ctx, day: date, oldest: int = 5) -> Digest:
    start, end = day_bounds(ctx, day)
    counts = await ctx.repo.building_counts(start, end, sorted(ACTIVE))
    buildings: dict[str, dict[str, int]] = {}
    for g in ctx.cfg.groups:  # every configured building, quiet ones too, in config order
        buildings.setdefault(g.building, dict(_ZERO))
    for b, c in counts.items():
        buildings[b] = c
    s = ctx.cfg.schedule
    # Only id, building, time and urgency of every active item: a big ledger can hold tens of
    # thousands, and only the few oldest are shown whole.
    active = await ctx.repo.active_summary(sorted(ACTIVE), until=end)
    overdue = []
    for item_id, building, created_at, urgent in active:
        if end - created_at >= s.escalate_after(urgent):
            overdue.append(item_id)
            if building in buildings:
                buildings[building]["overdue"] = buildings[building].get("overdue", 0) + 1
    first = sorted(active, key=lambda a: a[2])[:oldest]
    return Digest(day, ctx.cfg.community, buildings, overdue,
                  [await ctx.repo.get_item(a[0]) for a in first])


def format_digest(d: Digest, now: datetime) -> str:
    lines = [texts.DIGEST_HEAD.format(community=d.community, date=d.day.isoformat())]
    for b, c in d.buildings.items():
        lines.append(texts.DIGEST_BUILDING.format(building=b, **{"overdue": 0, **c}))
    if not any(c["new"] for c in d.buildings.values()):
        lines.append(texts.DIGEST_NONE)
    if d.oldest:
        lines.append(texts.DIGEST_OLDEST_HEAD)
        for i in d.oldest:
            hours = (now - i.created_at).total_seconds() / 3600
            lines.append(texts.DIGEST_OLDEST.format(
                id=i.id, building=i.building, room=f" {i.room}" if i.room else "",
                label=texts.CATEGORY_LABELS[i.category], summary=summary(i.text, 20),
                age=texts.age(hours)))
    return "\n".join(lines)


async def daily_digest(ctx: Ctx) -> list[Outgoing]:
    """The scheduled job: yesterday's digest to the staff group, once per day."""
    day = ctx.now.astimezone(ctx.cfg.tz).date() - timedelta(days=1)
    d = await build_digest(ctx, day)
    office = ctx.cfg.units["office"]
    return [Outgoing(room=ctx.cfg.staff_group, text=format_digest(d, ctx.now),
                     mentions=(office.id,), key=f"digest:{day.isoformat()}")]
