"""The operational log: what the gateway's own work did (syncs, processing, deliveries,
automation), for the people running it. Unlike ``activities``, the audit trail of who
changed what, it holds warnings and failures, and it is pruned by age."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.base import Base, JSONValue, TenantOwned, enum_column, utcnow
from gateway.store.enums import LogLevel


class OperationalLog(TenantOwned, Base):
    __tablename__ = "operational_logs"
    __table_args__ = (
        sa.Index("ix_operational_logs_tenant_created", "tenant_id", "created_at"),
        sa.Index("ix_operational_logs_created", "created_at"),
    )

    level: Mapped[LogLevel] = mapped_column(enum_column(LogLevel))
    source: Mapped[str] = mapped_column(sa.String(64))
    message: Mapped[str] = mapped_column(sa.Text)
    job_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="SET NULL"), index=True
    )
    extra: Mapped[dict[str, Any]] = mapped_column(JSONValue, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
