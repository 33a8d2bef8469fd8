"""Intake, the catch-all route: record an item for each need, complaint and question,
and compose the one message that both acknowledges the resident and pings whoever is responsible.
"""

from __future__ import annotations

from datetime import timedelta

from handlers import texts
from handlers.context import Ctx, Incoming
from handlers.followup import first_follow_up
from handlers.privacy import summary
from handlers.routing import route
from handlers.timing import release_time
from storage import Event, Item, NewItem, Outgoing
from storage.states import ACTIVE


async def _open_duplicate(inc: Incoming, ctx: Ctx, building: str) -> Item | None:
    a = inc.analysis
    if a.category not in ctx.cfg.duplicates.categories or a.urgent or not a.matched:
        return None
    since = ctx.now - timedelta(hours=ctx.cfg.duplicates.window_hours)
    words = sorted(set(a.matched))
    return await ctx.repo.first_sharing_keywords(
        building=building, category=a.category, statuses=sorted(ACTIVE), since=since,
        words=words, min_shared=min(ctx.cfg.duplicates.min_shared_words, len(words)),
        room=a.room)


def _where(room: str | None) -> str:
    return texts.WHERE.format(room=room) if room else ""


async def intake(inc: Incoming, ctx: Ctx) -> list[Outgoing] | None:
    msg, a = inc.msg, inc.analysis
    group = ctx.cfg.group(msg.room)
    if group is None or not a.actionable or not msg.text.strip():
        return []

    dup = await _open_duplicate(inc, ctx, group.building)
    if dup is not None:
        await ctx.repo.update_item(dup.id, ctx.now, me_too=dup.me_too + 1)
        await ctx.repo.add_event(Event(dup.id, ctx.now, msg.sender_id, "me_too", dup.status,
                                       dup.status, msg.id))
        if not inc.answer:
            return []
        return [Outgoing(room=msg.room, text=texts.DUPLICATE.format(id=dup.id),
                         key=f"dup:{msg.id}", item_id=dup.id,
                         due_at=release_time(ctx.cfg, ctx.now, False))]

    r = route(ctx.cfg, group, a.category, a.urgent)
    item = await ctx.repo.create_item(
        NewItem(
            building=group.building, room=a.room, group=group.topic, category=a.category,
            urgent=a.urgent, text=msg.text, reporter_id=msg.sender_id,
            reporter_name=msg.sender_name, assignees=r.assignees, created_at=ctx.now,
            message_id=msg.id, confidence=a.confidence, unit=r.unit, keywords=a.matched,
            follow_up_at=first_follow_up(ctx.cfg, ctx.now, a.urgent),
        )
    )
    await ctx.repo.add_event(Event(item.id, ctx.now, msg.sender_id, "report", None, "open", msg.id))
    if not inc.answer:
        return []

    fields = {"id": item.id, "reporter": msg.sender_name, "where": _where(a.room),
              "summary": summary(msg.text), "group": group.topic}
    text = texts.URGENT_ACK.format(**fields) if a.urgent else texts.ACK[a.category].format(**fields)
    if a.guess:
        text += texts.GUESS.format(id=item.id)
    due = release_time(ctx.cfg, ctx.now, a.urgent)
    out = [Outgoing(room=group.topic, text=text, mentions=r.stairwell, urgent=a.urgent,
                    key=f"ack:{item.id}", item_id=item.id, due_at=due)]
    for topic, ids in r.elsewhere.items():
        staff_text = texts.URGENT_STAFF if a.urgent else texts.FORWARD
        label = texts.CATEGORY_LABELS[a.category]
        out.append(Outgoing(room=topic, text=staff_text.format(label=label, **fields), mentions=ids,
                            urgent=a.urgent, key=f"ack:{item.id}:{topic}", item_id=item.id,
                            due_at=due))
    return out
