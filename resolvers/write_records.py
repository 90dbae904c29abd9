"""Create, update and delete of the records a tenant keeps here (personas, prompts,
recruiters, integrations, webhook subscriptions): the same three mutations for each.

    PERSONAS = TenantRecords(
        "Persona", Permission.PERSONAS_MANAGE, build=build_persona, payload_field="persona"
    )

    return await PERSONAS.update(info, input, prompt_service.update_persona,
                                 PersonaUpdateSuccess)

Each runs under ``run_mutation``; the input's id and fields are read inside the
transaction, after the permission check. ``create`` and ``update`` answer
``success(<payload_field>=build(record))``, ``delete`` answers ``success(deleted_id=id)``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.permissions import Permission
from gateway.services.activities import Actor
from resolvers.context import Info
from resolvers.errors import MutationError, is_error
from resolvers.inputs import sent_fields
from resolvers.mutation import run_mutation
from resolvers.relay import as_row, pk_of

S = TypeVar("S")

Create = Callable[[AsyncSession, Actor, dict[str, Any]], Awaitable[Any]]
Update = Callable[[AsyncSession, Actor, int, dict[str, Any]], Awaitable[Any]]
Delete = Callable[[AsyncSession, Actor, int], Awaitable[Any]]


@dataclass(frozen=True)
class TenantRecords:
    node_type: str
    permission: Permission
    build: Callable[[Row[Any]], Any]
    payload_field: str
    changes: Callable[[Any], dict[str, Any]] = sent_fields
    """The service's fields from the input (default: the fields the caller sent)."""

    async def create(
        self, info: Info, input: Any, create: Create, success: Callable[..., S]
    ) -> S | MutationError:
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await create(session, actor, self.changes(input))

        return await self._record_payload(info, action, success)

    async def update(
        self, info: Info, input: Any, update: Update, success: Callable[..., S]
    ) -> S | MutationError:
        async def action(session: AsyncSession, actor: Actor) -> Any:
            pk = pk_of(input.id, self.node_type)
            return await update(session, actor, pk, self.changes(input))

        return await self._record_payload(info, action, success)

    async def delete(
        self, info: Info, input: Any, delete: Delete, success: Callable[..., S]
    ) -> S | MutationError:
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await delete(session, actor, pk_of(input.id, self.node_type))

        result = await run_mutation(info, self.permission, action)
        return result if is_error(result) else success(deleted_id=input.id)

    async def _record_payload(
        self,
        info: Info,
        action: Callable[[AsyncSession, Actor], Awaitable[Any]],
        success: Callable[..., S],
    ) -> S | MutationError:
        result = await run_mutation(info, self.permission, action)
        if is_error(result):
            return result
        return success(**{self.payload_field: self.build(as_row(result))})
