"""Every table of the store; importing this module registers them on ``Base.metadata``."""

from gateway.store.models.activities import Activity
from gateway.store.models.field_mappings import FieldMapping
from gateway.store.models.integrations import (
    BackgroundJob,
    IdempotencyKey,
    Integration,
    OAuthState,
    OutboxEvent,
    SyncRun,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from gateway.store.models.interviews import (
    Analysis,
    Evaluation,
    Interview,
    InterviewMessage,
    Persona,
    Prompt,
)
from gateway.store.models.operations import OperationalLog
from gateway.store.models.recruiting import (
    Application,
    Candidate,
    Job,
    Offer,
    OnboardingTask,
    PipelineStage,
    StageTransition,
)
from gateway.store.models.tenancy import RecruiterLink, Tenant, TenantSettings, User

__all__ = [
    "Activity",
    "Analysis",
    "Application",
    "BackgroundJob",
    "Candidate",
    "Evaluation",
    "FieldMapping",
    "IdempotencyKey",
    "Integration",
    "Interview",
    "InterviewMessage",
    "Job",
    "OAuthState",
    "Offer",
    "OnboardingTask",
    "OperationalLog",
    "OutboxEvent",
    "Persona",
    "PipelineStage",
    "Prompt",
    "RecruiterLink",
    "StageTransition",
    "SyncRun",
    "Tenant",
    "TenantSettings",
    "User",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
