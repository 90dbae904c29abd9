"""Lever's two ways in: an API key (HTTP Basic, the key as the user name and an empty
password) or OAuth 2.0 authorization-code tokens kept fresh by their refresh token.

    auth_from(credentials={"apiKey": "k"})                        # -> LeverKeyAuth
    auth_from(credentials={"clientId": ..., "clientSecret": ...,
                           "refreshToken": ...})                  # -> LeverOAuth

Which one is named by the credentials: ``apiKey`` wins when both are present.
"""

from __future__ import annotations

import base64
from collections.abc import Generator, Mapping
from urllib.parse import urlencode

import httpx

from connectors.assembly import credential
from connectors.oauth import ClientCredentials, RefreshTokenAuth

AUTHORIZE_URL = "https://auth.lever.co/authorize"
TOKEN_URL = "https://auth.lever.co/oauth/token"
AUDIENCE = "https://api.lever.co/v1/"
"""The ``audience`` Lever's authorization request names for the production API."""
KEY_CREDENTIALS = ("apiKey",)
OAUTH_CREDENTIALS = ("clientId", "clientSecret", "refreshToken")


def authorization_endpoint() -> str:
    """Where ``connectors.oauth.authorization_url`` sends the admin: Lever's authorize
    page with the API ``audience`` already on it (its parameters are kept)."""
    return f"{AUTHORIZE_URL}?{urlencode({'audience': AUDIENCE})}"


class LeverKeyAuth(httpx.Auth):
    """``Authorization: Basic base64(<api key>:)``; the key never shows in a repr."""

    def __init__(self, api_key: str) -> None:
        token = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
        self._header = f"Basic {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "LeverKeyAuth(<hidden>)"


class LeverOAuth(RefreshTokenAuth):
    """Bearer tokens from ``auth.lever.co/oauth/token`` (refresh-token grant, client
    sent as form fields: see the package docstring); see
    ``RefreshTokenAuth`` for caching, the one refresh at a time and the retry on 401."""


def uses_oauth(credentials: Mapping[str, str]) -> bool:
    return not credentials.get("apiKey") and bool(credentials.get("refreshToken"))


def required_for(credentials: Mapping[str, str]) -> tuple[str, ...]:
    """The credentials the mode they name needs: the API key, or the OAuth client and
    its refresh token."""
    return OAUTH_CREDENTIALS if uses_oauth(credentials) else KEY_CREDENTIALS


def auth_from(
    credentials: Mapping[str, str], *, token_url: str | None = None
) -> LeverKeyAuth | LeverOAuth:
    if not uses_oauth(credentials):
        return LeverKeyAuth(credential(credentials, "apiKey"))
    return LeverOAuth(
        token_url or TOKEN_URL,
        ClientCredentials(
            credential(credentials, "clientId"),
            credential(credentials, "clientSecret"),
            method="post",
        ),
        credential(credentials, "refreshToken"),
    )
