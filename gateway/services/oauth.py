"""The OAuth 2.0 authorization-code flow (with PKCE) for OAuth integrations.

    url, expires = await start_authorization(session, actor, keyring, integration_id,
                                             redirect_uri="https://tg.example.com/oauth/callback")
    # the admin signs in at ``url``; the provider redirects to the callback with code+state
    integration = await complete_authorization(session_factory, keyring, client, state, code)

The state is random, single-use, expires after ten minutes and is stored only as a
SHA-256 hash; the PKCE verifier is stored encrypted. The tokens the provider returns
are merged into the integration's encrypted credentials.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors import oauth
from connectors.errors import ConfigurationError, ConnectorError
from connectors.registry import provider_spec
from gateway.crypto import Keyring, credentials_context
from gateway.errors import ValidationFailed
from gateway.services.activities import Actor, record_activity
from gateway.services.connections import decrypted_credentials
from gateway.services.integrations import store_credentials
from gateway.services.validation import tenant_row
from gateway.store.engine import SessionFactory
from gateway.store.enums import ActorType, AuthType, IntegrationStatus
from gateway.store.models import Integration, OAuthState

STATE_TTL = timedelta(minutes=10)


class OAuthFlowError(Exception):
    """The callback cannot complete: unknown or expired state, provider refusal."""


@dataclass(frozen=True, slots=True)
class OAuthEndpoints:
    authorize_url: str
    token_url: str


def endpoints_for(integration: Integration, credentials: dict[str, str]) -> OAuthEndpoints:
    """``config.authorizeUrl``/``config.tokenUrl`` win; else the provider's declared
    flow (``ProviderSpec.oauth``: Workday derives them from its tenant)."""
    config = integration.config or {}
    authorize, token = config.get("authorizeUrl"), config.get("tokenUrl")
    declared = provider_spec(integration.provider.value).oauth
    if declared is not None and (not authorize or not token):
        try:
            default_authorize, default_token = declared.endpoints(credentials)
        except ConfigurationError as exc:
            raise ValidationFailed("credentials", str(exc)) from None
        authorize, token = authorize or default_authorize, token or default_token
    if not authorize or not token:
        raise ValidationFailed("config", "set config.authorizeUrl and config.tokenUrl")
    return OAuthEndpoints(str(authorize), str(token))


def _in_form(integration: Integration) -> bool:
    declared = provider_spec(integration.provider.value).oauth
    return declared is not None and declared.client_in_form


def _client(credentials: dict[str, str], *, in_form: bool = False) -> oauth.ClientCredentials:
    client_id, secret = credentials.get("clientId"), credentials.get("clientSecret")
    if not client_id or not secret:
        raise ValidationFailed("credentials", "OAuth needs clientId and clientSecret")
    return oauth.ClientCredentials(client_id, secret, "post" if in_form else "basic")


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


async def start_authorization(
    session: AsyncSession,
    actor: Actor,
    keyring: Keyring,
    integration_id: int,
    *,
    redirect_uri: str,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    integration: Integration = await tenant_row(
        session, Integration, actor.tenant_id, integration_id, "Integration"
    )
    if integration.auth_type is not AuthType.OAUTH2:
        raise ValidationFailed("id", f"{integration.name} does not use OAuth 2.0")
    credentials = decrypted_credentials(integration, keyring)
    endpoints = endpoints_for(integration, credentials)
    client = _client(credentials)
    now = now or datetime.now(UTC)
    await session.execute(sa.delete(OAuthState).where(OAuthState.expires_at < now))
    pkce, state = oauth.new_pkce(), oauth.new_state()
    expires_at = now + STATE_TTL
    session.add(
        OAuthState(
            tenant_id=actor.tenant_id,
            integration_id=integration.id,
            state_hash=_hash(state),
            verifier_encrypted=keyring.encrypt(
                pkce.verifier.encode(), context=credentials_context(actor.tenant_id)
            ),
            redirect_uri=redirect_uri,
            expires_at=expires_at,
        )
    )
    record_activity(
        session,
        actor,
        action="integration.oauth_started",
        subject_type="Integration",
        subject_id=integration.id,
        description=f"Started OAuth authorization of {integration.name}",
    )
    url = oauth.authorization_url(
        endpoints.authorize_url,
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        state=state,
        scope=(integration.config or {}).get("scope"),
        pkce=pkce,
    )
    return url, expires_at


async def complete_authorization(
    session_factory: SessionFactory,
    keyring: Keyring,
    client: httpx.AsyncClient,
    *,
    state: str,
    code: str,
    now: datetime | None = None,
) -> Integration:
    """Exchange the code; the state is consumed whether or not the exchange succeeds."""
    now = now or datetime.now(UTC)
    async with session_factory.begin() as session:
        pending = (
            await session.execute(
                sa.delete(OAuthState)
                .where(OAuthState.state_hash == _hash(state))
                .returning(
                    OAuthState.tenant_id,
                    OAuthState.integration_id,
                    OAuthState.verifier_encrypted,
                    OAuthState.redirect_uri,
                    OAuthState.expires_at,
                )
            )
        ).one_or_none()
    if pending is None or pending.expires_at < now:
        raise OAuthFlowError("this authorization link is unknown or has expired; start again")
    async with session_factory() as session:
        integration = await session.get(Integration, pending.integration_id)
        if integration is None:
            raise OAuthFlowError("the integration was deleted")
        credentials = decrypted_credentials(integration, keyring)
    verifier = keyring.decrypt(
        pending.verifier_encrypted, context=credentials_context(pending.tenant_id)
    ).decode()
    try:
        tokens = await oauth.exchange_code(
            client,
            endpoints_for(integration, credentials).token_url,
            _client(credentials, in_form=_in_form(integration)),
            code=code,
            redirect_uri=pending.redirect_uri,
            code_verifier=verifier,
        )
    except ConnectorError as error:
        await _record_outcome(session_factory, integration.id, error=error.message, now=now)
        raise OAuthFlowError(f"the provider refused the authorization: {error.message}") from error
    updated = {**credentials, "accessToken": tokens.access_token}
    if tokens.refresh_token:
        updated["refreshToken"] = tokens.refresh_token
    if tokens.expires_in is not None:
        updated["accessTokenExpiresAt"] = (now + timedelta(seconds=tokens.expires_in)).isoformat()
    return await _record_outcome(
        session_factory, integration.id, credentials=updated, keyring=keyring, now=now
    )


async def _record_outcome(
    session_factory: SessionFactory,
    integration_id: int,
    *,
    now: datetime,
    error: str | None = None,
    credentials: dict[str, str] | None = None,
    keyring: Keyring | None = None,
) -> Integration:
    async with session_factory.begin() as session:
        integration = await session.get(Integration, integration_id, with_for_update=True)
        assert integration is not None
        actor = Actor(integration.tenant_id, ActorType.SYSTEM, "oauth", "OAuth callback")
        if error is not None:
            integration.status = IntegrationStatus.ERROR
            integration.last_error = f"OAuth authorization failed: {error}"[:2000]
            integration.last_error_at = now
            description = f"OAuth authorization of {integration.name} failed"
        else:
            assert credentials is not None and keyring is not None
            store_credentials(integration, keyring, credentials)
            integration.status = IntegrationStatus.ACTIVE
            integration.last_error = None
            description = f"Authorized {integration.name} through OAuth"
        record_activity(
            session,
            actor,
            action="integration.oauth_completed" if error is None else "integration.oauth_failed",
            subject_type="Integration",
            subject_id=integration.id,
            description=description,
        )
    return integration
