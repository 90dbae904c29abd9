"""The types a field can point at, named by module, type and row builder.

A field that loads a related record (``resolvers.type_fields.related_node``) names its
target here rather than importing it: the domains' types refer to each other in a
ring, and a ``LazyNode`` imports nothing until the schema is built or a row is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from resolvers.lazy import LazyNode

if TYPE_CHECKING:
    from resolvers.applications.types import (
        Analysis,
        Application,
        Offer,
        OnboardingTask,
        PipelineStage,
    )
    from resolvers.candidates.types import Candidate
    from resolvers.integrations.types import Integration
    from resolvers.interviews.types import Evaluation, Interview, InterviewMessage
    from resolvers.jobs.types import Job
    from resolvers.personas.types import Persona
    from resolvers.recruiters.types import Recruiter, RecruiterLink
    from resolvers.sync.types import SyncRun
    from resolvers.webhooks.types import WebhookSubscription

_APPLICATIONS = "resolvers.applications.types"
_INTERVIEWS = "resolvers.interviews.types"

ANALYSIS: LazyNode[Analysis] = LazyNode(_APPLICATIONS, "Analysis", "build_analysis")
APPLICATION: LazyNode[Application] = LazyNode(_APPLICATIONS, "Application", "build_application")
CANDIDATE: LazyNode[Candidate] = LazyNode(
    "resolvers.candidates.types", "Candidate", "build_candidate"
)
EVALUATION: LazyNode[Evaluation] = LazyNode(_INTERVIEWS, "Evaluation", "build_evaluation")
INTEGRATION: LazyNode[Integration] = LazyNode(
    "resolvers.integrations.types", "Integration", "build_integration"
)
INTERVIEW: LazyNode[Interview] = LazyNode(_INTERVIEWS, "Interview", "build_interview")
INTERVIEW_MESSAGE: LazyNode[InterviewMessage] = LazyNode(
    _INTERVIEWS, "InterviewMessage", "build_message"
)
JOB: LazyNode[Job] = LazyNode("resolvers.jobs.types", "Job", "build_job")
OFFER: LazyNode[Offer] = LazyNode(_APPLICATIONS, "Offer", "build_offer")
ONBOARDING_TASK: LazyNode[OnboardingTask] = LazyNode(
    _APPLICATIONS, "OnboardingTask", "build_onboarding_task"
)
PERSONA: LazyNode[Persona] = LazyNode("resolvers.personas.types", "Persona", "build_persona")
PIPELINE_STAGE: LazyNode[PipelineStage] = LazyNode(_APPLICATIONS, "PipelineStage", "build_stage")
RECRUITER: LazyNode[Recruiter] = LazyNode(
    "resolvers.recruiters.types", "Recruiter", "build_recruiter"
)
RECRUITER_LINK: LazyNode[RecruiterLink] = LazyNode(
    "resolvers.recruiters.types", "RecruiterLink", "build_recruiter_link"
)
SYNC_RUN: LazyNode[SyncRun] = LazyNode("resolvers.sync.types", "SyncRun", "build_sync_run")
WEBHOOK_SUBSCRIPTION: LazyNode[WebhookSubscription] = LazyNode(
    "resolvers.webhooks.types", "WebhookSubscription", "build_webhook_subscription"
)
