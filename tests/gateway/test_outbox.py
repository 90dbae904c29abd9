"""Staged bus events: released after the commit, or published by the sweep when the
process that staged them died first; a rolled-back change announces nothing."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gateway.outbox import Outbox, stage
from gateway.pubsub import Event, EventBus
from gateway.store.engine import SessionFactory, create_engine, create_session_factory
from gateway.store.migrate import upgrade
from gateway.store.models import OutboxEvent, Tenant
from tests.support.services import Backend

_slugs = itertools.count()


class RecordingBus(EventBus):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Event] = []

    async def publish(self, event: Event) -> None:
        self.seen.append(event)


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[tuple[SessionFactory, int]]:
    engine = create_engine(backend.url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    async with factory.begin() as session:
        tenant = Tenant(slug=f"outbox-{next(_slugs)}-{backend.name}", name="Outbox")
        session.add(tenant)
        await session.flush()
        tenant_id = tenant.id
    try:
        yield factory, tenant_id
    finally:
        await engine.dispose()


async def staged_count(factory: SessionFactory) -> int:
    async with factory() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)) or 0)


async def test_released_events_are_published_once_and_forgotten(
    store: tuple[SessionFactory, int],
) -> None:
    factory, tenant_id = store
    bus = RecordingBus()
    outbox = Outbox(factory, bus, grace=timedelta(0))
    events = [Event("job.updated", tenant_id, {"id": n}) for n in range(3)]
    async with factory.begin() as session:
        staged = await stage(session, events)
    assert await staged_count(factory) == 3

    await outbox.release(staged)

    assert [e.id for e in bus.seen] == [e.id for e in events]
    assert await staged_count(factory) == 0
    assert await outbox.sweep() == 0


async def test_what_a_dead_process_left_is_published_by_the_sweep_with_its_id(
    store: tuple[SessionFactory, int],
) -> None:
    factory, tenant_id = store
    bus = RecordingBus()
    event = Event("application.stage_changed", tenant_id, {"id": 7, "stage": "Offer"})
    async with factory.begin() as session:
        await stage(session, [event])

    assert await Outbox(factory, bus, grace=timedelta(minutes=5)).sweep() == 0
    assert await Outbox(factory, bus, grace=timedelta(0)).sweep() == 1

    assert bus.seen == [event]
    assert await staged_count(factory) == 0


async def test_the_sweep_drops_the_cached_answers_of_the_tenants_it_announces_for(
    store: tuple[SessionFactory, int],
) -> None:
    """The process that staged the change may have died before its own invalidation."""
    factory, tenant_id = store
    invalidated: list[int] = []

    async def invalidate(tenant: int) -> None:
        invalidated.append(tenant)

    async with factory.begin() as session:
        await stage(session, [Event("job.updated", tenant_id, {"id": n}) for n in range(2)])
    outbox = Outbox(factory, RecordingBus(), grace=timedelta(0), invalidate=invalidate)
    assert await outbox.sweep() == 2
    assert invalidated == [tenant_id]


async def test_a_rolled_back_change_stages_nothing(store: tuple[SessionFactory, int]) -> None:
    factory, tenant_id = store

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with factory.begin() as session:
            await stage(session, [Event("job.created", tenant_id, {"id": 1})])
            raise Boom
    assert await staged_count(factory) == 0
