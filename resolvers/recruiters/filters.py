"""Which recruiters a listing asks for: the filter input and its criteria."""

from __future__ import annotations

import strawberry

from gateway.store.criteria import RecruiterCriteria
from gateway.store.enums import Role


@strawberry.input
class RecruiterFilter:
    search: str | None = None
    role: list[Role] | None = None
    is_active: bool | None = None


def recruiter_criteria(value: RecruiterFilter | None) -> RecruiterCriteria:
    value = value or RecruiterFilter()
    return RecruiterCriteria(
        search=value.search, roles=tuple(value.role or ()), is_active=value.is_active
    )
