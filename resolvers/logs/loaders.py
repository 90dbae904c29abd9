"""Log entries by id, batched."""

from __future__ import annotations

from gateway.store.models import OperationalLog
from resolvers.dataloaders import row_by_id_loader

LogEntryByIdLoader = row_by_id_loader(OperationalLog)
