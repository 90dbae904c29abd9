from __future__ import annotations

from gateway.store.models import (
    Analysis,
    Application,
    Offer,
    OnboardingTask,
    PipelineStage,
    StageTransition,
)
from resolvers.dataloaders import (
    ChildCountLoader,
    ChildPageLoader,
    LatestByKeyLoader,
    RowByIdLoader,
    RowsByKeyLoader,
)


class ApplicationByIdLoader(RowByIdLoader):
    table = Application.__table__


class ApplicationPageByJobIdLoader(ChildPageLoader):
    table = Application.__table__
    parent_column = "job_id"


class ApplicationCountByJobIdLoader(ChildCountLoader):
    table = Application.__table__
    parent_column = "job_id"


class ApplicationPageByCandidateIdLoader(ChildPageLoader):
    table = Application.__table__
    parent_column = "candidate_id"


class ApplicationCountByCandidateIdLoader(ChildCountLoader):
    table = Application.__table__
    parent_column = "candidate_id"


class StageByIdLoader(RowByIdLoader):
    table = PipelineStage.__table__


class StageTransitionsByApplicationIdLoader(RowsByKeyLoader):
    table = StageTransition.__table__
    key_column = "application_id"
    order_by = ("entered_at", "id")


class AnalysisByApplicationIdLoader(LatestByKeyLoader):
    table = Analysis.__table__
    key_column = "application_id"
    order_by = ("created_at", "id")


class OffersByApplicationIdLoader(RowsByKeyLoader):
    table = Offer.__table__
    key_column = "application_id"
    order_by = ("created_at", "id")


class OnboardingTasksByApplicationIdLoader(RowsByKeyLoader):
    table = OnboardingTask.__table__
    key_column = "application_id"
    order_by = ("created_at", "id")
