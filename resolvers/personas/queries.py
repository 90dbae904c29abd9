"""``personas`` and ``persona``: the tenant's interviewer voices."""

from __future__ import annotations

import sqlalchemy as sa
import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Persona as PersonaModel
from resolvers.context import Info
from resolvers.permissions import require
from resolvers.personas.types import Persona, build_persona
from resolvers.relay import pk_or_none


@strawberry.type
class PersonaQueries:
    @strawberry.field
    async def personas(self, info: Info) -> list[Persona]:
        principal = require(info, Permission.PERSONAS_READ)
        table = table_of(PersonaModel).c
        rows = await info.context.reader.all(
            sa.select(table_of(PersonaModel))
            .where(table.tenant_id == principal.tenant_id)
            .order_by(table.name, table.id)
        )
        return [build_persona(row) for row in rows]

    @strawberry.field
    async def persona(self, info: Info, id: strawberry.ID) -> Persona | None:
        require(info, Permission.PERSONAS_READ)
        pk = pk_or_none(id, "Persona")
        row = await info.context.loaders.persona_by_id.load(pk) if pk is not None else None
        return build_persona(row) if row is not None else None
