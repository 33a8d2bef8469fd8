"""The one seam between stairbot and a chat service.

Every transport (console, replay, wechaty, the tests' TestTransport) is two methods:
an ordered stream of inbound messages and a send. Everything else lives above it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from storage.models import Message, Outgoing


class Transport(Protocol):
    name: str
    # True when the transport's clock is the messages' own timestamps (replay)
    simulated: bool

    def messages(self) -> AsyncIterator[Message]:
        """Inbound messages, in order; the iterator ends when the input does."""
        ...

    async def send(self, out: Outgoing) -> None:
        """Deliver one message; raise on failure so the outbox retries it."""
        ...

    async def close(self) -> None: ...


class TransportError(Exception):
    """A transport cannot go on (bad credentials, lost connection)."""
