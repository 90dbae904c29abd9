"""Where an issuer publishes its keys: ``<issuer>/.well-known/openid-configuration``.

The document must name the same issuer, character for character (OpenID Connect
Discovery 1.0, section 4.3), so a provider cannot speak for another one.
"""

from __future__ import annotations

from gateway.oidc.config import require_https
from gateway.oidc.fetch import IdentityProviderUnavailable, get_json

WELL_KNOWN = "/.well-known/openid-configuration"


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + WELL_KNOWN


async def jwks_uri_of(issuer: str, *, within: float) -> str:
    url = discovery_url(issuer)
    document = (await get_json(url, within=within)).document
    if document.get("issuer") != issuer:
        raise IdentityProviderUnavailable(
            f"{url} describes issuer {document.get('issuer')!r}, not {issuer!r}"
        )
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        raise IdentityProviderUnavailable(f"{url} names no jwks_uri")
    try:
        return require_https(jwks_uri, "jwks_uri")
    except ValueError as exc:
        raise IdentityProviderUnavailable(f"{url}: {exc}") from exc
