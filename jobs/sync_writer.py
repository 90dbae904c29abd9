"""Writing common-model records into the store: bulk upserts, stage history, and the
bus events that say what changed.

    writer = RecordWriter(tally)                  # tally: tenant, integration, counts
    async with session_factory.begin() as session:
        events = await writer.write_jobs(session, remote_jobs)
    await bus.publish_many(events)                # after the commit

Shared by the sync engine (batch by batch) and by inbound webhook processing (the
few records one notification names). Events are built here and published by the
caller once the transaction has committed, so a rolled-back write announces nothing.

Given an ``actor`` (the sync run, ``ActorType.SYNC``; the webhook event,
``ActorType.WEBHOOK``), the writer also records, in the caller's transaction, one
activity per application stage change and per job status change it finds, with one
INSERT per batch:

    writer = RecordWriter(tally, Actor(tenant_id, ActorType.SYNC, str(run_id), "RF sync"))
    # application 12 moved Screen -> Offer at the source:
    # activity action="application.stage_changed", job/candidate/application ids,
    #          metadata={"from": "Screen", "to": "Offer", "integrationId": 3, "remoteId": "..."}

A record written unchanged records nothing, nor does one seen for the first time. The
applications' stages and stage history are kept by ``jobs.stage_history``.

Jobs, candidates and applications are written with the tenant's field mappings for the
integration's provider applied (``gateway.services.field_mappings``): read once, on the
writer's first batch, so once per sync run and once per processed webhook event.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import (
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteOnboardingTask,
)
from gateway.events import (
    EventName,
    application_created,
    application_stage_changed,
    application_updated,
    candidate_created,
    candidate_updated,
    interview_created,
    interview_updated,
    job_created,
    job_status_changed,
    job_updated,
    onboarding_task_created,
    onboarding_task_updated,
)
from gateway.pubsub import Event
from gateway.services.activities import Actor
from gateway.services.field_mappings import FieldMappings, mappings_for_integration
from gateway.store.base import Base, table_of, utcnow
from gateway.store.enums import MappedEntity
from gateway.store.models import Activity, Application, Candidate, Interview, Job, OnboardingTask
from gateway.store.upsert import UpsertResult, chunks, upsert_synced
from jobs.remote_ids import column_by_remote_id, ids_by_remote_id
from jobs.stage_history import ApplicationStages, CurrentStages, short_stage_names, stage_names
from jobs.sync_mapping import (
    application_row,
    candidate_row,
    interview_row,
    job_row,
    onboarding_row,
)
from jobs.sync_owners import assign_owners


class Tally(Protocol):
    """Whose records these are, and where to count what happened to them."""

    tenant_id: int
    integration_id: int
    failures: list[str]

    def count(self, model: str, outcome: str, amount: int = 1) -> None: ...

    def fail(self, entity: str, remote_id: str | None, reason: str) -> None:
        """Count one record of ``entity`` as failed and say why."""


def describe_failure(entity: str, remote_id: str | None, reason: str) -> str:
    """``"applications 24:3: unknown job or candidate"``: one failed record, in words."""
    return f"{entity} {remote_id or '(no id)'}: {reason}"


class RecordWriter:
    def __init__(self, state: Tally, actor: Actor | None = None) -> None:
        self.state = state
        self.actor = actor
        self.stages = ApplicationStages(state)
        self._mappings: FieldMappings | None = None

    async def field_mappings(self, session: AsyncSession) -> FieldMappings:
        """The tenant's mappings for this integration, read on first use."""
        if self._mappings is None:
            self._mappings = await mappings_for_integration(
                session, self.state.tenant_id, self.state.integration_id
            )
        return self._mappings

    def _activity(
        self,
        action: str,
        subject: tuple[str, int],
        description: str,
        *,
        change: tuple[str | None, str | None],
        remote_id: str,
        job_id: int | None,
        candidate_id: int | None = None,
        application_id: int | None = None,
    ) -> dict[str, Any]:
        assert self.actor is not None
        return {
            "tenant_id": self.state.tenant_id,
            "action": action,
            "actor_type": self.actor.actor_type,
            "actor_id": self.actor.actor_id,
            "actor_name": self.actor.name,
            "subject_type": subject[0],
            "subject_id": subject[1],
            "job_id": job_id,
            "candidate_id": candidate_id,
            "application_id": application_id,
            "description": description,
            "metadata": {
                "from": change[0],
                "to": change[1],
                "integrationId": self.state.integration_id,
                "remoteId": remote_id,
            },
            "created_at": utcnow(),
        }

    async def _record_activities(self, session: AsyncSession, rows: list[dict[str, Any]]) -> None:
        """One INSERT for the batch's activities (none without an actor or a change)."""
        if self.actor is None or not rows:
            return
        for part in chunks(rows):
            await session.execute(sa.insert(table_of(Activity)), list(part))

    def record(self, model: str, result: UpsertResult) -> None:
        self.state.count(model, "created", len(result.created))
        self.state.count(model, "updated", len(result.updated))
        self.state.count(model, "unchanged", len(result.unchanged))

    @staticmethod
    def _events(
        result: UpsertResult,
        created: Callable[[int, str], Event],
        updated: Callable[[int, str], Event],
        *,
        announced_otherwise: Collection[str] = (),
    ) -> list[Event]:
        """``created(id, remote_id)`` per record created, then ``updated(...)`` per one
        updated, but for those ``announced_otherwise`` (an application's move)."""
        events = [created(result.ids[r], r) for r in result.created if r in result.ids]
        events += [
            updated(result.ids[r], r)
            for r in result.updated
            if r in result.ids and r not in announced_otherwise
        ]
        return events

    async def _upsert(
        self, session: AsyncSession, model: type[Base], rows: list[dict[str, Any]], **kwargs: Any
    ) -> UpsertResult:
        return await upsert_synced(
            session,
            model,
            tenant_id=self.state.tenant_id,
            integration_id=self.state.integration_id,
            rows=rows,
            now=utcnow(),
            **kwargs,
        )

    async def write_jobs(self, session: AsyncSession, batch: list[RemoteJob]) -> list[Event]:
        mappings = await self.field_mappings(session)
        rows = [
            job_row(job, mappings.overrides(MappedEntity.JOB, job.custom_fields)) for job in batch
        ]
        previous = await self._column(session, Job, Job.status, [job.remote_id for job in batch])
        result = await self._upsert(session, Job, rows, restore={"is_active": True})
        self.record("jobs", result)
        owned = await assign_owners(
            session,
            tenant_id=self.state.tenant_id,
            integration_id=self.state.integration_id,
            jobs=batch,
            ids=result.ids,
        )
        self.state.count("job_owners", "updated", owned)
        tenant = self.state.tenant_id
        statuses = {job.remote_id: str(job.status) for job in batch}
        events = self._events(
            result,
            lambda pk, r: job_created(tenant, job_id=pk, remote_id=r, status=statuses[r]),
            lambda pk, r: job_updated(tenant, job_id=pk, remote_id=r, status=statuses[r]),
        )
        activities: list[dict[str, Any]] = []
        for job in batch:
            before = previous.get(job.remote_id)
            if job.remote_id in result.updated and before is not None and before != job.status:
                job_id = result.ids[job.remote_id]
                events.append(
                    job_status_changed(
                        tenant, job_id=job_id, status=str(job.status), previous_status=str(before)
                    )
                )
                if self.actor is not None:
                    activities.append(
                        self._activity(
                            EventName.JOB_STATUS_CHANGED.value,
                            ("Job", job_id),
                            f"Status of “{job.title}” changed from {before} to {job.status}",
                            change=(str(before), str(job.status)),
                            remote_id=job.remote_id,
                            job_id=job_id,
                        )
                    )
        await self._record_activities(session, activities)
        return events

    async def write_candidates(
        self, session: AsyncSession, batch: list[RemoteCandidate]
    ) -> list[Event]:
        mappings = await self.field_mappings(session)
        rows = [
            candidate_row(c, mappings.overrides(MappedEntity.CANDIDATE, c.custom_fields))
            for c in batch
        ]
        result = await self._upsert(session, Candidate, rows)
        self.record("candidates", result)
        tenant = self.state.tenant_id
        return self._events(
            result,
            lambda pk, r: candidate_created(tenant, candidate_id=pk, remote_id=r),
            lambda pk, r: candidate_updated(tenant, candidate_id=pk, remote_id=r),
        )

    async def _ids(
        self, session: AsyncSession, model: type[Base], remote_ids: set[str]
    ) -> dict[str, int]:
        return await ids_by_remote_id(session, model, self.state.integration_id, remote_ids)

    async def write_applications(
        self, session: AsyncSession, batch: list[RemoteApplication]
    ) -> list[Event]:
        batch = [short_stage_names(application) for application in batch]
        jobs = await self._ids(session, Job, {a.job_remote_id for a in batch})
        candidates = await self._ids(session, Candidate, {a.candidate_remote_id for a in batch})
        stages = await self.stages.ids_of(session, stage_names(batch))
        mappings = await self.field_mappings(session)
        rows, kept = self._application_rows(batch, jobs, candidates, stages, mappings)
        previous = await self.stages.current(session, [a.remote_id for a in kept])
        result = await self._upsert(session, Application, rows)
        self.record("applications", result)
        changed = set(result.created) | set(result.updated)
        await self.stages.replace(
            session,
            [a for a in kept if a.remote_id in changed and a.transitions],
            result.ids,
            stages,
        )
        await self.stages.follow(
            session, [a for a in kept if not a.transitions], result.ids, stages, previous
        )
        parents = {
            a.remote_id: (jobs[a.job_remote_id], candidates[a.candidate_remote_id]) for a in kept
        }
        moves, moved = await self._stage_moves(session, kept, result, stages, previous, parents)
        return [*self._application_events(result, kept, parents, moved), *moves]

    def _application_rows(
        self,
        batch: list[RemoteApplication],
        jobs: dict[str, int],
        candidates: dict[str, int],
        stages: dict[str, int],
        mappings: FieldMappings,
    ) -> tuple[list[dict[str, Any]], list[RemoteApplication]]:
        """The rows to upsert and the applications they are of; one whose job or
        candidate is not stored fails."""
        rows, kept = [], []
        for application in batch:
            job_id = jobs.get(application.job_remote_id)
            candidate_id = candidates.get(application.candidate_remote_id)
            if job_id is None or candidate_id is None:
                self.state.fail("applications", application.remote_id, "unknown job or candidate")
                continue
            stage = application.current_stage or (
                application.transitions[-1].to_stage if application.transitions else None
            )
            mapped = mappings.overrides(MappedEntity.APPLICATION, application.custom_fields)
            stage_id = stages.get(stage or "")
            rows.append(application_row(application, job_id, candidate_id, stage_id, mapped))
            kept.append(application)
        return rows, kept

    async def _stage_moves(
        self,
        session: AsyncSession,
        kept: list[RemoteApplication],
        result: UpsertResult,
        stages: dict[str, int],
        previous: CurrentStages,
        parents: dict[str, tuple[int, int]],
    ) -> tuple[list[Event], set[str]]:
        """A stage-change event (and, with an actor, activity) per stored application
        the batch moved to another stage; returns the events and the moved remote ids."""
        tenant = self.state.tenant_id
        moves: list[Event] = []
        moved: set[str] = set()
        activities: list[dict[str, Any]] = []
        for application in kept:
            remote_id = application.remote_id
            if remote_id not in result.updated or remote_id not in previous:
                continue
            before, before_name = previous[remote_id]
            if before == stages.get(application.current_stage or ""):
                continue
            application_id = result.ids[remote_id]
            job_id, candidate_id = parents[remote_id]
            moved.add(remote_id)
            moves.append(
                application_stage_changed(
                    tenant,
                    application_id=application_id,
                    remote_id=remote_id,
                    job_id=job_id,
                    candidate_id=candidate_id,
                    stage=application.current_stage,
                    previous_stage=before_name,
                    status=str(application.status),
                )
            )
            if self.actor is not None:
                after_name = application.current_stage
                activities.append(
                    self._activity(
                        EventName.APPLICATION_STAGE_CHANGED.value,
                        ("Application", application_id),
                        f"Stage changed from {before_name or 'no stage'} "
                        f"to {after_name or 'no stage'}",
                        change=(before_name, after_name),
                        remote_id=remote_id,
                        job_id=job_id,
                        candidate_id=candidate_id,
                        application_id=application_id,
                    )
                )
        await self._record_activities(session, activities)
        return moves, moved

    def _application_events(
        self,
        result: UpsertResult,
        kept: list[RemoteApplication],
        parents: dict[str, tuple[int, int]],
        moved: set[str],
    ) -> list[Event]:
        """Created and updated events of the batch's applications (a moved one's
        stage-change event says it already)."""
        tenant = self.state.tenant_id
        by_remote_id = {a.remote_id: a for a in kept}

        def described(build: Callable[..., Event], pk: int, remote_id: str) -> Event:
            found = by_remote_id[remote_id]
            job_id, candidate_id = parents[remote_id]
            return build(
                tenant,
                application_id=pk,
                remote_id=remote_id,
                job_id=job_id,
                candidate_id=candidate_id,
                stage=found.current_stage,
                status=str(found.status),
            )

        return self._events(
            result,
            lambda pk, r: described(application_created, pk, r),
            lambda pk, r: described(application_updated, pk, r),
            announced_otherwise=moved,
        )

    async def _column(
        self, session: AsyncSession, model: type[Base], column: Any, remote_ids: list[str]
    ) -> dict[str, Any]:
        """remote id -> ``column`` of this integration's existing rows."""
        return await column_by_remote_id(
            session, model, column, self.state.integration_id, remote_ids
        )

    async def write_interviews(
        self, session: AsyncSession, batch: list[RemoteInterview]
    ) -> list[Event]:
        applications = await self._ids(
            session,
            Application,
            {i.application_remote_id for i in batch if i.application_remote_id},
        )
        rows = []
        for interview in batch:
            application_id = applications.get(interview.application_remote_id or "")
            if application_id is None:
                self.state.fail("interviews", interview.remote_id, "unknown application")
                continue
            rows.append(interview_row(interview, application_id))
        previous = await self._column(
            session, Interview, Interview.status, [row["remote_id"] for row in rows]
        )
        result = await self._upsert(session, Interview, rows)
        self.record("interviews", result)
        tenant = self.state.tenant_id
        by_remote_id = {row["remote_id"]: row for row in rows}

        def was(remote_id: str) -> str | None:
            before = previous.get(remote_id)
            return str(before) if before is not None else None

        return self._events(
            result,
            lambda pk, r: interview_created(
                tenant,
                interview_id=pk,
                remote_id=r,
                application_id=by_remote_id[r]["application_id"],
                status=str(by_remote_id[r]["status"]),
                previous_status=was(r),
            ),
            lambda pk, r: interview_updated(
                tenant,
                interview_id=pk,
                remote_id=r,
                application_id=by_remote_id[r]["application_id"],
                status=str(by_remote_id[r]["status"]),
                previous_status=was(r),
            ),
        )

    async def write_onboarding_tasks(
        self, session: AsyncSession, batch: list[RemoteOnboardingTask]
    ) -> list[Event]:
        applications = await self._ids(
            session,
            Application,
            {t.application_remote_id for t in batch if t.application_remote_id},
        )
        candidates = await self._ids(
            session, Candidate, {t.candidate_remote_id for t in batch if t.candidate_remote_id}
        )
        rows = []
        for task in batch:
            application_id = applications.get(task.application_remote_id or "")
            candidate_id = candidates.get(task.candidate_remote_id or "")
            if application_id is None and candidate_id is None:
                self.state.fail("onboarding_tasks", task.remote_id, "unknown application")
                continue
            rows.append(onboarding_row(task, application_id, candidate_id))
        result = await self._upsert(session, OnboardingTask, rows)
        self.record("onboarding_tasks", result)
        tenant = self.state.tenant_id
        return self._events(
            result,
            lambda pk, r: onboarding_task_created(tenant, task_id=pk, remote_id=r),
            lambda pk, r: onboarding_task_updated(tenant, task_id=pk, remote_id=r),
        )
