"""The common model every connector maps to: frozen, typed, provider-neutral.

Every record keeps the provider's raw payload (``raw``) and the remote update time,
so the store can detect changes by content and keep what the ATS sent verbatim.
Status values use the store's vocabulary as plain strings (``"open"``, ``"rejected"``)
so this package depends on nothing else in the project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

JobState = Literal["draft", "open", "on_hold", "closed", "archived"]
ApplicationState = Literal["active", "released", "rejected", "hired", "withdrawn"]
StageKind = Literal["applied", "screen", "interview", "offer", "hired", "rejected", "other"]
InterviewState = Literal[
    "scheduled", "in_progress", "completed", "abandoned", "expired", "cancelled"
]
TaskState = Literal["pending", "submitted", "approved", "rejected"]

Raw = Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteRecord:
    remote_id: str
    raw: Raw = field(repr=False, compare=False)
    remote_updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteJob(RemoteRecord):
    title: str
    status: JobState = "open"
    remote_status: str | None = None
    description: str | None = None
    location: str | None = None
    department: str | None = None
    employment_type: str | None = None
    client_name: str | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    estimated_fee: Decimal | None = None
    currency: str | None = None
    recruiter_remote_id: str | None = None
    """The job's owner: the source's user id (or, where it has none, their email)."""
    recruiter_email: str | None = None
    """The owner's email where the source gives it: finds them where no link does."""
    custom_fields: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """The source's custom fields of the record, name -> plain JSON value (``{}`` when
    it has none): read by ``connectors.custom_fields``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteCandidate(RemoteRecord):
    name: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    location: str | None = None
    headline: str | None = None
    source: str | None = None
    resume_url: str | None = None
    tags: tuple[str, ...] = ()
    created_at: datetime | None = None
    custom_fields: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """The source's custom fields of the record, name -> plain JSON value (``{}`` when
    it has none): read by ``connectors.custom_fields``."""
    documents: tuple[RemoteDocument, ...] = ()
    """Every file the source keeps for the person (resume, cover letter, certificates)
    that it gives a link to; ``resume_url`` is the one the analysis reads."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteDocument:
    url: str
    name: str | None = None
    kind: str | None = None
    """As the source labels it (``resume``, ``Cover Letter``...)."""
    content_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteStage:
    remote_id: str
    name: str
    position: int = 0
    kind: StageKind = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class RemotePerson:
    """Who did something on the remote side, as far as the provider tells."""

    remote_id: str | None = None
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteStageTransition:
    to_stage: str
    entered_at: datetime
    from_stage: str | None = None
    left_at: datetime | None = None
    moved_by: RemotePerson | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteApplication(RemoteRecord):
    job_remote_id: str
    candidate_remote_id: str
    status: ApplicationState = "active"
    current_stage: str | None = None
    applied_at: datetime | None = None
    rejected_at: datetime | None = None
    rejection_reason: str | None = None
    transitions: tuple[RemoteStageTransition, ...] = ()
    custom_fields: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """The source's custom fields of the record, name -> plain JSON value (``{}`` when
    it has none): read by ``connectors.custom_fields``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteInterview(RemoteRecord):
    application_remote_id: str | None
    interview_type: str | None = None
    status: InterviewState = "scheduled"
    scheduled_at: datetime | None = None
    interviewer_remote_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteUser(RemoteRecord):
    email: str | None
    name: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteOnboardingTask(RemoteRecord):
    title: str
    application_remote_id: str | None = None
    candidate_remote_id: str | None = None
    description: str | None = None
    task_type: str | None = None
    status: TaskState = "pending"
    due_date: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteActivity(RemoteRecord):
    kind: str
    description: str | None = None
    occurred_at: datetime | None = None
    candidate_remote_id: str | None = None
    job_remote_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteCustomField:
    remote_id: str
    name: str
    field_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribution:
    """The recruiter a write is done as: their id in the remote system."""

    remote_id: str
    email: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteResult:
    """What the provider answered to a write; ``remote_id`` of what it created, if any."""

    remote_id: str | None = None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class JobDraft:
    title: str
    description: str | None = None
    client_remote_id: str | None = None
    location: str | None = None
    employment_type: str | None = None
    requirements: tuple[str, ...] = ()
    salary_min: Decimal | None = None
    salary_max: Decimal | None = None
    currency: str | None = None
    extra: Raw = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewRequest:
    application_remote_id: str
    interview_type: str
    scheduled_at: datetime
    interviewer: Attribution | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OnboardingTaskDraft:
    title: str
    description: str | None = None
    task_type: str | None = None
    due_date: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordFailure:
    """A record the connector read but could not map: it is skipped, not the read.

    ``entity`` is the sync phase (``"jobs"``, ``"candidates"``, ``"applications"``,
    ``"interviews"``, ``"onboarding_tasks"``, ``"users"``, ``"activities"``)."""

    entity: str
    remote_id: str | None
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    ok: bool
    detail: str = ""
