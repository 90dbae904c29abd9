"""Integrations with external systems and the machinery around them: webhooks in and
out, sync runs, and the background job records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.base import Base, JSONValue, TenantOwned, Timestamped, enum_column, utcnow
from gateway.store.enums import (
    AuthType,
    BackgroundJobStatus,
    DeliveryStatus,
    IntegrationEnvironment,
    IntegrationStatus,
    Provider,
    SignatureScheme,
    SyncKind,
    SyncStatus,
    WebhookEventStatus,
)


class Integration(TenantOwned, Timestamped, Base):
    """One connection to one external system. Secrets are stored encrypted only."""

    __tablename__ = "integrations"

    provider: Mapped[Provider] = mapped_column(enum_column(Provider))
    name: Mapped[str] = mapped_column(sa.String(255))
    environment: Mapped[IntegrationEnvironment] = mapped_column(
        enum_column(IntegrationEnvironment), default=IntegrationEnvironment.PROD
    )
    auth_type: Mapped[AuthType] = mapped_column(enum_column(AuthType), default=AuthType.API_KEY)
    credentials_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    credentials_hint: Mapped[str | None] = mapped_column(sa.String(64))
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    config: Mapped[dict[str, Any]] = mapped_column(JSONValue, default=dict)
    external_account_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    status: Mapped[IntegrationStatus] = mapped_column(
        enum_column(IntegrationStatus), default=IntegrationStatus.PENDING
    )
    sync_interval_minutes: Mapped[int] = mapped_column(default=30)
    full_sync_interval_minutes: Mapped[int] = mapped_column(default=24 * 60)
    sync_cursor: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    last_sync_at: Mapped[datetime | None]
    last_successful_sync_at: Mapped[datetime | None]
    last_health_check_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_error_at: Mapped[datetime | None]
    webhook_failures_alerted_at: Mapped[datetime | None]
    """When its inbound webhook failures last raised an alert; the next waits a window
    (``gateway.services.failure_alerts``)."""


class WebhookEvent(TenantOwned, Base):
    """A verified inbound delivery, stored raw before it is acknowledged."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        sa.UniqueConstraint("integration_id", "delivery_id"),
        sa.Index("ix_webhook_events_body_hash", "integration_id", "body_sha256", "received_at"),
        sa.Index("ix_webhook_events_tenant_received", "tenant_id", "received_at"),
        sa.Index("ix_webhook_events_due", "status", "next_attempt_at"),
    )

    integration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("integrations.id", ondelete="CASCADE")
    )
    provider: Mapped[Provider] = mapped_column(enum_column(Provider))
    delivery_id: Mapped[str | None] = mapped_column(sa.String(255))
    body_sha256: Mapped[str] = mapped_column(sa.String(64))
    event_type: Mapped[str | None] = mapped_column(sa.String(128))
    headers: Mapped[dict[str, Any]] = mapped_column(JSONValue, default=dict)
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    status: Mapped[WebhookEventStatus] = mapped_column(
        enum_column(WebhookEventStatus), default=WebhookEventStatus.RECEIVED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    """What processing did: the refetches, the records written, or why it was ignored."""
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None]
    """When a received or retrying event is due; the sweeper hands on due events."""
    claimed_until: Mapped[datetime | None]
    """While processing: the claim's expiry; a later sweep takes over a dead claim."""
    processed_at: Mapped[datetime | None]


class WebhookSubscription(TenantOwned, Timestamped, Base):
    """An outbound endpoint that receives the tenant's events, signed."""

    __tablename__ = "webhook_subscriptions"

    name: Mapped[str] = mapped_column(sa.String(255))
    url: Mapped[str] = mapped_column(sa.String(2048))
    events: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    secret_encrypted: Mapped[str] = mapped_column(sa.Text)
    retry_attempts: Mapped[int] = mapped_column(default=3)
    timeout_ms: Mapped[int] = mapped_column(default=30_000)
    is_active: Mapped[bool] = mapped_column(default=True)
    signature_scheme: Mapped[SignatureScheme] = mapped_column(
        enum_column(SignatureScheme),
        default=SignatureScheme.STANDARD_WEBHOOKS,
        server_default=SignatureScheme.STANDARD_WEBHOOKS.value,
    )
    """How deliveries are signed (``gateway.webhook_signature``); the secret fits it."""
    failures_alerted_at: Mapped[datetime | None]
    """When its failed deliveries last raised an alert; the next waits a window
    (``gateway.services.failure_alerts``)."""


class WebhookDelivery(TenantOwned, Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_sub_created", "subscription_id", "created_at"),
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(sa.String(64))
    message_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempt: Mapped[int] = mapped_column(default=0)
    status_code: Mapped[int | None]
    duration_ms: Mapped[int | None]
    response_excerpt: Mapped[str | None] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    """When it gave up (status ``failed``); what the failure alert counts."""
    traceparent: Mapped[str | None] = mapped_column(sa.String(55))
    """The trace of the change that fired it (W3C ``traceparent``), which its attempts
    continue; None when nothing was traced."""


class SyncRun(TenantOwned, Base):
    """One sync of one integration: what it did, how it ended, where it can resume."""

    __tablename__ = "sync_runs"
    __table_args__ = (sa.Index("ix_sync_runs_integration_created", "integration_id", "created_at"),)

    integration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("integrations.id", ondelete="CASCADE")
    )
    kind: Mapped[SyncKind] = mapped_column(enum_column(SyncKind))
    status: Mapped[SyncStatus] = mapped_column(enum_column(SyncStatus), default=SyncStatus.QUEUED)
    trigger: Mapped[str] = mapped_column(sa.String(32), default="manual")
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jobs.id", ondelete="SET NULL"))
    counts: Mapped[dict[str, Any]] = mapped_column(JSONValue, default=dict)
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    cursor: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    error_details: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None]
    heartbeat_at: Mapped[datetime | None]
    """Renewed while the run is alive; a running run whose heartbeat stopped was left by a
    process that died, and the next sync of the integration resumes it."""


class BackgroundJob(TenantOwned, Base):
    """A unit of background work as the queue view shows it."""

    __tablename__ = "background_jobs"
    __table_args__ = (sa.Index("ix_background_jobs_status", "tenant_id", "status"),)

    job_type: Mapped[str] = mapped_column(sa.String(64))
    job_key: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    status: Mapped[BackgroundJobStatus] = mapped_column(
        enum_column(BackgroundJobStatus), default=BackgroundJobStatus.PENDING
    )
    priority: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONValue, default=dict)
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jobs.id", ondelete="SET NULL"))
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="SET NULL")
    )
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    scheduled_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    """The lease of the running attempt, renewed while it is alive (``gateway.queue``)."""
    traceparent: Mapped[str | None] = mapped_column(sa.String(55))
    """The trace of the request or task that queued it (W3C ``traceparent``), which its
    attempts continue; None when nothing was traced."""


class OutboxEvent(TenantOwned, Base):
    """A bus event written in the same transaction as the change it announces, removed
    once published: a process that dies between commit and publish leaves it for the
    sweep, so an announced change is never lost (a repeat keeps its event id)."""

    __tablename__ = "event_outbox"
    __table_args__ = (sa.Index("ix_event_outbox_created", "created_at"),)

    event: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyKey(TenantOwned, Base):
    """A client's key for one write-back: what it asked and, once done, what it got."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "user_id", "key"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    operation: Mapped[str] = mapped_column(sa.String(64))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    """None while the write runs; then the ids of what it wrote."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class OAuthState(TenantOwned, Base):
    """A pending OAuth authorization: the state (stored hashed) and its PKCE verifier."""

    __tablename__ = "oauth_states"

    integration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("integrations.id", ondelete="CASCADE")
    )
    state_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    verifier_encrypted: Mapped[str] = mapped_column(sa.Text)
    redirect_uri: Mapped[str] = mapped_column(sa.String(2048))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
