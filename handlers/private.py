"""A private message gets, at most N times a day per person, one line pointing to the group."""

from __future__ import annotations

from handlers import texts
from handlers.context import Ctx, Incoming
from storage import Outgoing


async def private(inc: Incoming, ctx: Ctx) -> list[Outgoing] | None:
    msg = inc.msg
    if not msg.is_private:
        return None
    day = ctx.now.astimezone(ctx.cfg.tz).date().isoformat()
    quota = ctx.cfg.wechaty.private_reply_per_day
    key = f"private:{msg.sender_id}:{day}"
    n = int(await ctx.repo.get(key) or 0)
    if n >= quota or not inc.answer or not msg.sender_id:  # no one to answer: say nothing
        return []
    await ctx.repo.put(key, str(n + 1))
    return [Outgoing(room="", text=texts.PRIVATE_HINT, direct_to=msg.sender_id,
                     key=f"{key}:{n}")]
