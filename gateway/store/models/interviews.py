"""Interviews (AI self-service chats and scheduled rounds), their messages and
evaluations, resume analyses, and the prompts and personas that shape them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.base import (
    Base,
    JSONValue,
    Synced,
    TenantOwned,
    Timestamped,
    enum_column,
    utcnow,
)
from gateway.store.enums import InterviewKind, InterviewStatus, MessageRole, PromptType


class Persona(TenantOwned, Timestamped, Base):
    __tablename__ = "personas"

    name: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text)
    system_prompt_template: Mapped[str] = mapped_column(sa.Text)
    is_default: Mapped[bool] = mapped_column(default=False)


class Prompt(TenantOwned, Timestamped, Base):
    __tablename__ = "prompts"

    name: Mapped[str] = mapped_column(sa.String(255))
    prompt_type: Mapped[PromptType] = mapped_column(enum_column(PromptType))
    template_content: Mapped[str] = mapped_column(sa.Text)
    schema_content: Mapped[str | None] = mapped_column(sa.Text)
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    is_default: Mapped[bool] = mapped_column(default=False)


class Interview(TenantOwned, Synced, Timestamped, Base):
    __tablename__ = "interviews"

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    persona_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("personas.id", ondelete="SET NULL")
    )
    kind: Mapped[InterviewKind] = mapped_column(
        enum_column(InterviewKind), default=InterviewKind.SELF_SERVICE
    )
    interview_type: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[InterviewStatus] = mapped_column(
        enum_column(InterviewStatus), default=InterviewStatus.SCHEDULED
    )
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    scheduled_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    human_requested: Mapped[bool] = mapped_column(default=False)
    interviewer_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    scheduled_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    invite_sent_at: Mapped[datetime | None]


class InterviewMessage(TenantOwned, Base):
    __tablename__ = "interview_messages"
    __table_args__ = (sa.Index("ix_interview_messages_interview_seq", "interview_id", "sequence"),)

    interview_id: Mapped[int] = mapped_column(sa.ForeignKey("interviews.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    role: Mapped[MessageRole] = mapped_column(enum_column(MessageRole))
    content: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Evaluation(TenantOwned, Base):
    """The scored verdict on a completed interview (scores 1-10, overall 0-100)."""

    __tablename__ = "evaluations"

    interview_id: Mapped[int] = mapped_column(
        sa.ForeignKey("interviews.id", ondelete="CASCADE"), unique=True
    )
    reliability_score: Mapped[int | None]
    accountability_score: Mapped[int | None]
    professionalism_score: Mapped[int | None]
    communication_score: Mapped[int | None]
    technical_score: Mapped[int | None]
    growth_potential_score: Mapped[int | None]
    overall_score: Mapped[int | None]
    summary: Mapped[str | None] = mapped_column(sa.Text)
    strengths: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    weaknesses: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    red_flags: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    recommendation: Mapped[str | None] = mapped_column(sa.String(64))
    next_interview_focus: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    model: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Analysis(TenantOwned, Base):
    """A resume analysis of one application; the newest one is current."""

    __tablename__ = "analyses"
    __table_args__ = (sa.Index("ix_analyses_application_created", "application_id", "created_at"),)

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    risk_score: Mapped[float | None]
    relevance_summary: Mapped[str | None] = mapped_column(sa.Text)
    pros: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    cons: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    red_flags: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    suggested_questions: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    compliance_flags: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    model: Mapped[str | None] = mapped_column(sa.String(128))
    prompt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("prompts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
