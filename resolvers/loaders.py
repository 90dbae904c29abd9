"""Every loader of a request, created on first use and scoped to the caller's tenant.

What they read stays cached for the rest of the request, until a mutation writes:
``resolvers.mutation.FreshReadsAroundWrites`` clears them all (``Loaders.clear_all``)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from gateway.store.models import (
    Application,
    Candidate,
    Interview,
    Job,
    Offer,
    OnboardingTask,
    PipelineStage,
)
from gateway.store.reader import Reader
from resolvers.activities.loaders import (
    ActivityByIdLoader,
    ActivityCountByApplicationIdLoader,
    ActivityCountByCandidateIdLoader,
    ActivityCountByJobIdLoader,
    ActivityPageByApplicationIdLoader,
    ActivityPageByCandidateIdLoader,
    ActivityPageByJobIdLoader,
)
from resolvers.applications.loaders import (
    AnalysisByApplicationIdLoader,
    AnalysisByIdLoader,
    ApplicationByIdLoader,
    ApplicationCountByCandidateIdLoader,
    ApplicationCountByJobIdLoader,
    ApplicationPageByCandidateIdLoader,
    ApplicationPageByJobIdLoader,
    OfferByIdLoader,
    OffersByApplicationIdLoader,
    OnboardingTaskByIdLoader,
    OnboardingTasksByApplicationIdLoader,
    ReportedByApplicationIdLoader,
    StageByIdLoader,
    StageTransitionsByApplicationIdLoader,
)
from resolvers.candidates.loaders import (
    CandidateByIdLoader,
    LastContactedByCandidateIdLoader,
    ResumeTextByCandidateIdLoader,
)
from resolvers.dataloaders import (
    ChildCountLoader,
    ChildPageLoader,
    ColumnByIdLoader,
    LatestByKeyLoader,
    RowByIdLoader,
    RowsByKeyLoader,
    column_by_id_loader,
)
from resolvers.field_mappings.loaders import FieldMappingByIdLoader
from resolvers.integrations.loaders import IntegrationByIdLoader
from resolvers.interviews.loaders import (
    EvaluationByIdLoader,
    EvaluationByInterviewIdLoader,
    InterviewByIdLoader,
    InterviewsByApplicationIdLoader,
    MessageByIdLoader,
    MessagesByInterviewIdLoader,
)
from resolvers.jobs.loaders import JobByIdLoader
from resolvers.logs.loaders import LogEntryByIdLoader
from resolvers.personas.loaders import PersonaByIdLoader
from resolvers.pipeline.loaders import PipelineFactsByJobIdLoader
from resolvers.prompts.loaders import PromptByIdLoader
from resolvers.recruiters.loaders import RecruiterLinksByUserIdLoader, UserByIdLoader
from resolvers.sync.loaders import (
    BackgroundJobByIdLoader,
    LatestSyncRunByIntegrationIdLoader,
    SyncRunByIdLoader,
)
from resolvers.webhooks.loaders import (
    WebhookDeliveryByIdLoader,
    WebhookDeliveryCountBySubscriptionIdLoader,
    WebhookDeliveryPageBySubscriptionIdLoader,
    WebhookEventBodyExcerptByIdLoader,
    WebhookEventByIdLoader,
    WebhookStatsBySubscriptionIdLoader,
    WebhookSubscriptionByIdLoader,
)

REMOTE_DATA_BY_ID: dict[str, type[ColumnByIdLoader]] = {
    model.__name__: column_by_id_loader(model, "remote_data")
    for model in (Job, Candidate, Application, PipelineStage, Interview, Offer, OnboardingTask)
}
"""Per synced node type (named as its model), the loader of its rows' raw source records."""


class Loaders:
    def __init__(self, reader: Reader, tenant_id: int) -> None:
        self.reader = reader
        self.tenant_id = tenant_id
        self._remote_data: dict[str, ColumnByIdLoader] = {}

    def remote_data_by_id(self, node_type: str) -> ColumnByIdLoader:
        """The raw-record loader of one synced node type: one statement per type a tick."""
        loader = self._remote_data.get(node_type)
        if loader is None:
            loader = REMOTE_DATA_BY_ID[node_type](self.reader, self.tenant_id)
            self._remote_data[node_type] = loader
        return loader

    def clear_all(self) -> None:
        """Forget everything the loaders made so far have read: after a write, the next
        load of anything reads the store again (``resolvers.mutation``)."""
        for made in list(vars(self).values()):
            if isinstance(made, DataLoader):
                made.clear_all()

    @cached_property
    def job_by_id(self) -> RowByIdLoader:
        return JobByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def candidate_by_id(self) -> RowByIdLoader:
        return CandidateByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def resume_text_by_candidate_id(self) -> ColumnByIdLoader:
        return ResumeTextByCandidateIdLoader(self.reader, self.tenant_id)

    @cached_property
    def last_contacted_by_candidate_id(self) -> LastContactedByCandidateIdLoader:
        return LastContactedByCandidateIdLoader(self.reader, self.tenant_id)

    @cached_property
    def application_by_id(self) -> RowByIdLoader:
        return ApplicationByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def application_page_by_job_id(self) -> ChildPageLoader:
        return ApplicationPageByJobIdLoader(self.reader, self.tenant_id)

    @cached_property
    def application_count_by_job_id(self) -> ChildCountLoader:
        return ApplicationCountByJobIdLoader(self.reader, self.tenant_id)

    @cached_property
    def application_page_by_candidate_id(self) -> ChildPageLoader:
        return ApplicationPageByCandidateIdLoader(self.reader, self.tenant_id)

    @cached_property
    def application_count_by_candidate_id(self) -> ChildCountLoader:
        return ApplicationCountByCandidateIdLoader(self.reader, self.tenant_id)

    @cached_property
    def stage_by_id(self) -> RowByIdLoader:
        return StageByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def stage_transitions_by_application_id(self) -> RowsByKeyLoader:
        return StageTransitionsByApplicationIdLoader(self.reader, self.tenant_id)

    @cached_property
    def reported_by_application_id(self) -> ReportedByApplicationIdLoader:
        return ReportedByApplicationIdLoader(self.reader, self.tenant_id)

    @cached_property
    def analysis_by_application_id(self) -> LatestByKeyLoader:
        return AnalysisByApplicationIdLoader(self.reader, self.tenant_id)

    @cached_property
    def offers_by_application_id(self) -> RowsByKeyLoader:
        return OffersByApplicationIdLoader(self.reader, self.tenant_id)

    @cached_property
    def onboarding_tasks_by_application_id(self) -> RowsByKeyLoader:
        return OnboardingTasksByApplicationIdLoader(self.reader, self.tenant_id)

    @cached_property
    def interview_by_id(self) -> RowByIdLoader:
        return InterviewByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def interviews_by_application_id(self) -> RowsByKeyLoader:
        return InterviewsByApplicationIdLoader(self.reader, self.tenant_id)

    @cached_property
    def messages_by_interview_id(self) -> RowsByKeyLoader:
        return MessagesByInterviewIdLoader(self.reader, self.tenant_id)

    @cached_property
    def evaluation_by_interview_id(self) -> LatestByKeyLoader:
        return EvaluationByInterviewIdLoader(self.reader, self.tenant_id)

    @cached_property
    def persona_by_id(self) -> RowByIdLoader:
        return PersonaByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def field_mapping_by_id(self) -> RowByIdLoader:
        return FieldMappingByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def integration_by_id(self) -> RowByIdLoader:
        return IntegrationByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def user_by_id(self) -> RowByIdLoader:
        return UserByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def prompt_by_id(self) -> RowByIdLoader:
        return PromptByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def activity_by_id(self) -> RowByIdLoader:
        return ActivityByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def recruiter_links_by_user_id(self) -> RowsByKeyLoader:
        return RecruiterLinksByUserIdLoader(self.reader, self.tenant_id)

    @cached_property
    def activity_page_by_job_id(self) -> ChildPageLoader:
        return ActivityPageByJobIdLoader(self.reader, self.tenant_id)

    @cached_property
    def activity_count_by_job_id(self) -> ChildCountLoader:
        return ActivityCountByJobIdLoader(self.reader, self.tenant_id)

    @cached_property
    def activity_page_by_candidate_id(self) -> ChildPageLoader:
        return ActivityPageByCandidateIdLoader(self.reader, self.tenant_id)

    @cached_property
    def activity_count_by_candidate_id(self) -> ChildCountLoader:
        return ActivityCountByCandidateIdLoader(self.reader, self.tenant_id)

    @cached_property
    def activity_page_by_application_id(self) -> ChildPageLoader:
        return ActivityPageByApplicationIdLoader(self.reader, self.tenant_id)

    @cached_property
    def activity_count_by_application_id(self) -> ChildCountLoader:
        return ActivityCountByApplicationIdLoader(self.reader, self.tenant_id)

    @cached_property
    def analysis_by_id(self) -> RowByIdLoader:
        return AnalysisByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def offer_by_id(self) -> RowByIdLoader:
        return OfferByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def onboarding_task_by_id(self) -> RowByIdLoader:
        return OnboardingTaskByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def evaluation_by_id(self) -> RowByIdLoader:
        return EvaluationByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def message_by_id(self) -> RowByIdLoader:
        return MessageByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def pipeline_facts_by_job_id(self) -> PipelineFactsByJobIdLoader:
        return PipelineFactsByJobIdLoader(self.reader, self.tenant_id)

    @cached_property
    def latest_sync_run_by_integration_id(self) -> LatestSyncRunByIntegrationIdLoader:
        return LatestSyncRunByIntegrationIdLoader(self.reader, self.tenant_id)

    @cached_property
    def sync_run_by_id(self) -> RowByIdLoader:
        return SyncRunByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def log_entry_by_id(self) -> RowByIdLoader:
        return LogEntryByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def background_job_by_id(self) -> RowByIdLoader:
        return BackgroundJobByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def webhook_subscription_by_id(self) -> RowByIdLoader:
        return WebhookSubscriptionByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def webhook_delivery_by_id(self) -> RowByIdLoader:
        return WebhookDeliveryByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def webhook_delivery_page_by_subscription_id(
        self,
    ) -> ChildPageLoader:
        return WebhookDeliveryPageBySubscriptionIdLoader(self.reader, self.tenant_id)

    @cached_property
    def webhook_delivery_count_by_subscription_id(
        self,
    ) -> ChildCountLoader:
        return WebhookDeliveryCountBySubscriptionIdLoader(self.reader, self.tenant_id)

    @cached_property
    def webhook_stats_by_subscription_id(self) -> WebhookStatsBySubscriptionIdLoader:
        return WebhookStatsBySubscriptionIdLoader(self.reader, self.tenant_id)

    @cached_property
    def webhook_event_by_id(self) -> RowByIdLoader:
        return WebhookEventByIdLoader(self.reader, self.tenant_id)

    @cached_property
    def webhook_event_body_excerpt_by_id(self) -> WebhookEventBodyExcerptByIdLoader:
        return WebhookEventBodyExcerptByIdLoader(self.reader, self.tenant_id)
