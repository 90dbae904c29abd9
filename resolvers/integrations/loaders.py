from __future__ import annotations

from gateway.store.models import Integration
from resolvers.dataloaders import RowByIdLoader


class IntegrationByIdLoader(RowByIdLoader):
    table = Integration.__table__
