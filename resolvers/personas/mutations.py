"""Persona mutations: create, update and delete interviewers' voices."""

from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.services import prompts as prompt_service
from resolvers.context import Info
from resolvers.errors import mutation_result
from resolvers.inputs import not_null
from resolvers.personas.types import Persona, build_persona
from resolvers.write_records import TenantRecords


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


_PERSONAS = TenantRecords(
    "Persona", Permission.PERSONAS_MANAGE, build=build_persona, payload_field="persona"
)


@strawberry.type
class PersonaMutations:
    @strawberry.mutation
    async def persona_create(self, info: Info, input: PersonaCreateInput) -> PersonaCreateResult:  # type: ignore[valid-type]
        return await _PERSONAS.create(
            info, input, prompt_service.create_persona, PersonaCreateSuccess
        )

    @strawberry.mutation
    async def persona_update(self, info: Info, input: PersonaUpdateInput) -> PersonaUpdateResult:  # type: ignore[valid-type]
        return await _PERSONAS.update(
            info, input, prompt_service.update_persona, PersonaUpdateSuccess
        )

    @strawberry.mutation
    async def persona_delete(self, info: Info, input: PersonaDeleteInput) -> PersonaDeleteResult:  # type: ignore[valid-type]
        return await _PERSONAS.delete(
            info, input, prompt_service.delete_persona, PersonaDeleteSuccess
        )
