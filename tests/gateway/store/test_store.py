"""The store: migrations reach head on both backends and match the models exactly."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, StatementError

from gateway.store.base import Base, utcnow
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.migrate import upgrade
from gateway.store.models import Candidate, Integration, Tenant
from tests.support.services import Backend

EXPECTED_TABLES = {
    "tenants",
    "users",
    "recruiter_links",
    "settings",
    "integrations",
    "jobs",
    "candidates",
    "pipeline_stages",
    "applications",
    "stage_transitions",
    "offers",
    "onboarding_tasks",
    "interviews",
    "interview_messages",
    "evaluations",
    "analyses",
    "activities",
    "prompts",
    "personas",
    "webhook_events",
    "webhook_subscriptions",
    "webhook_deliveries",
    "sync_runs",
    "background_jobs",
}


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_create_every_table_and_match_the_models(backend: Backend) -> None:
    engine = create_engine(backend.url)
    try:
        await upgrade(engine)
        await upgrade(engine)
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
            diff = await conn.run_sync(_diff)
    finally:
        await engine.dispose()
    assert tables >= EXPECTED_TABLES
    assert diff == [], f"models and migrations differ: {diff}"


async def test_synced_records_are_unique_per_integration_and_remote_id(backend: Backend) -> None:
    engine = create_engine(backend.url)
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        async with factory.begin() as session:
            tenant = Tenant(slug=f"store-{backend.name}", name="Store")
            session.add(tenant)
            await session.flush()
            integration = Integration(tenant_id=tenant.id, provider="bpoc", name="BPOC")
            session.add(integration)
            await session.flush()
            session.add(
                Candidate(
                    tenant_id=tenant.id, integration_id=integration.id, remote_id="c-1", name="One"
                )
            )
        with pytest.raises(IntegrityError):
            async with factory.begin() as session:
                session.add(
                    Candidate(
                        tenant_id=tenant.id,
                        integration_id=integration.id,
                        remote_id="c-1",
                        name="Again",
                    )
                )
        async with factory() as session:
            stored = (
                await session.execute(sa.select(Candidate).where(Candidate.remote_id == "c-1"))
            ).scalar_one()
        assert stored.created_at.tzinfo is not None
        assert abs((utcnow() - stored.created_at).total_seconds()) < 60
    finally:
        await engine.dispose()


async def test_naive_datetimes_are_refused(backend: Backend) -> None:
    engine = create_engine(backend.url)
    try:
        await upgrade(engine)
        with pytest.raises(StatementError, match="naive datetime"):
            async with create_session_factory(engine).begin() as session:
                session.add(
                    Tenant(slug=f"naive-{backend.name}", name="N", created_at=datetime(2026, 1, 1))
                )
    finally:
        await engine.dispose()
