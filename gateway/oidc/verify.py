"""An identity provider's token -> who it says signed in, once it has been proven.

The issuer (``iss``) picks which provider's keys may have signed the token, and only
that provider's JWKS supplies them; the header's ``alg`` must be RS256 or ES256 and fit
the key's type, so neither ``none`` nor an HS256 token keyed with a provider's public key
gets through. Then ``aud`` must hold the configured client id, ``exp``, ``nbf`` and
``iat`` must hold (give or take ``leeway`` seconds of clock skew), and the tenant, email
and role are read as the issuer's entry (`gateway.oidc.config.OidcIssuer`) says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from gateway.auth import AuthenticationError
from gateway.oidc.config import ROLE_PRIVILEGE, OidcIssuer
from gateway.oidc.keys import KEY_TYPES, IssuerKeys
from gateway.store.enums import Role


@dataclass(frozen=True, slots=True)
class Identity:
    """A verified sign-in: the issuer's entry, the tenant (slug) and the user's email.
    ``role`` is what the token's role claim maps to, ``None`` when it carries none."""

    entry: OidcIssuer
    tenant_slug: str
    email: str
    name: str
    role: Role | None


def unverified_issuer(token: str) -> str | None:
    """The ``iss`` a token claims, before anything about it is proven."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None


async def verify(
    token: str, issuer: str, entries: Sequence[OidcIssuer], keys: IssuerKeys, leeway: float
) -> Identity:
    """``entries``: the configured entries of ``issuer`` (one per audience)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise AuthenticationError("invalid token") from exc
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in KEY_TYPES:
        shown = algorithm[:16] if isinstance(algorithm, str) else algorithm
        raise AuthenticationError(
            f"tokens of identity providers must be signed with RS256 or ES256, not {shown!r}"
        )
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise AuthenticationError("invalid token: its kid is not a string")
    key = await keys.key_for(kid, algorithm)
    claims = _decode(token, key, algorithm, issuer, [e.audience for e in entries], leeway)
    entry = _entry_for(claims, entries)
    return Identity(
        entry=entry,
        tenant_slug=_tenant(claims, entry),
        email=_email(claims, entry),
        name=_name(claims),
        role=_role(claims, entry),
    )


def _decode(
    token: str,
    key: jwt.PyJWK,
    algorithm: str,
    issuer: str,
    audiences: list[str],
    leeway: float,
) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=issuer,
            audience=audiences,
            leeway=leeway,
            options={"require": ["exp", "iat", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationError("token expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise AuthenticationError("token not yet valid (nbf or iat in the future)") from exc
    except jwt.InvalidAudienceError as exc:
        raise AuthenticationError("the token is meant for another application (aud)") from exc
    except jwt.InvalidIssuerError as exc:
        raise AuthenticationError("invalid token: wrong issuer") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise AuthenticationError(f"invalid token: no {exc.claim} claim") from exc
    except jwt.InvalidTokenError as exc:
        raise AuthenticationError("invalid token") from exc
    return claims


def _entry_for(claims: dict[str, Any], entries: Sequence[OidcIssuer]) -> OidcIssuer:
    audience = claims["aud"]
    audiences = [audience] if isinstance(audience, str) else list(audience)
    fitting = [entry for entry in entries if entry.audience in audiences]
    if len(fitting) != 1:
        raise AuthenticationError("the token names several configured audiences; refused")
    entry = fitting[0]
    authorized = claims.get("azp")
    if len(audiences) > 1 and authorized is not None and authorized != entry.audience:
        raise AuthenticationError("the token was issued to another application (azp)")
    return entry


def _tenant(claims: dict[str, Any], entry: OidcIssuer) -> str:
    claimed = claims.get(entry.tenant_claim)
    if entry.tenant is not None:
        if claimed is not None and claimed != entry.tenant:
            raise AuthenticationError(
                "the token is for a tenant this identity provider does not sign in to"
            )
        return entry.tenant
    if not isinstance(claimed, str) or not claimed:
        raise AuthenticationError(f"the token names no tenant (claim {entry.tenant_claim!r})")
    if not entry.allows_tenant(claimed):
        raise AuthenticationError(
            "the token is for a tenant this identity provider does not sign in to"
        )
    return claimed


def _email(claims: dict[str, Any], entry: OidcIssuer) -> str:
    address = claims.get(entry.email_claim)
    if not isinstance(address, str) or "@" not in address or len(address) > 320:
        raise AuthenticationError(f"the token carries no email address ({entry.email_claim!r})")
    verified = claims.get("email_verified", True)
    if verified is not True and verified != "true":
        raise AuthenticationError("the identity provider has not verified this email address")
    return address.strip().lower()


def _name(claims: dict[str, Any]) -> str:
    name = claims.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()[:255]
    parts = [claims.get("given_name"), claims.get("family_name")]
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())[:255]


def _role(claims: dict[str, Any], entry: OidcIssuer) -> Role | None:
    if entry.role_claim is None or entry.role_claim not in claims:
        return None
    value = claims[entry.role_claim]
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    mapped = {entry.role_map[v] for v in values if isinstance(v, str) and v in entry.role_map}
    return next((role for role in ROLE_PRIVILEGE if role in mapped), entry.default_role)
