"""Which prompts a listing asks for."""

from __future__ import annotations

import strawberry

from gateway.store.enums import PromptType


@strawberry.input
class PromptFilter:
    prompt_type: PromptType | None = None
    job_id: strawberry.ID | None = None
