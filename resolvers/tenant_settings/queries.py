"""``settings``: the tenant's settings, created with their defaults on first read."""

from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.services.settings import ensure_settings_row
from resolvers.context import Info
from resolvers.permissions import require
from resolvers.tenant_settings.types import Settings, build_settings


@strawberry.type
class SettingsQueries:
    @strawberry.field
    async def settings(self, info: Info) -> Settings:
        principal = require(info, Permission.SETTINGS_READ)
        async with info.context.session_factory.begin() as session:
            row = await ensure_settings_row(session, principal.tenant_id)
        return build_settings(row)
