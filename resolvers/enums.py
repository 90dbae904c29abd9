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
