"""Personas by id, batched."""

from __future__ import annotations

from gateway.store.models import Persona
from resolvers.dataloaders import row_by_id_loader

PersonaByIdLoader = row_by_id_loader(Persona)
