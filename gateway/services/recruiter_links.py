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

``sync_recruiters`` (daily, and ``recruiterSync``) keeps the links current:

1. a link whose remote user is gone from the list, or inactive, is removed;
2. each active admin or recruiter without a link is matched by email, case-insensitive,
   to the one active remote user with that email that nobody else is linked to;
3. with ``create_missing``, a user whose email the source does not know at all is
   created there (BPOC ``POST /recruiters/create``) and linked; a failed creation is
   reported and the rest goes on (after a failure that would repeat, such as a
   timeout or revoked key, no more are tried).

An existing valid link is kept even where email would suggest another id: a manual
``recruiterLink`` is not undone by the next sync.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import httpx
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability, ConnectorBase
from connectors.errors import AuthError, ConnectorError
from connectors.models import RemoteUser
from connectors.registry import connector_class
from gateway.cache import ResponseCache
from gateway.crypto import CryptoError, Keyring
from gateway.errors import (
    NotFound,
    RecruiterRejected,
    RemoteWriteFailed,
    Unsupported,
    ValidationFailed,
)
from gateway.services.activities import Actor, record_activity
from gateway.services.connections import connector_for
from gateway.services.validation import required_text
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import IntegrationStatus, Role
from gateway.store.models import Integration, RecruiterLink, User

SYNCED_ROLES = (Role.ADMIN, Role.RECRUITER)
"""Who the recruiter sync links: people who write back. Read-only users never do."""


class LinkDeps(Protocol):
    """What this module needs; ``WriteDeps`` (GraphQL) and ``SyncDeps`` (tasks) fit."""

    @property
    def session_factory(self) -> SessionFactory: ...

    @property
    def keyring(self) -> Keyring: ...

    @property
    def http(self) -> httpx.AsyncClient: ...

    @property
    def cache(self) -> ResponseCache: ...


@dataclass(frozen=True, slots=True)
class Linked:
    user: User
    link: RecruiterLink
    previous_remote_id: str | None
    """The id the user was linked to before, if this link replaced another."""


@dataclass(frozen=True, slots=True)
class RecruiterSyncReport:
    integration_id: int
    matched: int = 0
    """Links made by email this run, to recruiters the source already had."""
    created: int = 0
    """Recruiters created in the source this run, and linked."""
    kept: int = 0
    """Links that were there and still hold."""
    removed: int = 0
    """Links dropped because their remote user is gone or inactive."""
    unmatched: tuple[str, ...] = ()
    """Emails of active admins and recruiters still without a link."""
    failures: tuple[str, ...] = ()
    """Creations the source refused or failed, one line each."""

    @property
    def changed(self) -> bool:
        return bool(self.matched or self.created or self.removed or self.failures)


# --- remote ids -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _IdRules:
    normalize: Callable[[str], str]
    """The stored spelling of an id; raises ``ValueError`` for one that cannot exist."""
    agency_scoped: bool = False
    """The user list is one agency's out of a platform-wide pool of ids."""


def _uuid(text: str) -> str:
    return str(uuid.UUID(text))


_PROVIDER_RULES: dict[str, _IdRules] = {"bpoc": _IdRules(_uuid, agency_scoped=True)}
_DEFAULT_RULES = _IdRules(str.strip)


def _rules(integration: Integration) -> _IdRules:
    return _PROVIDER_RULES.get(integration.provider.value, _DEFAULT_RULES)


def _lenient(rules: _IdRules, remote_id: str) -> str:
    """For comparing ids already stored: a malformed one stays as it is."""
    try:
        return rules.normalize(remote_id)
    except ValueError:
        return remote_id


def _active(user: RemoteUser) -> bool:
    raw = user.raw
    return not (isinstance(raw, Mapping) and raw.get("isActive") is False)


def _email_key(address: str | None) -> str | None:
    key = (address or "").strip().lower()
    return key or None


# --- shared steps -----------------------------------------------------------------------


async def _integration(session: AsyncSession, tenant_id: int, integration_id: int) -> Integration:
    integration = await session.get(Integration, integration_id)
    if integration is None or integration.tenant_id != tenant_id:
        raise NotFound("Integration", integration_id)
    return integration


async def _user(session: AsyncSession, tenant_id: int, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None or user.tenant_id != tenant_id:
        raise NotFound("Recruiter", user_id)
    return user


def _enabled(integration: Integration) -> None:
    if integration.status is IntegrationStatus.INACTIVE:
        raise ValidationFailed("integrationId", f"{integration.name} is disabled")


def _connector(deps: LinkDeps, integration: Integration) -> ConnectorBase:
    sleep = getattr(deps, "sleep", asyncio.sleep)  # ``SyncDeps`` brings the tests' own
    try:
        return connector_for(
            integration, deps.keyring, deps.http, session_factory=deps.session_factory, sleep=sleep
        )
    except (CryptoError, ConnectorError) as exc:
        raise RemoteWriteFailed(
            f"{integration.name} cannot be reached with its stored settings: {exc}",
            retryable=False,
        ) from None


async def _list_users(connector: ConnectorBase, integration: Integration) -> list[RemoteUser]:
    try:
        return [user async for user in connector.users()]
    except ConnectorError as exc:
        raise RemoteWriteFailed(
            f"{integration.name} did not list its users: {exc.message}",
            retryable=exc.retryable,
            status_code=exc.status,
        ) from None


def _link_details(
    integration: Integration, link: RecruiterLink, **extra: object
) -> dict[str, object]:
    return {
        "integrationId": integration.id,
        "remoteId": link.remote_id,
        "remoteEmail": link.remote_email,
        **extra,
    }


# --- one link ---------------------------------------------------------------------------


async def link_recruiter(
    deps: LinkDeps, actor: Actor, *, user_id: int, integration_id: int, remote_id: str
) -> Linked:
    """Link ``user_id`` to ``remote_id`` in the integration, after checking the id with
    the source where it lists users (see the module docstring)."""
    async with deps.session_factory() as session:
        user = await _user(session, actor.tenant_id, user_id)
        integration = await _integration(session, actor.tenant_id, integration_id)
    _enabled(integration)
    rules = _rules(integration)
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
        users = await _list_users(_connector(deps, integration), integration)
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
    users: Sequence[RemoteUser], wanted: str, rules: _IdRules, integration: Integration
) -> RemoteUser:
    found = next((u for u in users if _lenient(rules, u.remote_id) == wanted), None)
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
    if not _active(found):
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
        details=_link_details(integration, link, previousRemoteId=previous, via="manual"),
    )
    return Linked(user, link, previous)


async def unlink_recruiter(
    session: AsyncSession, actor: Actor, *, user_id: int, integration_id: int
) -> Linked:
    """Remove the user's link in the integration; ``NotFound`` when there is none."""
    user = await _user(session, actor.tenant_id, user_id)
    integration = await _integration(session, actor.tenant_id, integration_id)
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
        details=_link_details(integration, link, reason="manual"),
    )
    return Linked(user, link, link.remote_id)


# --- the sync ---------------------------------------------------------------------------


@dataclass
class _Plan:
    keep: list[tuple[RecruiterLink, RemoteUser]] = field(default_factory=list)
    remove: list[RecruiterLink] = field(default_factory=list)
    add: list[tuple[User, RemoteUser]] = field(default_factory=list)
    unmatched: list[User] = field(default_factory=list)
    unknown: list[User] = field(default_factory=list)
    """Unmatched users whose email the source does not know at all: creatable."""


def _plan(
    users: Sequence[User],
    links: Sequence[RecruiterLink],
    remote: Sequence[RemoteUser],
    rules: _IdRules,
    *,
    prune: bool = True,
) -> _Plan:
    """What to keep, remove and add; without ``prune``, links whose remote user is gone
    stay as they are (and their users and ids count as linked)."""
    plan = _Plan()
    stale: list[RecruiterLink] = []
    by_id = {_lenient(rules, r.remote_id): r for r in remote}
    by_email: dict[str, list[RemoteUser]] = defaultdict(list)
    for r in remote:
        key = _email_key(r.email)
        if key is not None:
            by_email[key].append(r)
    for link in links:
        found = by_id.get(_lenient(rules, link.remote_id))
        if found is not None and _active(found):
            plan.keep.append((link, found))
        elif prune:
            plan.remove.append(link)
        else:
            stale.append(link)
    linked = {link.user_id for link, _ in plan.keep} | {link.user_id for link in stale}
    taken = {_lenient(rules, link.remote_id) for link, _ in plan.keep}
    taken |= {_lenient(rules, link.remote_id) for link in stale}
    for user in users:
        if user.id in linked:
            continue
        key = _email_key(user.email)
        known = by_email.get(key, []) if key is not None else []
        fits = [r for r in known if _active(r) and _lenient(rules, r.remote_id) not in taken]
        if len(fits) == 1:
            plan.add.append((user, fits[0]))
            taken.add(_lenient(rules, fits[0].remote_id))
        else:
            plan.unmatched.append(user)
            if not known:
                plan.unknown.append(user)
    return plan


async def _sync_state(
    session: AsyncSession, tenant_id: int, integration_id: int, *, lock: bool = False
) -> tuple[list[User], list[RecruiterLink]]:
    users = list(
        await session.scalars(
            sa.select(User)
            .where(
                User.tenant_id == tenant_id,
                User.is_active.is_(True),
                User.role.in_(SYNCED_ROLES),
            )
            .order_by(User.id)
        )
    )
    stmt = (
        sa.select(RecruiterLink)
        .where(RecruiterLink.integration_id == integration_id)
        .order_by(RecruiterLink.id)
    )
    links = list(await session.scalars(stmt.with_for_update() if lock else stmt))
    return users, links


def _name_parts(user: User) -> tuple[str, str]:
    first, _, last = " ".join(user.name.split()).partition(" ")
    return first or user.email.partition("@")[0], last


async def _create_missing(
    connector: ConnectorBase, integration: Integration, users: Sequence[User]
) -> tuple[list[RemoteUser], list[str]]:
    """Create ``users`` in the source: the new remote users, and one line per failure."""
    created: list[RemoteUser] = []
    failures: list[str] = []
    for index, user in enumerate(users):
        first, last = _name_parts(user)
        role = "admin" if user.role is Role.ADMIN else "recruiter"
        try:
            result = await connector.create_recruiter(user.email, first, last, role)
        except ConnectorError as exc:
            failures.append(f"{user.email}: {exc.message}")
            if exc.retryable or isinstance(exc, AuthError):
                failures += [f"{u.email}: not tried after that failure" for u in users[index + 1 :]]
                break
            continue
        if not result.remote_id:
            failures.append(f"{user.email}: {integration.name} answered without an id")
            continue
        created.append(
            RemoteUser(
                remote_id=result.remote_id,
                raw=dict(result.raw) if isinstance(result.raw, Mapping) else {},
                email=user.email,
                name=user.name,
                role=role,
            )
        )
    return created, failures


async def sync_recruiters(
    deps: LinkDeps,
    tenant_id: int,
    integration_id: int,
    *,
    create_missing: bool,
    actor: Actor,
    prune: bool = True,
) -> RecruiterSyncReport:
    """Bring the integration's links in line with its user list (module docstring).
    Without ``prune`` only links by email are added, none removed: what every data sync
    does before reading jobs, leaving removals to the daily recruiter sync."""
    async with deps.session_factory() as session:
        integration = await _integration(session, tenant_id, integration_id)
    _enabled(integration)
    provider = integration.provider.value
    capabilities = connector_class(provider).capabilities
    if Capability.USERS not in capabilities:
        raise Unsupported(provider, "recruiterSync (it lists no users)")
    if create_missing and Capability.RECRUITER_MANAGEMENT not in capabilities:
        raise Unsupported(provider, "recruiterSync with createMissing (it creates no users)")
    rules = _rules(integration)
    connector = _connector(deps, integration)
    remote = await _list_users(connector, integration)
    created: list[RemoteUser] = []
    failures: list[str] = []
    if create_missing:
        async with deps.session_factory() as session:
            users, links = await _sync_state(session, tenant_id, integration.id)
        missing = _plan(users, links, remote, rules).unknown
        created, failures = await _create_missing(connector, integration, missing)
    try:
        async with deps.session_factory.begin() as session:
            users, links = await _sync_state(session, tenant_id, integration.id, lock=True)
            plan = _plan(users, links, [*remote, *created], rules, prune=prune)
            report = await _apply(session, actor, integration, plan, created, failures)
    except IntegrityError:
        raise ValidationFailed(
            "integrationId", f"the links of {integration.name} changed meanwhile; try again"
        ) from None
    await deps.cache.invalidate(tenant_id)
    return report


async def _apply(
    session: AsyncSession,
    actor: Actor,
    integration: Integration,
    plan: _Plan,
    created: Sequence[RemoteUser],
    failures: Sequence[str],
) -> RecruiterSyncReport:
    rules = _rules(integration)
    new_ids = {_lenient(rules, r.remote_id) for r in created}
    if plan.remove:
        await session.execute(
            sa.delete(RecruiterLink).where(RecruiterLink.id.in_([link.id for link in plan.remove]))
        )
    for link, found in plan.keep:
        if found.email and link.remote_email != found.email:
            link.remote_email = found.email
    now = utcnow()
    added = [
        RecruiterLink(
            tenant_id=actor.tenant_id,
            user_id=user.id,
            integration_id=integration.id,
            remote_id=_lenient(rules, found.remote_id),
            remote_email=found.email,
            linked_at=now,
        )
        for user, found in plan.add
    ]
    session.add_all(added)
    await session.flush()
    names = {user.id: user.name for user, _ in plan.add}
    for link in plan.remove:
        record_activity(
            session,
            actor,
            action="recruiter.unlinked",
            subject_type="Recruiter",
            subject_id=link.user_id,
            description=f"Unlinked from {link.remote_id} in {integration.name}: "
            f"no longer an active user there",
            details=_link_details(integration, link, reason="gone"),
        )
    for link in added:
        via = "created" if link.remote_id in new_ids else "email"
        record_activity(
            session,
            actor,
            action="recruiter.linked",
            subject_type="Recruiter",
            subject_id=link.user_id,
            description=f"Linked {names[link.user_id]} to {link.remote_id} in "
            f"{integration.name} ({'created there' if via == 'created' else 'same email'})",
            details=_link_details(integration, link, via=via),
        )
    created_count = sum(1 for link in added if link.remote_id in new_ids)
    report = RecruiterSyncReport(
        integration_id=integration.id,
        matched=len(added) - created_count,
        created=created_count,
        kept=len(plan.keep),
        removed=len(plan.remove),
        unmatched=tuple(sorted(user.email for user in plan.unmatched)),
        failures=tuple(failures),
    )
    if report.changed or actor.user_id is not None:
        record_activity(
            session,
            actor,
            action="recruiter.synced",
            subject_type="Integration",
            subject_id=integration.id,
            description=f"Recruiter sync of {integration.name}: {report.matched} matched, "
            f"{report.created} created, {report.removed} removed, "
            f"{len(report.unmatched)} without a link",
            details={
                "integrationId": integration.id,
                "matched": report.matched,
                "created": report.created,
                "kept": report.kept,
                "removed": report.removed,
                "unmatched": list(report.unmatched),
                "failures": list(report.failures),
            },
        )
    return report
