"""The store's value sets registered as GraphQL enums (UPPER_CASE values)."""

from __future__ import annotations

import strawberry

from gateway.store import enums

Role = strawberry.enum(enums.Role, name="Role")
Provider = strawberry.enum(enums.Provider, name="Provider")
MappedEntity = strawberry.enum(enums.MappedEntity, name="MappedEntity")
IntegrationEnvironment = strawberry.enum(
    enums.IntegrationEnvironment, name="IntegrationEnvironment"
)
AuthType = strawberry.enum(enums.AuthType, name="AuthType")
IntegrationStatus = strawberry.enum(enums.IntegrationStatus, name="IntegrationStatus")
JobStatus = strawberry.enum(enums.JobStatus, name="JobStatus")
StageKind = strawberry.enum(enums.StageKind, name="StageKind")
ApplicationStatus = strawberry.enum(enums.ApplicationStatus, name="ApplicationStatus")
ProcessingStatus = strawberry.enum(
    enums.ProcessingStatus,
    name="ProcessingStatus",
    description="NEW: no resume analysis and none queued; ANALYZING: one is queued or "
    "running; ANALYZED: analysed, no evaluated interview; COMPLETE: a completed interview "
    "has its evaluation (`hasReport`), or the application is closed.",
)
InterviewKind = strawberry.enum(enums.InterviewKind, name="InterviewKind")
InterviewStatus = strawberry.enum(enums.InterviewStatus, name="InterviewStatus")
MessageRole = strawberry.enum(enums.MessageRole, name="MessageRole")
OfferStatus = strawberry.enum(enums.OfferStatus, name="OfferStatus")
OnboardingTaskStatus = strawberry.enum(enums.OnboardingTaskStatus, name="OnboardingTaskStatus")
ActorType = strawberry.enum(enums.ActorType, name="ActorType")
LogLevel = strawberry.enum(enums.LogLevel, name="LogLevel")
PromptType = strawberry.enum(enums.PromptType, name="PromptType")
SyncKind = strawberry.enum(enums.SyncKind, name="SyncKind")
SyncStatus = strawberry.enum(enums.SyncStatus, name="SyncStatus")
BackgroundJobStatus = strawberry.enum(enums.BackgroundJobStatus, name="BackgroundJobStatus")
WebhookDeliveryStatus = strawberry.enum(enums.DeliveryStatus, name="WebhookDeliveryStatus")
WebhookEventStatus = strawberry.enum(enums.WebhookEventStatus, name="WebhookEventStatus")
WebhookSignatureScheme = strawberry.enum(
    enums.SignatureScheme,
    name="WebhookSignatureScheme",
    description="How an outbound webhook subscription's deliveries are signed. "
    "STANDARD_WEBHOOKS: `webhook-id`, `webhook-timestamp` and `webhook-signature` "
    "(standardwebhooks.com) with a `whsec_...` secret. INTEGRATION_FRAMEWORK: the "
    "integration framework's `X-Webhook-Signature` (lowercase hex HMAC-SHA256 of the raw "
    "body, keyed with the plain secret as it is) and `X-Webhook-Id` (a UUID, the same on "
    "every attempt), with a plain secret.",
)
