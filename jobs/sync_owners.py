"""Jobs take their owner from the source.

A source names a job's recruiter by its own user id (or, where it has no user ids, by
email), often with their email beside it. The gateway user behind them is found through
the integration's recruiter links (``recruiter_links``: remote id or remote email), or,
for an email nobody is linked to, the tenant's one active user with that address; the
id is tried before the email. Before a sync reads jobs, the integration's links are
completed by email (``link_by_email``: the matching of ``recruiterSync``, but never
removing a link nor creating users at the source), so a recruiter who exists on both
sides under one address owns their jobs from the first sync on.

A job whose source owner maps to nobody keeps the owner it has: an owner assigned in the
gateway is not undone by a source that does not know who owns the job.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability
from connectors.errors import ConnectorError, NotFoundError
from connectors.models import RemoteJob
from connectors.registry import connector_class
from gateway.crypto import CryptoError
from gateway.errors import DomainError
from gateway.services.activities import Actor
from gateway.services.recruiter_links import LinkDeps, sync_recruiters
from gateway.store.base import table_of
from gateway.store.models import Integration, Job, RecruiterLink, User
from gateway.store.upsert import chunks

logger = logging.getLogger("talentgraph.jobs.sync")


async def link_by_email(deps: LinkDeps, integration: Integration, actor: Actor) -> str | None:
    """Link the tenant's recruiters to the source's users by email where that is
    unambiguous. ``None`` when done or when the source lists no users; otherwise why it
    could not be done (the sync goes on without it)."""
    if Capability.USERS not in connector_class(integration.provider.value).capabilities:
        return None
    try:
        await sync_recruiters(
            deps,
            integration.tenant_id,
            integration.id,
            create_missing=False,
            actor=actor,
            prune=False,
        )
    except NotFoundError:
        return None
    except (ConnectorError, CryptoError, DomainError) as exc:
        logger.info("recruiter links of integration %s not refreshed: %s", integration.id, exc)
        return str(getattr(exc, "message", exc))[:300]
    return None


def _key(value: str | None) -> str | None:
    stripped = (value or "").strip().lower()
    return stripped or None


async def assign_owners(
    session: AsyncSession,
    *,
    tenant_id: int,
    integration_id: int,
    jobs: Sequence[RemoteJob],
    ids: Mapping[str, int],
) -> int:
    """Set ``jobs.recruiter_id`` of these synced jobs to the user their source names;
    returns how many changed. Four statements at most, whatever the batch size."""
    owners = {
        job.remote_id: keys
        for job in jobs
        if job.remote_id in ids
        and (keys := [k for k in (_key(job.recruiter_remote_id), _key(job.recruiter_email)) if k])
    }
    if not owners:
        return 0
    wanted = sorted({key for keys in owners.values() for key in keys})
    users: dict[str, int] = {}
    link = table_of(RecruiterLink)
    for part in chunks(wanted):
        rows = await session.execute(
            sa.select(link.c.remote_id, link.c.remote_email, link.c.user_id).where(
                link.c.integration_id == integration_id,
                sa.or_(
                    sa.func.lower(link.c.remote_id).in_(part),
                    sa.func.lower(link.c.remote_email).in_(part),
                ),
            )
        )
        for row in rows:
            for known in (_key(row.remote_id), _key(row.remote_email)):
                if known is not None:
                    users.setdefault(known, row.user_id)
    emails = [key for key in wanted if key not in users and "@" in key]
    if emails:
        user = table_of(User)
        address = sa.func.lower(user.c.email)
        rows = await session.execute(
            sa.select(address.label("email"), sa.func.min(user.c.id).label("id"))
            .where(
                user.c.tenant_id == tenant_id,
                user.c.is_active.is_(True),
                address.in_(emails),
            )
            .group_by(address)
            .having(sa.func.count() == 1)
        )
        users.update({row.email: row.id for row in rows})
    resolved = {
        remote_id: next((users[key] for key in keys if key in users), None)
        for remote_id, keys in owners.items()
    }
    wanted_owner = {
        ids[remote_id]: owner for remote_id, owner in resolved.items() if owner is not None
    }
    if not wanted_owner:
        return 0
    job = table_of(Job)
    current: dict[int, int | None] = {}
    for part in chunks(sorted(wanted_owner)):
        rows = await session.execute(
            sa.select(job.c.id, job.c.recruiter_id).where(job.c.id.in_(part))
        )
        current.update({row.id: row.recruiter_id for row in rows})
    changes = [
        {"job_id": job_id, "owner_id": owner}
        for job_id, owner in wanted_owner.items()
        if job_id in current and current[job_id] != owner
    ]
    if changes:
        await session.execute(
            sa.update(job)
            .where(job.c.id == sa.bindparam("job_id"))
            .values(recruiter_id=sa.bindparam("owner_id")),
            changes,
        )
    return len(changes)
