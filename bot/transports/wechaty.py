"""The wechaty transport: WeChat groups through a wechaty puppet service (gRPC).

It speaks to a puppet service at WECHATY_PUPPET_SERVICE_ENDPOINT with
WECHATY_PUPPET_SERVICE_TOKEN, through the python SDK (wechaty 0.10.7). The SDK is used
for its gRPC client and its Room/Contact helpers only; the connection loop, the event
handling and the message conversion are ours, because the SDK's own loop swallows
errors (a wrong token makes start() print and return, and the process exits 0).

What it yields:
- group messages from the configured groups, with the configured topic even after the
  group was renamed (groups are known by room id once seen, and ids are handed to
  `remember_room` so they survive restarts);
- private (1:1) messages with room "";
- non-text messages (image, voice, file, ...) with their kind and text "".

Groups the config does not name are yielded under their own topic (the pipeline counts
and ignores them); a second group wearing a configured topic is dropped. It drops the
bot's own messages, official and system accounts, system notes and recalls, and message
ids it has already yielded in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.transports.base import TransportError
from storage.models import Message, Outgoing

log = logging.getLogger(__name__)

ENDPOINT_ENV = "WECHATY_PUPPET_SERVICE_ENDPOINT"
TOKEN_ENV = "WECHATY_PUPPET_SERVICE_TOKEN"

# The SDK's loggers (they bypass logging config: own handler, no propagation). They log
# message text at INFO and the service token at WARNING (PuppetService), so clamp them.
_SDK_LOGGERS = {
    "Wechaty": logging.WARNING, "Room": logging.WARNING, "Contact": logging.WARNING,
    "ContactSelf": logging.WARNING, "Message": logging.WARNING, "Accessory": logging.WARNING,
    "Config": logging.WARNING, "FileBox": logging.WARNING, "FriendShip": logging.WARNING,
    "WechatyPuppet.Schemas.Event": logging.WARNING, "WechatyPuppet.Schema.Base": logging.WARNING,
    "WechatyPuppetServiceConfig": logging.ERROR, "PuppetService": logging.ERROR,
}

_DEDUP_SIZE = 20_000  # message ids remembered in-process; the pipeline dedups durably
_SEND_WAIT_S = 10.0  # how long send() waits for a (re)connection before failing
_STOP_TIMEOUT_S = 5.0


def _import_wechaty() -> Any:
    """Import the SDK on first use (about 1 s), with the fixes it needs on Python 3.11."""
    # wechaty.schema creates its cache dir in the working directory at import time
    os.environ.setdefault("CACHE_DIR", os.path.join(tempfile.gettempdir(), "stairbot-wechaty"))
    import wechaty_puppet.schemas.puppet as puppet_schema

    # 3.11 rejects an unhashable dataclass instance as a field default (WechatyOptions)
    if puppet_schema.PuppetOptions.__hash__ is None:
        puppet_schema.PuppetOptions.__hash__ = object.__hash__  # type: ignore[method-assign]
    import wechaty
    import wechaty_puppet_service  # noqa: F401  (its loggers are created on import)

    for name, level in _SDK_LOGGERS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.level, level))
        for handler in logger.handlers:
            handler.setLevel(max(handler.level, level))
    return wechaty


def _kinds() -> dict[Any, str | None]:
    """SDK message type -> Message.kind; None means "not a chat message, drop it"."""
    from wechaty_puppet import MessageType as T

    return {
        T.MESSAGE_TYPE_TEXT: "text",
        T.MESSAGE_TYPE_IMAGE: "image",
        T.MESSAGE_TYPE_AUDIO: "voice",
        T.MESSAGE_TYPE_ATTACHMENT: "file",
        T.MESSAGE_TYPE_VIDEO: "video",
        T.MESSAGE_TYPE_EMOTICON: "emoticon",
        T.MESSAGE_TYPE_CONTACT: "card",
        T.MESSAGE_TYPE_CHAT_HISTORY: "history",
        T.MESSAGE_TYPE_LOCATION: "location",
        T.MESSAGE_TYPE_MINI_PROGRAM: "miniprogram",
        T.MESSAGE_TYPE_URL: "link",
        T.MESSAGE_TYPE_TRANSFER: "transfer",
        T.MESSAGE_TYPE_RED_ENVELOPE: "red_envelope",
        # group notes ("X joined") and unknown system messages map to UNSPECIFIED
        T.MESSAGE_TYPE_UNSPECIFIED: None,
        T.MESSAGE_TYPE_RECALLED: None,
    }


def _is_auth_error(exc: BaseException) -> bool:
    from grpclib.const import Status
    from grpclib.exceptions import GRPCError

    return isinstance(exc, GRPCError) and exc.status in (
        Status.UNAUTHENTICATED,
        Status.PERMISSION_DENIED,
    )


def _aware(timestamp: float) -> datetime:
    # the same precision rule as the SDK's timestamp_to_date, but timezone-aware
    seconds = timestamp / 1000 if timestamp > 2_145_888_000 else timestamp
    return datetime.fromtimestamp(seconds, tz=UTC)


class _Closed:
    pass


_CLOSED = _Closed()


class WechatyTransport:
    """Transport over a wechaty puppet service. Missing credentials raise at construction."""

    name = "wechaty"
    simulated = False

    def __init__(
        self,
        *,
        topics: Sequence[str],
        known_ids: Mapping[str, str] | None = None,
        remember_room: Callable[[str, str], Awaitable[None]] | None = None,
        endpoint: str | None = None,
        token: str | None = None,
        reconnect_delays: Sequence[float] = (1, 2, 5, 10, 30, 60),
    ) -> None:
        """`known_ids` maps a configured topic to its room id (as `remember_room` stores it);
        an id -> topic mapping is accepted too."""
        endpoint = endpoint or os.environ.get(ENDPOINT_ENV) or None
        token = token or os.environ.get(TOKEN_ENV) or None
        if not endpoint:
            raise TransportError(f"wechaty transport: {ENDPOINT_ENV} is not set (host:port)")
        if not token:
            raise TransportError(f"wechaty transport: {TOKEN_ENV} is not set")
        if not reconnect_delays:
            raise ValueError("reconnect_delays must not be empty")
        self._endpoint = endpoint
        self._token = token
        self._topics = tuple(dict.fromkeys(topics))
        self._remember = remember_room
        self._delays = tuple(float(d) for d in reconnect_delays)

        self._topic_by_id: dict[str, str] = {}
        for a, b in (known_ids or {}).items():
            if a in self._topics:
                self._topic_by_id[b] = a
            elif b in self._topics:
                self._topic_by_id[a] = b

        self._seen: OrderedDict[str, None] = OrderedDict()
        self._ids: asyncio.Queue[str] = asyncio.Queue()
        self._out: asyncio.Queue[Message | BaseException | _Closed] = asyncio.Queue()
        self._bot: Any = None  # the Wechaty of the live connection
        self._self_id: str | None = None
        self._logged_in = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._closing = False
        self._kinds: dict[Any, str | None] = {}

    # ---- Transport ------------------------------------------------------------------

    async def messages(self) -> AsyncIterator[Message]:
        if self._runner is None:
            self._start()
        while True:
            item = await self._out.get()
            if isinstance(item, _Closed):
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    async def send(self, out: Outgoing) -> None:
        if not out.text:
            raise ValueError("refusing to send an empty message")
        bot = await self._connected_bot()
        if out.direct_to:
            contact = bot.Contact.load(out.direct_to)
            await contact.ready()
            await contact.say(out.text)
            return
        room_id = self._room_id_for(out.room) or await self._find_room_id(bot, out.room)
        if room_id is None:
            raise TransportError(f"wechaty: no group with topic {out.room!r}")
        room = bot.Room.load(room_id)
        await room.ready()
        await room.say(out.text, mention_ids=list(out.mentions))

    async def close(self) -> None:
        self._closing = True
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
        self._out.put_nowait(_CLOSED)

    # ---- connection -----------------------------------------------------------------

    def _start(self) -> None:
        self._runner = asyncio.get_running_loop().create_task(self._run(), name="wechaty")

    async def _run(self) -> None:
        """Connect, and reconnect with backoff whenever the connection ends, for good.
        Only a refused token ends the loop, as a TransportError out of messages()."""
        try:
            wechaty = await asyncio.to_thread(_import_wechaty)
            self._kinds = _kinds()
        except Exception as exc:  # an install problem, not a connection problem
            self._out.put_nowait(TransportError(f"wechaty: the SDK does not import: {exc}"))
            return
        failures = 0
        while not self._closing:
            ended = await self._connect_once(wechaty)
            if ended is None:  # fatal, already reported
                return
            if self._closing:
                break
            reason, was_up = ended
            if was_up:  # a connection that worked starts the backoff over
                failures = 0
            delay = self._delays[min(failures, len(self._delays) - 1)]
            failures += 1
            log.warning("wechaty: connection to %s lost (%s); reconnecting in %g s",
                        self._endpoint, reason, delay)
            await asyncio.sleep(delay)

    async def _connect_once(self, wechaty: Any) -> tuple[str, bool] | None:
        """One connection, until it ends. Returns why it ended and whether it got as far
        as a login; None when it must not be retried (the error is queued for messages())."""
        from wechaty_puppet import PuppetOptions

        opts = wechaty.WechatyOptions(
            puppet="wechaty-puppet-service",
            puppet_options=PuppetOptions(token=self._token, end_point=self._endpoint),
        )
        bot = wechaty.Wechaty(opts)
        await bot.init_puppet()
        # The SDK keeps one Room/Contact pool for all instances, whose objects hold the
        # puppet they were made with: give this connection its own, or sends after a
        # reconnect go to the dead puppet.
        bot.Room._pool = {}
        bot.Contact._pool = {}
        bot.ContactSelf._pool = {}
        puppet = bot.puppet
        logged_in_here = False

        def on_login(payload: Any) -> None:
            nonlocal logged_in_here
            logged_in_here = True
            self._bot, self._self_id = bot, payload.contact_id
            self._logged_in.set()
            log.info("wechaty: logged in as %s", payload.contact_id)
            asyncio.get_running_loop().create_task(self._learn_rooms(bot))

        def on_logout(payload: Any) -> None:
            log.warning("wechaty: logged out (%s)", payload.contact_id)
            self._logged_in.clear()

        def on_topic(payload: Any) -> None:
            known = self._topic_by_id.get(payload.room_id)
            if known is not None:
                log.info("wechaty: group %s (%s) renamed to %r; still handled as %r",
                         payload.room_id, payload.old_topic, payload.new_topic, known)

        puppet.on("login", on_login)
        puppet.on("logout", on_logout)
        puppet.on("room-topic", on_topic)
        # synchronous and ordered: ids are read one by one by the reader task below
        puppet.on("message", lambda payload: self._ids.put_nowait(payload.message_id))
        reader = asyncio.get_running_loop().create_task(self._read(bot), name="wechaty-read")
        try:
            await puppet.start()  # returns (or raises) when the event stream ends
            reason = "stream ended"
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if _is_auth_error(exc):
                self._out.put_nowait(TransportError(
                    f"wechaty: the puppet service at {self._endpoint} refused the token "
                    f"({exc.status.name}); check {TOKEN_ENV}"  # type: ignore[attr-defined]
                ))
                return None
            detail = exc.args[0] if len(exc.args) == 1 else exc
            reason = f"{type(exc).__name__}: {detail}"
        finally:
            self._logged_in.clear()
            if self._bot is bot:
                self._bot = None
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
            with contextlib.suppress(Exception):
                await asyncio.wait_for(puppet.stop(), _STOP_TIMEOUT_S)
        return reason, logged_in_here

    async def _connected_bot(self) -> Any:
        if self._closing and not self._logged_in.is_set():
            raise TransportError("wechaty: the transport is closed")
        try:
            await asyncio.wait_for(self._logged_in.wait(), _SEND_WAIT_S)
        except TimeoutError:
            raise TransportError("wechaty: not connected to the puppet service") from None
        return self._bot

    # ---- rooms ----------------------------------------------------------------------

    def _room_id_for(self, topic: str) -> str | None:
        for room_id, known in self._topic_by_id.items():
            if known == topic:
                return room_id
        return None

    async def _learn(self, topic: str, room_id: str) -> None:
        if self._topic_by_id.get(room_id) == topic:
            return
        self._topic_by_id[room_id] = topic
        log.info("wechaty: group %r is room %s", topic, room_id)
        if self._remember is not None:
            try:
                await self._remember(topic, room_id)
            except Exception:
                log.exception("wechaty: could not store the room id of %r", topic)

    async def _learn_rooms(self, bot: Any) -> None:
        """After login: find the configured groups by exact topic (the SDK's find()
        matches substrings), and say which are missing."""
        try:
            rooms = await bot.Room.find_all()
        except Exception as exc:
            log.warning("wechaty: could not list groups: %s", exc)
            return
        found: set[str] = set()
        for room in rooms:
            topic = room.payload.topic if room.is_ready() else None
            if room.room_id in self._topic_by_id:
                found.add(self._topic_by_id[room.room_id])
            elif topic in self._topics and self._room_id_for(topic) is None:
                await self._learn(topic, room.room_id)
                found.add(topic)
        for topic in self._topics:
            if topic not in found:
                log.warning("wechaty: the bot is in no group named %r", topic)

    async def _find_room_id(self, bot: Any, topic: str) -> str | None:
        if topic not in self._topics:
            return None
        await self._learn_rooms(bot)
        return self._room_id_for(topic)

    # ---- inbound --------------------------------------------------------------------

    async def _read(self, bot: Any) -> None:
        """Turn message ids into Messages, one at a time so that order is kept."""
        while True:
            message_id = await self._ids.get()
            if message_id in self._seen:
                log.debug("wechaty: message %s redelivered, dropped", message_id)
                continue
            try:
                message = await self._convert(bot, message_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("wechaty: could not read message %s: %s: %s",
                            message_id, type(exc).__name__, exc)
                continue
            self._seen[message_id] = None
            if len(self._seen) > _DEDUP_SIZE:
                self._seen.popitem(last=False)
            if message is not None:
                self._out.put_nowait(message)

    async def _convert(self, bot: Any, message_id: str) -> Message | None:
        msg = bot.Message.load(message_id)
        await msg.ready()
        p = msg.payload
        talker_id = p.from_id or ""
        if not talker_id or talker_id == self._self_id:
            return None  # our own sends come back as messages
        kind = self._kinds.get(p.type, "other")
        if kind is None:
            log.debug("wechaty: system message %s dropped", message_id)
            return None
        talker = msg.talker()
        if talker.is_offical() or talker_id.startswith("gh_"):
            log.debug("wechaty: message %s from official account dropped", message_id)
            return None

        room_topic, room_id = "", None
        if p.room_id:
            room_id = p.room_id
            topic = self._topic_by_id.get(room_id)
            if topic is None:
                room = msg.room()
                current = (room.payload.topic if room.is_ready() else "") or ""
                if current in self._topics:
                    if self._room_id_for(current) is not None:
                        # someone made a look-alike group: the first one seen is the real one
                        log.warning("wechaty: a second group is named %r (%s); ignored",
                                    current, room_id)
                        return None
                    await self._learn(current, room_id)
                    topic = current
                else:
                    # not ours: yielded so the pipeline can count it; never "" (= private)
                    topic = current or room_id
            room_topic = topic

        text = (p.text or "") if kind == "text" else ""
        mentions = tuple(p.mention_ids or ()) if room_id else ()
        log.debug("wechaty: message %s in %r from %s: %s", message_id, room_topic or "(private)",
                  talker_id, text)
        return Message(
            id=message_id,
            ts=_aware(p.timestamp),
            room=room_topic,
            sender_id=talker_id,
            sender_name=talker.name or "",
            text=text,
            mentions=mentions,
            kind=kind,
            room_id=room_id,
        )
