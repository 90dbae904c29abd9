from __future__ import annotations

from gateway.store.models import Integration
from resolvers.dataloaders import row_by_id_loader

IntegrationByIdLoader = row_by_id_loader(Integration)
