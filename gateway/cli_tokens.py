"""The store side of ``talentgraph token``: find (or with ``--create`` make) the tenant
and user a token is issued for, and tell the serving processes when that changed a
user's role, so their cached sign-ins drop it at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
import typer

from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import Role

if TYPE_CHECKING:
    from gateway.outbox import Staged
    from gateway.store.engine import SessionFactory


async def current_token_version(settings: Settings, user_id: int) -> int:
    """The user's current token version: a token of an older one is refused."""
    from gateway.store.models import User

    engine = create_engine(settings.resolved_database_url)
    try:
        async with engine.connect() as connection:
            version = await connection.scalar(
                sa.select(User.token_version).where(User.id == user_id)
            )
    finally:
        await engine.dispose()
    return int(version or 0)


async def user_for_token(
    settings: Settings, tenant: str, email: str, role: Role, *, create: bool, name: str | None
) -> tuple[int, int, int]:
    """(tenant id, user id, the user's current token version)."""
    from gateway.principal_cache import announce_user_changed, on_user_changes
    from gateway.store.models import Tenant, User

    engine = create_engine(settings.resolved_database_url)
    announced: list[Staged] = []
    on_user_changes(engine, announced.extend)
    try:
        async with create_session_factory(engine).begin() as session:
            tenant_row = (
                await session.execute(sa.select(Tenant).where(Tenant.slug == tenant))
            ).scalar_one_or_none()
            if tenant_row is None:
                if not create:
                    raise typer.BadParameter(f"no tenant {tenant!r}", param_hint="--tenant")
                tenant_row = Tenant(slug=tenant, name=tenant)
                session.add(tenant_row)
                await session.flush()
            user = (
                await session.execute(
                    sa.select(User).where(
                        User.tenant_id == tenant_row.id, User.email == email.lower()
                    )
                )
            ).scalar_one_or_none()
            if user is None:
                if not create:
                    raise typer.BadParameter(
                        f"no user {email!r} in tenant {tenant!r} (pass --create)",
                        param_hint="--email",
                    )
                user = User(
                    tenant_id=tenant_row.id, email=email.lower(), name=name or email, role=role
                )
                session.add(user)
                await session.flush()
            elif user.role is not role:
                if not create:
                    raise typer.BadParameter(
                        f"{email} has role {user.role.value}, not {role.value}", param_hint="--role"
                    )
                user.role = role
                await announce_user_changed(session, tenant_row.id, user.id)
            found = tenant_row.id, user.id, user.token_version
        await _publish(settings, create_session_factory(engine), announced)
        return found
    finally:
        await engine.dispose()


async def _publish(settings: Settings, sessions: SessionFactory, announced: list[Staged]) -> None:
    """Tell the serving processes (over Redis) what this command changed; without Redis
    their cached sign-ins expire within ``principal_cache_seconds``."""
    from gateway.outbox import Outbox
    from gateway.pubsub import EventBus

    if not announced:
        return
    bus = EventBus.create(settings)
    try:
        for staged in announced:
            await Outbox(sessions, bus).release(staged)
    finally:
        await bus.close()
