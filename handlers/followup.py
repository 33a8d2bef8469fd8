"""The clock's side of an item's life: reminders for what nobody claimed, escalation of what
nobody resolved. Run by the scheduler; each reminder or escalation is keyed so a restart
never sends it twice.
"""

from __future__ import annotations

from handlers import texts
from handlers.context import Ctx
from handlers.privacy import summary
from handlers.timing import release_time
from storage import Outgoing
from storage.states import ACTIVE


async def sweep(ctx: Ctx) -> list[Outgoing]:
    s = ctx.cfg.schedule
    soonest = min(s.remind_after(True), s.escalate_after(True), s.remind_after(False))
    out: list[Outgoing] = []
    office = ctx.cfg.units["office"]
    # Units reached in another group (the office) are not @-mentioned in a stairwell group.
    elsewhere = {u.id for u in ctx.cfg.units.values() if u.group}
    for item in await ctx.repo.items(statuses=sorted(ACTIVE), until=ctx.now - soonest):
        # The clock starts when the first ping could go out, not while quiet hours held it.
        age = ctx.now - (release_time(ctx.cfg, item.created_at, item.urgent) or item.created_at)
        if item.status == "open" and age >= s.remind_after(item.urgent):
            key = f"remind:{item.id}"
            here = tuple(a for a in item.assignees if a not in elsewhere)
            if here and not await ctx.repo.has_key(key):
                out.append(Outgoing(
                    room=item.group, text=texts.REMIND.format(id=item.id, summary=summary(item.text)),
                    mentions=here, urgent=item.urgent, key=key, item_id=item.id,
                    due_at=release_time(ctx.cfg, ctx.now, item.urgent)))
        if age >= s.escalate_after(item.urgent):
            key = f"escalate:{item.id}"
            if not await ctx.repo.has_key(key):
                hours = int(s.escalate_after(item.urgent).total_seconds() // 3600)
                out.append(Outgoing(
                    room=office.group or ctx.cfg.staff_group,
                    text=texts.ESCALATE.format(id=item.id, group=item.group, hours=hours,
                                               label=texts.CATEGORY_LABELS[item.category],
                                               summary=summary(item.text)),
                    mentions=(office.id,), urgent=item.urgent, key=key, item_id=item.id,
                    due_at=release_time(ctx.cfg, ctx.now, item.urgent)))
    return out
