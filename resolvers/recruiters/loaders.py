"""Users by id and their recruiter links, batched."""

from __future__ import annotations

from gateway.store.base import table_of
from gateway.store.models import RecruiterLink, User
from resolvers.dataloaders import RowByIdLoader, RowsByKeyLoader


class UserByIdLoader(RowByIdLoader):
    table = table_of(User)


class RecruiterLinksByUserIdLoader(RowsByKeyLoader):
    table = table_of(RecruiterLink)
    key_column = "user_id"
    order_by = ("integration_id", "id")
