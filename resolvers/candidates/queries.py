from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Candidate as CandidateModel
from resolvers.candidates.filters import CandidateFilter, CandidateSort, candidate_criteria
from resolvers.candidates.types import Candidate, build_candidate
from resolvers.node import node_field
from resolvers.read_connection import tenant_connection_field


@strawberry.type
class CandidateQueries:
    candidates = tenant_connection_field(
        Candidate,
        Permission.CANDIDATES_READ,
        table_of(CandidateModel),
        build_candidate,
        filter=(CandidateFilter, candidate_criteria),
        sort=CandidateSort,
    )
    candidate = node_field(Candidate)
