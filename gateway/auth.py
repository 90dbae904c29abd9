"""Bearer JWTs -> ``Principal``.

    >>> token = issue_token(secret, tenant_id=1, tenant_slug="demo", user_id=7, role=Role.ADMIN)
    >>> decode_token(secret, token).user_id
    7

Tokens are HS256, carry tenant, user, role and the user's token version (``ver``), and
expire. The role a request acts with is the user's role in the store at request time,
and only a token of the user's current version is accepted (see
``gateway.services.principals``), so a demoted, deleted or revoked user loses access at
once. A token without ``ver`` (issued before versions existed) counts as version
``UNVERSIONED``, which only users that existed then still hold.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from gateway.store.enums import Role
from gateway.store.models.tenancy import TOKEN_VERSION_NEW_USER

ALGORITHM = "HS256"
ISSUER = "talentgraph"
UNVERSIONED = 0
"""The version of a token that carries none."""


class AuthenticationError(Exception):
    """The credentials presented are missing, malformed, expired or forged."""


@dataclass(frozen=True, slots=True)
class Principal:
    tenant_id: int
    tenant_slug: str
    user_id: int
    role: Role
    name: str = ""
    email: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True, slots=True)
class TokenClaims:
    tenant_id: int
    tenant_slug: str
    user_id: int
    role: Role
    token_version: int = UNVERSIONED
    expires_at: int | None = None
    """Unix time."""


def issue_token(
    secret: str,
    *,
    tenant_id: int,
    tenant_slug: str,
    user_id: int,
    role: Role,
    ttl_seconds: int = 60 * 60 * 24 * 30,
    token_version: int = TOKEN_VERSION_NEW_USER,
) -> str:
    """``token_version``: the user's current ``User.token_version``; the default is the
    version every user starts with."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": str(user_id),
        "tid": tenant_id,
        "tenant": tenant_slug,
        "role": role.value,
        "ver": token_version,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str) -> TokenClaims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
        return TokenClaims(
            tenant_id=int(claims["tid"]),
            tenant_slug=str(claims["tenant"]),
            user_id=int(claims["sub"]),
            role=Role(claims["role"]),
            token_version=_version(claims.get("ver", UNVERSIONED)),
            expires_at=int(claims["exp"]),
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationError("token expired") from exc
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError) as exc:
        raise AuthenticationError("invalid token") from exc


def _version(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("the token version must be a non-negative integer")
    return value


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, ``None`` when absent."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Authorization header must be 'Bearer <token>'")
    return token.strip()
