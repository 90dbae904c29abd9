"""Onboarding tasks of a hire, created and reviewed in the source as the acting recruiter.

    written = await create_tasks(
        deps, principal, application_id=12,
        tasks=[NewTask(title="Submit NBI clearance", task_type="document",
                       due_date=date(2030, 2, 15))],
        idempotency_key=None,
    )
    # BPOC: POST /onboarding {"applicationId", "tasks": [...], "createdBy": <recruiter>}
    # Jobvite: POST /task/create (sealed) into the hire's onboarding process
    task_ids(written)              # [the new local tasks, in the order given]
    await review_task(deps, principal, task_id=task_ids(written)[0], approve=True,
                      notes="Clear scan", idempotency_key=None)
    # BPOC: PUT /onboarding/{taskId} {"action": "approve", "reviewedBy": <recruiter>}

BPOC and Jobvite's Onboarding API take these writes (``Capability.ONBOARDING_WRITE``).
Both record who acted (``createdBy``/``reviewedBy``), so both need the caller's
recruiter link: BPOC's connector declares ``ATTRIBUTION`` and ``write_back`` checks it;
Jobvite's does not, and the link is required here, before any request.

Rules, checked before anything is sent: 1 to ``MAX_TASKS`` tasks; a title is one line
of at most 512 characters; a description at most 5,000; a task type one word of
letters, digits, ``_`` and ``-`` (BPOC's ``document``, Jobvite's ``I9``); a due date
today (UTC) or later, within two years; the application is neither rejected nor
withdrawn. A review approves or rejects, with optional notes; a task already carrying
that decision is refused (checked at the start of the remote call, so a repeated
idempotency key still gets its first result).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability, ConnectorBase
from connectors.errors import InvalidResponseError
from connectors.models import Attribution, OnboardingTaskDraft, WriteResult
from gateway.auth import Principal
from gateway.errors import NotFound, ValidationFailed
from gateway.events import onboarding_task_created, onboarding_task_updated
from gateway.ports import HasSessions
from gateway.pubsub import Event
from gateway.services.activities import Actor, record_activity
from gateway.services.application_targets import Target, load_application, require_open
from gateway.services.validation import optional_paragraph, text_line
from gateway.services.writeback import (
    LocalChange,
    WriteDeps,
    Written,
    acting_as,
    created_id,
    write_back,
)
from gateway.store.base import utcnow
from gateway.store.enums import OnboardingTaskStatus
from gateway.store.models import Integration, OnboardingTask

MAX_TASKS = 20
MAX_TITLE_LENGTH = 512
MAX_DESCRIPTION_LENGTH = 5000
MAX_NOTES_LENGTH = 2000
MAX_DUE_AHEAD = timedelta(days=730)
TASK_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
TASK_KEY = "task."
"""``Written.ids`` holds ``task.0``, ``task.1``, ... for the created tasks, in order."""


@dataclass(frozen=True, slots=True)
class NewTask:
    title: str
    description: str | None = None
    task_type: str | None = None
    due_date: date | None = None

    def checked(self, index: int, today: date) -> OnboardingTaskDraft:
        where = f"tasks[{index}]"
        title = text_line(f"{where}.title", self.title, max_length=MAX_TITLE_LENGTH)
        description = optional_paragraph(
            f"{where}.description", self.description, max_length=MAX_DESCRIPTION_LENGTH
        )
        task_type = (self.task_type or "").strip() or None
        if task_type is not None and not TASK_TYPE.fullmatch(task_type):
            raise ValidationFailed(
                f"{where}.taskType",
                "taskType is 1 to 64 letters, digits, underscores and hyphens, starting with "
                "a letter (e.g. document, I9)",
            )
        if self.due_date is not None and not (today <= self.due_date <= today + MAX_DUE_AHEAD):
            raise ValidationFailed(
                f"{where}.dueDate", "dueDate must be from today (UTC) to two years ahead"
            )
        return OnboardingTaskDraft(
            title=title, description=description, task_type=task_type, due_date=self.due_date
        )


def task_ids(written: Written) -> list[int]:
    """The created tasks' ids in the order they were given."""
    numbered = [
        (int(name.removeprefix(TASK_KEY)), pk)
        for name, pk in written.ids.items()
        if name.startswith(TASK_KEY)
    ]
    return [pk for _, pk in sorted(numbered)]


def _draft_request(draft: OnboardingTaskDraft) -> dict[str, str | None]:
    return {
        "title": draft.title,
        "description": draft.description,
        "taskType": draft.task_type,
        "dueDate": draft.due_date.isoformat() if draft.due_date else None,
    }


async def _store_task(
    session: AsyncSession,
    target: Target,
    draft: OnboardingTaskDraft,
    answer: WriteResult,
    remote_id: str,
    stored_id: int | None,
    actor: Actor,
) -> int:
    """One created task stored (or updated, when a sync stored it first); its id."""
    now = utcnow()
    values = {
        "application_id": target.id,
        "candidate_id": target.candidate_id,
        "title": draft.title,
        "description": draft.description,
        "task_type": draft.task_type,
        "status": OnboardingTaskStatus.PENDING,
        "due_date": draft.due_date,
        "created_by_user_id": actor.user_id,
        "remote_data": dict(answer.raw),
        "remote_deleted_at": None,
        "updated_at": now,
    }
    if stored_id is not None:  # a sync stored it first
        await session.execute(
            sa.update(OnboardingTask).where(OnboardingTask.id == stored_id).values(values)
        )
        return stored_id
    row = OnboardingTask(
        tenant_id=target.tenant_id,
        integration_id=target.integration_id,
        remote_id=remote_id,
        created_at=now,
        **values,
    )
    session.add(row)
    await session.flush()
    return row.id


def _announce_task(
    session: AsyncSession,
    target: Target,
    draft: OnboardingTaskDraft,
    task_id: int,
    remote_id: str,
    actor: Actor,
) -> Event:
    """The created task's activity; returns its event."""
    record_activity(
        session,
        actor,
        action="onboarding_task.created",
        subject_type="OnboardingTask",
        subject_id=task_id,
        description=f"Created the onboarding task {draft.title}",
        job_id=target.job_id,
        candidate_id=target.candidate_id,
        application_id=target.id,
        details={"remoteId": remote_id, **_draft_request(draft)},
    )
    return onboarding_task_created(
        target.tenant_id,
        task_id=task_id,
        remote_id=remote_id,
        application_id=target.id,
        candidate_id=target.candidate_id,
        title=draft.title,
        status=str(OnboardingTaskStatus.PENDING),
    )


async def _store_tasks(
    session: AsyncSession,
    target: Target,
    drafts: Sequence[OnboardingTaskDraft],
    created: Sequence[WriteResult],
    actor: Actor,
) -> LocalChange:
    ids: dict[str, int] = {"application": target.id}
    events: list[Event] = []
    remote_ids = [created_id(answer, "onboarding task") for answer in created]
    rows = await session.execute(
        sa.select(OnboardingTask.remote_id, OnboardingTask.id).where(
            OnboardingTask.integration_id == target.integration_id,
            OnboardingTask.remote_id.in_(remote_ids),
        )
    )
    stored: dict[str | None, int] = {row.remote_id: row.id for row in rows}
    for index, (draft, answer) in enumerate(zip(drafts, created, strict=True)):
        remote_id = remote_ids[index]
        found = await _store_task(
            session, target, draft, answer, remote_id, stored.get(remote_id), actor
        )
        ids[f"{TASK_KEY}{index}"] = found
        events.append(_announce_task(session, target, draft, found, remote_id, actor))
    return LocalChange(ids, events)


async def create_tasks(
    deps: WriteDeps,
    principal: Principal,
    *,
    application_id: int,
    tasks: Sequence[NewTask],
    idempotency_key: str | None,
) -> Written:
    if not 1 <= len(tasks) <= MAX_TASKS:
        raise ValidationFailed("tasks", f"send 1 to {MAX_TASKS} tasks")
    today = utcnow().date()
    drafts = [task.checked(index, today) for index, task in enumerate(tasks)]
    target = await load_application(deps, principal, application_id)
    require_open(target)
    created: list[WriteResult] = []

    async def remote(connector: ConnectorBase, attribution: Attribution | None) -> WriteResult:
        acting = acting_as(attribution, target.integration_id, target.integration_name)
        results = await connector.create_onboarding_tasks(target.remote_id, drafts, acting)
        if len(results) != len(drafts):
            raise InvalidResponseError(f"{len(drafts)} tasks sent, {len(results)} answered")
        created[:] = results
        return WriteResult(raw={"tasks": [dict(result.raw) for result in results]})

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        return await _store_tasks(session, target, drafts, created, actor)

    return await write_back(
        deps,
        principal,
        integration_id=target.integration_id,
        operation="onboardingTaskCreate",
        capability=Capability.ONBOARDING_WRITE,
        request={
            "applicationId": application_id,
            "tasks": [_draft_request(draft) for draft in drafts],
        },
        idempotency_key=idempotency_key,
        remote=remote,
        local=local,
    )


@dataclass(frozen=True, slots=True)
class _Reviewed:
    """A synced task of the caller's tenant, as its review needs it."""

    id: int
    tenant_id: int
    integration_id: int
    integration_name: str
    remote_id: str
    status: OnboardingTaskStatus
    title: str
    application_id: int | None
    candidate_id: int | None


async def _reviewable(deps: HasSessions, principal: Principal, task_id: int) -> _Reviewed:
    async with deps.session_factory() as session:
        row = (
            await session.execute(
                sa.select(OnboardingTask, Integration.name)
                .outerjoin(Integration, Integration.id == OnboardingTask.integration_id)
                .where(OnboardingTask.id == task_id)
            )
        ).first()
    if row is None or row[0].tenant_id != principal.tenant_id:
        raise NotFound("OnboardingTask", task_id)
    task: OnboardingTask = row[0]
    if task.integration_id is None or not task.remote_id:
        raise ValidationFailed("taskId", "this task was not synced from a source system")
    if task.remote_deleted_at is not None:
        raise ValidationFailed("taskId", "this task was deleted in its source")
    return _Reviewed(
        task_id,
        task.tenant_id,
        task.integration_id,
        row[1] or "",
        task.remote_id,
        task.status,
        task.title,
        task.application_id,
        task.candidate_id,
    )


async def _record_review(
    session: AsyncSession,
    task: _Reviewed,
    decided: OnboardingTaskStatus,
    notes: str | None,
    result: WriteResult,
    actor: Actor,
) -> Event:
    """The decision stored on the task, and its activity; returns its event."""
    now = utcnow()
    await session.execute(
        sa.update(OnboardingTask)
        .where(OnboardingTask.id == task.id)
        .values(
            status=decided,
            reviewed_by_user_id=actor.user_id,
            reviewed_at=now,
            review_notes=notes,
            remote_data=dict(result.raw.get("task") or result.raw),
            updated_at=now,
        )
    )
    verb = "Approved" if decided is OnboardingTaskStatus.APPROVED else "Rejected"
    record_activity(
        session,
        actor,
        action=f"onboarding_task.{decided}",
        subject_type="OnboardingTask",
        subject_id=task.id,
        description=f"{verb} the onboarding task {task.title}",
        candidate_id=task.candidate_id,
        application_id=task.application_id,
        details={"remoteId": task.remote_id, "from": str(task.status), "notes": notes},
    )
    return onboarding_task_updated(
        task.tenant_id,
        task_id=task.id,
        remote_id=task.remote_id,
        application_id=task.application_id,
        candidate_id=task.candidate_id,
        status=str(decided),
        previous_status=str(task.status),
    )


async def review_task(
    deps: WriteDeps,
    principal: Principal,
    *,
    task_id: int,
    approve: bool,
    notes: str | None,
    idempotency_key: str | None,
) -> Written:
    text = optional_paragraph("notes", notes, max_length=MAX_NOTES_LENGTH)
    task = await _reviewable(deps, principal, task_id)
    decided = OnboardingTaskStatus.APPROVED if approve else OnboardingTaskStatus.REJECTED

    async def remote(connector: ConnectorBase, attribution: Attribution | None) -> WriteResult:
        if task.status is decided:
            raise ValidationFailed("decision", f"the task is already {decided}")
        acting = acting_as(attribution, task.integration_id, task.integration_name)
        return await connector.review_onboarding_task(task.remote_id, approve, acting, text)

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        event = await _record_review(session, task, decided, text, result, actor)
        return LocalChange({"task": task_id}, [event])

    return await write_back(
        deps,
        principal,
        integration_id=task.integration_id,
        operation="onboardingTaskReview",
        capability=Capability.ONBOARDING_WRITE,
        request={"taskId": task_id, "approve": approve, "notes": text},
        idempotency_key=idempotency_key,
        remote=remote,
        local=local,
    )
