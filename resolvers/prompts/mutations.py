"""Prompt mutations: create, update and delete the templates the AI steps are given."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.permissions import Permission
from gateway.services import prompts as prompt_service
from gateway.services.activities import Actor
from gateway.store.enums import PromptType
from resolvers.context import Info
from resolvers.errors import is_error, mutation_result
from resolvers.inputs import not_null, sent_fields
from resolvers.mutation import run_mutation
from resolvers.prompts.types import Prompt, build_prompt
from resolvers.relay import as_row, pk_of


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


@strawberry.type
class PromptMutations:
    @strawberry.mutation
    async def prompt_create(self, info: Info, input: PromptCreateInput) -> PromptCreateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await prompt_service.create_prompt(session, actor, _prompt_changes(input))

        result = await run_mutation(info, Permission.PROMPTS_MANAGE, action)
        return (
            result if is_error(result) else PromptCreateSuccess(prompt=build_prompt(as_row(result)))
        )

    @strawberry.mutation
    async def prompt_update(self, info: Info, input: PromptUpdateInput) -> PromptUpdateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            pk = pk_of(input.id, "Prompt")
            return await prompt_service.update_prompt(session, actor, pk, _prompt_changes(input))

        result = await run_mutation(info, Permission.PROMPTS_MANAGE, action)
        return (
            result if is_error(result) else PromptUpdateSuccess(prompt=build_prompt(as_row(result)))
        )

    @strawberry.mutation
    async def prompt_delete(self, info: Info, input: PromptDeleteInput) -> PromptDeleteResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await prompt_service.delete_prompt(session, actor, pk_of(input.id, "Prompt"))

        result = await run_mutation(info, Permission.PROMPTS_MANAGE, action)
        return result if is_error(result) else PromptDeleteSuccess(deleted_id=input.id)
