"""Persona mutations: create, update and delete interviewers' voices."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.permissions import Permission
from gateway.services import prompts as prompt_service
from gateway.services.activities import Actor
from resolvers.context import Info
from resolvers.errors import is_error, mutation_result
from resolvers.inputs import not_null, sent_fields
from resolvers.mutation import run_mutation
from resolvers.personas.types import Persona, build_persona
from resolvers.relay import as_row, pk_of


@strawberry.input
class PersonaCreateInput:
    name: str
    system_prompt_template: str
    description: str | None = None
    is_default: bool = False


@strawberry.input
class PersonaUpdateInput:
    id: strawberry.ID
    name: str | None = not_null()
    system_prompt_template: str | None = not_null()
    description: str | None = strawberry.UNSET
    is_default: bool | None = not_null()


@strawberry.input
class PersonaDeleteInput:
    id: strawberry.ID


@strawberry.type
class PersonaCreateSuccess:
    persona: Persona


@strawberry.type
class PersonaUpdateSuccess:
    persona: Persona


@strawberry.type
class PersonaDeleteSuccess:
    deleted_id: strawberry.ID


PersonaCreateResult = mutation_result("PersonaCreateResult", PersonaCreateSuccess)
PersonaUpdateResult = mutation_result("PersonaUpdateResult", PersonaUpdateSuccess)
PersonaDeleteResult = mutation_result("PersonaDeleteResult", PersonaDeleteSuccess)


@strawberry.type
class PersonaMutations:
    @strawberry.mutation
    async def persona_create(self, info: Info, input: PersonaCreateInput) -> PersonaCreateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await prompt_service.create_persona(session, actor, sent_fields(input))

        result = await run_mutation(info, Permission.PERSONAS_MANAGE, action)
        return (
            result
            if is_error(result)
            else PersonaCreateSuccess(persona=build_persona(as_row(result)))
        )

    @strawberry.mutation
    async def persona_update(self, info: Info, input: PersonaUpdateInput) -> PersonaUpdateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            pk = pk_of(input.id, "Persona")
            return await prompt_service.update_persona(session, actor, pk, sent_fields(input))

        result = await run_mutation(info, Permission.PERSONAS_MANAGE, action)
        return (
            result
            if is_error(result)
            else PersonaUpdateSuccess(persona=build_persona(as_row(result)))
        )

    @strawberry.mutation
    async def persona_delete(self, info: Info, input: PersonaDeleteInput) -> PersonaDeleteResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await prompt_service.delete_persona(session, actor, pk_of(input.id, "Persona"))

        result = await run_mutation(info, Permission.PERSONAS_MANAGE, action)
        return result if is_error(result) else PersonaDeleteSuccess(deleted_id=input.id)
