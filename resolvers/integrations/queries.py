from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Integration as IntegrationModel
from resolvers.integrations.filters import IntegrationFilter, integration_criteria
from resolvers.integrations.types import Integration, build_integration
from resolvers.node import node_field
from resolvers.read_connection import tenant_connection_field


@strawberry.type
class IntegrationQueries:
    integrations = tenant_connection_field(
        Integration,
        Permission.INTEGRATIONS_READ,
        table_of(IntegrationModel),
        build_integration,
        filter=(IntegrationFilter, integration_criteria),
        order=("created_at", False),
    )
    integration = node_field(Integration)
