from __future__ import annotations

from gateway.store.models import Job
from resolvers.dataloaders import row_by_id_loader

JobByIdLoader = row_by_id_loader(Job)
