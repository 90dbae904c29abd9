from __future__ import annotations

from gateway.store.models import Candidate
from resolvers.dataloaders import RowByIdLoader


class CandidateByIdLoader(RowByIdLoader):
    table = Candidate.__table__
