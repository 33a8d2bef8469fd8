"""The clock's side of an item's life: reminders for what nobody claimed, escalation of what
nobody resolved. Run by the scheduler; each reminder or escalation is keyed so a restart
never sends it twice, and each item carries the time it next needs a look (follow_up_at),
so a sweep reads only the items that are due.
"""

from __future__ import annotations

from datetime import datetime

from handlers import texts
from handlers.context import Ctx
from handlers.privacy import summary
from handlers.settings import Config
from handlers.timing import release_time
from storage import Item, Outgoing
from storage.states import ACTIVE


def clock_start(cfg: Config, created_at: datetime, urgent: bool) -> datetime:
    """The follow-up clock starts when the first ping could go out, not while quiet hours
    held it."""
    return release_time(cfg, created_at, urgent) or created_at


def first_follow_up(cfg: Config, created_at: datetime, urgent: bool) -> datetime:
    s = cfg.schedule
    return clock_start(cfg, created_at, urgent) + min(s.remind_after(urgent),
                                                        s.escalate_after(urgent))


async def sweep(ctx: Ctx) -> list[Outgoing]:
    out: list[Outgoing] = []
    # Units reached in another group (the office) are not @-mentioned in a stairwell group.
    elsewhere = frozenset(u.id for u in ctx.cfg.units.values() if u.group)
    for item in await ctx.repo.items(statuses=sorted(ACTIVE), follow_up_by=ctx.now):
        later = await _follow_up(item, ctx, elsewhere, out)
        await ctx.repo.update_item(item.id, item.updated_at, follow_up_at=later)
    return out


async def _follow_up(item: Item, ctx: Ctx, elsewhere: frozenset[str],
                     out: list[Outgoing]) -> datetime | None:
    """Queue what is due for one item; return when it next needs a look (None: never)."""
    s = ctx.cfg.schedule
    start = clock_start(ctx.cfg, item.created_at, item.urgent)
    later: list[datetime] = []
    office = ctx.cfg.units["office"]
    here = tuple(a for a in item.assignees if a not in elsewhere)
    remind_key = f"remind:{item.id}"
    if item.status == "open" and here and not await ctx.repo.has_key(remind_key):
        at = start + s.remind_after(item.urgent)
        if ctx.now >= at:
            out.append(Outgoing(
                room=item.group, text=texts.REMIND.format(id=item.id, summary=summary(item.text)),
                mentions=here, urgent=item.urgent, key=remind_key, item_id=item.id,
                due_at=release_time(ctx.cfg, ctx.now, item.urgent)))
        else:
            later.append(at)
    escalate_key = f"escalate:{item.id}"
    if not await ctx.repo.has_key(escalate_key):
        at = start + s.escalate_after(item.urgent)
        if ctx.now >= at:
            hours = int(s.escalate_after(item.urgent).total_seconds() // 3600)
            out.append(Outgoing(
                room=office.group or ctx.cfg.staff_group,
                text=texts.ESCALATE.format(id=item.id, group=item.group, hours=hours,
                                           label=texts.CATEGORY_LABELS[item.category],
                                           summary=summary(item.text)),
                mentions=(office.id,), urgent=item.urgent, key=escalate_key, item_id=item.id,
                due_at=release_time(ctx.cfg, ctx.now, item.urgent)))
        else:
            later.append(at)
    return min(later) if later else None
