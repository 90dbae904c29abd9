"""Field mappings by id, batched."""

from __future__ import annotations

from gateway.store.models import FieldMapping
from resolvers.dataloaders import row_by_id_loader

FieldMappingByIdLoader = row_by_id_loader(FieldMapping)
