from __future__ import annotations

from gateway.store.base import table_of
from gateway.store.models import Job
from resolvers.dataloaders import RowByIdLoader


class JobByIdLoader(RowByIdLoader):
    table = table_of(Job)
