from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Application as ApplicationModel
from resolvers.applications.connection import application_prefetch
from resolvers.applications.filters import ApplicationFilter, ApplicationSort, application_criteria
from resolvers.applications.loaders import APPLICATION_PREFETCHERS
from resolvers.applications.types import Application, build_application
from resolvers.node import node_field
from resolvers.read_connection import tenant_connection_field


@strawberry.type
class ApplicationQueries:
    applications = tenant_connection_field(
        Application,
        Permission.APPLICATIONS_READ,
        table_of(ApplicationModel),
        build_application,
        filter=(ApplicationFilter, application_criteria),
        sort=ApplicationSort,
        prefetch=application_prefetch,
        prefetchers=APPLICATION_PREFETCHERS,
    )
    application = node_field(Application)
