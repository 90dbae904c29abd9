"""``fieldMappings``: the tenant's field mappings, by provider, entity and target field."""

from __future__ import annotations

import sqlalchemy as sa
import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.enums import MappedEntity, Provider
from gateway.store.models import FieldMapping as FieldMappingModel
from resolvers.context import Info
from resolvers.field_mappings.types import FieldMapping, build_field_mapping
from resolvers.permissions import require


@strawberry.type
class FieldMappingQueries:
    @strawberry.field(
        description="The tenant's field mappings (at most one per provider, entity and "
        "target field, so a short list), optionally of one provider or entity."
    )
    async def field_mappings(
        self, info: Info, provider: Provider | None = None, entity: MappedEntity | None = None
    ) -> list[FieldMapping]:
        principal = require(info, Permission.SETTINGS_READ)
        table = table_of(FieldMappingModel).c
        query = sa.select(table_of(FieldMappingModel)).where(table.tenant_id == principal.tenant_id)
        if provider is not None:
            query = query.where(table.provider == provider)
        if entity is not None:
            query = query.where(table.entity == entity)
        rows = await info.context.reader.all(
            query.order_by(table.provider, table.entity, table.target_field, table.id)
        )
        return [build_field_mapping(row) for row in rows]
