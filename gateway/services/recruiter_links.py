"""Recruiter links: the remote recruiter id each user acts as, per integration.

    linked = await link_recruiter(deps, actor, user_id=7, integration_id=3,
                                  remote_id="F47AC10B-58CC-4372-A567-0E02B2C3D479")
    linked.link.remote_id, linked.link.remote_email
    # "f47ac10b-58cc-4372-a567-0e02b2c3d479", "john.recruiter@manilatalent.ph"

    report = await sync_recruiters(deps, tenant_id=1, integration_id=3,
                                   create_missing=True, actor=actor)
    report.matched, report.created, report.removed, report.unmatched   # 2, 1, 0, ()

Write-backs read these links (``gateway.services.writeback``); a caller without one
gets ``RecruiterLinkMissing``, whose message names ``recruiterLink`` and
``recruiterSync``. Every change here leaves an activity.

Checking a remote id (``link_recruiter``). Where the connector lists users
(``Capability.USERS``) the id must be one of them, and active:

- an id the list lacks is ``RecruiterRejected("unknown_recruiter")``, except that
- BPOC's list is one agency's (``GET /agency/recruiters``) out of one platform-wide
  pool of recruiter UUIDs, so a well-formed UUID it lacks is
  ``RecruiterRejected("not_in_agency")``: whatever else it is, it is not this agency's.
  Whether another agency holds it or nobody does, BPOC says only in answer to a write
  (403 versus 400), and there is no write without an effect to probe with, so the
  message says both are possible;
- an id that cannot be one (BPOC: not a UUID) and a recruiter the list marks inactive
  are ``unknown_recruiter``, as BPOC refuses both with "Invalid recruiter ID".

A provider without a user list takes the id as given. Ids are stored normalized (BPOC:
lower-case UUID), so one recruiter is never linked twice under two spellings. Linking
is an upsert: a user's second link in an integration replaces the first; a remote id
already linked to another user is a ``ValidationFailed`` naming that user.

The sync (``sync_recruiters``, ``recruiterSync``) is in ``recruiter_sync``; the
source-side rules both share (id spellings, the user list) in ``recruiter_source``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability
from connectors.models import RemoteUser
from connectors.registry import connector_class
from gateway.errors import NotFound, RecruiterRejected, ValidationFailed
from gateway.services.activities import Actor, record_activity
from gateway.services.recruiter_source import (
    IdRules,
    LinkDeps,
    active,
    connector_of,
    id_rules,
    lenient,
    link_details,
    list_users,
    require_enabled,
    tenant_integration,
    tenant_user,
)
from gateway.services.recruiter_sync import RecruiterSyncReport, sync_recruiters
from gateway.services.validation import required_text
from gateway.store.base import utcnow
from gateway.store.models import Integration, RecruiterLink, User

__all__ = [
    "LinkDeps",
    "Linked",
    "RecruiterSyncReport",
    "link_recruiter",
    "sync_recruiters",
    "unlink_recruiter",
]


@dataclass(frozen=True, slots=True)
class Linked:
    user: User
    link: RecruiterLink
    previous_remote_id: str | None
    """The id the user was linked to before, if this link replaced another."""


async def link_recruiter(
    deps: LinkDeps, actor: Actor, *, user_id: int, integration_id: int, remote_id: str
) -> Linked:
    """Link ``user_id`` to ``remote_id`` in the integration, after checking the id with
    the source where it lists users (see the module docstring)."""
    async with deps.session_factory() as session:
        user = await tenant_user(session, actor.tenant_id, user_id)
        integration = await tenant_integration(session, actor.tenant_id, integration_id)
    require_enabled(integration)
    rules = id_rules(integration)
    text = required_text("remoteId", remote_id)
    try:
        wanted = rules.normalize(text)
    except ValueError:
        raise RecruiterRejected(
            "unknown_recruiter",
            f"{text!r} cannot be a recruiter id of {integration.name} "
            f"({integration.provider.value} ids are UUIDs)",
        ) from None
    remote_email: str | None = None
    if Capability.USERS in connector_class(integration.provider.value).capabilities:
        users = await list_users(connector_of(deps, integration), integration)
        remote_email = _checked(users, wanted, rules, integration).email
    try:
        async with deps.session_factory.begin() as session:
            linked = await _upsert_link(session, actor, user, integration, wanted, remote_email)
    except IntegrityError:
        raise ValidationFailed(
            "remoteId", f"the links of {integration.name} changed meanwhile; try again"
        ) from None
    await deps.cache.invalidate(actor.tenant_id)
    return linked


def _checked(
    users: Sequence[RemoteUser], wanted: str, rules: IdRules, integration: Integration
) -> RemoteUser:
    found = next((u for u in users if lenient(rules, u.remote_id) == wanted), None)
    if found is None and rules.agency_scoped:
        raise RecruiterRejected(
            "not_in_agency",
            f"{wanted} is not a recruiter of the agency {integration.name} connects to "
            f"(its {len(users)} recruiters do not include it): it belongs to another "
            f"agency, or to none",
        )
    if found is None:
        raise RecruiterRejected(
            "unknown_recruiter",
            f"{integration.name} has no user {wanted} (it lists {len(users)})",
        )
    if not active(found):
        raise RecruiterRejected(
            "unknown_recruiter",
            f"{wanted} ({found.email or 'no email'}) is inactive in {integration.name}, "
            f"which refuses writes attributed to it",
        )
    return found


async def _upsert_link(
    session: AsyncSession,
    actor: Actor,
    user: User,
    integration: Integration,
    remote_id: str,
    remote_email: str | None,
) -> Linked:
    holder = (
        await session.execute(
            sa.select(User.id, User.name, User.email)
            .join(RecruiterLink, RecruiterLink.user_id == User.id)
            .where(
                RecruiterLink.integration_id == integration.id,
                RecruiterLink.remote_id == remote_id,
                RecruiterLink.user_id != user.id,
            )
        )
    ).first()
    if holder is not None:
        raise ValidationFailed(
            "remoteId",
            f"{remote_id} is already linked to {holder.name} <{holder.email}> in "
            f"{integration.name}; unlink them first",
        )
    link = await session.scalar(
        sa.select(RecruiterLink)
        .where(RecruiterLink.user_id == user.id, RecruiterLink.integration_id == integration.id)
        .with_for_update()
    )
    previous = link.remote_id if link is not None else None
    if link is None:
        link = RecruiterLink(
            tenant_id=actor.tenant_id,
            user_id=user.id,
            integration_id=integration.id,
            remote_id=remote_id,
            remote_email=remote_email,
            linked_at=utcnow(),
        )
        session.add(link)
    elif previous == remote_id and link.remote_email == remote_email:
        return Linked(user, link, previous)
    else:
        link.remote_id, link.remote_email = remote_id, remote_email
        if previous != remote_id:
            link.linked_at = utcnow()
    await session.flush()
    replaced = f" (was {previous})" if previous not in (None, remote_id) else ""
    record_activity(
        session,
        actor,
        action="recruiter.linked",
        subject_type="Recruiter",
        subject_id=user.id,
        description=f"Linked {user.name} to {remote_id} in {integration.name}{replaced}",
        details=link_details(integration, link, previousRemoteId=previous, via="manual"),
    )
    return Linked(user, link, previous)


async def unlink_recruiter(
    session: AsyncSession, actor: Actor, *, user_id: int, integration_id: int
) -> Linked:
    """Remove the user's link in the integration; ``NotFound`` when there is none."""
    user = await tenant_user(session, actor.tenant_id, user_id)
    integration = await tenant_integration(session, actor.tenant_id, integration_id)
    link = await session.scalar(
        sa.select(RecruiterLink)
        .where(RecruiterLink.user_id == user.id, RecruiterLink.integration_id == integration.id)
        .with_for_update()
    )
    if link is None:
        raise NotFound("RecruiterLink", f"of {user.email} in {integration.name}")
    await session.delete(link)
    await session.flush()
    record_activity(
        session,
        actor,
        action="recruiter.unlinked",
        subject_type="Recruiter",
        subject_id=user.id,
        description=f"Unlinked {user.name} from {link.remote_id} in {integration.name}",
        details=link_details(integration, link, reason="manual"),
    )
    return Linked(user, link, link.remote_id)
