"""Which integrations a listing asks for: the filter input and its criteria."""

from __future__ import annotations

import strawberry

from gateway.store.criteria import IntegrationCriteria
from gateway.store.enums import IntegrationStatus, Provider
from resolvers.read_criteria import as_tuple, criteria_from


@strawberry.input
class IntegrationFilter:
    provider: list[Provider] | None = None
    status: list[IntegrationStatus] | None = None


integration_criteria = criteria_from(
    IntegrationCriteria,
    IntegrationFilter,
    providers=as_tuple("provider"),
    statuses=as_tuple("status"),
)
