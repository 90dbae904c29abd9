"""Re-encrypt every stored secret with the newest key (``talentgraph rotate-keys``)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.crypto import Keyring, credentials_context, webhook_secret_context
from gateway.services.webhook_subscriptions import secret_context as subscription_secret_context
from gateway.store.models import Integration, OAuthState, WebhookSubscription


@dataclass
class RotationReport:
    rotated: int = 0
    current: int = 0


async def rotate_secrets(session: AsyncSession, keyring: Keyring) -> RotationReport:
    """Every secret column, every tenant, in the caller's transaction: all or nothing."""
    report = RotationReport()

    def rotate(token: str | None, context: str) -> str | None:
        if token is None:
            return None
        if not keyring.needs_rotation(token):
            report.current += 1
            return token
        report.rotated += 1
        return keyring.rotate(token, context=context)

    integrations = (await session.execute(sa.select(Integration).with_for_update())).scalars()
    for integration in integrations:
        integration.credentials_encrypted = rotate(
            integration.credentials_encrypted, credentials_context(integration.tenant_id)
        )
        integration.webhook_secret_encrypted = rotate(
            integration.webhook_secret_encrypted, webhook_secret_context(integration.tenant_id)
        )
    subscriptions = (
        await session.execute(sa.select(WebhookSubscription).with_for_update())
    ).scalars()
    for subscription in subscriptions:
        subscription.secret_encrypted = (
            rotate(
                subscription.secret_encrypted, subscription_secret_context(subscription.tenant_id)
            )
            or subscription.secret_encrypted
        )
    states = (await session.execute(sa.select(OAuthState).with_for_update())).scalars()
    for state in states:
        state.verifier_encrypted = (
            rotate(state.verifier_encrypted, credentials_context(state.tenant_id))
            or state.verifier_encrypted
        )
    await session.flush()
    return report
