"""A reporter saying "还没好" after a resolution reopens their item and pings its assignees."""

from __future__ import annotations

from datetime import timedelta

from handlers import texts
from handlers.context import Ctx, Incoming
from handlers.timing import release_time
from storage import Event, Outgoing
from storage.states import next_status


async def reopen(inc: Incoming, ctx: Ctx) -> list[Outgoing] | None:
    msg = inc.msg
    if msg.is_private or not any(w in msg.text for w in ctx.cfg.commands.not_fixed):
        return None
    since = ctx.now - timedelta(days=ctx.cfg.commands.reopen_within_days)
    mine = [
        i for i in await ctx.repo.items(groups=[msg.room], statuses=["resolved"])
        if i.reporter_id == msg.sender_id and i.resolved_at and i.resolved_at >= since
    ]
    if not mine:
        return None
    item = max(mine, key=lambda i: i.resolved_at)  # type: ignore[arg-type, return-value]
    to = next_status(item.status, "reopen")
    await ctx.repo.update_item(item.id, ctx.now, status=to, resolved_at=None, claimed_by=None,
                               follow_up_at=ctx.now)
    await ctx.repo.add_event(Event(item.id, ctx.now, msg.sender_id, "reopen", item.status, to,
                                   msg.id))
    return [Outgoing(room=item.group, text=texts.REOPENED.format(id=item.id,
                                                                 reporter=msg.sender_name),
                     mentions=item.assignees, item_id=item.id, urgent=item.urgent,
                     key=f"reopen:{msg.id}", due_at=release_time(ctx.cfg, ctx.now, item.urgent))]
