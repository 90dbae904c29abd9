"""Prompts by id, batched."""

from __future__ import annotations

from gateway.store.models import Prompt
from resolvers.dataloaders import row_by_id_loader

PromptByIdLoader = row_by_id_loader(Prompt)
