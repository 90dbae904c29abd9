"""Services say what they need (``gateway.ports``): an object with nothing but the
members of a narrowed service's protocol is enough to call it, on the real store."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from gateway.services.application_targets import load_application
from gateway.store.engine import SessionFactory
from gateway.store.models import Application
from tests.gateway.services.service_world import World
from tests.support.gateway import Gateway


@dataclass(frozen=True, slots=True)
class OnlySessions:
    session_factory: SessionFactory


async def test_an_application_loads_with_nothing_but_the_store(gateway: Gateway) -> None:
    world = World(gateway, [])
    application_id = await world.scalar(
        sa.select(sa.func.min(Application.id)).where(
            Application.tenant_id == world.tenant_id("demo"),
            Application.integration_id.is_not(None),
            Application.remote_id.is_not(None),
            Application.remote_deleted_at.is_(None),
        )
    )
    principal = world.principal("demo")

    narrow = await load_application(OnlySessions(world.session_factory), principal, application_id)

    assert narrow.id == application_id
    assert narrow == await load_application(world.write_deps, principal, application_id)
