"""Harvest v3 authentication: OAuth 2.0 client credentials, one token per acting user.

    auth = GreenhouseAuth(ClientCredentials("id", "secret"), default_user="4080")
    # first request: POST https://auth.greenhouse.io/token  (Basic id:secret)
    #                grant_type=client_credentials&sub=4080
    # then:          Authorization: Bearer <access_token>

Harvest v3 has no ``On-Behalf-Of`` header (v1/v2 had one): whoever a token's ``sub``
names is who the API records as acting. A write done as a recruiter is therefore sent
with a token minted for their Greenhouse user id; the connector marks such a request
with ``ACT_AS`` (an internal header this auth removes before anything is sent).
Tokens are kept per user until shortly before they expire; a 401 answer mints a fresh
one and sends the request again, once. A token endpoint that answers 429 or 5xx has
its answer passed on as the request's, so ``HttpClient`` retries it (``Retry-After``
included); a refused client is ``AuthError``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from connectors.oauth import ClientCredentials, TokenSet, parse_tokens, token_request

TOKEN_URL = "https://auth.greenhouse.io/token"
ACT_AS = "X-Talentgraph-Act-As"
"""Internal request header naming the Greenhouse user a write is done as; never sent."""
EXPIRY_MARGIN = 60.0
"""Seconds before its stated expiry that a token is no longer used."""


def _passed_on(answer: httpx.Response) -> bool:
    """A token answer the caller should see as the request's own: a 429 or a 5xx, which
    ``HttpClient`` waits out and retries like any other."""
    return answer.status_code == 429 or answer.status_code >= 500


class GreenhouseAuth(httpx.Auth):
    def __init__(
        self,
        client: ClientCredentials,
        *,
        default_user: str,
        token_url: str = TOKEN_URL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.default_user = default_user
        self.token_url = token_url
        self.clock = clock
        self._tokens: dict[str, tuple[str, float | None]] = {}

    def __repr__(self) -> str:
        return f"GreenhouseAuth(client_id=<hidden>, default_user={self.default_user!r})"

    def _token(self, user: str) -> str | None:
        kept = self._tokens.get(user)
        if kept is None:
            return None
        token, expires = kept
        if expires is not None and self.clock() >= expires:
            return None
        return token

    def _keep(self, user: str, tokens: TokenSet) -> str:
        expires = None
        if tokens.expires_in is not None:
            margin = min(EXPIRY_MARGIN, tokens.expires_in / 2)
            expires = self.clock() + tokens.expires_in - margin
        self._tokens[user] = (tokens.access_token, expires)
        return tokens.access_token

    def _token_request(self, user: str) -> httpx.Request:
        grant = {"grant_type": "client_credentials", "sub": user}
        return token_request(self.token_url, self.client, grant)

    def _flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        user = request.headers.pop(ACT_AS, None) or self.default_user
        token = self._token(user)
        if token is None:
            answer = yield self._token_request(user)
            if _passed_on(answer):
                return
            token = self._keep(user, parse_tokens(answer))
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        self._tokens.pop(user, None)
        answer = yield self._token_request(user)
        if _passed_on(answer):
            return
        request.headers["Authorization"] = f"Bearer {self._keep(user, parse_tokens(answer))}"
        yield request

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self._flow(request)
        sent = next(flow)
        while True:
            response = yield sent
            response.read()
            try:
                sent = flow.send(response)
            except StopIteration:
                return

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self._flow(request)
        sent = next(flow)
        while True:
            response = yield sent
            await response.aread()
            try:
                sent = flow.send(response)
            except StopIteration:
                return
