"""Outbound webhook subscriptions: create, change, delete, with the signing secret
encrypted and URLs checked against server-side request forgery.

    subscription, secret = await create_subscription(session, actor, keyring, settings, {
        "name": "ATS mirror", "url": "https://hooks.example.com/tg",
        "events": ["application.created"]})
    secret    # 'whsec_...': generated when none was given, shown to the caller only now

Rules: ``name`` 1 to 255 characters; ``url`` http(s), at most 2048 characters, no
credentials, not resolving to a private address (see ``gateway.outbound_http``);
``events`` a non-empty subset of ``OutboundEvent``; ``retryAttempts`` 0 to 10 (retries
after the first attempt, 1 s, 2 s, 4 s ... apart: ten span about 17 minutes);
``timeoutMs`` 1000 to 30000 (a receiver should answer fast and work later; 30 s
keeps a slow receiver from holding a delivery slot for long). A secret is
``whsec_`` + base64 of 24 to 64 bytes (``gateway.webhook_signature``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.crypto import Keyring, mask
from gateway.errors import ValidationFailed
from gateway.outbound_events import OutboundEvent
from gateway.outbound_http import check_target, target_url
from gateway.services.activities import Actor, record_activity
from gateway.services.validation import in_range, required_text, tenant_row
from gateway.settings import Settings
from gateway.store.models import WebhookSubscription
from gateway.webhook_signature import generate_secret, secret_key

RETRY_ATTEMPTS = (0, 10)
TIMEOUT_MS = (1000, 30_000)
ENTITY = "WebhookSubscription"


def secret_context(tenant_id: int) -> str:
    """Bound to the ciphertext: a subscription secret decrypts nowhere else."""
    return f"tenant:{tenant_id}:outbound-webhook-secret"


def decrypted_secret(subscription: WebhookSubscription, keyring: Keyring) -> str:
    token = subscription.secret_encrypted
    return keyring.decrypt(token, context=secret_context(subscription.tenant_id)).decode()


def secret_hint(subscription: WebhookSubscription, keyring: Keyring) -> str:
    return mask(decrypted_secret(subscription, keyring))


def _events(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise ValidationFailed("events", "events must list at least one event")
    chosen: list[str] = []
    for item in value:
        try:
            event = OutboundEvent(item)
        except ValueError as exc:
            raise ValidationFailed("events", f"unknown event {str(item)[:64]!r}") from exc
        if event.value not in chosen:
            chosen.append(event.value)
    return chosen


def _int(field: str, value: Any, bounds: tuple[int, int]) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(field, f"{field} must be a whole number")
    return in_range(field, value, *bounds)


async def _url(value: Any, settings: Settings) -> str:
    if not isinstance(value, str):
        raise ValidationFailed("url", "url must be a string")
    url = target_url(value)
    await check_target(url, allow_private=settings.webhook_allow_private_targets)
    return str(url)


def _store_secret(subscription: WebhookSubscription, keyring: Keyring, secret: str) -> None:
    secret_key(secret.strip())
    subscription.secret_encrypted = keyring.encrypt(
        secret.strip().encode(), context=secret_context(subscription.tenant_id)
    )


async def create_subscription(
    session: AsyncSession,
    actor: Actor,
    keyring: Keyring,
    settings: Settings,
    fields: dict[str, Any],
) -> tuple[WebhookSubscription, str | None]:
    """The new subscription and, when the secret was generated here, that secret."""
    given = fields.get("secret")
    if given is not None and not isinstance(given, str):
        raise ValidationFailed("secret", "secret must be a string")
    subscription = WebhookSubscription(
        tenant_id=actor.tenant_id,
        name=required_text("name", fields.get("name")),
        url=await _url(fields.get("url"), settings),
        events=_events(fields.get("events")),
        retry_attempts=_int("retryAttempts", fields.get("retry_attempts", 3), RETRY_ATTEMPTS),
        timeout_ms=_int("timeoutMs", fields.get("timeout_ms", 10_000), TIMEOUT_MS),
        is_active=bool(fields.get("is_active", True)),
    )
    generated = generate_secret() if given is None else None
    _store_secret(subscription, keyring, given if given is not None else generated or "")
    session.add(subscription)
    await session.flush()
    record_activity(
        session,
        actor,
        action="webhook_subscription.created",
        subject_type=ENTITY,
        subject_id=subscription.id,
        description=f"Created webhook subscription {subscription.name}",
        details={"events": subscription.events, "secretGenerated": generated is not None},
    )
    return subscription, generated


async def _validated(changes: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Column values for ``changes``, checked (DNS included) before any row is locked."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None:
            raise ValidationFailed(_camel(name), f"{_camel(name)} cannot be null")
    if "name" in changes:
        values["name"] = required_text("name", changes["name"])
    if "url" in changes:
        values["url"] = await _url(changes["url"], settings)
    if "events" in changes:
        values["events"] = _events(changes["events"])
    if "retry_attempts" in changes:
        values["retry_attempts"] = _int("retryAttempts", changes["retry_attempts"], RETRY_ATTEMPTS)
    if "timeout_ms" in changes:
        values["timeout_ms"] = _int("timeoutMs", changes["timeout_ms"], TIMEOUT_MS)
    if "is_active" in changes:
        values["is_active"] = bool(changes["is_active"])
    if "secret" in changes:
        if not isinstance(changes["secret"], str):
            raise ValidationFailed("secret", "secret must be a string")
        secret_key(changes["secret"].strip())
        values["secret"] = changes["secret"].strip()
    return values


async def update_subscription(
    session: AsyncSession,
    actor: Actor,
    keyring: Keyring,
    settings: Settings,
    subscription_id: int,
    changes: dict[str, Any],
) -> WebhookSubscription:
    """Fields left out stay; none may be set to null."""
    values = await _validated(changes, settings)
    subscription: WebhookSubscription = await tenant_row(
        session, WebhookSubscription, actor.tenant_id, subscription_id, ENTITY
    )
    secret = values.pop("secret", None)
    for name, value in values.items():
        setattr(subscription, name, value)
    if secret is not None:
        _store_secret(subscription, keyring, secret)
    await session.flush()
    record_activity(
        session,
        actor,
        action="webhook_subscription.updated",
        subject_type=ENTITY,
        subject_id=subscription.id,
        description=f"Updated webhook subscription {subscription.name}: "
        + ", ".join(_camel(name) for name in sorted(changes)),
        details={"fields": sorted(_camel(name) for name in changes)},
    )
    return subscription


async def delete_subscription(
    session: AsyncSession, actor: Actor, subscription_id: int
) -> WebhookSubscription:
    """Delete the subscription and its delivery log."""
    subscription: WebhookSubscription = await tenant_row(
        session, WebhookSubscription, actor.tenant_id, subscription_id, ENTITY
    )
    await session.delete(subscription)
    await session.flush()
    record_activity(
        session,
        actor,
        action="webhook_subscription.deleted",
        subject_type=ENTITY,
        subject_id=subscription_id,
        description=f"Deleted webhook subscription {subscription.name}",
    )
    return subscription


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
