from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Interview as InterviewModel
from resolvers.interviews.filters import InterviewFilter, InterviewSort, interview_criteria
from resolvers.interviews.types import Interview, build_interview
from resolvers.node import node_field
from resolvers.read_connection import tenant_connection_field


@strawberry.type
class InterviewQueries:
    interviews = tenant_connection_field(
        Interview,
        Permission.INTERVIEWS_READ,
        table_of(InterviewModel),
        build_interview,
        filter=(InterviewFilter, interview_criteria),
        sort=InterviewSort,
    )
    interview = node_field(Interview)
