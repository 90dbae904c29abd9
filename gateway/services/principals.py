"""From a bearer token to the ``Principal`` a request acts as.

The token proves who signed in; the store says what they may do now. A user who
was deleted or deactivated after the token was issued is refused, and so is a token
whose version is not the user's current one (``recruiterTokensRevoke`` raised it).

The user id in a token never names anyone else: ids are never handed out twice (see
``gateway.store.base.Base``), and a token from before versions existed is accepted only
by users that existed then (version 0; users created since start at 1).

A token whose ``iss`` is a configured identity provider is that provider's to prove
(``gateway.oidc``); every other token must be one of this gateway's own. So the issuer a
token claims picks whose keys may verify it, never the kind of key: an HS256 token
claiming a provider is refused, not tried against our secret or the provider's key.
Provider tokens carry no version; they are short-lived, and deactivating the user
refuses them at once.

With ``cache`` one of our own tokens is read from the store once per few seconds at most
(``gateway.principal_cache``); a change to its user drops it from every process's cache.
"""

from __future__ import annotations

import sqlalchemy as sa

from gateway.auth import AuthenticationError, Principal, decode_token
from gateway.oidc.signin import OidcSignIn
from gateway.principal_cache import PrincipalCache
from gateway.store.models import Tenant, User
from gateway.store.reader import Reader


async def principal_for_token(
    reader: Reader,
    secret: str,
    token: str,
    *,
    oidc: OidcSignIn | None = None,
    cache: PrincipalCache | None = None,
) -> Principal:
    """``oidc``: the configured identity providers; ``None`` accepts our own tokens only.
    A provider that cannot be reached raises ``IdentityProviderUnavailable`` (503).
    ``cache`` holds only our own tokens, which it was given verified."""
    if cache is not None and (known := cache.get(token)) is not None:
        return known
    issuer = oidc.issuer_of(token) if oidc is not None else None
    if oidc is not None and issuer is not None:
        return await oidc.principal(reader, issuer, token)
    claims = decode_token(secret, token)
    epoch = cache.epoch if cache is not None else 0
    row = await reader.one_or_none(
        sa.select(
            User.id,
            User.role,
            User.name,
            User.email,
            User.is_active,
            User.token_version,
            Tenant.slug,
        )
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(User.id == claims.user_id, User.tenant_id == claims.tenant_id)
    )
    if row is None or not row.is_active:
        raise AuthenticationError("the user of this token no longer exists or is disabled")
    if row.token_version != claims.token_version:
        raise AuthenticationError("this token was revoked")
    principal = Principal(
        tenant_id=claims.tenant_id,
        tenant_slug=row.slug,
        user_id=row.id,
        role=row.role,
        name=row.name,
        email=row.email,
    )
    if cache is not None:
        cache.put(token, principal, expires_at=claims.expires_at, epoch=epoch)
    return principal
