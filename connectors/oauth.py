"""OAuth 2.0 for any provider: the authorization-code flow with PKCE, the
refresh-token grant, and ``RefreshTokenAuth``, the ``httpx.Auth`` that keeps a
bearer token fresh.

Starting an integration (``integrationOAuthStart``) and finishing it (the callback):

    pkce = new_pkce()
    state = new_state()
    url = authorization_url("https://wd2.example.com/acme/authorize", client_id="abc",
                            redirect_uri="https://tg.example.com/oauth/callback",
                            state=state, pkce=pkce)
    # ... the user signs in and comes back with ?code=...&state=...
    tokens = await exchange_code(client, token_url, ClientCredentials("abc", "secret"),
                                 code=code, redirect_uri=redirect_uri,
                                 code_verifier=pkce.verifier)
    tokens.refresh_token      # store it encrypted

Calling the API afterwards:

    auth = RefreshTokenAuth(token_url, ClientCredentials("abc", "secret"), refresh_token,
                            on_tokens=save_rotated_refresh_token)
    await client.get(url, auth=auth)   # refreshes first, then sends "Bearer <token>"

Token endpoint failures are connector errors: ``invalid_grant`` and ``invalid_client``
are ``AuthError``; 429 and 5xx are retryable. No message ever carries a token or a
client secret.

What Authlib does here, and what stays ours:

- Authlib writes the protocol's messages: the PKCE S256 challenge
  (``create_s256_code_challenge``), the random verifier and state (``generate_token``),
  the authorization URL (``prepare_grant_uri``), the token request's form
  (``prepare_token_request``) and the client's authentication at the token endpoint
  (``ClientAuth``: ``client_secret_basic`` or ``client_secret_post``). Its Basic
  encoder leaves the id and secret as they are, where RFC 6749 2.3.1 form-encodes them
  first (Authlib took that fix back and tells callers to quote them), so we quote them
  before handing them over.
- Ours stays what Authlib's client would change. ``AsyncOAuth2Client`` is an
  ``httpx.AsyncClient`` that owns its token, not an ``httpx.Auth``: the connectors send
  through one shared client with their own retries, rate limit and tracing, passing
  ``auth=``. Its refresh happens only before a request whose token it thinks expired
  (by the wall clock, whole seconds); a 401 neither refreshes nor sends again, so N
  concurrent 401s would each fail instead of sharing one refresh, and its sync
  ``OAuth2Client`` has no refresh lock at all. Its token endpoint errors are
  ``OAuthError`` (a 429 with an ``error`` body too, so no retry) or ``raise_for_status``
  errors whose message carries the URL, not our ``AuthError``/``RetryableError``; and
  ``update_token`` is called on every refresh, not only when the refresh token rotated.
  So ``RefreshTokenAuth`` keeps its single-flight refresh (an ``asyncio.Lock`` for
  ``httpx.AsyncClient`` within one event loop, a ``threading.Lock`` for ``httpx.Client``
  across threads), the refresh and resend after a 401, the rotation hand-off to
  ``on_tokens``, its expiry (an injectable monotonic clock, ``expiry_margin`` or half
  the lifetime of a short-lived token, where ``OAuth2Token.is_expired`` reads
  ``time.time()``), and ``token_error``/``parse_tokens`` keep the error mapping.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, quote_plus

import httpx
import orjson
from authlib.common.security import generate_token
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from connectors.errors import (
    AuthError,
    ConnectorError,
    InvalidResponseError,
    RetryableError,
    TransportError,
)
from connectors.http import error_for

# --- client credentials and tokens -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """The registered client. ``method`` is how it authenticates at the token
    endpoint: HTTP Basic (``client_secret_basic``, the RFC's default) or form fields
    (``client_secret_post``)."""

    client_id: str
    client_secret: str = field(repr=False)
    method: Literal["basic", "post"] = "basic"

    def client_auth(self) -> ClientAuth:
        """Authlib's ``ClientAuth`` for this client."""
        if self.method == "post":
            return ClientAuth(self.client_id, self.client_secret, "client_secret_post")
        # RFC 6749 2.3.1: the id and secret are form-encoded before Basic encoding.
        return ClientAuth(
            quote_plus(self.client_id), quote_plus(self.client_secret), "client_secret_basic"
        )

    def authenticate(self, headers: dict[str, str], body: str) -> str:
        """Sets Basic on ``headers`` or adds the client to the form ``body``; returns
        the body."""
        _, _, body = self.client_auth().prepare("POST", "", headers, body)
        return str(body)

    def apply(self, form: dict[str, str], headers: dict[str, str]) -> None:
        form.update(parse_qsl(self.authenticate(headers, "")))


@dataclass(frozen=True, slots=True)
class TokenSet:
    """What a token endpoint answered. Tokens stay out of ``repr``."""

    access_token: str = field(repr=False)
    token_type: str = "Bearer"
    expires_in: float | None = None
    refresh_token: str | None = field(default=None, repr=False)
    scope: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


OnTokens = Callable[[TokenSet], Awaitable[None] | None]
"""Called with a ``TokenSet`` whose ``refresh_token`` replaces the one in use."""


# --- token endpoint requests and answers -------------------------------------------


def token_request(
    token_url: str, client: ClientCredentials, grant: Mapping[str, str | None]
) -> httpx.Request:
    """A POST of ``grant`` (form-encoded, empty values left out) with the client's
    credentials.

    token_request(url, client, {"grant_type": "refresh_token", "refresh_token": "r1"})
    """
    params = dict(grant)
    body = prepare_token_request(params.pop("grant_type"), **params)
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = client.authenticate(headers, body)
    return httpx.Request("POST", token_url, content=body.encode(), headers=headers)


def refresh_request(
    token_url: str, client: ClientCredentials, refresh_token: str, scope: str | None = None
) -> httpx.Request:
    grant = {"grant_type": "refresh_token", "refresh_token": refresh_token, "scope": scope}
    return token_request(token_url, client, grant)


def code_request(
    token_url: str,
    client: ClientCredentials,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str | None = None,
) -> httpx.Request:
    if not code:  # a refusal, not Authlib's MissingCodeException
        raise AuthError("no authorization code to exchange")
    grant = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    return token_request(token_url, client, grant)


def token_error(response: httpx.Response) -> ConnectorError | None:
    """The error a token endpoint's answer stands for, ``None`` for success.

    400/401 with ``invalid_grant`` (refresh token revoked or expired, code used) or
    ``invalid_client`` are ``AuthError``; 429/5xx keep ``error_for``'s retryable errors.
    Only the OAuth ``error`` and ``error_description`` fields reach the message.
    """
    if response.status_code < 400:
        return None
    if response.status_code == 429 or response.status_code >= 500:
        return error_for(response)
    body = _json_or_none(response)
    code = body.get("error") if isinstance(body, dict) else None
    description = body.get("error_description") if isinstance(body, dict) else None
    detail = " ".join(str(part)[:200] for part in (code, description) if part)
    detail = detail or f"HTTP {response.status_code}"
    if response.status_code in (400, 401, 403):
        return AuthError(f"token endpoint refused the grant: {detail}", status=response.status_code)
    return error_for(response)


def parse_tokens(response: httpx.Response) -> TokenSet:
    """The ``TokenSet`` in a successful answer, or the error it stands for."""
    error = token_error(response)
    if error is not None:
        raise error
    body = _json_or_none(response)
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise InvalidResponseError(
            "token endpoint answered without an access_token", status=response.status_code
        )
    expires_in = body.get("expires_in")
    refresh_token = body.get("refresh_token")
    scope = body.get("scope")
    return TokenSet(
        access_token=body["access_token"],
        token_type=str(body.get("token_type") or "Bearer"),
        expires_in=float(expires_in) if isinstance(expires_in, int | float | str) else None,
        refresh_token=refresh_token if isinstance(refresh_token, str) else None,
        scope=scope if isinstance(scope, str) else None,
        raw=body,
    )


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


async def _post(client: httpx.AsyncClient, request: httpx.Request) -> TokenSet:
    try:
        response = await client.send(request)
    except httpx.TimeoutException as exc:
        raise TransportError(f"token endpoint timed out: {type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise TransportError(f"token endpoint unreachable: {type(exc).__name__}") from exc
    return parse_tokens(response)


async def exchange_code(
    client: httpx.AsyncClient,
    token_url: str,
    credentials: ClientCredentials,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str | None = None,
) -> TokenSet:
    """Trade the callback's ``code`` for tokens (one attempt: codes are single-use).

    tokens = await exchange_code(client, url, creds, code="c1", redirect_uri=cb,
                                 code_verifier=pkce.verifier)
    """
    request = code_request(
        token_url, credentials, code=code, redirect_uri=redirect_uri, code_verifier=code_verifier
    )
    return await _post(client, request)


async def refresh(
    client: httpx.AsyncClient,
    token_url: str,
    credentials: ClientCredentials,
    refresh_token: str,
    scope: str | None = None,
) -> TokenSet:
    """One refresh-token grant, e.g. to test stored credentials."""
    return await _post(client, refresh_request(token_url, credentials, refresh_token, scope))


# --- the authorization request: state, PKCE, URL ------------------------------------


@dataclass(frozen=True, slots=True)
class Pkce:
    """A PKCE pair (RFC 7636): keep ``verifier`` server-side, send ``challenge``."""

    verifier: str = field(repr=False)
    challenge: str
    method: Literal["S256"] = "S256"


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding.

    s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    # -> "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    """
    return str(create_s256_code_challenge(verifier))


def new_pkce(length: int = 64) -> Pkce:
    """A fresh verifier of ``length`` characters (43 to 128: at least 256 bits of
    letters and digits) and its S256 challenge."""
    if not 43 <= length <= 128:
        raise ValueError("a PKCE verifier has 43 to 128 characters")
    verifier = str(generate_token(length))
    return Pkce(verifier=verifier, challenge=s256_challenge(verifier))


def new_state() -> str:
    """An unguessable ``state`` to tie the callback to the request that started it
    (48 letters and digits, as Authlib's own client makes them)."""
    return str(generate_token(48))


def authorization_url(
    endpoint: str,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    scope: str | None = None,
    pkce: Pkce | None = None,
    extra: Mapping[str, str] | None = None,
) -> str:
    """The URL to send the user to; parameters already on ``endpoint`` are kept, and
    ``extra`` wins over the others.

    authorization_url("https://id.example.com/authorize", client_id="abc",
                      redirect_uri="https://tg/cb", state="s1")
    # -> "https://id.example.com/authorize?response_type=code&client_id=abc&..."
    """
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": scope,
    }
    if pkce is not None:
        params["code_challenge"] = pkce.challenge
        params["code_challenge_method"] = pkce.method
    params.update(extra or {})
    return str(
        prepare_grant_uri(endpoint, params.pop("client_id"), params.pop("response_type"), **params)
    )


# --- the auth that keeps a bearer token fresh ---------------------------------------


class RefreshTokenAuth(httpx.Auth):
    """Bearer auth from a refresh token, for ``httpx.Client`` and ``httpx.AsyncClient``.

    - The access token is cached until ``expiry_margin`` seconds before it expires.
    - One refresh at a time: concurrent requests that find no fresh token wait for
      the one refresh under way (an ``asyncio.Lock``; a ``threading.Lock`` in sync use).
    - A 401 refreshes once (unless another request already did) and sends the request
      again; a second 401 is the answer, which ``HttpClient`` raises as ``AuthError``.
    - A rejected refresh (``invalid_grant``) raises ``AuthError``. When the token
      endpoint answers 429 or 5xx, that answer is returned for the request, so the
      caller's retry policy (``HttpClient``) handles it like any other.
    - A new ``refresh_token`` from the grant replaces the current one and is passed
      to ``on_tokens`` (sync or async) so it can be stored.

    auth = RefreshTokenAuth(url, ClientCredentials("id", "secret"), "r1", on_tokens=save)
    response = await client.get("https://api.example.com/things", auth=auth)
    """

    requires_request_body = True  # a request is sent again after a 401
    requires_response_body = True  # the token endpoint's answer is read in the flow

    def __init__(
        self,
        token_url: str,
        client: ClientCredentials,
        refresh_token: str,
        *,
        scope: str | None = None,
        on_tokens: OnTokens | None = None,
        expiry_margin: float = 60.0,
        default_expires_in: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self.client = client
        self.scope = scope
        self.on_tokens = on_tokens
        self.expiry_margin = expiry_margin
        self.default_expires_in = default_expires_in
        self.clock = clock
        self.refreshes = 0
        self._refresh_token = refresh_token
        self._access_token: str | None = None
        self._expires_at = float("-inf")
        self._async_lock = asyncio.Lock()
        self._sync_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(token_url={self.token_url!r})"

    # The steps both flows share.

    def _fresh(self) -> bool:
        return self._access_token is not None and self.clock() < self._expires_at

    def _authorize(self, request: httpx.Request) -> str | None:
        request.headers["Authorization"] = f"Bearer {self._access_token}"
        return self._access_token

    def _stale(self, used: str | None) -> bool:
        """After a 401: refresh unless another request already replaced ``used``."""
        return self._access_token == used

    @staticmethod
    def _retry_later(answer: httpx.Response) -> bool:
        """The token endpoint answered 429/5xx: give that answer back for the request."""
        return isinstance(token_error(answer), RetryableError)

    def _store(self, answer: httpx.Response) -> TokenSet | None:
        """Cache the new access token; return the tokens if the refresh token rotated.
        Raises ``AuthError`` when the grant was refused."""
        tokens = parse_tokens(answer)
        self.refreshes += 1
        lifetime = tokens.expires_in if tokens.expires_in is not None else self.default_expires_in
        self._access_token = tokens.access_token
        self._expires_at = self.clock() + max(lifetime - self.expiry_margin, lifetime / 2)
        if tokens.refresh_token is None or tokens.refresh_token == self._refresh_token:
            return None
        self._refresh_token = tokens.refresh_token
        return tokens

    def _refresh_request(self) -> httpx.Request:
        return refresh_request(self.token_url, self.client, self._refresh_token, self.scope)

    # httpx.Client

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        with self._sync_lock:
            if not self._fresh():
                answer = yield self._refresh_request()
                if self._retry_later(answer):
                    return
                self._notify_sync(self._store(answer))
        used = self._authorize(request)
        response = yield request
        if response.status_code != 401:
            return
        with self._sync_lock:
            if self._stale(used):
                answer = yield self._refresh_request()
                if self._retry_later(answer):
                    return
                self._notify_sync(self._store(answer))
        self._authorize(request)
        yield request

    def _notify_sync(self, rotated: TokenSet | None) -> None:
        if self.on_tokens is None or rotated is None:
            return
        result = self.on_tokens(rotated)
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            raise TypeError("on_tokens must be synchronous with httpx.Client")

    # httpx.AsyncClient

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        async with self._async_lock:
            if not self._fresh():
                answer = yield self._refresh_request()
                await answer.aread()
                if self._retry_later(answer):
                    return
                await self._notify(self._store(answer))
        used = self._authorize(request)
        response = yield request
        if response.status_code != 401:
            return
        async with self._async_lock:
            if self._stale(used):
                answer = yield self._refresh_request()
                await answer.aread()
                if self._retry_later(answer):
                    return
                await self._notify(self._store(answer))
        self._authorize(request)
        yield request

    async def _notify(self, rotated: TokenSet | None) -> None:
        if self.on_tokens is None or rotated is None:
            return
        result = self.on_tokens(rotated)
        if inspect.isawaitable(result):
            await result
