from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import ValidationFailed
from gateway.principal_cache import announce_user_changed
from gateway.services.activities import Actor, record_activity
from gateway.services.validation import email, optional_text, required_text, tenant_row
from gateway.store.enums import Role
from gateway.store.models import User


async def _ensure_email_free(
    session: AsyncSession, tenant_id: int, address: str, exclude: int | None = None
) -> None:
    stmt = sa.select(User.id).where(User.tenant_id == tenant_id, User.email == address)
    if exclude is not None:
        stmt = stmt.where(User.id != exclude)
    if (await session.execute(stmt)).first() is not None:
        raise ValidationFailed("email", f"a user with email {address} already exists")


def _apply(user: User, changes: dict[str, Any]) -> None:
    if "name" in changes:
        user.name = required_text("name", changes["name"])
    for name in ("phone", "title"):
        if name in changes:
            setattr(user, name, optional_text(name, changes[name]))
    if "public_contact_info" in changes:
        user.public_contact_info = optional_text(
            "public_contact_info", changes["public_contact_info"], max_length=2000
        )
    if "role" in changes and changes["role"] is not None:
        user.role = Role(changes["role"])
    if "is_active" in changes and changes["is_active"] is not None:
        user.is_active = bool(changes["is_active"])


async def create_recruiter(session: AsyncSession, actor: Actor, fields: dict[str, Any]) -> User:
    address = email("email", fields.get("email"))
    await _ensure_email_free(session, actor.tenant_id, address)
    user = User(tenant_id=actor.tenant_id, email=address, name="", role=Role.RECRUITER)
    _apply(user, {"role": Role.RECRUITER, **fields})
    session.add(user)
    await session.flush()
    record_activity(
        session,
        actor,
        action="recruiter.created",
        subject_type="Recruiter",
        subject_id=user.id,
        description=f"Created recruiter {user.name} <{user.email}>",
    )
    return user


async def update_recruiter(
    session: AsyncSession, actor: Actor, recruiter_id: int, changes: dict[str, Any]
) -> User:
    user: User = await tenant_row(session, User, actor.tenant_id, recruiter_id, "Recruiter")
    if "email" in changes:
        address = email("email", changes["email"])
        await _ensure_email_free(session, actor.tenant_id, address, exclude=user.id)
        user.email = address
    if user.id == actor.user_id and changes.get("role") not in (None, Role.ADMIN):
        raise ValidationFailed("role", "you cannot change your own role")
    _apply(user, changes)
    await session.flush()
    if changes.keys() & {"role", "is_active"}:
        await announce_user_changed(session, actor.tenant_id, user.id)
    record_activity(
        session,
        actor,
        action="recruiter.updated",
        subject_type="Recruiter",
        subject_id=user.id,
        description=f"Updated recruiter {user.name}: {', '.join(sorted(changes))}",
        details={"fields": sorted(changes)},
    )
    return user


async def delete_recruiter(session: AsyncSession, actor: Actor, recruiter_id: int) -> User:
    """Delete the user; their requisitions keep running, unassigned."""
    user: User = await tenant_row(session, User, actor.tenant_id, recruiter_id, "Recruiter")
    if user.id == actor.user_id:
        raise ValidationFailed("id", "you cannot delete yourself")
    await session.delete(user)
    await session.flush()
    await announce_user_changed(session, actor.tenant_id, user.id)
    record_activity(
        session,
        actor,
        action="recruiter.deleted",
        subject_type="Recruiter",
        subject_id=recruiter_id,
        description=f"Deleted recruiter {user.name} <{user.email}>",
    )
    return user


async def revoke_tokens(session: AsyncSession, actor: Actor, recruiter_id: int) -> User:
    """Refuse every token issued to the user so far, at their next request (a WebSocket
    at its next access check); the user needs a new token (``talentgraph token``)."""
    user: User = await tenant_row(session, User, actor.tenant_id, recruiter_id, "Recruiter")
    await session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(token_version=User.token_version + 1)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(user)
    await announce_user_changed(session, actor.tenant_id, user.id)
    record_activity(
        session,
        actor,
        action="recruiter.tokens_revoked",
        subject_type="Recruiter",
        subject_id=user.id,
        description=f"Revoked the tokens of {user.name} <{user.email}>",
        details={"token_version": user.token_version},
    )
    return user
