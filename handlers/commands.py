"""Chat commands from captains, units and staff: parsed once, checked once, then acted on.

The parser is a pure function over the command words in config; the access check is one
filter in front of every command, keyed on contact ids, never display names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers import texts
from handlers.context import Ctx, Incoming
from handlers.privacy import summary
from handlers.routing import contact_for, unit_label
from handlers.settings import Commands, Config
from handlers.timing import release_time
from storage import Event, Item, NotFound, Outgoing
from storage.states import ACTIVE, IllegalTransition, next_status

# Leading @-mentions (WeChat ends each with U+2005 or a space) are not part of the command.
_MENTIONS = re.compile(r"^(?:\s*@[^\s\u2005]+[\s\u2005]*)+")
_ITEM = re.compile(r"^[#＃]\s*(\d{1,9})\s*(.*)$", re.S)


@dataclass(frozen=True, slots=True)
class ItemCommand:
    item_id: int
    action: str  # claim, resolve, transfer, recategorize
    arg: str | None = None  # the unit for transfer, the category for recategorize


@dataclass(frozen=True, slots=True)
class TodoCommand:
    pass


Command = ItemCommand | TodoCommand


def parse_command(text: str, words: Commands) -> Command | None:
    body = _MENTIONS.sub("", text).strip()
    if body in words.todo:
        return TodoCommand()
    m = _ITEM.match(body)
    if not m:
        return None
    item_id, rest = int(m.group(1)), " ".join(m.group(2).split())
    if rest in words.claim:
        return ItemCommand(item_id, "claim")
    if rest in words.resolve:
        return ItemCommand(item_id, "resolve")
    if rest in words.transfer:
        return ItemCommand(item_id, "transfer", words.transfer[rest])
    head, _, tail = rest.partition(" ")
    if rest.startswith(words.recategorize):
        label = rest[len(words.recategorize):].strip() if head == rest else tail.strip()
        if label in words.categories:
            return ItemCommand(item_id, "recategorize", words.categories[label])
    return None


def is_staff(cfg: Config, contact_id: str) -> bool:
    """Units and staff act on every building."""
    return contact_id in cfg.unit_ids() or contact_id in cfg.staff


def is_privileged(cfg: Config, contact_id: str) -> bool:
    return is_staff(cfg, contact_id) or any(g.captain.id == contact_id for g in cfg.groups)


def may_act(cfg: Config, contact_id: str, item: Item) -> bool:
    if is_staff(cfg, contact_id):
        return True
    group = cfg.group(item.group)
    return group is not None and group.captain.id == contact_id


async def commands(inc: Incoming, ctx: Ctx) -> list[Outgoing] | None:
    """The first route: None when the text is no command, so later routes get it."""
    cmd = parse_command(inc.msg.text, ctx.cfg.commands)
    if cmd is None:
        return None
    if not is_privileged(ctx.cfg, inc.msg.sender_id):
        return []  # a resident's command-like text changes nothing, and says nothing
    if isinstance(cmd, TodoCommand):
        return await _todo(inc, ctx)
    return await _item_command(cmd, inc, ctx)


def _reply(inc: Incoming, ctx: Ctx, text: str, item_id: int | None = None,
           mentions: tuple[str, ...] = ()) -> Outgoing:
    return Outgoing(room=inc.msg.room, text=text, mentions=mentions, item_id=item_id,
                    key=f"cmd:{inc.msg.id}", direct_to=inc.msg.sender_id if inc.msg.is_private else None)


async def _item_command(cmd: ItemCommand, inc: Incoming, ctx: Ctx) -> list[Outgoing]:
    try:
        item = await ctx.repo.get_item(cmd.item_id)
    except NotFound:
        return [_reply(inc, ctx, texts.NOT_FOUND.format(id=cmd.item_id))]
    if not may_act(ctx.cfg, inc.msg.sender_id, item):
        return [_reply(inc, ctx, texts.NOT_YOURS.format(id=item.id))]
    handler = {"claim": _claim, "resolve": _resolve, "transfer": _transfer,
               "recategorize": _recategorize}[cmd.action]
    try:
        return await handler(cmd, item, inc, ctx)
    except IllegalTransition:
        status = texts.STATUS_LABELS[item.status]
        return [_reply(inc, ctx, texts.ALREADY.format(id=item.id, status=status), item.id)]


async def _move(item: Item, action: str, inc: Incoming, ctx: Ctx, detail: str | None = None,
                **fields: object) -> Item:
    to = next_status(item.status, action)
    updated = await ctx.repo.update_item(item.id, ctx.now, status=to, **fields)
    await ctx.repo.add_event(Event(item.id, ctx.now, inc.msg.sender_id, action, item.status, to,
                                   inc.msg.id, detail))
    return updated


async def _claim(cmd: ItemCommand, item: Item, inc: Incoming, ctx: Ctx) -> list[Outgoing]:
    if item.status == "claimed" and item.claimed_by == inc.msg.sender_id:
        raise IllegalTransition(item.status, "claim")  # idempotent: nothing changes
    await _move(item, "claim", inc, ctx, claimed_by=inc.msg.sender_id)
    name = ctx.cfg.person_name(inc.msg.sender_id) or inc.msg.sender_name
    return [_reply(inc, ctx, texts.CLAIMED.format(id=item.id, name=name), item.id)]


async def _resolve(cmd: ItemCommand, item: Item, inc: Incoming, ctx: Ctx) -> list[Outgoing]:
    await _move(item, "resolve", inc, ctx, resolved_at=ctx.now, follow_up_at=None)
    return [Outgoing(room=item.group, text=texts.RESOLVED.format(id=item.id),
                     mentions=(item.reporter_id,), item_id=item.id, key=f"resolved:{inc.msg.id}",
                     urgent=item.urgent, due_at=release_time(ctx.cfg, ctx.now, item.urgent))]


async def _transfer(cmd: ItemCommand, item: Item, inc: Incoming, ctx: Ctx) -> list[Outgoing]:
    unit = cmd.arg or "captain"
    group = ctx.cfg.group(item.group)
    if group is None:
        return [_reply(inc, ctx, texts.NOT_FOUND.format(id=item.id))]
    cid, where = contact_for(ctx.cfg, group, unit)
    await _move(item, "transfer", inc, ctx, detail=unit, unit=unit, assignees=(cid,),
                claimed_by=None, follow_up_at=ctx.now)  # the sweep looks again
    text = texts.TRANSFERRED.format(id=item.id, unit=unit_label(ctx.cfg, unit),
                                    summary=summary(item.text))
    return [Outgoing(room=where or item.group, text=text, mentions=(cid,), item_id=item.id,
                     urgent=item.urgent, key=f"transfer:{inc.msg.id}",
                     due_at=release_time(ctx.cfg, ctx.now, item.urgent))]


async def _recategorize(cmd: ItemCommand, item: Item, inc: Incoming, ctx: Ctx) -> list[Outgoing]:
    category = cmd.arg or item.category
    await ctx.repo.add_correction(item.id, item.text, category, inc.msg.sender_id, ctx.now)
    label = texts.CATEGORY_LABELS[category]
    if category == "other":
        if item.status in ACTIVE:
            await _move(item, "close", inc, ctx, detail="other", category=category,
                        follow_up_at=None)
        else:
            await ctx.repo.update_item(item.id, ctx.now, category=category)
        return [_reply(inc, ctx, texts.CLOSED_AS_OTHER.format(id=item.id, label=label), item.id)]
    await ctx.repo.update_item(item.id, ctx.now, category=category)
    await ctx.repo.add_event(Event(item.id, ctx.now, inc.msg.sender_id, "recategorize",
                                   item.status, item.status, inc.msg.id, category))
    return [_reply(inc, ctx, texts.RECATEGORIZED.format(id=item.id, label=label), item.id)]


async def _todo(inc: Incoming, ctx: Ctx) -> list[Outgoing]:
    sender = inc.msg.sender_id
    mine = await ctx.repo.items(statuses=sorted(ACTIVE), assignee=sender)
    if not is_staff(ctx.cfg, sender):
        own = [g.topic for g in ctx.cfg.groups if g.captain.id == sender]
        ids = {i.id for i in mine}
        mine += [i for i in await ctx.repo.items(statuses=sorted(ACTIVE), groups=own)
                 if i.id not in ids]
    mine.sort(key=lambda i: (i.created_at, i.id))
    if not mine:
        return [_reply(inc, ctx, texts.TODO_EMPTY)]
    limit = ctx.cfg.commands.todo_limit
    lines = [texts.TODO_HEAD.format(n=len(mine))]
    for i in mine[:limit]:
        hours = (ctx.now - i.created_at).total_seconds() / 3600
        lines.append(texts.TODO_LINE.format(
            id=i.id, building=i.building, room=f" {i.room}" if i.room else "",
            label=texts.CATEGORY_LABELS[i.category], summary=summary(i.text, 20),
            age=texts.age(hours)))
    return [_reply(inc, ctx, "\n".join(lines))]

