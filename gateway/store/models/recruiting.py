"""The recruiting records mirrored from an ATS: requisitions (jobs), candidates,
applications and their pipeline, offers and onboarding tasks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.base import Base, JSONValue, Synced, TenantOwned, Timestamped, enum_column
from gateway.store.enums import (
    ApplicationStatus,
    JobStatus,
    OfferStatus,
    OnboardingTaskStatus,
    ProcessingStatus,
    StageKind,
)


class Job(TenantOwned, Synced, Timestamped, Base):
    """A requisition. The ATS owns its metadata; the gateway owns the local fields
    (``is_active`` onwards) and what it computes (``rank``, ``score``)."""

    __tablename__ = "jobs"

    title: Mapped[str] = mapped_column(sa.String(512))
    description: Mapped[str | None] = mapped_column(sa.Text)
    detailed_description: Mapped[str | None] = mapped_column(sa.Text)
    location: Mapped[str | None] = mapped_column(sa.String(255))
    department: Mapped[str | None] = mapped_column(sa.String(255))
    employment_type: Mapped[str | None] = mapped_column(sa.String(64))
    client_name: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.OPEN)
    remote_status: Mapped[str | None] = mapped_column(sa.String(128))
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    estimated_fee: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    custom_fields: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    """The source's custom fields, name -> value (``RemoteRecord.custom_fields``); null
    for a record not synced since they were kept."""

    recruiter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    auto_send_interview: Mapped[bool] = mapped_column(default=False)
    auto_send_on_status: Mapped[str | None] = mapped_column(sa.String(128))
    interview_instructions: Mapped[str | None] = mapped_column(sa.Text)
    min_check_interval: Mapped[int] = mapped_column(default=15)
    lookback_hours: Mapped[int | None]
    last_checked_at: Mapped[datetime | None]
    """When the automation last checked the requisition (``gateway.services.automation``)."""
    rank: Mapped[int | None]
    rank_written: Mapped[int | None]
    """The rank last written back to the ATS (a job custom field), to write only changes."""
    score: Mapped[float | None]
    """0 to 100, from the tenant's weighted signals (``gateway.services.scoring``); None
    for a job that is not ranked."""
    score_breakdown: Mapped[dict[str, Any] | None]
    """Each signal's value, weight and points behind ``score``."""
    score_written: Mapped[float | None]
    """The score last written back to the ATS (a job custom field), to write only changes."""


class Candidate(TenantOwned, Synced, Timestamped, Base):
    __tablename__ = "candidates"

    first_name: Mapped[str | None] = mapped_column(sa.String(255))
    last_name: Mapped[str | None] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(512))
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(64))
    location: Mapped[str | None] = mapped_column(sa.String(255))
    headline: Mapped[str | None] = mapped_column(sa.String(512))
    source: Mapped[str | None] = mapped_column(sa.String(128))
    resume_url: Mapped[str | None] = mapped_column(sa.String(2048))
    resume_text: Mapped[str | None] = mapped_column(sa.Text)
    tags: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    custom_fields: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    """The source's custom fields, name -> value (``RemoteRecord.custom_fields``); null
    for a record not synced since they were kept."""
    documents: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONValue)
    """The files the source keeps for the person, with their links
    (``RemoteCandidate.documents``: url, name, kind, contentType); null until synced."""

    resume_source: Mapped[str | None] = mapped_column(sa.String(64))
    """Fingerprint of the ``resume_url`` last downloaded (or tried), signing parameters
    left out (``connectors.resumes.source_fingerprint``): a presigned link re-signed on
    every listing is the same resume, a new path is a new one."""
    resume_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    """SHA-256 of the file ``resume_text`` was extracted from."""
    resume_fetched_at: Mapped[datetime | None]
    resume_checked_at: Mapped[datetime | None]
    """The last download attempt, successful or not."""
    resume_error: Mapped[str | None] = mapped_column(sa.String(500))
    """Why the last download or extraction failed; ``None`` after a success."""
    resume_failures: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    """Failed attempts in a row since the last success: spaces out the retries."""


class PipelineStage(TenantOwned, Synced, Base):
    """A named stage of an ATS pipeline; ``kind`` says what the stage means."""

    __tablename__ = "pipeline_stages"

    name: Mapped[str] = mapped_column(sa.String(255))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[StageKind] = mapped_column(enum_column(StageKind), default=StageKind.OTHER)


class Application(TenantOwned, Synced, Timestamped, Base):
    """A candidate in a job's pipeline."""

    __tablename__ = "applications"

    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.ACTIVE
    )
    current_stage_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pipeline_stages.id", ondelete="SET NULL")
    )
    stage_entered_at: Mapped[datetime | None]
    applied_at: Mapped[datetime | None]
    rejected_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    custom_fields: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    """The source's custom fields, name -> value (``RemoteRecord.custom_fields``); null
    for a record not synced since they were kept."""
    released_at: Mapped[datetime | None]
    hired_at: Mapped[datetime | None]
    risk_score: Mapped[float | None]
    human_requested: Mapped[bool] = mapped_column(default=False)
    compliance_review: Mapped[bool] = mapped_column(default=False)
    processing_status: Mapped[ProcessingStatus] = mapped_column(
        enum_column(ProcessingStatus),
        default=ProcessingStatus.NEW,
        server_default=ProcessingStatus.NEW.value,
    )
    """The gateway's work on it, kept by ``gateway.services.processing``; an application
    that is not active reads as COMPLETE whatever this holds (``effective_status``)."""


class StageTransition(TenantOwned, Base):
    """One move of an application from a stage to another."""

    __tablename__ = "stage_transitions"
    __table_args__ = (
        sa.Index("ix_stage_transitions_application_entered", "application_id", "entered_at"),
    )

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    from_stage_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pipeline_stages.id", ondelete="SET NULL")
    )
    to_stage_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pipeline_stages.id", ondelete="SET NULL")
    )
    from_stage_name: Mapped[str | None] = mapped_column(sa.String(255))
    to_stage_name: Mapped[str] = mapped_column(sa.String(255))
    entered_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    moved_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    moved_by_name: Mapped[str | None] = mapped_column(sa.String(255))
    integration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("integrations.id", ondelete="SET NULL")
    )
    remote_key: Mapped[str | None] = mapped_column(sa.String(255))


class Offer(TenantOwned, Synced, Timestamped, Base):
    __tablename__ = "offers"

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[OfferStatus] = mapped_column(enum_column(OfferStatus), default=OfferStatus.DRAFT)
    salary: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    sent_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class OnboardingTask(TenantOwned, Synced, Timestamped, Base):
    __tablename__ = "onboarding_tasks"

    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(512))
    description: Mapped[str | None] = mapped_column(sa.Text)
    task_type: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[OnboardingTaskStatus] = mapped_column(
        enum_column(OnboardingTaskStatus), default=OnboardingTaskStatus.PENDING
    )
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    review_notes: Mapped[str | None] = mapped_column(sa.Text)
