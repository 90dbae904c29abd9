from __future__ import annotations

from gateway.store.base import table_of
from gateway.store.models import Activity, Prompt, RecruiterLink, User
from resolvers.dataloaders import ChildCountLoader, ChildPageLoader, RowByIdLoader, RowsByKeyLoader


class UserByIdLoader(RowByIdLoader):
    table = table_of(User)


class PromptByIdLoader(RowByIdLoader):
    table = table_of(Prompt)


class ActivityByIdLoader(RowByIdLoader):
    table = table_of(Activity)


class RecruiterLinksByUserIdLoader(RowsByKeyLoader):
    table = table_of(RecruiterLink)
    key_column = "user_id"
    order_by = ("integration_id", "id")


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
