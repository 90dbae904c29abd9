"""Value sets stored as strings; GraphQL exposes them as UPPER_CASE enums."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    RECRUITER = "recruiter"
    READONLY = "readonly"


class Provider(StrEnum):
    RECRUITERFLOW = "recruiterflow"
    JOBVITE = "jobvite"
    WORKDAY = "workday"
    BPOC = "bpoc"
    GREENHOUSE = "greenhouse"
    LEVER = "lever"


class MappedEntity(StrEnum):
    """The common-model records a tenant's field mappings apply to."""

    JOB = "job"
    CANDIDATE = "candidate"
    APPLICATION = "application"


class IntegrationEnvironment(StrEnum):
    STAGE = "stage"
    PROD = "prod"


class AuthType(StrEnum):
    API_KEY = "api_key"
    HMAC = "hmac"
    OAUTH2 = "oauth2"


class SignatureScheme(StrEnum):
    """How an outbound webhook subscription's deliveries are signed
    (``gateway.webhook_signature``)."""

    STANDARD_WEBHOOKS = "standard_webhooks"
    INTEGRATION_FRAMEWORK = "integration_framework"


class IntegrationStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    ERROR = "error"
    INACTIVE = "inactive"


class JobStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    ON_HOLD = "on_hold"
    CLOSED = "closed"
    ARCHIVED = "archived"


class StageKind(StrEnum):
    APPLIED = "applied"
    SCREEN = "screen"
    INTERVIEW = "interview"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    OTHER = "other"


_STAGE_WORDS: tuple[tuple[str, StageKind], ...] = (
    ("hire", StageKind.HIRED),
    ("placed", StageKind.HIRED),
    ("reject", StageKind.REJECTED),
    ("disqualif", StageKind.REJECTED),
    ("offer", StageKind.OFFER),
    ("interview", StageKind.INTERVIEW),
    ("screen", StageKind.SCREEN),
    ("review", StageKind.SCREEN),
    ("appl", StageKind.APPLIED),
    ("new", StageKind.APPLIED),
    ("sourced", StageKind.APPLIED),
)


def stage_kind_of(name: str) -> StageKind:
    """What a stage name means, from the words in it: "Client Interview" -> INTERVIEW."""
    lowered = name.lower()
    return next((kind for word, kind in _STAGE_WORDS if word in lowered), StageKind.OTHER)


UNLISTED_STAGE_POSITION = 1_000
"""Positions of stages the source's own stage list does not place start here."""

_KIND_ORDER = tuple(StageKind)


def unlisted_position(kind: StageKind) -> int:
    """Where a stage nobody placed goes: after every stage the source lists, by what it
    means (applied, screen, interview, offer, hired, rejected, other)."""
    return UNLISTED_STAGE_POSITION + 100 * _KIND_ORDER.index(kind)


class ApplicationStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    REJECTED = "rejected"
    HIRED = "hired"
    WITHDRAWN = "withdrawn"


class ProcessingStatus(StrEnum):
    """How far the gateway's own work on an application has come
    (``gateway.services.processing`` keeps it and says exactly when each holds)."""

    NEW = "new"
    ANALYZING = "analyzing"
    ANALYZED = "analyzed"
    COMPLETE = "complete"


class InterviewKind(StrEnum):
    SELF_SERVICE = "self_service"
    SCHEDULED = "scheduled"


class InterviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class MessageRole(StrEnum):
    SYSTEM = "system"
    ASSISTANT = "assistant"
    CANDIDATE = "candidate"
    RECRUITER = "recruiter"


class OfferStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class OnboardingTaskStatus(StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class ActorType(StrEnum):
    USER = "user"
    SYNC = "sync"
    WEBHOOK = "webhook"
    SYSTEM = "system"


class PromptType(StrEnum):
    RESUME_ANALYSIS = "resume_analysis"
    INTERVIEW = "interview"
    EVALUATION = "evaluation"
    INTERVIEW_EMAIL = "interview_email"


class WebhookEventStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    RETRYING = "retrying"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERING = "delivering"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class SyncKind(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"
    JOB = "job"


class SyncStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIALLY_FAILED = "partially_failed"
    AUTHENTICATION_FAILED = "authentication_failed"
    CANCELLED = "cancelled"


class BackgroundJobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD = "dead"


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return list(LogLevel).index(self)
