from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import Principal
from gateway.outbound_events import OutboundEvent
from gateway.permissions import Permission
from gateway.services import webhook_subscriptions as service
from gateway.services.activities import Actor
from gateway.services.webhook_events import retry_event
from gateway.services.webhook_tests import send_test
from gateway.store.enums import SignatureScheme
from gateway.store.models import WebhookDelivery as WebhookDeliveryModel
from gateway.store.models import WebhookEvent as WebhookEventModel
from resolvers.context import Info
from resolvers.errors import mutation_result
from resolvers.inputs import not_null, sent_fields
from resolvers.mutation import guarded_mutation, run_mutation
from resolvers.relay import as_row, pk_of
from resolvers.webhooks.types import (
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
    build_webhook_delivery,
    build_webhook_event,
    build_webhook_subscription,
)
from resolvers.write_records import TenantRecords

_SECRET = (
    "The signing secret, in the form of the `signatureScheme`: for STANDARD_WEBHOOKS "
    "`whsec_` + base64 of 24 to 64 random bytes, for INTEGRATION_FRAMEWORK a plain "
    "secret of 16 to 256 printable characters; stored encrypted, never returned."
)
_SCHEME = "How deliveries (and test messages) are signed."


@strawberry.input
class WebhookSubscriptionCreateInput:
    name: str
    url: str = strawberry.field(
        description="http(s), at most 2048 characters, no credentials; refused when it "
        "resolves to a private, loopback or link-local address."
    )
    events: list[OutboundEvent]
    secret: str | None = strawberry.field(
        default=None, description=_SECRET + " Generated when omitted."
    )
    retry_attempts: int = strawberry.field(
        default=3, description="Retries after the first attempt, 0 to 10: 1 s, 2 s, 4 s ... apart."
    )
    timeout_ms: int = strawberry.field(default=10_000, description="1000 to 30000.")
    is_active: bool = True
    signature_scheme: SignatureScheme = strawberry.field(
        default=SignatureScheme.STANDARD_WEBHOOKS, description=_SCHEME
    )


@strawberry.input(description="Omitted fields stay as they are.")
class WebhookSubscriptionUpdateInput:
    id: strawberry.ID
    name: str | None = not_null()
    url: str | None = not_null()
    events: list[OutboundEvent] | None = not_null()
    secret: str | None = not_null(description=_SECRET)
    retry_attempts: int | None = not_null()
    timeout_ms: int | None = not_null()
    is_active: bool | None = not_null()
    signature_scheme: SignatureScheme | None = not_null(
        description=_SCHEME + " Takes effect on the next delivery attempt. The stored "
        "secret stays when it fits the new scheme; from INTEGRATION_FRAMEWORK to "
        "STANDARD_WEBHOOKS send a `whsec_` secret with it."
    )


@strawberry.input
class WebhookSubscriptionDeleteInput:
    id: strawberry.ID


@strawberry.input
class WebhookSubscriptionTestInput:
    id: strawberry.ID
    event: OutboundEvent | None = strawberry.field(
        default=None,
        description='Send as this event (with test data); "webhook.test" when omitted.',
    )


@strawberry.input
class WebhookEventRetryInput:
    id: strawberry.ID


@strawberry.type
class WebhookSubscriptionCreateSuccess:
    webhook_subscription: WebhookSubscription
    secret: str | None = strawberry.field(
        description="The generated signing secret (`whsec_...` for STANDARD_WEBHOOKS, 64 "
        "hex digits for INTEGRATION_FRAMEWORK), shown only here; null when you gave one."
    )


@strawberry.type
class WebhookSubscriptionUpdateSuccess:
    webhook_subscription: WebhookSubscription


@strawberry.type
class WebhookSubscriptionDeleteSuccess:
    deleted_id: strawberry.ID


@strawberry.type(description="The receiver was called; `delivery` says how it answered.")
class WebhookSubscriptionTestSuccess:
    delivery: WebhookDelivery


@strawberry.type
class WebhookEventRetrySuccess:
    webhook_event: WebhookEvent


WebhookSubscriptionCreateResult = mutation_result(
    "WebhookSubscriptionCreateResult", WebhookSubscriptionCreateSuccess
)
WebhookSubscriptionUpdateResult = mutation_result(
    "WebhookSubscriptionUpdateResult", WebhookSubscriptionUpdateSuccess
)
WebhookSubscriptionDeleteResult = mutation_result(
    "WebhookSubscriptionDeleteResult", WebhookSubscriptionDeleteSuccess
)
WebhookSubscriptionTestResult = mutation_result(
    "WebhookSubscriptionTestResult", WebhookSubscriptionTestSuccess
)
WebhookEventRetryResult = mutation_result("WebhookEventRetryResult", WebhookEventRetrySuccess)

_SUBSCRIPTIONS = TenantRecords(
    "WebhookSubscription",
    Permission.INTEGRATIONS_MANAGE,
    build=build_webhook_subscription,
    payload_field="webhook_subscription",
)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Subscribe a URL to events. Admin only.")
    async def webhook_subscription_create(
        self, info: Info, input: WebhookSubscriptionCreateInput
    ) -> WebhookSubscriptionCreateResult:  # type: ignore[valid-type]
        context = info.context

        async def action(session: AsyncSession, actor: Actor) -> Any:
            fields = sent_fields(input, exclude=())
            return await service.create_subscription(
                session, actor, context.keyring, context.settings, fields
            )

        result = await run_mutation(info, Permission.INTEGRATIONS_MANAGE, action)
        if not isinstance(result, tuple):
            return result
        subscription, secret = result
        return WebhookSubscriptionCreateSuccess(
            webhook_subscription=build_webhook_subscription(as_row(subscription)), secret=secret
        )

    @strawberry.mutation(description="Change a subscription. Admin only.")
    async def webhook_subscription_update(
        self, info: Info, input: WebhookSubscriptionUpdateInput
    ) -> WebhookSubscriptionUpdateResult:  # type: ignore[valid-type]
        context = info.context

        async def update(
            session: AsyncSession, actor: Actor, pk: int, fields: dict[str, Any]
        ) -> Any:
            return await service.update_subscription(
                session, actor, context.keyring, context.settings, pk, fields
            )

        return await _SUBSCRIPTIONS.update(info, input, update, WebhookSubscriptionUpdateSuccess)

    @strawberry.mutation(description="Remove a subscription and its delivery log. Admin only.")
    async def webhook_subscription_delete(
        self, info: Info, input: WebhookSubscriptionDeleteInput
    ) -> WebhookSubscriptionDeleteResult:  # type: ignore[valid-type]
        return await _SUBSCRIPTIONS.delete(
            info, input, service.delete_subscription, WebhookSubscriptionDeleteSuccess
        )

    @strawberry.mutation(
        description="Send one signed test message now and wait for the answer; it is "
        "logged as a delivery and never retried. Admin only."
    )
    async def webhook_subscription_test(
        self, info: Info, input: WebhookSubscriptionTestInput
    ) -> WebhookSubscriptionTestResult:  # type: ignore[valid-type]
        context = info.context

        async def action(principal: Principal) -> WebhookDeliveryModel:
            return await send_test(
                context.session_factory,
                context.keyring,
                context.outbound_http or context.http,
                context.settings,
                Actor.from_principal(principal),
                pk_of(input.id, "WebhookSubscription"),
                input.event,
            )

        result = await guarded_mutation(info, Permission.INTEGRATIONS_MANAGE, action)
        if not isinstance(result, WebhookDeliveryModel):
            return result
        return WebhookSubscriptionTestSuccess(delivery=build_webhook_delivery(as_row(result)))

    @strawberry.mutation(
        description="Process a FAILED or IGNORED inbound webhook event again. Admin only."
    )
    async def webhook_event_retry(
        self, info: Info, input: WebhookEventRetryInput
    ) -> WebhookEventRetryResult:  # type: ignore[valid-type]
        context = info.context

        async def action(principal: Principal) -> WebhookEventModel:
            return await retry_event(
                context.session_factory,
                context.require_webhook_inbox(),
                principal.tenant_id,
                pk_of(input.id, "WebhookEvent"),
                Actor.from_principal(principal),
            )

        result = await guarded_mutation(info, Permission.INTEGRATIONS_MANAGE, action)
        if not isinstance(result, WebhookEventModel):
            return result
        return WebhookEventRetrySuccess(webhook_event=build_webhook_event(as_row(result)))
