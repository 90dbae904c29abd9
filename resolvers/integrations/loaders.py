from __future__ import annotations

from gateway.store.base import table_of
from gateway.store.models import Integration
from resolvers.dataloaders import RowByIdLoader


class IntegrationByIdLoader(RowByIdLoader):
    table = table_of(Integration)
