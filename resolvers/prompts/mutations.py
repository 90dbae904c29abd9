"""Prompt mutations: create, update and delete the templates the AI steps are given."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.permissions import Permission
from gateway.services import prompts as prompt_service
from gateway.store.enums import PromptType
from resolvers.context import Info
from resolvers.errors import mutation_result
from resolvers.inputs import not_null, sent_fields
from resolvers.prompts.types import Prompt, build_prompt
from resolvers.relay import pk_of
from resolvers.write_records import TenantRecords


@strawberry.input
class PromptCreateInput:
    name: str
    prompt_type: PromptType
    template_content: str
    schema_content: str | None = None
    job_id: strawberry.ID | None = None
    is_default: bool = False


@strawberry.input
class PromptUpdateInput:
    id: strawberry.ID
    name: str | None = not_null()
    prompt_type: PromptType | None = not_null()
    template_content: str | None = not_null()
    schema_content: str | None = strawberry.UNSET
    job_id: strawberry.ID | None = strawberry.UNSET
    is_default: bool | None = not_null()


@strawberry.input
class PromptDeleteInput:
    id: strawberry.ID


@strawberry.type
class PromptCreateSuccess:
    prompt: Prompt


@strawberry.type
class PromptUpdateSuccess:
    prompt: Prompt


@strawberry.type
class PromptDeleteSuccess:
    deleted_id: strawberry.ID


PromptCreateResult = mutation_result("PromptCreateResult", PromptCreateSuccess)
PromptUpdateResult = mutation_result("PromptUpdateResult", PromptUpdateSuccess)
PromptDeleteResult = mutation_result("PromptDeleteResult", PromptDeleteSuccess)


def _prompt_changes(value: Any) -> dict[str, Any]:
    changes = sent_fields(value)
    if changes.get("job_id") is not None:
        changes["job_id"] = pk_of(changes["job_id"], "Job", field="jobId")
    return changes


_PROMPTS = TenantRecords(
    "Prompt",
    Permission.PROMPTS_MANAGE,
    build=build_prompt,
    payload_field="prompt",
    changes=_prompt_changes,
)


@strawberry.type
class PromptMutations:
    @strawberry.mutation
    async def prompt_create(self, info: Info, input: PromptCreateInput) -> PromptCreateResult:  # type: ignore[valid-type]
        return await _PROMPTS.create(info, input, prompt_service.create_prompt, PromptCreateSuccess)

    @strawberry.mutation
    async def prompt_update(self, info: Info, input: PromptUpdateInput) -> PromptUpdateResult:  # type: ignore[valid-type]
        return await _PROMPTS.update(info, input, prompt_service.update_prompt, PromptUpdateSuccess)

    @strawberry.mutation
    async def prompt_delete(self, info: Info, input: PromptDeleteInput) -> PromptDeleteResult:  # type: ignore[valid-type]
        return await _PROMPTS.delete(info, input, prompt_service.delete_prompt, PromptDeleteSuccess)
