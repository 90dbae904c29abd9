"""The schema: every domain's queries, mutations and subscriptions merged, and the extensions."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types

from gateway.settings import Settings
from resolvers.activities.queries import ActivityQueries
from resolvers.applications.human_requests import ApplicationHumanRequestMutations
from resolvers.applications.mutations import ApplicationMutations
from resolvers.applications.queries import ApplicationQueries
from resolvers.applications.reprocess import ApplicationReprocessMutations
from resolvers.applications.types import Analysis, Offer, OnboardingTask
from resolvers.candidates.mutations import CandidateMutations
from resolvers.candidates.queries import CandidateQueries
from resolvers.dashboard.queries import DashboardQueries
from resolvers.extensions import build_extensions
from resolvers.field_mappings.mutations import FieldMappingMutations
from resolvers.field_mappings.queries import FieldMappingQueries
from resolvers.integrations.mutations import IntegrationMutations
from resolvers.integrations.queries import IntegrationQueries
from resolvers.interviews.mutations import InterviewMutations
from resolvers.interviews.public import PublicInterviewMutations, PublicInterviewQueries
from resolvers.interviews.queries import InterviewQueries
from resolvers.interviews.subscriptions import InterviewSubscriptions
from resolvers.interviews.types import Evaluation, InterviewMessage
from resolvers.jobs.mutations import JobMutations
from resolvers.jobs.queries import JobQueries
from resolvers.logs.queries import LogQueries
from resolvers.mutation import fresh_reads_around_writes
from resolvers.node import NodeQueries
from resolvers.personas.mutations import PersonaMutations
from resolvers.personas.queries import PersonaQueries
from resolvers.pipeline.queries import PipelineQueries
from resolvers.pipeline.subscriptions import PipelineSubscriptions
from resolvers.prompts.mutations import PromptMutations
from resolvers.prompts.queries import PromptQueries
from resolvers.recruiters.mutations import RecruiterMutations
from resolvers.recruiters.queries import RecruiterQueries
from resolvers.subscription import EventExecutor
from resolvers.sync.mutations import SyncMutations
from resolvers.sync.queries import SyncQueries
from resolvers.sync.subscriptions import SyncSubscriptions
from resolvers.tenant_settings.mutations import SettingsMutations
from resolvers.tenant_settings.queries import SettingsQueries
from resolvers.webhooks.mutations import WebhookMutations
from resolvers.webhooks.queries import WebhookQueries

Query = merge_types(
    "Query",
    (
        NodeQueries,
        JobQueries,
        PipelineQueries,
        DashboardQueries,
        CandidateQueries,
        ApplicationQueries,
        InterviewQueries,
        PublicInterviewQueries,
        IntegrationQueries,
        SyncQueries,
        WebhookQueries,
        RecruiterQueries,
        PromptQueries,
        PersonaQueries,
        SettingsQueries,
        FieldMappingQueries,
        ActivityQueries,
        LogQueries,
    ),
)
Mutation = fresh_reads_around_writes(
    merge_types(
        "Mutation",
        (
            JobMutations,
            CandidateMutations,
            ApplicationMutations,
            ApplicationReprocessMutations,
            ApplicationHumanRequestMutations,
            InterviewMutations,
            PublicInterviewMutations,
            IntegrationMutations,
            SyncMutations,
            WebhookMutations,
            RecruiterMutations,
            PromptMutations,
            PersonaMutations,
            SettingsMutations,
            FieldMappingMutations,
        ),
    )
)

Subscription = merge_types(
    "Subscription", (PipelineSubscriptions, SyncSubscriptions, InterviewSubscriptions)
)


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        """Errors are logged once, with the request id, by ``ErrorMasking``."""


def build_schema(settings: Settings | None = None) -> Schema:
    """The schema with the query limits of ``settings`` (the environment's by default)."""
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Analysis, Offer, OnboardingTask, Evaluation, InterviewMessage],
        extensions=build_extensions(settings),
        execution_context_class=EventExecutor,
    )


schema = build_schema()
