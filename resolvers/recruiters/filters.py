"""Which recruiters a listing asks for: the filter input and its criteria."""

from __future__ import annotations

import strawberry

from gateway.store.criteria import RecruiterCriteria
from gateway.store.enums import Role
from resolvers.read_criteria import as_is, as_tuple, criteria_from


@strawberry.input
class RecruiterFilter:
    search: str | None = None
    role: list[Role] | None = None
    is_active: bool | None = None


recruiter_criteria = criteria_from(
    RecruiterCriteria,
    RecruiterFilter,
    search=as_is("search"),
    roles=as_tuple("role"),
    is_active=as_is("is_active"),
)
