"""The store: migrations reach head on both backends and match the models exactly, and
revision 0013 gives existing webhook subscriptions the Standard Webhooks scheme and
goes back down keeping them."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, StatementError

from gateway.store.base import Base, table_of, utcnow
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import SignatureScheme
from gateway.store.migrate import alembic_config, schema_transaction, upgrade
from gateway.store.models import Candidate, Integration, Tenant, WebhookSubscription
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


_SUBSCRIPTIONS_AT_0012 = sa.table(
    "webhook_subscriptions",
    *(
        sa.column(column.name, column.type)
        for column in table_of(WebhookSubscription).columns
        if column.name != "signature_scheme"
    ),
)
"""The table as revision 0012 left it: every column but the new one."""


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with schema_transaction(connection):
        command.downgrade(config, revision)


def _columns(connection: Connection, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns(table)}


async def test_0013_gives_existing_subscriptions_the_standard_scheme_and_goes_back(
    backend: Backend,
) -> None:
    engine = create_engine(backend.url)
    factory = create_session_factory(engine)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            await conn.run_sync(_downgrade, "0012")
            assert "signature_scheme" not in await conn.run_sync(_columns, "webhook_subscriptions")
        async with factory.begin() as session:
            tenant = Tenant(slug=f"scheme-{backend.name}", name="Before")
            session.add(tenant)
            await session.flush()
            tenant_id = tenant.id
        async with engine.begin() as conn:
            before_id = (
                await conn.execute(
                    sa.insert(_SUBSCRIPTIONS_AT_0012)
                    .values(
                        tenant_id=tenant_id,
                        name="old",
                        url="https://hooks.example.com/",
                        events=[],
                        secret_encrypted="sealed",
                        retry_attempts=3,
                        timeout_ms=10_000,
                        is_active=True,
                        created_at=utcnow(),
                        updated_at=utcnow(),
                    )
                    .returning(_SUBSCRIPTIONS_AT_0012.c.id)
                )
            ).scalar_one()
        await upgrade(engine)
        async with factory() as session:
            found = await session.get(WebhookSubscription, before_id)
            assert found is not None
            assert found.signature_scheme is SignatureScheme.STANDARD_WEBHOOKS
        async with factory.begin() as session:
            session.add(
                WebhookSubscription(
                    tenant_id=tenant_id,
                    name="new",
                    url="https://hooks.example.com/new",
                    events=[],
                    secret_encrypted="sealed",
                    signature_scheme=SignatureScheme.INTEGRATION_FRAMEWORK,
                )
            )
        async with engine.connect() as conn:
            await conn.run_sync(_downgrade, "0012")
            assert "signature_scheme" not in await conn.run_sync(_columns, "webhook_subscriptions")
        async with engine.connect() as conn:
            kept = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(_SUBSCRIPTIONS_AT_0012)
                    .where(_SUBSCRIPTIONS_AT_0012.c.tenant_id == tenant_id)
                )
            ).scalar_one()
        assert kept == 2, "going down keeps the subscriptions"
        await upgrade(engine)
        async with factory() as session:
            schemes = set(
                await session.scalars(
                    sa.select(WebhookSubscription.signature_scheme).where(
                        WebhookSubscription.tenant_id == tenant_id
                    )
                )
            )
        assert schemes == {SignatureScheme.STANDARD_WEBHOOKS}, "back up: the default again"
    finally:
        await engine.dispose()
