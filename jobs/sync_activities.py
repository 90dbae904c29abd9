"""What recruiters did with a candidate in the source (emails, calls, notes, moves),
on the candidate's timeline, and when the candidate was last contacted.

A source that keeps a per-candidate activity log (``Capability.ACTIVITIES``) is read
only for the candidates a run found new or changed (a changed activity log changes
the candidate record's latest-activity time), a few candidates at a time. Each source
activity becomes one ``candidate.source_activity`` activity of the run (or
``candidate.contacted`` for an email, call, message or meeting), at the time
the source gives, named by the source's kind; an activity stored by an earlier run is
not stored again. A candidate's activities that cannot be read fail alone.

    stored = await sync_activities(deps, connector, state, candidate_remote_ids)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa

from connectors.base import Capability, ConnectorBase
from connectors.errors import AuthError, ConnectorError
from connectors.models import RemoteActivity
from gateway.services.activities import CONTACTED, SOURCE_ACTIVITY, Actor
from gateway.store.base import table_of
from gateway.store.engine import SessionFactory
from gateway.store.models import Activity, Candidate, Job
from gateway.store.upsert import chunks
from jobs.remote_ids import ids_by_remote_id

logger = logging.getLogger("talentgraph.jobs.sync")

ACTION = SOURCE_ACTIVITY
CONTACT_ACTION = CONTACTED
ACTIONS = (ACTION, CONTACT_ACTION)
CONCURRENCY = 8
PER_CANDIDATE = 500
"""At most this many of a candidate's activities are read, newest first as sources
list them; older ones are of no use on a timeline nobody scrolls that far."""

CONTACT_WORDS = ("email", "mail", "call", "phone", "sms", "text message", "message", "meeting")
"""An activity whose kind contains one of these is a contact with the candidate."""


class RunTally(Protocol):
    tenant_id: int
    integration_id: int

    def count(self, model: str, outcome: str, amount: int = 1) -> None: ...

    def fail(self, entity: str, remote_id: str | None, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class _Read:
    candidate_remote_id: str
    activities: tuple[RemoteActivity, ...]


def is_contact(activity: RemoteActivity) -> bool:
    kind = activity.kind.lower()
    return any(word in kind for word in CONTACT_WORDS)


async def _read(
    connector: ConnectorBase, candidate_remote_id: str, tally: RunTally
) -> _Read | None:
    found: list[RemoteActivity] = []
    try:
        async for activity in connector.activities(candidate_remote_id):
            found.append(activity)
            if len(found) >= PER_CANDIDATE:
                break
    except AuthError:
        raise
    except ConnectorError as exc:
        tally.fail("activities", candidate_remote_id, f"activities not read: {exc.message}")
        return None
    return _Read(candidate_remote_id, tuple(found))


async def sync_activities(
    session_factory: SessionFactory,
    connector: ConnectorBase,
    tally: RunTally,
    actor: Actor,
    candidate_remote_ids: Iterable[str],
) -> int:
    """Store the new source activities of these candidates; returns how many."""
    if Capability.ACTIVITIES not in connector.capabilities:
        return 0
    wanted = sorted(set(candidate_remote_ids))
    if not wanted:
        return 0
    limit = asyncio.Semaphore(CONCURRENCY)

    async def read(remote_id: str) -> _Read | None:
        async with limit:
            return await _read(connector, remote_id, tally)

    stored = 0
    for part in chunks(wanted, 200):
        reads = [r for r in await asyncio.gather(*(read(rid) for rid in part)) if r is not None]
        stored += await _store(session_factory, tally, actor, reads)
    return stored


async def _store(
    session_factory: SessionFactory, tally: RunTally, actor: Actor, reads: Sequence[_Read]
) -> int:
    activities = [a for read in reads for a in read.activities]
    if not activities:
        return 0
    async with session_factory.begin() as session:
        candidates = await ids_by_remote_id(
            session, Candidate, tally.integration_id, [r.candidate_remote_id for r in reads]
        )
        jobs = await ids_by_remote_id(
            session,
            Job,
            tally.integration_id,
            [a.job_remote_id for a in activities if a.job_remote_id],
        )
        known = await _stored_remote_ids(session, tally.integration_id, list(candidates.values()))
        rows: list[dict[str, Any]] = []
        for read in reads:
            candidate_id = candidates.get(read.candidate_remote_id)
            if candidate_id is None:
                continue
            for activity in read.activities:
                if activity.remote_id in known:
                    continue
                known.add(activity.remote_id)
                rows.append(_row(tally, actor, activity, candidate_id, jobs))
        for rows_part in chunks(rows):
            await session.execute(sa.insert(table_of(Activity)), list(rows_part))
    tally.count("activities", "created", len(rows))
    return len(rows)


def _row(
    tally: RunTally,
    actor: Actor,
    activity: RemoteActivity,
    candidate_id: int,
    jobs: dict[str, int],
) -> dict[str, Any]:
    description = activity.kind
    if activity.description:
        description = f"{activity.kind}: {activity.description}"
    return {
        "tenant_id": tally.tenant_id,
        "action": CONTACT_ACTION if is_contact(activity) else ACTION,
        "actor_type": actor.actor_type,
        "actor_id": actor.actor_id,
        "actor_name": actor.name,
        "subject_type": "Candidate",
        "subject_id": candidate_id,
        "job_id": jobs.get(activity.job_remote_id or ""),
        "candidate_id": candidate_id,
        "application_id": None,
        "description": description[:2000],
        "metadata": {
            "integrationId": tally.integration_id,
            "remoteId": activity.remote_id,
            "kind": activity.kind,
            "contact": is_contact(activity),
        },
        "created_at": activity.occurred_at or datetime.now(UTC),
    }


async def _stored_remote_ids(
    session: Any, integration_id: int, candidate_ids: list[int]
) -> set[str]:
    """Remote ids of the source activities already on these candidates' timelines."""
    activity = table_of(Activity)
    known: set[str] = set()
    for part in chunks(candidate_ids):
        rows = await session.execute(
            sa.select(activity.c["metadata"]).where(
                activity.c.candidate_id.in_(part), activity.c.action.in_(ACTIONS)
            )
        )
        for (details,) in rows:
            if isinstance(details, dict) and details.get("integrationId") == integration_id:
                known.add(str(details.get("remoteId")))
    return known
