"""Integrations: create, change, delete, test and health, with secrets encrypted.

Credentials are a JSON object per provider (``apiKey``, ``apiSecret``, ...), stored
only as AES-GCM ciphertext bound to the tenant; reads get ``has_credentials`` and a
masked hint. A test or health check runs the connector's ``check()`` and records
the outcome on the integration: ``active`` when it answers, ``error`` otherwise.

Every URL a connector will call (``config.baseUrl``, ``config.onboardingBaseUrl``,
``config.tokenUrl``, Workday's ``credentials.tenantUrl``) must be https, carry no
``user:password@`` and name a host whose addresses are public; with
``allow_private_targets`` (the ``connector_allow_private_targets`` setting) plain http and
private hosts pass, credentials in a URL never do. The same rules hold again at call
time (``gateway.outbound_http.connector_client``), for rows saved earlier and for DNS
answers that change.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.errors import ConnectorError
from connectors.models import CheckResult
from connectors.registry import PACKAGES, provider_spec
from gateway.crypto import CryptoError, Keyring, credentials_context, mask, webhook_secret_context
from gateway.errors import ValidationFailed
from gateway.outbound_http import UnsafeTarget, check_target, target_url
from gateway.services.activities import Actor, record_activity
from gateway.services.connections import (
    CALLED_CONFIG_URLS,
    CALLED_CREDENTIAL_URLS,
    connector_for,
    decrypted_credentials,
)
from gateway.services.validation import in_range, optional_text, required_text, tenant_row
from gateway.store.engine import SessionFactory
from gateway.store.enums import AuthType, IntegrationEnvironment, IntegrationStatus, Provider
from gateway.store.models import Integration

MAX_SECRET_LENGTH = 16 * 1024
CHECK_TIMEOUT_SECONDS = 20.0


def webhook_paths(provider: Provider, integration_id: int, account: str | None) -> list[str]:
    """Where the provider's sender posts for one integration, under ``/webhooks``."""
    return provider_spec(provider.value).webhook_paths(integration_id, account)


def default_auth(provider: Provider) -> AuthType:
    """The auth type the provider's declaration gives (``ProviderSpec.auth``)."""
    return AuthType(provider_spec(provider.value).auth)


def _provider(value: Any) -> Provider:
    try:
        provider = Provider(value)
    except ValueError as exc:
        raise ValidationFailed("provider", f"unknown provider {value!r}") from exc
    if provider.value not in PACKAGES:
        raise ValidationFailed("provider", f"no connector for {provider.value}")
    return provider


def _credentials(provider: Provider, values: Any, *, partial: bool) -> dict[str, str]:
    if not isinstance(values, dict):
        raise ValidationFailed("credentials", "credentials must be an object of strings")
    cleaned: dict[str, str] = {}
    for name, value in values.items():
        if not isinstance(name, str) or not name or len(name) > 64:
            raise ValidationFailed("credentials", "credential names must be short strings")
        if value is None and partial:
            continue
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed("credentials", f"credential {name!r} must be a non-empty string")
        if len(value) > MAX_SECRET_LENGTH:
            raise ValidationFailed("credentials", f"credential {name!r} is too long")
        cleaned[name] = value.strip()
    return cleaned


OAUTH_ISSUED = frozenset({"refreshToken", "accessToken"})
"""Credentials the OAuth flow stores; an OAuth integration starts without them."""


def _require(provider: Provider, credentials: dict[str, str], auth_type: AuthType) -> None:
    spec = provider_spec(provider.value)
    required = spec.connector.required_credentials
    if auth_type is AuthType.OAUTH2:
        if spec.oauth is not None and spec.oauth.credentials is not None:
            required = spec.oauth.credentials
        required = tuple(name for name in required if name not in OAUTH_ISSUED)
    missing = [name for name in required if name not in credentials]
    if missing:
        raise ValidationFailed(
            "credentials", f"{provider.value} needs credentials: {', '.join(missing)}"
        )


LINK_CONFIG_URLS = ("authorizeUrl",)
"""Config entries holding a URL only browsers are sent to."""


async def _called_url(field: str, name: str, value: Any, *, allow_private: bool) -> str:
    """``value`` as a URL the gateway may call, or ``ValidationFailed(field, ...)``
    naming ``field.name``."""
    label = f"{field}.{name}"
    if not isinstance(value, str):
        raise ValidationFailed(field, f"{label} must be a URL string")
    try:
        url = target_url(value, field=label)
    except ValidationFailed as refused:
        raise ValidationFailed(field, refused.message) from None
    if url.scheme != "https" and not allow_private:
        raise ValidationFailed(field, f"{label} must be an https URL")
    try:
        await check_target(url, allow_private=allow_private)
    except UnsafeTarget as refused:
        raise ValidationFailed(field, f"{label}: {refused.message}") from None
    return value.strip()


def _link_url(field: str, name: str, value: Any) -> str:
    label = f"{field}.{name}"
    if not isinstance(value, str):
        raise ValidationFailed(field, f"{label} must be a URL string")
    try:
        target_url(value, field=label)
    except ValidationFailed as refused:
        raise ValidationFailed(field, refused.message) from None
    return value.strip()


async def _config(value: Any, *, allow_private: bool) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed("config", "config must be an object")
    config = dict(value)
    for name in CALLED_CONFIG_URLS:
        if config.get(name) is not None:
            config[name] = await _called_url(
                "config", name, config[name], allow_private=allow_private
            )
    for name in LINK_CONFIG_URLS:
        if config.get(name) is not None:
            config[name] = _link_url("config", name, config[name])
    return config


async def _check_credential_urls(
    credentials: dict[str, str], names: set[str], *, allow_private: bool
) -> None:
    for name in CALLED_CREDENTIAL_URLS:
        if name in names and name in credentials:
            await _called_url("credentials", name, credentials[name], allow_private=allow_private)


def _hint(credentials: dict[str, str]) -> str | None:
    if not credentials:
        return None
    name = sorted(credentials)[0]
    return f"{name} {mask(credentials[name])}"


def store_credentials(integration: Integration, keyring: Keyring, values: dict[str, str]) -> None:
    if values:
        integration.credentials_encrypted = keyring.encrypt_json(
            values, context=credentials_context(integration.tenant_id)
        )
    else:
        integration.credentials_encrypted = None
    integration.credentials_hint = _hint(values)


def _store_webhook_secret(integration: Integration, keyring: Keyring, secret: str | None) -> None:
    if secret is None:
        integration.webhook_secret_encrypted = None
        return
    secret = required_text("webhookSecret", secret, max_length=MAX_SECRET_LENGTH)
    integration.webhook_secret_encrypted = keyring.encrypt(
        secret.encode(), context=webhook_secret_context(integration.tenant_id)
    )


async def create_integration(
    session: AsyncSession,
    actor: Actor,
    keyring: Keyring,
    fields: dict[str, Any],
    *,
    allow_private_targets: bool = False,
) -> Integration:
    """``allow_private_targets``: the ``connector_allow_private_targets`` setting."""
    provider = _provider(fields.get("provider"))
    auth_type = AuthType(fields.get("auth_type") or default_auth(provider))
    credentials = _credentials(provider, fields.get("credentials") or {}, partial=False)
    _require(provider, credentials, auth_type)
    await _check_credential_urls(credentials, set(credentials), allow_private=allow_private_targets)
    config = await _config(fields.get("config"), allow_private=allow_private_targets)
    integration = Integration(
        tenant_id=actor.tenant_id,
        provider=provider,
        name=required_text("name", fields.get("name")),
        environment=IntegrationEnvironment(fields.get("environment") or "prod"),
        auth_type=auth_type,
        config=config,
        external_account_id=optional_text("externalAccountId", fields.get("external_account_id")),
        status=IntegrationStatus.PENDING,
        sync_interval_minutes=in_range(
            "syncIntervalMinutes", fields.get("sync_interval_minutes") or 30, 5, 24 * 60
        ),
    )
    store_credentials(integration, keyring, credentials)
    if fields.get("webhook_secret"):
        _store_webhook_secret(integration, keyring, fields["webhook_secret"])
    session.add(integration)
    await session.flush()
    record_activity(
        session,
        actor,
        action="integration.created",
        subject_type="Integration",
        subject_id=integration.id,
        description=f"Connected {provider.value} integration {integration.name}",
        details={"provider": provider.value, "credentials": sorted(credentials)},
    )
    return integration


async def update_integration(
    session: AsyncSession,
    actor: Actor,
    keyring: Keyring,
    integration_id: int,
    changes: dict[str, Any],
    *,
    allow_private_targets: bool = False,
) -> Integration:
    """``credentials`` merges: a given name replaces, a null removes, others stay.
    ``allow_private_targets``: the ``connector_allow_private_targets`` setting."""
    integration: Integration = await tenant_row(
        session, Integration, actor.tenant_id, integration_id, "Integration"
    )
    if "name" in changes:
        integration.name = required_text("name", changes["name"])
    if changes.get("environment") is not None:
        integration.environment = IntegrationEnvironment(changes["environment"])
    if "config" in changes:
        integration.config = await _config(changes["config"], allow_private=allow_private_targets)
    if "external_account_id" in changes:
        integration.external_account_id = optional_text(
            "externalAccountId", changes["external_account_id"]
        )
    if changes.get("sync_interval_minutes") is not None:
        integration.sync_interval_minutes = in_range(
            "syncIntervalMinutes", changes["sync_interval_minutes"], 5, 24 * 60
        )
    if changes.get("status") is not None:
        status = IntegrationStatus(changes["status"])
        if status not in (IntegrationStatus.INACTIVE, IntegrationStatus.PENDING):
            raise ValidationFailed("status", "status can only be set to INACTIVE or PENDING")
        integration.status = status
    if "credentials" in changes and changes["credentials"] is not None:
        given = changes["credentials"]
        if not isinstance(given, dict):
            raise ValidationFailed("credentials", "credentials must be an object of strings")
        current = decrypted_credentials(integration, keyring)
        updates = _credentials(integration.provider, given, partial=True)
        removed = {name for name, value in given.items() if value is None}
        merged = {k: v for k, v in {**current, **updates}.items() if k not in removed}
        _require(integration.provider, merged, integration.auth_type)
        await _check_credential_urls(merged, set(updates), allow_private=allow_private_targets)
        store_credentials(integration, keyring, merged)
        integration.status = IntegrationStatus.PENDING
    if "webhook_secret" in changes:
        _store_webhook_secret(integration, keyring, changes["webhook_secret"])
    await session.flush()
    record_activity(
        session,
        actor,
        action="integration.updated",
        subject_type="Integration",
        subject_id=integration.id,
        description=f"Updated integration {integration.name}: {', '.join(sorted(changes))}",
        details={"fields": sorted(changes)},
    )
    return integration


async def delete_integration(
    session: AsyncSession, actor: Actor, integration_id: int
) -> Integration:
    """Delete the connection; synced records stay, detached (their integration is null)."""
    integration: Integration = await tenant_row(
        session, Integration, actor.tenant_id, integration_id, "Integration"
    )
    await session.delete(integration)
    await session.flush()
    record_activity(
        session,
        actor,
        action="integration.deleted",
        subject_type="Integration",
        subject_id=integration_id,
        description=f"Deleted {integration.provider.value} integration {integration.name}",
    )
    return integration


async def run_check(
    integration: Integration,
    keyring: Keyring,
    client: httpx.AsyncClient,
    session_factory: SessionFactory | None = None,
) -> CheckResult:
    """The connector's own check, bounded in time; every failure becomes a result (a
    refused token refresh included, which is how an OAuth integration goes to error)."""
    try:
        connector = connector_for(integration, keyring, client, session_factory=session_factory)
        return await asyncio.wait_for(connector.check(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return CheckResult(ok=False, detail=f"no answer within {CHECK_TIMEOUT_SECONDS:.0f} s")
    except ConnectorError as error:
        return CheckResult(ok=False, detail=f"{type(error).__name__}: {error.message}")
    except CryptoError:
        return CheckResult(
            ok=False, detail="stored credentials do not decrypt with the configured keys"
        )


def record_health(integration: Integration, result: CheckResult, *, now: datetime) -> None:
    integration.last_health_check_at = now
    if integration.status is IntegrationStatus.INACTIVE:
        return
    if result.ok:
        integration.status = IntegrationStatus.ACTIVE
        integration.last_error = None
    else:
        integration.status = IntegrationStatus.ERROR
        integration.last_error = result.detail[:2000]
        integration.last_error_at = now


async def check_integration(
    session_factory: SessionFactory,
    keyring: Keyring,
    client: httpx.AsyncClient,
    tenant_id: int,
    integration_id: int,
    actor: Actor | None = None,
) -> tuple[Integration, CheckResult]:
    """Test the connection and record it. The remote call runs outside any transaction."""
    async with session_factory() as session:
        integration: Integration = await tenant_row(
            session, Integration, tenant_id, integration_id, "Integration"
        )
    result = await run_check(integration, keyring, client, session_factory)
    async with session_factory.begin() as session:
        integration = await tenant_row(
            session, Integration, tenant_id, integration_id, "Integration"
        )
        record_health(integration, result, now=datetime.now(UTC))
        if actor is not None:
            record_activity(
                session,
                actor,
                action="integration.tested",
                subject_type="Integration",
                subject_id=integration.id,
                description=f"Tested {integration.name}: {'ok' if result.ok else result.detail}",
                details={"ok": result.ok},
            )
    return integration, result


async def check_due_integrations(
    session_factory: SessionFactory,
    keyring: Keyring,
    client: httpx.AsyncClient,
    *,
    interval: timedelta,
    now: datetime | None = None,
) -> dict[int, bool]:
    """Health of every enabled integration not checked within ``interval``, a few at a
    time. Several processes running this at once mostly skip each other's work."""
    due = (now or datetime.now(UTC)) - interval
    async with session_factory() as session:
        rows = (
            await session.execute(
                sa.select(Integration.id, Integration.tenant_id).where(
                    Integration.status != IntegrationStatus.INACTIVE,
                    Integration.credentials_encrypted.is_not(None),
                    sa.or_(
                        Integration.last_health_check_at.is_(None),
                        Integration.last_health_check_at < due,
                    ),
                )
            )
        ).all()
    limit = asyncio.Semaphore(8)

    async def one(integration_id: int, tenant_id: int) -> tuple[int, bool]:
        async with limit:
            _, result = await check_integration(
                session_factory, keyring, client, tenant_id, integration_id
            )
            return integration_id, result.ok

    return dict(await asyncio.gather(*(one(row.id, row.tenant_id) for row in rows)))
