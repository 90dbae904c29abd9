from __future__ import annotations

from gateway.store.base import table_of
from gateway.store.models import Activity, Prompt, User
from resolvers.dataloaders import RowByIdLoader


class UserByIdLoader(RowByIdLoader):
    table = table_of(User)


class PromptByIdLoader(RowByIdLoader):
    table = table_of(Prompt)


class ActivityByIdLoader(RowByIdLoader):
    table = table_of(Activity)
