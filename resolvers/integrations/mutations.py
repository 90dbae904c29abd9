from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

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
from gateway.store.enums import AuthType, IntegrationEnvironment, IntegrationStatus, Provider
from resolvers.context import Info
from resolvers.errors import NotFoundError, PermissionDeniedError, ValidationError, is_error
from resolvers.inputs import not_null, sent_fields
from resolvers.integrations.types import Integration, build_integration
from resolvers.mutation import guarded_mutation, run_mutation
from resolvers.relay import as_row, pk_of


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


IntegrationCreateResult = Annotated[
    IntegrationCreateSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("IntegrationCreateResult"),
]
IntegrationUpdateResult = Annotated[
    IntegrationUpdateSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("IntegrationUpdateResult"),
]
IntegrationDeleteResult = Annotated[
    IntegrationDeleteSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("IntegrationDeleteResult"),
]
IntegrationTestConnectionResult = Annotated[
    IntegrationTestConnectionSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("IntegrationTestConnectionResult"),
]


IntegrationOAuthStartResult = Annotated[
    IntegrationOAuthStartSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("IntegrationOAuthStartResult"),
]


@strawberry.type
class IntegrationMutations:
    @strawberry.mutation(description="Connect a provider. Admin only.")
    async def integration_create(
        self, info: Info, input: IntegrationCreateInput
    ) -> IntegrationCreateResult:
        keyring = info.context.keyring
        allow_private = info.context.settings.connector_allow_private_targets

        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await service.create_integration(
                session, actor, keyring, sent_fields(input), allow_private_targets=allow_private
            )

        result = await run_mutation(info, Permission.INTEGRATIONS_MANAGE, action)
        if is_error(result):
            return result
        return IntegrationCreateSuccess(integration=build_integration(as_row(result)))

    @strawberry.mutation(
        description="Change an integration; changed credentials reset it to PENDING."
    )
    async def integration_update(
        self, info: Info, input: IntegrationUpdateInput
    ) -> IntegrationUpdateResult:
        keyring = info.context.keyring
        allow_private = info.context.settings.connector_allow_private_targets

        async def action(session: AsyncSession, actor: Actor) -> Any:
            pk = pk_of(input.id, "Integration")
            return await service.update_integration(
                session, actor, keyring, pk, sent_fields(input), allow_private_targets=allow_private
            )

        result = await run_mutation(info, Permission.INTEGRATIONS_MANAGE, action)
        if is_error(result):
            return result
        return IntegrationUpdateSuccess(integration=build_integration(as_row(result)))

    @strawberry.mutation(description="Remove an integration; synced records stay, detached.")
    async def integration_delete(
        self, info: Info, input: IntegrationDeleteInput
    ) -> IntegrationDeleteResult:
        async def action(session: AsyncSession, actor: Actor) -> Any:
            return await service.delete_integration(session, actor, pk_of(input.id, "Integration"))

        result = await run_mutation(info, Permission.INTEGRATIONS_MANAGE, action)
        return result if is_error(result) else IntegrationDeleteSuccess(deleted_id=input.id)

    @strawberry.mutation(description="Run the provider's check now and record the health it shows.")
    async def integration_test_connection(
        self, info: Info, input: IntegrationTestConnectionInput
    ) -> IntegrationTestConnectionResult:
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
    ) -> IntegrationOAuthStartResult:
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
