from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from gateway import links
from gateway.auth import Principal
from gateway.errors import ValidationFailed
from gateway.permissions import Permission
from gateway.services import integrations as service
from gateway.services.activities import Actor
from gateway.services.oauth import start_authorization
from gateway.services.passthrough import PassthroughDeps, PassthroughRequest, run_passthrough
from gateway.store.enums import AuthType, IntegrationEnvironment, IntegrationStatus, Provider
from resolvers.context import Info
from resolvers.errors import ConnectorError, mutation_result
from resolvers.inputs import not_null
from resolvers.integrations.types import Integration, build_integration
from resolvers.mutation import guarded_mutation, run_mutation, write_back_mutation
from resolvers.relay import as_row, pk_of
from resolvers.write_records import TenantRecords


@strawberry.input(
    description="Secrets go in `credentials`; they are stored encrypted, never returned."
)
class IntegrationCreateInput:
    provider: Provider
    name: str
    environment: IntegrationEnvironment = IntegrationEnvironment.PROD
    auth_type: AuthType | None = None
    credentials: JSON | None = strawberry.field(
        default=None, description='Provider credentials, e.g. {"apiKey": "..."}.'
    )
    config: JSON | None = strawberry.field(
        default=None, description='Settings, e.g. {"baseUrl": "https://sandbox.example.com"}.'
    )
    webhook_secret: str | None = None
    external_account_id: str | None = None
    sync_interval_minutes: int | None = None


@strawberry.input(description="Omitted fields stay; in `credentials` a null removes one secret.")
class IntegrationUpdateInput:
    id: strawberry.ID
    name: str | None = not_null()
    environment: IntegrationEnvironment | None = not_null()
    credentials: JSON | None = strawberry.UNSET
    config: JSON | None = strawberry.UNSET
    webhook_secret: str | None = strawberry.UNSET
    external_account_id: str | None = strawberry.UNSET
    sync_interval_minutes: int | None = not_null()
    status: IntegrationStatus | None = not_null()


@strawberry.input
class IntegrationDeleteInput:
    id: strawberry.ID


@strawberry.input
class IntegrationTestConnectionInput:
    id: strawberry.ID


@strawberry.input
class IntegrationOAuthStartInput:
    id: strawberry.ID
    redirect_uri: str | None = strawberry.field(
        default=None, description="Defaults to this gateway's /oauth/callback."
    )


@strawberry.input(
    description="One request to the source's own API: `path` relative to the connector's "
    "base URL and under the provider's allowed prefixes."
)
class IntegrationPassthroughInput:
    integration_id: strawberry.ID
    method: str = strawberry.field(description="GET, POST, PUT, PATCH or DELETE.")
    path: str = strawberry.field(description='e.g. "/api/external/job/list".')
    query: JSON | None = strawberry.field(
        default=None, description='Query parameters, e.g. {"current_page": 1}.'
    )
    body: JSON | None = strawberry.field(default=None, description="A JSON body (not with GET).")


@strawberry.type(description="The source's answer, as it gave it (its errors included).")
class IntegrationPassthroughSuccess:
    status: int
    headers: JSON = strawberry.field(description="The headers that describe the answer.")
    body: JSON | None = strawberry.field(description="JSON, or text when it is not JSON.")
    truncated: bool = strawberry.field(description="The body was cut at the size limit.")


@strawberry.type(description="Send the admin to `authorizationUrl` before `expiresAt`.")
class IntegrationOAuthStartSuccess:
    authorization_url: str
    expires_at: datetime


@strawberry.type
class IntegrationCreateSuccess:
    integration: Integration


@strawberry.type
class IntegrationUpdateSuccess:
    integration: Integration


@strawberry.type
class IntegrationDeleteSuccess:
    deleted_id: strawberry.ID


@strawberry.type(description="The check ran; `ok` says whether the provider answered.")
class IntegrationTestConnectionSuccess:
    integration: Integration
    ok: bool
    detail: str


IntegrationCreateResult = mutation_result("IntegrationCreateResult", IntegrationCreateSuccess)
IntegrationUpdateResult = mutation_result("IntegrationUpdateResult", IntegrationUpdateSuccess)
IntegrationDeleteResult = mutation_result("IntegrationDeleteResult", IntegrationDeleteSuccess)
IntegrationTestConnectionResult = mutation_result(
    "IntegrationTestConnectionResult", IntegrationTestConnectionSuccess
)
IntegrationPassthroughResult = mutation_result(
    "IntegrationPassthroughResult", IntegrationPassthroughSuccess, ConnectorError
)
IntegrationOAuthStartResult = mutation_result(
    "IntegrationOAuthStartResult", IntegrationOAuthStartSuccess
)

_INTEGRATIONS = TenantRecords(
    "Integration",
    Permission.INTEGRATIONS_MANAGE,
    build=build_integration,
    payload_field="integration",
)


@strawberry.type
class IntegrationMutations:
    @strawberry.mutation(description="Connect a provider. Admin only.")
    async def integration_create(
        self, info: Info, input: IntegrationCreateInput
    ) -> IntegrationCreateResult:  # type: ignore[valid-type]
        keyring = info.context.keyring
        allow_private = info.context.settings.connector_allow_private_targets

        async def create(session: AsyncSession, actor: Actor, fields: dict[str, Any]) -> Any:
            return await service.create_integration(
                session, actor, keyring, fields, allow_private_targets=allow_private
            )

        return await _INTEGRATIONS.create(info, input, create, IntegrationCreateSuccess)

    @strawberry.mutation(
        description="Change an integration; changed credentials reset it to PENDING."
    )
    async def integration_update(
        self, info: Info, input: IntegrationUpdateInput
    ) -> IntegrationUpdateResult:  # type: ignore[valid-type]
        keyring = info.context.keyring
        allow_private = info.context.settings.connector_allow_private_targets

        async def update(
            session: AsyncSession, actor: Actor, pk: int, fields: dict[str, Any]
        ) -> Any:
            return await service.update_integration(
                session, actor, keyring, pk, fields, allow_private_targets=allow_private
            )

        return await _INTEGRATIONS.update(info, input, update, IntegrationUpdateSuccess)

    @strawberry.mutation(description="Remove an integration; synced records stay, detached.")
    async def integration_delete(
        self, info: Info, input: IntegrationDeleteInput
    ) -> IntegrationDeleteResult:  # type: ignore[valid-type]
        return await _INTEGRATIONS.delete(
            info, input, service.delete_integration, IntegrationDeleteSuccess
        )

    @strawberry.mutation(description="Run the provider's check now and record the health it shows.")
    async def integration_test_connection(
        self, info: Info, input: IntegrationTestConnectionInput
    ) -> IntegrationTestConnectionResult:  # type: ignore[valid-type]
        context = info.context

        async def action(principal: Principal) -> IntegrationTestConnectionSuccess:
            integration, outcome = await service.check_integration(
                context.session_factory,
                context.keyring,
                context.http,
                principal.tenant_id,
                pk_of(input.id, "Integration"),
                Actor.from_principal(principal),
            )
            return IntegrationTestConnectionSuccess(
                integration=build_integration(as_row(integration)),
                ok=outcome.ok,
                detail=outcome.detail,
            )

        result = await guarded_mutation(info, Permission.INTEGRATIONS_MANAGE, action)
        if isinstance(result, IntegrationTestConnectionSuccess):
            await context.cache.invalidate(context.tenant_id)
        return result

    @strawberry.mutation(
        name="integrationOAuthStart",
        description="Begin the OAuth 2.0 authorization (state and PKCE) of an OAuth integration.",
    )
    async def integration_oauth_start(
        self, info: Info, input: IntegrationOAuthStartInput
    ) -> IntegrationOAuthStartResult:  # type: ignore[valid-type]
        context = info.context
        redirect_uri = (
            input.redirect_uri
            or f"{links.for_caller(context.request, context.settings)}/oauth/callback"
        )

        async def action(session: AsyncSession, actor: Actor) -> Any:
            if not redirect_uri.startswith(("https://", "http://")):
                raise ValidationFailed("redirectUri", "redirectUri must be an http(s) URL")
            return await start_authorization(
                session,
                actor,
                context.keyring,
                pk_of(input.id, "Integration"),
                redirect_uri=redirect_uri,
            )

        result = await run_mutation(info, Permission.CREDENTIALS_MANAGE, action)
        if isinstance(result, tuple):
            url, expires_at = result
            return IntegrationOAuthStartSuccess(authorization_url=url, expires_at=expires_at)
        return result

    @strawberry.mutation(
        description="Send one request to the source's API through the integration's "
        "credentials, rate limit and retries; admin only, audited."
    )
    async def integration_passthrough(
        self, info: Info, input: IntegrationPassthroughInput
    ) -> IntegrationPassthroughResult:  # type: ignore[valid-type]
        context = info.context

        async def action(principal: Principal) -> IntegrationPassthroughSuccess:
            integration_id = pk_of(input.integration_id, "Integration", field="integrationId")
            if input.query is not None and not isinstance(input.query, dict):
                raise ValidationFailed("query", "query must be an object of parameters")
            deps = PassthroughDeps(context.session_factory, context.keyring, context.http)
            request = PassthroughRequest(input.method, input.path, input.query or {}, input.body)
            answer = await run_passthrough(
                deps, Actor.from_principal(principal), integration_id, request
            )
            return IntegrationPassthroughSuccess(
                status=answer.status,
                headers=cast(JSON, answer.headers),
                body=answer.body,
                truncated=answer.truncated,
            )

        return await write_back_mutation(info, Permission.INTEGRATIONS_PASSTHROUGH, action)
