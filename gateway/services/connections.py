"""From a stored integration to a live connector: decrypt, configure, rate-limit.

connector = connector_for(integration, keyring, http_client)
await connector.check()
"""

from __future__ import annotations

from typing import Any

import httpx
from aiolimiter import AsyncLimiter

from connectors.base import ConnectorBase
from connectors.registry import connector_class
from gateway.crypto import Keyring, credentials_context
from gateway.store.models import Integration

DEFAULT_RATE_PER_SECOND = 10.0

_limiters: dict[int, AsyncLimiter] = {}


def rate_limiter(integration: Integration) -> AsyncLimiter:
    """One leaky bucket per integration in this process (``config.rateLimitPerSecond``)."""
    rate = float(integration.config.get("rateLimitPerSecond") or DEFAULT_RATE_PER_SECOND)
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
    integration: Integration, keyring: Keyring, client: httpx.AsyncClient
) -> ConnectorBase:
    factory = connector_class(integration.provider.value)
    return factory.create(
        client,
        decrypted_credentials(integration, keyring),
        connector_config(integration),
        integration=f"{integration.id}:{integration.provider.value}",
        rate_limit=rate_limiter(integration),
    )
