"""Inbound webhook events as users manage them: a failed one is retried by hand."""

from __future__ import annotations

from gateway.errors import NotFound, ValidationFailed
from gateway.inbox import Inbox
from gateway.services.activities import Actor, record_activity
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import WebhookEventStatus
from gateway.store.models import WebhookEvent

RETRYABLE = (WebhookEventStatus.FAILED, WebhookEventStatus.IGNORED)


async def retry_event(
    session_factory: SessionFactory,
    inbox: Inbox,
    tenant_id: int,
    event_id: int,
    actor: Actor,
) -> WebhookEvent:
    """Queue a failed (or ignored) event for processing again, its attempts reset."""
    async with session_factory.begin() as session:
        event = await session.get(WebhookEvent, event_id, with_for_update=True)
        if event is None or event.tenant_id != tenant_id:
            raise NotFound("WebhookEvent", event_id)
        if event.status not in RETRYABLE:
            raise ValidationFailed(
                "id", f"only failed or ignored events can be retried; this one is {event.status}"
            )
        previous = event.last_error
        event.status = WebhookEventStatus.RECEIVED
        event.attempts = 0
        event.last_error = None
        event.claimed_until = None
        event.next_attempt_at = utcnow()
        record_activity(
            session,
            actor,
            action="webhook_event.retried",
            subject_type="webhook_event",
            subject_id=event.id,
            description=f"Retried webhook event {event.id} ({event.event_type or 'unknown'})",
            details={"previousError": previous},
        )
    await inbox.put([event_id])
    return event
