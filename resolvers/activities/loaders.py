"""Activities by id, and the timelines of jobs, candidates and applications, batched."""

from __future__ import annotations

from gateway.store.base import table_of
from gateway.store.models import Activity
from resolvers.dataloaders import ChildCountLoader, ChildPageLoader, RowByIdLoader


class ActivityByIdLoader(RowByIdLoader):
    table = table_of(Activity)


class ActivityPageByJobIdLoader(ChildPageLoader):
    table = table_of(Activity)
    parent_column = "job_id"


class ActivityCountByJobIdLoader(ChildCountLoader):
    table = table_of(Activity)
    parent_column = "job_id"


class ActivityPageByCandidateIdLoader(ChildPageLoader):
    table = table_of(Activity)
    parent_column = "candidate_id"


class ActivityCountByCandidateIdLoader(ChildCountLoader):
    table = table_of(Activity)
    parent_column = "candidate_id"


class ActivityPageByApplicationIdLoader(ChildPageLoader):
    table = table_of(Activity)
    parent_column = "application_id"


class ActivityCountByApplicationIdLoader(ChildCountLoader):
    table = table_of(Activity)
    parent_column = "application_id"
