from __future__ import annotations

from gateway.store.models import Prompt, User
from resolvers.dataloaders import RowByIdLoader


class UserByIdLoader(RowByIdLoader):
    table = User.__table__


class PromptByIdLoader(RowByIdLoader):
    table = Prompt.__table__
