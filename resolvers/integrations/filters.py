"""Which integrations a listing asks for."""

from __future__ import annotations

import strawberry

from gateway.store.enums import IntegrationStatus, Provider


@strawberry.input
class IntegrationFilter:
    provider: list[Provider] | None = None
    status: list[IntegrationStatus] | None = None
