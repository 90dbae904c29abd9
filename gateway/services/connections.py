"""From a stored integration to a live connector: decrypt, configure, rate-limit.

connector = connector_for(integration, keyring, http_client)
await connector.check()
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from aiolimiter import AsyncLimiter

from connectors.base import ConnectorBase
from connectors.errors import ConfigurationError
from connectors.http import Sleep
from connectors.oauth import RefreshTokenAuth, TokenSet
from connectors.registry import connector_class, provider_spec
from gateway.crypto import Keyring, credentials_context
from gateway.store.engine import SessionFactory
from gateway.store.models import Integration

DEFAULT_RATE_PER_SECOND = 10.0

CALLED_CONFIG_URLS = ("baseUrl", "onboardingBaseUrl", "tokenUrl")
"""Config entries holding a URL the gateway itself calls."""
CALLED_CREDENTIAL_URLS = ("tenantUrl",)
"""Credentials holding a URL the gateway calls (Workday's tenant)."""

_limiters: dict[int, AsyncLimiter] = {}


def rate_limiter(integration: Integration) -> AsyncLimiter:
    """One leaky bucket per integration in this process: ``config.rateLimitPerSecond``,
    else the rate the provider declares (``ProviderSpec.rate_per_second``, its vendor's
    documented limit), else ``DEFAULT_RATE_PER_SECOND``."""
    declared = provider_spec(integration.provider.value).rate_per_second
    rate = float(
        integration.config.get("rateLimitPerSecond") or declared or DEFAULT_RATE_PER_SECOND
    )
    limiter = _limiters.get(integration.id)
    if limiter is None or limiter.max_rate != rate:
        limiter = AsyncLimiter(max_rate=rate, time_period=1)
        _limiters[integration.id] = limiter
    return limiter


def decrypted_credentials(integration: Integration, keyring: Keyring) -> dict[str, str]:
    if integration.credentials_encrypted is None:
        return {}
    values = keyring.decrypt_json(
        integration.credentials_encrypted, context=credentials_context(integration.tenant_id)
    )
    return {str(k): str(v) for k, v in values.items()}


def connector_config(integration: Integration) -> dict[str, Any]:
    return {**(integration.config or {}), "environment": integration.environment.value}


def connector_for(
    integration: Integration,
    keyring: Keyring,
    client: httpx.AsyncClient,
    *,
    session_factory: SessionFactory | None = None,
    sleep: Sleep = asyncio.sleep,
) -> ConnectorBase:
    """With ``session_factory``, a refresh token the provider rotates is saved at once.
    ``ConfigurationError`` if a URL it would call carries ``user:password@``."""
    factory = connector_class(integration.provider.value)
    credentials = decrypted_credentials(integration, keyring)
    _refuse_userinfo("config", integration.config or {}, CALLED_CONFIG_URLS)
    _refuse_userinfo("credentials", credentials, CALLED_CREDENTIAL_URLS)
    connector = factory.create(
        client,
        credentials,
        connector_config(integration),
        integration=f"{integration.id}:{integration.provider.value}",
        rate_limit=rate_limiter(integration),
        sleep=sleep,
    )
    auth = getattr(connector, "auth", None)
    if session_factory is not None and isinstance(auth, RefreshTokenAuth):
        auth.on_tokens = _token_saver(session_factory, keyring, integration.id)
    return connector


def _refuse_userinfo(field: str, values: Mapping[str, Any], names: tuple[str, ...]) -> None:
    """Rows saved before URLs were checked may hold one with ``user:password@``: it is
    not called (the call-time guard judges hosts, not what a URL carries)."""
    for name in names:
        value = values.get(name)
        if not isinstance(value, str):
            continue
        try:
            userinfo = httpx.URL(value.strip()).userinfo
        except (httpx.InvalidURL, ValueError):
            continue
        if userinfo:
            raise ConfigurationError(
                f"{field}.{name} contains credentials (user:password@); save it without them"
            )


def _token_saver(
    session_factory: SessionFactory, keyring: Keyring, integration_id: int
) -> Callable[[TokenSet], Awaitable[None]]:
    async def save(tokens: TokenSet) -> None:
        if not tokens.refresh_token:
            return
        async with session_factory.begin() as session:
            integration = await session.get(Integration, integration_id, with_for_update=True)
            if integration is None:
                return
            values = decrypted_credentials(integration, keyring)
            values["refreshToken"] = tokens.refresh_token
            integration.credentials_encrypted = keyring.encrypt_json(
                values, context=credentials_context(integration.tenant_id)
            )

    return save
