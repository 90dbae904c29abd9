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

A record written unchanged records nothing, nor does one seen for the first time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import (
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteOnboardingTask,
    RemoteStageTransition,
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
from gateway.store.base import Base, table_of, utcnow
from gateway.store.enums import unlisted_position
from gateway.store.models import (
    Activity,
    Application,
    Candidate,
    Interview,
    Job,
    OnboardingTask,
    PipelineStage,
    StageTransition,
)
from gateway.store.upsert import UpsertResult, chunks, upsert_synced
from jobs.sync_mapping import (
    application_row,
    candidate_row,
    clip,
    interview_row,
    job_row,
    onboarding_row,
    stage_kind,
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


def _now() -> datetime:
    return datetime.now(UTC)


def agreeing_history(application: RemoteApplication) -> list[RemoteStageTransition]:
    """The source's history in time order, ending in the current stage: where it stops
    short of it (a source that records some moves and not others), a move into the
    current stage is added when the record last changed; a repeat of the same stage is
    dropped. Each stay but the last is closed when the next one begins."""
    history = sorted(application.transitions, key=lambda t: t.entered_at)
    current = application.current_stage
    if current and (not history or history[-1].to_stage != current):
        last = history[-1] if history else None
        entered = application.remote_updated_at or (last.entered_at if last else None)
        entered = entered or application.applied_at
        if entered is not None:
            if last is not None and entered < last.entered_at:
                entered = last.entered_at
            history.append(
                RemoteStageTransition(
                    from_stage=last.to_stage if last else None, to_stage=current, entered_at=entered
                )
            )
    agreed: list[RemoteStageTransition] = []
    for transition in history:
        if agreed and agreed[-1].to_stage == transition.to_stage:
            continue
        if agreed and agreed[-1].left_at is None:
            agreed[-1] = replace(agreed[-1], left_at=transition.entered_at)
        agreed.append(transition)
    return agreed


STAGE_NAME_LIMIT = 255


def _short_stage_names(application: RemoteApplication) -> RemoteApplication:
    """Stage names as the store keeps them (255 characters), so a stage is found under
    the same name everywhere."""
    names = [application.current_stage or ""]
    names += [t.to_stage for t in application.transitions]
    names += [t.from_stage or "" for t in application.transitions]
    if all(len(name) <= STAGE_NAME_LIMIT for name in names):
        return application
    return replace(
        application,
        current_stage=clip(application.current_stage, STAGE_NAME_LIMIT),
        transitions=tuple(
            replace(
                t,
                to_stage=t.to_stage[:STAGE_NAME_LIMIT],
                from_stage=clip(t.from_stage, STAGE_NAME_LIMIT),
            )
            for t in application.transitions
        ),
    )


def describe_failure(entity: str, remote_id: str | None, reason: str) -> str:
    """``"applications 24:3: unknown job or candidate"``: one failed record, in words."""
    return f"{entity} {remote_id or '(no id)'}: {reason}"


async def ids_by_remote_id(
    session: AsyncSession, model: type[Base], integration_id: int, remote_ids: Iterable[str]
) -> dict[str, int]:
    """remote id -> row id of the integration's rows of ``model`` with those remote ids."""
    table = table_of(model)
    found: dict[str, int] = {}
    for part in chunks(sorted(set(remote_ids))):
        rows = await session.execute(
            sa.select(table.c.remote_id, table.c.id).where(
                table.c.integration_id == integration_id, table.c.remote_id.in_(part)
            )
        )
        found.update({row.remote_id: row.id for row in rows})
    return found


class RecordWriter:
    def __init__(self, state: Tally, actor: Actor | None = None) -> None:
        self.state = state
        self.actor = actor
        self.stage_ids: dict[str, int] = {}

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
            now=_now(),
            **kwargs,
        )

    async def write_jobs(self, session: AsyncSession, batch: list[RemoteJob]) -> list[Event]:
        rows = [job_row(job) for job in batch]
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
        result = await self._upsert(session, Candidate, [candidate_row(c) for c in batch])
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

    async def _stages(self, session: AsyncSession, names: set[str]) -> dict[str, int]:
        missing = {name for name in names if name not in self.stage_ids}
        if missing:
            existing = await self._ids(session, PipelineStage, missing)
            new = sorted(missing - existing.keys())
            if new:
                created = await session.execute(
                    sa.insert(table_of(PipelineStage)).returning(
                        PipelineStage.remote_id, PipelineStage.id
                    ),
                    [
                        {
                            "tenant_id": self.state.tenant_id,
                            "integration_id": self.state.integration_id,
                            "remote_id": name,
                            "name": name[:255],
                            "kind": stage_kind(name),
                            "position": unlisted_position(stage_kind(name)),
                        }
                        for name in new
                    ],
                )
                existing.update({row.remote_id: row.id for row in created})
            self.stage_ids.update(existing)
        return {name: self.stage_ids[name] for name in names if name in self.stage_ids}

    async def write_applications(
        self, session: AsyncSession, batch: list[RemoteApplication]
    ) -> list[Event]:
        batch = [_short_stage_names(application) for application in batch]
        jobs = await self._ids(session, Job, {a.job_remote_id for a in batch})
        candidates = await self._ids(session, Candidate, {a.candidate_remote_id for a in batch})
        names = {a.current_stage for a in batch if a.current_stage}
        names |= {t.to_stage for a in batch for t in a.transitions}
        names |= {t.from_stage for a in batch for t in a.transitions if t.from_stage}
        stages = await self._stages(session, names)
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
            rows.append(application_row(application, job_id, candidate_id, stages.get(stage or "")))
            kept.append(application)
        previous = await self._current_stages(session, [a.remote_id for a in kept])
        result = await self._upsert(session, Application, rows)
        self.record("applications", result)
        changed = set(result.created) | set(result.updated)
        await self._replace_transitions(
            session,
            [a for a in kept if a.remote_id in changed and a.transitions],
            result.ids,
            stages,
        )
        await self._follow_stages(
            session, [a for a in kept if not a.transitions], result.ids, stages, previous
        )
        tenant = self.state.tenant_id
        by_remote_id = {a.remote_id: a for a in kept}

        def described(build: Callable[..., Event], pk: int, remote_id: str) -> Event:
            found = by_remote_id[remote_id]
            return build(
                tenant,
                application_id=pk,
                remote_id=remote_id,
                job_id=jobs[found.job_remote_id],
                candidate_id=candidates[found.candidate_remote_id],
                stage=found.current_stage,
                status=str(found.status),
            )

        moves: list[Event] = []
        moved: set[str] = set()
        activities: list[dict[str, Any]] = []
        for application in kept:
            if application.remote_id in result.updated and application.remote_id in previous:
                stage_id = stages.get(application.current_stage or "")
                before, before_name = previous[application.remote_id]
                if before != stage_id:
                    application_id = result.ids[application.remote_id]
                    moved.add(application.remote_id)
                    moves.append(
                        application_stage_changed(
                            tenant,
                            application_id=application_id,
                            remote_id=application.remote_id,
                            job_id=jobs[application.job_remote_id],
                            candidate_id=candidates[application.candidate_remote_id],
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
                                remote_id=application.remote_id,
                                job_id=jobs[application.job_remote_id],
                                candidate_id=candidates[application.candidate_remote_id],
                                application_id=application_id,
                            )
                        )
        await self._record_activities(session, activities)
        return [
            *self._events(
                result,
                lambda pk, r: described(application_created, pk, r),
                lambda pk, r: described(application_updated, pk, r),
                announced_otherwise=moved,
            ),
            *moves,
        ]

    async def _column(
        self, session: AsyncSession, model: type[Base], column: Any, remote_ids: list[str]
    ) -> dict[str, Any]:
        """remote id -> ``column`` of this integration's existing rows."""
        table = table_of(model)
        found: dict[str, Any] = {}
        for part in chunks(remote_ids):
            rows = await session.execute(
                sa.select(table.c.remote_id, column).where(
                    table.c.integration_id == self.state.integration_id,
                    table.c.remote_id.in_(part),
                )
            )
            found.update({row[0]: row[1] for row in rows})
        return found

    async def _current_stages(
        self, session: AsyncSession, remote_ids: list[str]
    ) -> dict[str, tuple[int | None, str | None]]:
        """remote id -> (current stage id, its name) of this integration's applications."""
        found: dict[str, tuple[int | None, str | None]] = {}
        for part in chunks(remote_ids):
            rows = await session.execute(
                sa.select(Application.remote_id, Application.current_stage_id, PipelineStage.name)
                .outerjoin(PipelineStage, PipelineStage.id == Application.current_stage_id)
                .where(
                    Application.integration_id == self.state.integration_id,
                    Application.remote_id.in_(part),
                )
            )
            found.update({row.remote_id: (row.current_stage_id, row.name) for row in rows})
        return found

    async def _replace_transitions(
        self,
        session: AsyncSession,
        applications: list[RemoteApplication],
        ids: dict[str, int],
        stages: dict[str, int],
    ) -> None:
        """The source owns the pipeline: a changed application's history is replaced,
        made to agree with its current stage (``agreeing_history``)."""
        local = [ids[a.remote_id] for a in applications if a.remote_id in ids]
        for part in chunks(local):
            await session.execute(
                sa.delete(StageTransition).where(StageTransition.application_id.in_(part))
            )
        rows = [
            self._transition_row(ids[a.remote_id], t, stages)
            for a in applications
            if a.remote_id in ids
            for t in agreeing_history(a)
        ]
        for part in chunks(rows):
            await session.execute(sa.insert(table_of(StageTransition)), list(part))
        if rows:
            self.state.count("stage_transitions", "created", len(rows))

    def _transition_row(
        self, application_id: int, t: RemoteStageTransition, stages: dict[str, int]
    ) -> dict[str, Any]:
        return {
            "tenant_id": self.state.tenant_id,
            "application_id": application_id,
            "integration_id": self.state.integration_id,
            "from_stage_id": stages.get(t.from_stage or ""),
            "to_stage_id": stages.get(t.to_stage),
            "from_stage_name": clip(t.from_stage, 255),
            "to_stage_name": clip(t.to_stage, 255) or "",
            "entered_at": t.entered_at,
            "left_at": t.left_at,
            "moved_by_name": clip((t.moved_by.name or t.moved_by.email), 255)
            if t.moved_by
            else None,
        }

    async def _follow_stages(
        self,
        session: AsyncSession,
        applications: list[RemoteApplication],
        ids: dict[str, int],
        stages: dict[str, int],
        previous: dict[str, tuple[int | None, str | None]],
    ) -> None:
        """History for a source that keeps none: an application without any recorded
        stay gets one in its current stage (from when it applied), and one whose synced
        stage differs from the stored one leaves its open stay now and enters the new
        stage now. So history and current stage always agree."""
        staged = [a for a in applications if a.current_stage and a.remote_id in ids]
        if not staged:
            return
        with_history: set[int] = set()
        for part in chunks([ids[a.remote_id] for a in staged]):
            rows = await session.execute(
                sa.select(StageTransition.application_id)
                .where(StageTransition.application_id.in_(part))
                .distinct()
            )
            with_history.update(row.application_id for row in rows)
        now = _now()
        moved: list[int] = []
        rows_to_add: list[dict[str, Any]] = []
        for application in staged:
            application_id = ids[application.remote_id]
            stage = application.current_stage or ""
            if application_id not in with_history:
                entered = application.applied_at or application.remote_updated_at or now
                transition = RemoteStageTransition(to_stage=stage, entered_at=min(entered, now))
                rows_to_add.append(self._transition_row(application_id, transition, stages))
                continue
            if application.remote_id not in previous:
                continue
            before_id, before_name = previous[application.remote_id]
            if before_id == stages.get(stage):
                continue
            moved.append(application_id)
            transition = RemoteStageTransition(
                from_stage=before_name, to_stage=stage, entered_at=now
            )
            rows_to_add.append(self._transition_row(application_id, transition, stages))
        for part in chunks(moved):
            await session.execute(
                sa.update(StageTransition)
                .where(StageTransition.application_id.in_(part), StageTransition.left_at.is_(None))
                .values(left_at=now)
            )
        for part in chunks(rows_to_add):
            await session.execute(sa.insert(table_of(StageTransition)), list(part))
        if rows_to_add:
            self.state.count("stage_transitions", "created", len(rows_to_add))

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
