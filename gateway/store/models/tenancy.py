"""Tenants, their users (recruiters are users), links to remote recruiter ids, settings."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.base import Base, PrimaryKey, TenantOwned, Timestamped, enum_column, utcnow
from gateway.store.enums import Role

TOKEN_VERSION_NEW_USER = 1


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(PrimaryKey, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(TenantOwned, Timestamped, Base):
    """A person who signs in; recruiters are users with a recruiter's contact details."""

    __tablename__ = "users"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "email"),)

    email: Mapped[str] = mapped_column(sa.String(320))
    name: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.RECRUITER)
    phone: Mapped[str | None] = mapped_column(sa.String(64))
    title: Mapped[str | None] = mapped_column(sa.String(255))
    public_contact_info: Mapped[str | None] = mapped_column(sa.Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    token_version: Mapped[int] = mapped_column(
        default=TOKEN_VERSION_NEW_USER, server_default=sa.text("0")
    )
    """Only tokens carrying this version act as the user; raising it revokes every
    token issued before. Users that existed before versions did are at 0, the version of
    tokens without one; users created since start at 1."""


class RecruiterLink(TenantOwned, Base):
    """The remote id (e.g. a BPOC recruiter UUID) a user acts as in one integration."""

    __tablename__ = "recruiter_links"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "integration_id"),
        sa.UniqueConstraint("integration_id", "remote_id"),
    )

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    integration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("integrations.id", ondelete="CASCADE")
    )
    remote_id: Mapped[str] = mapped_column(sa.String(255))
    remote_email: Mapped[str | None] = mapped_column(sa.String(320))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class TenantSettings(Base):
    """One row per tenant of the knobs an admin can turn."""

    __tablename__ = "settings"

    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    lookback_hours_default: Mapped[int] = mapped_column(default=24)
    lookback_hours_min: Mapped[int] = mapped_column(default=1)
    lookback_hours_max: Mapped[int] = mapped_column(default=168)
    interview_token_expiry_days: Mapped[int] = mapped_column(default=7)
    email_from_address: Mapped[str | None] = mapped_column(sa.String(320))
    email_from_name: Mapped[str | None] = mapped_column(sa.String(255))
    default_recruiter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    stale_stage_days: Mapped[int] = mapped_column(default=14)
    rank_custom_field: Mapped[str | None] = mapped_column(sa.String(255))
    score_custom_field: Mapped[str | None] = mapped_column(sa.String(255))
    score_weight_fee: Mapped[int] = mapped_column(default=40, server_default=sa.text("40"))
    score_weight_pipeline: Mapped[int] = mapped_column(default=25, server_default=sa.text("25"))
    score_weight_time_open: Mapped[int] = mapped_column(default=15, server_default=sa.text("15"))
    score_weight_analysis: Mapped[int] = mapped_column(default=20, server_default=sa.text("20"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
