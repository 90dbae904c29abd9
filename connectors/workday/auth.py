"""Where a Workday tenant lives: its OAuth2 endpoints, its Recruiting API base, and
the refresh-token auth that signs every request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from connectors.assembly import credential
from connectors.oauth import ClientCredentials, OnTokens, RefreshTokenAuth


def token_url(tenant_url: str, tenant: str) -> str:
    """token_url("https://wd2.workday.com", "acme")
    # -> "https://wd2.workday.com/ccx/oauth2/acme/token"
    """
    return f"{tenant_url.rstrip('/')}/ccx/oauth2/{tenant}/token"


def authorization_endpoint(tenant_url: str, tenant: str) -> str:
    """Where ``connectors.oauth.authorization_url`` sends the user:
    ``{tenantUrl}/{tenant}/authorize``."""
    return f"{tenant_url.rstrip('/')}/{tenant}/authorize"


def api_base_url(tenant_url: str, tenant: str) -> str:
    return f"{tenant_url.rstrip('/')}/ccx/api/recruiting/v4/{tenant}"


class WorkdayAuth(RefreshTokenAuth):
    """Bearer tokens from the tenant's token endpoint, client authenticated with HTTP
    Basic; cached until 60 s before expiry, refreshed once on a 401, one refresh at a
    time (see ``RefreshTokenAuth``).

    auth = WorkdayAuth.from_credentials(credentials, on_tokens=save)
    # first request: POST {tenantUrl}/ccx/oauth2/{tenant}/token
    #   grant_type=refresh_token&refresh_token=...; then "Authorization: Bearer <token>"
    """

    @classmethod
    def from_credentials(
        cls, credentials: Mapping[str, str], *, on_tokens: OnTokens | None = None
    ) -> Self:
        return cls(
            token_url(credential(credentials, "tenantUrl"), credential(credentials, "tenantId")),
            ClientCredentials(
                credential(credentials, "clientId"), credential(credentials, "clientSecret")
            ),
            credential(credentials, "refreshToken"),
            on_tokens=on_tokens,
        )
