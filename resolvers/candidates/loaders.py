from __future__ import annotations

from gateway.store.base import table_of
from gateway.store.models import Candidate
from resolvers.dataloaders import RowByIdLoader


class CandidateByIdLoader(RowByIdLoader):
    table = table_of(Candidate)
