"""A verified identity -> the tenant's user it is, created at the first sign-in.

Users are matched by email, ignoring case, within the identity's tenant (an admin may
have stored "Jane@Acme.com"; the provider says "jane@acme.com"). One not found is
created with the role the token maps to (else the entry's ``defaultRole``) when the
entry provisions, and refused when it does not. When the token carries a role claim,
that role is the user's from then on: a changed one is written at the next request, so
a promotion or demotion at the provider takes effect here as soon as a fresh token is
used. Without a role claim the stored role stands, and admins change it here.

A deactivated user stays refused whatever the provider says. Only changes write; a
sign-in of a known user with an unchanged role is one read.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gateway.auth import AuthenticationError, Principal
from gateway.oidc.verify import Identity
from gateway.principal_cache import announce_user_changed
from gateway.services.activities import Actor, record_activity
from gateway.store.engine import SessionFactory
from gateway.store.enums import ActorType, Role
from gateway.store.models import Tenant, User
from gateway.store.reader import Reader

logger = logging.getLogger("talentgraph.oidc")


async def principal_for_identity(
    reader: Reader, sessions: SessionFactory, identity: Identity
) -> Principal:
    for _attempt in range(2):
        row = await reader.one_or_none(
            sa.select(
                Tenant.id.label("tenant_id"),
                User.id,
                User.role,
                User.name,
                User.is_active,
            )
            .select_from(Tenant)
            .outerjoin(
                User,
                sa.and_(User.tenant_id == Tenant.id, sa.func.lower(User.email) == identity.email),
            )
            .where(Tenant.slug == identity.tenant_slug)
        )
        if row is None:
            logger.error(
                "identity provider %s signs in to tenant %r, which does not exist",
                identity.entry.issuer,
                identity.tenant_slug,
            )
            raise AuthenticationError(f"there is no tenant {identity.tenant_slug!r} here")
        if row.id is None:
            try:
                return await _provision(sessions, row.tenant_id, identity)
            except IntegrityError:
                continue  # a concurrent first sign-in of the same user created it
        if not row.is_active:
            raise AuthenticationError("the user of this token no longer exists or is disabled")
        role = row.role
        if identity.role is not None and identity.role is not role:
            await _change_role(sessions, row.tenant_id, row.id, identity)
            role = identity.role
        return _principal(identity, row.tenant_id, row.id, role, row.name)
    raise AuthenticationError("signing in failed; try again")


async def _provision(sessions: SessionFactory, tenant_id: int, identity: Identity) -> Principal:
    entry = identity.entry
    if not entry.provision:
        raise AuthenticationError(
            f"{identity.email} has no account in this tenant; ask an admin to add you"
        )
    role = identity.role or entry.default_role
    async with sessions.begin() as session:
        user = User(
            tenant_id=tenant_id,
            email=identity.email,
            name=identity.name or identity.email,
            role=role,
        )
        session.add(user)
        await session.flush()
        record_activity(
            session,
            _actor(tenant_id),
            action="user.provisioned",
            subject_type="Recruiter",
            subject_id=user.id,
            description=f"{user.name} <{user.email}> signed in for the first time as {role.value}",
            details={"issuer": entry.issuer, "role": role.value},
        )
    logger.info("provisioned %s in tenant %s as %s", identity.email, identity.tenant_slug, role)
    return _principal(identity, tenant_id, user.id, role, user.name)


async def _change_role(
    sessions: SessionFactory, tenant_id: int, user_id: int, identity: Identity
) -> None:
    assert identity.role is not None
    async with sessions.begin() as session:
        await session.execute(
            sa.update(User)
            .where(User.id == user_id, User.tenant_id == tenant_id)
            .values(role=identity.role)
        )
        await announce_user_changed(session, tenant_id, user_id)
        record_activity(
            session,
            _actor(tenant_id),
            action="user.role_synced",
            subject_type="Recruiter",
            subject_id=user_id,
            description=f"{identity.email} is {identity.role.value} at the identity provider",
            details={"issuer": identity.entry.issuer, "role": identity.role.value},
        )


def _actor(tenant_id: int) -> Actor:
    return Actor(tenant_id, ActorType.SYSTEM, "oidc", "Single sign-on")


def _principal(
    identity: Identity, tenant_id: int, user_id: int, role: Role, name: str
) -> Principal:
    return Principal(
        tenant_id=tenant_id,
        tenant_slug=identity.tenant_slug,
        user_id=user_id,
        role=role,
        name=name,
        email=identity.email,
    )
