"""The audit timeline: who did what to which record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.base import Base, JSONValue, TenantOwned, enum_column, utcnow
from gateway.store.enums import ActorType


class Activity(TenantOwned, Base):
    __tablename__ = "activities"
    __table_args__ = (sa.Index("ix_activities_tenant_created", "tenant_id", "created_at"),)

    action: Mapped[str] = mapped_column(sa.String(64))
    actor_type: Mapped[ActorType] = mapped_column(enum_column(ActorType))
    actor_id: Mapped[str | None] = mapped_column(sa.String(255))
    actor_name: Mapped[str | None] = mapped_column(sa.String(255))
    subject_type: Mapped[str] = mapped_column(sa.String(64))
    subject_id: Mapped[int | None]
    job_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    candidate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("candidates.id", ondelete="SET NULL"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any]] = mapped_column("metadata", JSONValue, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
