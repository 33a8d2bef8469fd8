"""One ordered route table: the first route that returns a list (even an empty one) wins.

Commands come first, so "#12 好了" is never read as a report; intake is the catch-all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.commands import commands
from handlers.context import Ctx, Incoming
from handlers.intake import intake
from handlers.private import private
from handlers.reopen import reopen
from storage import Outgoing

Route = Callable[[Incoming, Ctx], Awaitable[list[Outgoing] | None]]

ROUTES: tuple[tuple[str, Route], ...] = (
    ("commands", commands),
    ("private", private),
    ("reopen", reopen),
    ("intake", intake),
)
# The staff group is for commands only: staff chatter never becomes an item.
STAFF_ROUTES: tuple[tuple[str, Route], ...] = (("commands", commands),)


async def dispatch(inc: Incoming, ctx: Ctx) -> tuple[str, list[Outgoing]]:
    routes = STAFF_ROUTES if inc.msg.room == ctx.cfg.staff_group else ROUTES
    for name, route in routes:
        out = await route(inc, ctx)
        if out is not None:
            return name, out
    return "none", []
