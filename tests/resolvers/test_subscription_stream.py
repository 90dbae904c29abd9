"""``tenant_stream``: the shared body of every subscription's stream."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from gateway.events import EventName
from gateway.pubsub import Event, EventBus
from gateway.store.enums import SyncStatus
from resolvers.subscription import enum_or_none, tenant_stream

TENANT = 7


def _info(bus: EventBus) -> Any:
    return SimpleNamespace(context=SimpleNamespace(bus=bus, engine=object(), reader=object()))


def _progress(tenant_id: int, number: int) -> Event:
    return Event(EventName.SYNC_PROGRESS, tenant_id, {"number": number})


async def _started(bus: EventBus, stream: Any) -> asyncio.Task[Any]:
    task = asyncio.ensure_future(stream.__anext__())
    for _ in range(100):
        if bus.fanout.count():
            break
        await asyncio.sleep(0)
    return task


async def test_keeps_the_tenants_events_it_maps_and_wants() -> None:
    bus = EventBus()
    stream = tenant_stream(
        _info(bus),
        TENANT,
        {EventName.SYNC_PROGRESS},
        lambda event: event.data.get("number"),
        lambda number: number % 2 == 0,
    )
    first = await _started(bus, stream)
    await bus.publish_many(
        [
            _progress(TENANT + 1, 2),  # another tenant
            Event(EventName.SYNC_FINISHED, TENANT, {"number": 4}),  # another type
            Event(EventName.SYNC_PROGRESS, TENANT, {}),  # mapped to None
            _progress(TENANT, 3),  # not wanted
            _progress(TENANT, 6),
            _progress(TENANT, 8),
        ]
    )
    assert await first == 6
    assert await stream.__anext__() == 8
    await stream.aclose()


async def test_closing_the_stream_frees_its_bus_queue_at_once() -> None:
    bus = EventBus()
    stream = tenant_stream(_info(bus), TENANT, {EventName.SYNC_PROGRESS}, lambda e: e)
    first = await _started(bus, stream)
    await bus.publish(_progress(TENANT, 1))
    await first
    assert bus.fanout.count() == 1
    await stream.aclose()
    assert bus.fanout.count() == 0


def test_enum_or_none() -> None:
    assert enum_or_none(SyncStatus, "failed") is SyncStatus.FAILED
    assert enum_or_none(SyncStatus, "exploded") is None
