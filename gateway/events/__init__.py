"""The event bus's catalogue: every event's name, what it carries, who listens.

    event = application_stage_changed(
        tenant_id, application_id=7, remote_id="A-7", job_id=2, candidate_id=5,
        stage="Offer", previous_stage="Screen", status="active", moved_by=3,
    )
    await bus.publish(event)                      # an Event: type, tenant_id, data
    ...
    moved = read(event, ApplicationStageChanged)  # typed again; None if malformed
    anything = parse(event)                       # the payload of whichever event it is

Producers call one builder per event and never spell a name; consumers compare with
``EventName`` and read payloads, never dicts. On the wire nothing changes: ``data`` is
the payload under its camelCase keys (``application_id`` is ``id``, the subject, where
the field says so), so processes of different versions still understand each other.

A field without a default is always on the wire, ``null`` included; a field that
defaults to ``None`` is left out while it is ``None`` (``movedBy`` is only there for a
move a user made). Reading is strict about what it knows: a missing required field or a
value of the wrong type (events come from Redis, from other versions) makes the event
malformed, and ``parse``/``read`` give ``None``; keys it does not know are ignored.

``markdown_table()`` renders the table of events the README shows.

The package: ``names`` (``EventName``), ``payload`` (the wire form and strict reading),
``catalogue`` (registration, ``parse``, ``read``), one module of payloads and builders per
domain (``applications``, ``candidates``, ``jobs``, ``interviews``, ``offers``,
``onboarding``, ``sync_runs``, ``users``, ``deletions``, ``alerts``) and ``table`` (listeners, the
README table).
Import from ``gateway.events``; the domain modules register themselves on import.
"""

from __future__ import annotations

from gateway.events.alerts import (
    IntegrationWebhookFailures,
    WebhookSubscriptionFailures,
    integration_webhook_failures,
    webhook_subscription_failures,
)
from gateway.events.applications import (
    ApplicationAnalyzed,
    ApplicationCreated,
    ApplicationHumanRequested,
    ApplicationHumanRequestResolved,
    ApplicationStageChanged,
    ApplicationUpdated,
    application_analyzed,
    application_created,
    application_human_request_resolved,
    application_human_requested,
    application_stage_changed,
    application_updated,
)
from gateway.events.candidates import (
    CandidateCreated,
    CandidateUpdated,
    candidate_created,
    candidate_updated,
)
from gateway.events.catalogue import BUILDERS, PAYLOADS, _builds, parse, read
from gateway.events.deletions import (
    ApplicationDeleted,
    CandidateDeleted,
    InterviewDeleted,
    JobDeleted,
    OnboardingTaskDeleted,
    application_deleted,
    candidate_deleted,
    interview_deleted,
    job_deleted,
    onboarding_task_deleted,
)
from gateway.events.interviews import (
    InterviewCancelled,
    InterviewCompleted,
    InterviewCreated,
    InterviewDelta,
    InterviewEvaluated,
    InterviewHumanRequested,
    InterviewMessage,
    InterviewStatusChanged,
    InterviewUpdated,
    interview_cancelled,
    interview_completed,
    interview_created,
    interview_delta,
    interview_evaluated,
    interview_human_requested,
    interview_message,
    interview_status_changed,
    interview_updated,
)
from gateway.events.jobs import (
    JobCreated,
    JobStatusChanged,
    JobUpdated,
    job_created,
    job_status_changed,
    job_updated,
)
from gateway.events.names import EventName
from gateway.events.offers import (
    OfferCreated,
    OfferSent,
    OfferStatusChanged,
    offer_created,
    offer_sent,
    offer_status_changed,
)
from gateway.events.onboarding import (
    OnboardingTaskCreated,
    OnboardingTaskUpdated,
    onboarding_task_created,
    onboarding_task_updated,
)
from gateway.events.payload import Malformed, Payload
from gateway.events.sync_runs import SyncFinished, SyncProgressed, sync_finished, sync_progress
from gateway.events.table import (
    CANDIDATE_ACTIVITY,
    INTERVIEW_CHAT,
    LISTENERS,
    PIPELINE_UPDATES,
    RESUME_ANALYSIS,
    SYNC_PROGRESS,
    markdown_table,
    wire_fields,
)
from gateway.events.users import UserChanged, user_changed

__all__ = [
    "BUILDERS",
    "CANDIDATE_ACTIVITY",
    "INTERVIEW_CHAT",
    "LISTENERS",
    "PAYLOADS",
    "PIPELINE_UPDATES",
    "RESUME_ANALYSIS",
    "SYNC_PROGRESS",
    "ApplicationAnalyzed",
    "ApplicationCreated",
    "ApplicationDeleted",
    "ApplicationHumanRequestResolved",
    "ApplicationHumanRequested",
    "ApplicationStageChanged",
    "ApplicationUpdated",
    "CandidateCreated",
    "CandidateDeleted",
    "CandidateUpdated",
    "EventName",
    "IntegrationWebhookFailures",
    "InterviewCancelled",
    "InterviewCompleted",
    "InterviewCreated",
    "InterviewDeleted",
    "InterviewDelta",
    "InterviewEvaluated",
    "InterviewHumanRequested",
    "InterviewMessage",
    "InterviewStatusChanged",
    "InterviewUpdated",
    "JobCreated",
    "JobDeleted",
    "JobStatusChanged",
    "JobUpdated",
    "Malformed",
    "OfferCreated",
    "OfferSent",
    "OfferStatusChanged",
    "OnboardingTaskCreated",
    "OnboardingTaskDeleted",
    "OnboardingTaskUpdated",
    "Payload",
    "SyncFinished",
    "SyncProgressed",
    "UserChanged",
    "WebhookSubscriptionFailures",
    "_builds",
    "application_analyzed",
    "application_created",
    "application_deleted",
    "application_human_request_resolved",
    "application_human_requested",
    "application_stage_changed",
    "application_updated",
    "candidate_created",
    "candidate_deleted",
    "candidate_updated",
    "integration_webhook_failures",
    "interview_cancelled",
    "interview_completed",
    "interview_created",
    "interview_deleted",
    "interview_delta",
    "interview_evaluated",
    "interview_human_requested",
    "interview_message",
    "interview_status_changed",
    "interview_updated",
    "job_created",
    "job_deleted",
    "job_status_changed",
    "job_updated",
    "markdown_table",
    "offer_created",
    "offer_sent",
    "offer_status_changed",
    "onboarding_task_created",
    "onboarding_task_deleted",
    "onboarding_task_updated",
    "parse",
    "read",
    "sync_finished",
    "sync_progress",
    "user_changed",
    "webhook_subscription_failures",
    "wire_fields",
]
