"""Jobvite onboarding processes and tasks: their shapes, tasks as
``RemoteOnboardingTask``, and the body that creates one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NotRequired, TypedDict

from connectors.errors import MappingError
from connectors.lenient import identifier, mapping, required, text, timestamp
from connectors.models import Attribution, OnboardingTaskDraft, RemoteOnboardingTask, TaskState


class OnboardingPersonRaw(TypedDict, total=False):
    userId: str
    email: str | None


class OnboardingProcessRaw(TypedDict):
    id: str
    candidateId: NotRequired[str | None]
    applicationId: NotRequired[str | None]
    jobId: NotRequired[str | None]
    status: NotRequired[str | None]
    hireDate: NotRequired[str | None]
    firstName: NotRequired[str | None]
    lastName: NotRequired[str | None]
    email: NotRequired[str | None]
    lastUpdatedDate: NotRequired[int | None]


class OnboardingTaskRaw(TypedDict):
    id: str
    processId: str
    name: NotRequired[str | None]
    description: NotRequired[str | None]
    type: NotRequired[str | None]
    status: NotRequired[str | None]
    dueDate: NotRequired[str | int | None]
    notes: NotRequired[str | None]
    createdBy: NotRequired[OnboardingPersonRaw | None]
    completedBy: NotRequired[OnboardingPersonRaw | None]
    reviewedBy: NotRequired[OnboardingPersonRaw | None]
    lastUpdatedDate: NotRequired[int | None]


_TASK_STATES: dict[str, TaskState] = {
    "pending": "pending",
    "new": "pending",
    "not started": "pending",
    "assigned": "pending",
    "active": "pending",
    "open": "pending",
    "in progress": "pending",
    "completed": "submitted",
    "complete": "submitted",
    "submitted": "submitted",
    "done": "submitted",
    "approved": "approved",
    "rejected": "rejected",
    "declined": "rejected",
}


def task_state(status: str | None) -> TaskState:
    """``task_state("Completed")`` -> ``"submitted"``: done by the new hire, awaiting review."""
    return _TASK_STATES.get((status or "").strip().lower(), "pending")


UNTITLED_TASK = "(untitled task)"


def task_from_raw(
    raw: OnboardingTaskRaw | Mapping[str, Any],
    process: OnboardingProcessRaw | Mapping[str, Any] | None = None,
) -> RemoteOnboardingTask:
    """One task; ``process`` (its onboarding process) tells which hire it belongs to.
    A task without an id is a ``MappingError``; one without a name is kept as
    ``UNTITLED_TASK``; ``dueDate`` may be ISO text or epoch milliseconds."""
    if not isinstance(raw, Mapping):
        raise MappingError("an onboarding task that is not an object", entity="onboarding_tasks")
    hire = mapping(process)
    return RemoteOnboardingTask(
        remote_id=required(identifier(raw.get("id")), "an id", entity="onboarding_tasks", raw=raw),
        raw=raw,
        remote_updated_at=timestamp(raw.get("lastUpdatedDate"), epoch_unit="ms"),
        title=text(raw.get("name")) or text(raw.get("title")) or UNTITLED_TASK,
        application_remote_id=identifier(hire.get("applicationId")),
        candidate_remote_id=identifier(hire.get("candidateId")),
        description=text(raw.get("description")),
        task_type=text(raw.get("type")),
        status=task_state(text(raw.get("status"))),
        due_date=_due_date(raw.get("dueDate")),
    )


def _due_date(value: object) -> date | None:
    moment = timestamp(value, epoch_unit="ms")
    return moment.date() if moment is not None else None


def acting_person(attribution: Attribution) -> OnboardingPersonRaw:
    person: OnboardingPersonRaw = {"userId": attribution.remote_id}
    if attribution.email:
        person["email"] = attribution.email
    return person


def task_payload(
    process_id: str, draft: OnboardingTaskDraft, attribution: Attribution
) -> dict[str, Any]:
    """The create body for one draft, the acting recruiter as ``createdBy``."""
    payload: dict[str, Any] = {
        "processId": process_id,
        "name": draft.title,
        "createdBy": acting_person(attribution),
    }
    if draft.description is not None:
        payload["description"] = draft.description
    if draft.task_type is not None:
        payload["type"] = draft.task_type
    if draft.due_date is not None:
        payload["dueDate"] = draft.due_date.isoformat()
    return payload
