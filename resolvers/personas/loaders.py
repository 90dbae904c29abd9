"""Personas by id, batched."""

from __future__ import annotations

from gateway.store.base import table_of
from gateway.store.models import Persona
from resolvers.dataloaders import RowByIdLoader


class PersonaByIdLoader(RowByIdLoader):
    table = table_of(Persona)
