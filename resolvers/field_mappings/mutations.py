"""Field mapping mutations: set (create or re-point) and delete; admins only."""

from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.services import field_mappings as service
from gateway.store.enums import MappedEntity, Provider
from resolvers.context import Info
from resolvers.errors import mutation_result
from resolvers.field_mappings.types import FieldMapping, build_field_mapping
from resolvers.write_records import TenantRecords


@strawberry.input
class FieldMappingSetInput:
    provider: Provider
    entity: MappedEntity
    source_field: str = strawberry.field(
        description="The custom field's name, as the records' `customFields` show it."
    )
    target_field: str = strawberry.field(
        description="The field to fill, as the API names it. Job: department, location, "
        "employmentType, clientName, remoteStatus. Candidate: headline, location, source, "
        "phone. Application: rejectionReason."
    )


@strawberry.input
class FieldMappingDeleteInput:
    id: strawberry.ID


@strawberry.type
class FieldMappingSetSuccess:
    field_mapping: FieldMapping


@strawberry.type
class FieldMappingDeleteSuccess:
    deleted_id: strawberry.ID


FieldMappingSetResult = mutation_result("FieldMappingSetResult", FieldMappingSetSuccess)
FieldMappingDeleteResult = mutation_result("FieldMappingDeleteResult", FieldMappingDeleteSuccess)


_FIELD_MAPPINGS = TenantRecords(
    "FieldMapping",
    Permission.SETTINGS_MANAGE,
    build=build_field_mapping,
    payload_field="field_mapping",
)


@strawberry.type
class FieldMappingMutations:
    @strawberry.mutation(
        description="Map a source's custom field into a common-model field, or point the "
        "target field's mapping at another custom field; applied from the next sync."
    )
    async def field_mapping_set(
        self, info: Info, input: FieldMappingSetInput
    ) -> FieldMappingSetResult:  # type: ignore[valid-type]
        return await _FIELD_MAPPINGS.create(
            info, input, service.set_field_mapping, FieldMappingSetSuccess
        )

    @strawberry.mutation(
        description="Remove a field mapping: the next sync writes the source's standard value."
    )
    async def field_mapping_delete(
        self, info: Info, input: FieldMappingDeleteInput
    ) -> FieldMappingDeleteResult:  # type: ignore[valid-type]
        return await _FIELD_MAPPINGS.delete(
            info, input, service.delete_field_mapping, FieldMappingDeleteSuccess
        )
