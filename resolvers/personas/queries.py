"""``personas`` and ``persona``: the tenant's interviewer voices."""

from __future__ import annotations

import sqlalchemy as sa
import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Persona as PersonaModel
from resolvers.context import Info
from resolvers.node import node_field
from resolvers.permissions import require
from resolvers.personas.types import Persona, build_persona


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

    persona = node_field(Persona)
