"""Recruiter sync: bring an integration's recruiter links in line with its user list.

    report = await sync_recruiters(deps, tenant_id=1, integration_id=3,
                                   create_missing=True, actor=actor)
    report.matched, report.created, report.removed, report.unmatched   # 2, 1, 0, ()

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

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability, ConnectorBase
from connectors.errors import AuthError, ConnectorError
from connectors.models import RemoteUser
from connectors.registry import connector_class
from gateway.errors import Unsupported, ValidationFailed
from gateway.services.activities import Actor, record_activity
from gateway.services.recruiter_source import (
    IdRules,
    LinkDeps,
    active,
    connector_of,
    email_key,
    id_rules,
    lenient,
    link_details,
    list_users,
    require_enabled,
    tenant_integration,
)
from gateway.store.base import utcnow
from gateway.store.enums import Role
from gateway.store.models import Integration, RecruiterLink, User

SYNCED_ROLES = (Role.ADMIN, Role.RECRUITER)
"""Who the recruiter sync links: people who write back. Read-only users never do."""


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
    rules: IdRules,
    *,
    prune: bool = True,
) -> _Plan:
    """What to keep, remove and add; without ``prune``, links whose remote user is gone
    stay as they are (and their users and ids count as linked)."""
    plan = _Plan()
    stale: list[RecruiterLink] = []
    by_id = {lenient(rules, r.remote_id): r for r in remote}
    by_email: dict[str, list[RemoteUser]] = defaultdict(list)
    for r in remote:
        key = email_key(r.email)
        if key is not None:
            by_email[key].append(r)
    for link in links:
        found = by_id.get(lenient(rules, link.remote_id))
        if found is not None and active(found):
            plan.keep.append((link, found))
        elif prune:
            plan.remove.append(link)
        else:
            stale.append(link)
    linked = {link.user_id for link, _ in plan.keep} | {link.user_id for link in stale}
    taken = {lenient(rules, link.remote_id) for link, _ in plan.keep}
    taken |= {lenient(rules, link.remote_id) for link in stale}
    for user in users:
        if user.id in linked:
            continue
        key = email_key(user.email)
        known = by_email.get(key, []) if key is not None else []
        fits = [r for r in known if active(r) and lenient(rules, r.remote_id) not in taken]
        if len(fits) == 1:
            plan.add.append((user, fits[0]))
            taken.add(lenient(rules, fits[0].remote_id))
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
        integration = await tenant_integration(session, tenant_id, integration_id)
    require_enabled(integration)
    provider = integration.provider.value
    capabilities = connector_class(provider).capabilities
    if Capability.USERS not in capabilities:
        raise Unsupported(provider, "recruiterSync (it lists no users)")
    if create_missing and Capability.RECRUITER_MANAGEMENT not in capabilities:
        raise Unsupported(provider, "recruiterSync with createMissing (it creates no users)")
    rules = id_rules(integration)
    connector = connector_of(deps, integration)
    remote = await list_users(connector, integration)
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
    rules = id_rules(integration)
    new_ids = {lenient(rules, r.remote_id) for r in created}
    added = await _change_links(session, actor, integration, plan, rules)
    _record_link_changes(session, actor, integration, plan, added, new_ids)
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
        _record_sync(session, actor, integration, report)
    return report


async def _change_links(
    session: AsyncSession, actor: Actor, integration: Integration, plan: _Plan, rules: IdRules
) -> list[RecruiterLink]:
    """Remove, refresh and add the links as planned; returns the added ones."""
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
            remote_id=lenient(rules, found.remote_id),
            remote_email=found.email,
            linked_at=now,
        )
        for user, found in plan.add
    ]
    session.add_all(added)
    await session.flush()
    return added


def _record_link_changes(
    session: AsyncSession,
    actor: Actor,
    integration: Integration,
    plan: _Plan,
    added: Sequence[RecruiterLink],
    new_ids: set[str],
) -> None:
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
            details=link_details(integration, link, reason="gone"),
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
            details=link_details(integration, link, via=via),
        )


def _record_sync(
    session: AsyncSession, actor: Actor, integration: Integration, report: RecruiterSyncReport
) -> None:
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
