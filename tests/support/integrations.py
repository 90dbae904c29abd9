"""A Recruiterflow integration stored the way the gateway stores one: its API key (and,
when given, its webhook secret) sealed for its tenant.

    async with factory.begin() as session:
        integration_id = await add_recruiterflow(
            session, keyring, tenant_id, api_key=fake.api_key, config={"pageSize": 4}
        )
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.crypto import Keyring, credentials_context, webhook_secret_context
from gateway.store.enums import IntegrationStatus
from gateway.store.models import Integration


async def add_recruiterflow(
    session: AsyncSession,
    keyring: Keyring,
    tenant_id: int,
    *,
    api_key: str,
    config: dict[str, Any],
    name: str = "RF",
    webhook_secret: str | None = None,
) -> int:
    """The new integration's id; rate limits off unless ``config`` sets them."""
    integration = Integration(
        tenant_id=tenant_id,
        provider="recruiterflow",
        name=name,
        status=IntegrationStatus.ACTIVE,
        config={"rateLimitPerSecond": 10_000, **config},
        credentials_encrypted=keyring.encrypt_json(
            {"apiKey": api_key}, context=credentials_context(tenant_id)
        ),
        webhook_secret_encrypted=keyring.encrypt(
            webhook_secret.encode(), context=webhook_secret_context(tenant_id)
        )
        if webhook_secret is not None
        else None,
    )
    session.add(integration)
    await session.flush()
    return integration.id
