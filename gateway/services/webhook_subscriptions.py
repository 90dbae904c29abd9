"""Outbound webhook subscriptions: create, change, delete, with the signing secret
encrypted and URLs checked against server-side request forgery.

    subscription, secret = await create_subscription(session, actor, keyring, settings, {
        "name": "ATS mirror", "url": "https://hooks.example.com/tg",
        "events": ["application.created"]})
    secret    # 'whsec_...': generated when none was given, shown to the caller only now
    await update_subscription(session, actor, keyring, settings, subscription.id,
                              {"signature_scheme": SignatureScheme.INTEGRATION_FRAMEWORK})

Rules: ``name`` 1 to 255 characters; ``url`` http(s), at most 2048 characters, no
credentials, not resolving to a private address (see ``gateway.outbound_http``);
``events`` a non-empty subset of ``OutboundEvent``; ``retryAttempts`` 0 to 10 (retries
after the first attempt, 1 s, 2 s, 4 s ... apart: ten span about 17 minutes);
``timeoutMs`` 1000 to 30000 (a receiver should answer fast and work later; 30 s
keeps a slow receiver from holding a delivery slot for long).

``signatureScheme`` says how deliveries are signed (``gateway.webhook_signature``), and
the secret must fit it: ``STANDARD_WEBHOOKS`` (the default) takes ``whsec_`` + base64
of 24 to 64 bytes, ``INTEGRATION_FRAMEWORK`` a plain secret of 16 to 256 printable
characters; one is generated in the scheme's form when none is given. Switching an
existing subscription's scheme keeps its secret when that fits the new scheme (a
``whsec_...`` string is a valid plain secret, used whole as the key); switching to
``STANDARD_WEBHOOKS`` from a plain secret needs a ``whsec_`` secret sent with it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.crypto import CryptoError, Keyring, mask
from gateway.errors import ValidationFailed
from gateway.outbound_events import OutboundEvent
from gateway.outbound_http import check_target, target_url
from gateway.services.activities import Actor, record_activity
from gateway.services.validation import in_range, required_text, tenant_row
from gateway.settings import Settings
from gateway.store.enums import SignatureScheme
from gateway.store.models import WebhookSubscription
from gateway.webhook_signature import check_secret, generate_secret_for

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


def _scheme(value: Any) -> SignatureScheme:
    try:
        return SignatureScheme(value)
    except ValueError as exc:
        raise ValidationFailed(
            "signatureScheme", f"unknown signature scheme {str(value)[:64]!r}"
        ) from exc


def _secret(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationFailed("secret", "secret must be a string")
    return value.strip()


def _store_secret(subscription: WebhookSubscription, keyring: Keyring, secret: str) -> None:
    check_secret(subscription.signature_scheme, secret)
    subscription.secret_encrypted = keyring.encrypt(
        secret.encode(), context=secret_context(subscription.tenant_id)
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
    scheme = _scheme(fields.get("signature_scheme") or SignatureScheme.STANDARD_WEBHOOKS)
    if given is not None:
        given = _secret(given)
        check_secret(scheme, given)
    subscription = WebhookSubscription(
        tenant_id=actor.tenant_id,
        name=required_text("name", fields.get("name")),
        url=await _url(fields.get("url"), settings),
        events=_events(fields.get("events")),
        retry_attempts=_int("retryAttempts", fields.get("retry_attempts", 3), RETRY_ATTEMPTS),
        timeout_ms=_int("timeoutMs", fields.get("timeout_ms", 10_000), TIMEOUT_MS),
        is_active=bool(fields.get("is_active", True)),
        signature_scheme=scheme,
    )
    generated = generate_secret_for(scheme) if given is None else None
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
        details={
            "events": subscription.events,
            "signatureScheme": scheme.value,
            "secretGenerated": generated is not None,
        },
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
    if "signature_scheme" in changes:
        values["signature_scheme"] = _scheme(changes["signature_scheme"])
    if "secret" in changes:
        values["secret"] = _secret(changes["secret"])
        if "signature_scheme" in values:
            check_secret(values["signature_scheme"], values["secret"])
    return values


async def update_subscription(
    session: AsyncSession,
    actor: Actor,
    keyring: Keyring,
    settings: Settings,
    subscription_id: int,
    changes: dict[str, Any],
) -> WebhookSubscription:
    """Fields left out stay; none may be set to null. A new ``signature_scheme`` keeps
    the stored secret only when it fits the scheme (else a fitting secret must come with
    it); the next delivery, a retry of an earlier one included, is signed the new way."""
    values = await _validated(changes, settings)
    subscription: WebhookSubscription = await tenant_row(
        session, WebhookSubscription, actor.tenant_id, subscription_id, ENTITY
    )
    secret = values.pop("secret", None)
    scheme = values.get("signature_scheme")
    if secret is None and scheme is not None and scheme != subscription.signature_scheme:
        _check_kept_secret(subscription, keyring, scheme)
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


def _check_kept_secret(
    subscription: WebhookSubscription, keyring: Keyring, scheme: SignatureScheme
) -> None:
    try:
        check_secret(scheme, decrypted_secret(subscription, keyring))
    except (ValidationFailed, CryptoError) as exc:
        raise ValidationFailed(
            "secret",
            f"the stored secret cannot sign {scheme.name} deliveries: send a secret "
            f"that can with the new signatureScheme ({exc})",
        ) from exc


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
