"""The repository contract, run against a file database and an in-memory one."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage import Event, Message, NewItem, NotFound, Outgoing, open_repository
from storage.states import ACTIVE, TRANSITIONS, IllegalTransition, next_status

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=TZ)


@pytest.fixture(params=["memory", "file"])
async def repo(request, tmp_path):
    path = ":memory:" if request.param == "memory" else tmp_path / "t.db"
    async with open_repository(path) as r:
        yield r


def _msg(n: int, text: str = "灯坏了") -> Message:
    return Message(id=f"m{n}", ts=T0 + timedelta(seconds=n), room="g", sender_id="s",
                   sender_name="S", text=text)


def _new(n: int, **kw) -> NewItem:
    base = dict(building="1幢", room=None, group="g", category="complaint", urgent=False,
                text="灯坏了", reporter_id="s", reporter_name="S", assignees=("a",),
                created_at=T0 + timedelta(minutes=n), message_id=f"m{n}")
    base.update(kw)
    return NewItem(**base)


async def test_messages_are_recorded_once(repo):
    assert await repo.record_messages([_msg(1), _msg(2)], T0) == [True, True]
    assert await repo.record_messages([_msg(2), _msg(3)], T0) == [False, True]
    assert [m.id for m in await repo.pending_messages()] == ["m1", "m2", "m3"]
    await repo.mark_message("m1", "handled", "other", False, 0.9)
    assert [m.id for m in await repo.pending_messages()] == ["m2", "m3"]


async def test_items_get_ids_in_order_and_round_trip(repo):
    a = await repo.create_item(_new(1, room="502", urgent=True))
    b = await repo.create_item(_new(2))
    assert (a.id, b.id) == (1, 2)
    got = await repo.get_item(1)
    assert got.room == "502" and got.urgent and got.status == "open"
    assert got.created_at == T0 + timedelta(minutes=1)
    with pytest.raises(NotFound):
        await repo.get_item(99)


async def test_filters(repo):
    await repo.create_item(_new(1, building="1幢"))
    await repo.create_item(_new(2, building="2幢", assignees=("x", "y")))
    await repo.update_item(1, T0, status="claimed")
    assert [i.id for i in await repo.items(buildings=["2幢"])] == [2]
    assert [i.id for i in await repo.items(statuses=["claimed"])] == [1]
    assert [i.id for i in await repo.items(assignee="y")] == [2]
    assert [i.id for i in await repo.items(until=T0 + timedelta(minutes=2))] == [1]


async def test_a_failed_transaction_leaves_nothing(repo):
    with pytest.raises(RuntimeError):
        async with repo.transaction():
            await repo.create_item(_new(1))
            await repo.queue(Outgoing(room="g", text="x", key="k"), T0)
            raise RuntimeError("crash in the middle")
    assert await repo.items() == [] and await repo.outgoing() == []


async def test_outbox_keys_are_queued_once_and_delivery_state_is_kept(repo):
    first = await repo.queue(Outgoing(room="g", text="hi", key="remind:1"), T0)
    assert first is not None
    assert await repo.queue(Outgoing(room="g", text="hi again", key="remind:1"), T0) is None
    later = await repo.queue(Outgoing(room="g", text="later", due_at=T0 + timedelta(hours=1)), T0)
    assert [q.id for q in await repo.due_outgoing(T0)] == [first]
    await repo.mark_failed([first], "refused", T0 + timedelta(seconds=5))
    assert await repo.due_outgoing(T0) == []
    [retry] = await repo.due_outgoing(T0 + timedelta(seconds=5))
    assert retry.attempts == 1 and retry.last_error == "refused"
    await repo.mark_sent([first], T0 + timedelta(seconds=5))
    assert await repo.next_due() == T0 + timedelta(hours=1)
    assert [q.id for q in await repo.outgoing("pending")] == [later]


async def test_audit_trail_and_corrections(repo):
    await repo.create_item(_new(1))
    await repo.add_event(Event(1, T0, "a", "claim", "open", "claimed", "m9"))
    [e] = await repo.events(1)
    assert (e.action, e.from_status, e.to_status, e.message_id) == ("claim", "open", "claimed", "m9")
    await repo.add_correction(1, "灯坏了", "complaint", "a", T0)
    assert await repo.corrections() == [("灯坏了", "complaint")]


async def test_retention_purges_text_but_keeps_items(repo):
    await repo.record_messages([_msg(1, "我家电话13912345678")], T0)
    await repo.mark_message("m1", "handled")
    await repo.create_item(_new(1))
    assert await repo.purge_text_before(T0 + timedelta(days=1)) == 1
    assert await repo.count_messages() == 1 and len(await repo.items()) == 1


def test_transitions_are_data():
    assert next_status("open", "claim") == "claimed"
    assert next_status("claimed", "resolve") == "resolved"
    assert next_status("resolved", "reopen") == "open"
    with pytest.raises(IllegalTransition):
        next_status("closed", "claim")
    assert all(to in {"open", "claimed", "resolved", "closed"} for to in TRANSITIONS.values())
    assert {"open", "claimed"} == ACTIVE


def test_every_status_has_a_label_people_read():
    from handlers import texts
    from storage.states import STATUSES

    assert set(STATUSES) == set(texts.STATUS_LABELS)
