from __future__ import annotations

from gateway.store.models import Job
from resolvers.dataloaders import RowByIdLoader


class JobByIdLoader(RowByIdLoader):
    table = Job.__table__
