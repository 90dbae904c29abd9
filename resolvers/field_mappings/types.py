"""A field mapping: which custom field of a source fills which common-model field."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.services.field_mappings import api_name
from gateway.store.enums import MappedEntity, Provider
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.relay import Node, node_type, row_builder


@node_type(
    "FieldMapping",
    description="On every sync of the tenant's integrations of `provider`, an `entity` "
    "record whose custom field `sourceField` has a value gets it in `targetField` "
    "instead of the source's standard value.",
)
class FieldMapping(Node):
    provider: Provider
    entity: MappedEntity
    source_field: str = strawberry.field(
        description="The custom field's name, as the record's `customFields` shows it."
    )
    target_field: str = strawberry.field(
        description="The field it fills, as the API names it (`department`, `employmentType`)."
    )
    created_at: datetime
    updated_at: datetime


build_field_mapping = row_builder(
    FieldMapping, target_field=lambda row: api_name(row["target_field"])
)
