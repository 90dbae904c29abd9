"""Prompts by id, batched."""

from __future__ import annotations

from gateway.store.base import table_of
from gateway.store.models import Prompt
from resolvers.dataloaders import RowByIdLoader


class PromptByIdLoader(RowByIdLoader):
    table = table_of(Prompt)
