"""The demo tenant through the real path: seeded empty, its integrations pointed at the
sandboxes (credentials, webhook secrets, the team linked), a full sync of each, then
what the gateway itself makes of the synced data."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import sqlalchemy as sa

from demo.seed import DemoTenant, seed_demo
from demo.sync.interviews import seed_interviews
from demo.sync.own_records import analyze, seed_offers
from demo.sync.sandboxes import RANK_FIELD, Sandbox, build_sandbox
from demo.sync.servers import webhook_secrets
from gateway.cache import ResponseCache
from gateway.crypto import Keyring, credentials_context, webhook_secret_context
from gateway.locks import LocalLocks
from gateway.pubsub import EventBus
from gateway.settings import Settings
from gateway.store.engine import SessionFactory, create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus, Provider, Role
from gateway.store.migrate import upgrade
from gateway.store.models import Integration, RecruiterLink, TenantSettings, User
from jobs.sync import sync_integration
from jobs.sync_api import ProgressCallback, SyncDeps, SyncMode


async def demo_through_sync(
    settings: Settings,
    client: httpx.AsyncClient,
    origins: dict[Provider, str],
    *,
    progress: Callable[[Provider], ProgressCallback | None] = lambda _p: None,
) -> DemoTenant:
    """Seed the demo tenant (once), point its integrations at ``origins``, sync the ones
    never synced, then make what the gateway owns. A restart syncs nothing again."""
    engine = create_engine(settings.resolved_database_url)
    cache = ResponseCache(settings)
    keyring = settings.keyring()
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        demo = await seed_demo(factory, jobs=0, candidates=0, applications=0)
        sandbox = build_sandbox()
        targets = await _connect(
            factory, keyring, demo.tenant_id, sandbox, origins, webhook_secrets(settings.data_dir)
        )
        bus = EventBus()
        deps = SyncDeps(factory, keyring, client, bus, cache, LocalLocks())
        if targets:
            await _add_team(factory, demo.tenant_id, sandbox.people)
            await _link_recruiters(factory, demo, sandbox, targets)
        for provider, integration_id in targets.items():
            await sync_integration(
                deps,
                demo.tenant_id,
                integration_id,
                mode=SyncMode.FULL,
                trigger="demo",
                progress=progress(provider),
            )
        await analyze(factory, bus, cache, demo.tenant_id)
        await seed_interviews(factory, demo.tenant_id)
        await seed_offers(factory, demo.tenant_id)
        await cache.invalidate(demo.tenant_id)
    finally:
        await cache.close()
        await engine.dispose()
    return demo


async def _connect(
    factory: SessionFactory,
    keyring: Keyring,
    tenant_id: int,
    sandbox: Sandbox,
    origins: dict[Provider, str],
    webhook_secrets: dict[Provider, str],
) -> dict[Provider, int]:
    """Point the demo's integrations at the sandboxes and give each its webhook secret;
    return the ones never synced (a restart syncs nothing again). An integration with no
    sandbox (a declaration without ``make``) stays inactive."""
    targets: dict[Provider, int] = {}
    async with factory.begin() as session:
        integrations = (
            await session.execute(
                sa.select(Integration)
                .where(Integration.tenant_id == tenant_id)
                .order_by(Integration.id)
            )
        ).scalars()
        for integration in integrations:
            provider = integration.provider
            if provider in webhook_secrets:
                integration.webhook_secret_encrypted = keyring.encrypt(
                    webhook_secrets[provider].encode(), context=webhook_secret_context(tenant_id)
                )
            if provider not in sandbox.apps or provider not in origins:
                integration.status = IntegrationStatus.INACTIVE
                continue
            integration.config = {
                **(integration.config or {}),
                **sandbox.config(provider, origins[provider]),
            }
            if provider in sandbox.account_ids:
                integration.external_account_id = sandbox.account_ids[provider]
            if integration.credentials_encrypted is not None:
                continue
            integration.credentials_encrypted = keyring.encrypt_json(
                sandbox.credentials[provider], context=credentials_context(tenant_id)
            )
            integration.credentials_hint = "sandbox"
            integration.status = IntegrationStatus.ACTIVE
            targets[provider] = integration.id
        if targets:
            settings = await session.get(TenantSettings, tenant_id)
            if settings is not None:
                settings.rank_custom_field = RANK_FIELD
    return targets


async def _add_team(factory: SessionFactory, tenant_id: int, people: dict[str, str]) -> None:
    """The sandboxes' recruiters as the demo agency's users (recruiters), unless a user
    with that email exists: the first sync links each to their remote account by email."""
    async with factory.begin() as session:
        emails = await session.scalars(sa.select(User.email).where(User.tenant_id == tenant_id))
        known = {email.lower() for email in emails}
        session.add_all(
            User(tenant_id=tenant_id, email=email, name=name, role=Role.RECRUITER)
            for email, name in sorted(people.items())
            if email not in known
        )


async def _link_recruiters(
    factory: SessionFactory, demo: DemoTenant, sandbox: Sandbox, targets: dict[Provider, int]
) -> None:
    """Link the demo's admin and first recruiter to the sandbox users each declaration
    names (``acting_users``), so write-backs work in the demo as they would once an
    admin ran ``recruiterSync``; the seeded links to made-up ids of these integrations
    give way. Done before the first sync, which links the rest of the team by email."""
    async with factory.begin() as session:
        for provider, integration_id in targets.items():
            acting = sandbox.declarations[provider].acting_users
            if acting is None or not demo.recruiter_user_ids:
                continue
            await session.execute(
                sa.delete(RecruiterLink).where(RecruiterLink.integration_id == integration_id)
            )
            users = (demo.admin_user_id, demo.recruiter_user_ids[0])
            for user_id, remote_id in zip(users, acting, strict=True):
                session.add(
                    RecruiterLink(
                        tenant_id=demo.tenant_id,
                        user_id=user_id,
                        integration_id=integration_id,
                        remote_id=remote_id,
                    )
                )
