"""The provider-neutral OAuth2 helpers: PKCE, authorization URLs, token requests and
answers, and ``RefreshTokenAuth`` with sync and async clients. A tiny token server
(``httpx.MockTransport``) stands in for the provider; ``test_workday.py`` runs the same
auth against the Workday fake."""

from __future__ import annotations

import asyncio
import base64
import re
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote_plus, unquote_plus, urlsplit

import httpx
import pytest

from connectors.errors import (
    AuthError,
    InvalidResponseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from connectors.oauth import (
    ClientCredentials,
    Pkce,
    RefreshTokenAuth,
    TokenSet,
    authorization_url,
    code_request,
    exchange_code,
    new_pkce,
    new_state,
    parse_tokens,
    refresh,
    refresh_request,
    s256_challenge,
    token_error,
)

TOKEN_URL = "https://id.example.com/oauth/token"
API_URL = "https://api.example.com/things"
CLIENT = ClientCredentials("client-1", "s3cret:with&odd=chars")


def _form(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode()))


def _basic(request: httpx.Request) -> tuple[str, str]:
    decoded = base64.b64decode(request.headers["authorization"][6:]).decode()
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


class TokenServer:
    """Issues ``at-1``, ``at-2``, ... for refresh token ``rt-1``; the API accepts the
    tokens in ``valid``. ``token_answers`` queues canned token endpoint answers."""

    def __init__(self, *, expires_in: int | None = 3600, rotate: bool = False) -> None:
        self.expires_in = expires_in
        self.rotate = rotate
        self.refresh_tokens = {"rt-1"}
        self.issued = 0
        self.valid: set[str] = set()
        self.token_answers: list[httpx.Response] = []
        self.api_bodies: list[bytes] = []
        self.api_statuses: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url == TOKEN_URL:
            return self.token(request)
        token = request.headers.get("authorization", "")[7:]
        self.api_bodies.append(request.content)
        status = 200 if token in self.valid else 401
        self.api_statuses.append(status)
        return httpx.Response(status, json={"ok": status == 200})

    def token(self, request: httpx.Request) -> httpx.Response:
        if self.token_answers:
            return self.token_answers.pop(0)
        form = _form(request)
        if form.get("refresh_token") not in self.refresh_tokens:
            return httpx.Response(400, json={"error": "invalid_grant"})
        self.issued += 1
        access = f"at-{self.issued}"
        self.valid.add(access)
        body: dict[str, Any] = {"access_token": access, "token_type": "Bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        if self.rotate:
            new = f"rt-{self.issued + 1}"
            self.refresh_tokens = {new}
            body["refresh_token"] = new
        return httpx.Response(200, json=body)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make_auth(clock: Clock | None = None, **kwargs: Any) -> RefreshTokenAuth:
    return RefreshTokenAuth(TOKEN_URL, CLIENT, "rt-1", clock=clock or Clock(), **kwargs)


def async_client(server: TokenServer) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(server))


# --- PKCE, state, authorization URL ---------------------------------------------------


def test_s256_matches_rfc_7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize("length", [43, 64, 128])
def test_new_pkce_makes_a_valid_verifier_and_its_challenge(length: int) -> None:
    pkce = new_pkce(length)
    assert len(pkce.verifier) == length
    assert re.fullmatch(r"[A-Za-z0-9\-._~]+", pkce.verifier)
    assert pkce.challenge == s256_challenge(pkce.verifier)
    assert pkce.method == "S256"
    assert pkce.verifier not in repr(pkce)
    assert new_pkce(length).verifier != pkce.verifier


@pytest.mark.parametrize("length", [42, 129])
def test_new_pkce_refuses_lengths_outside_the_rfc(length: int) -> None:
    with pytest.raises(ValueError):
        new_pkce(length)


def test_new_state_is_unguessable_and_url_safe() -> None:
    states = {new_state() for _ in range(50)}
    assert len(states) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9\-_]{40,}", state) for state in states)


def test_authorization_url_carries_the_request_and_keeps_existing_parameters() -> None:
    pkce = Pkce(verifier="v" * 43, challenge="c-1")
    url = authorization_url(
        "https://id.example.com/authorize?tenant=acme",
        client_id="client-1",
        redirect_uri="https://tg.example.com/cb?x=1",
        state="s-1",
        scope="recruiting offline",
        pkce=pkce,
        extra={"prompt": "consent"},
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "id.example.com", "/authorize")
    assert parse_qs(parts.query) == {
        "tenant": ["acme"],
        "response_type": ["code"],
        "client_id": ["client-1"],
        "redirect_uri": ["https://tg.example.com/cb?x=1"],
        "state": ["s-1"],
        "scope": ["recruiting offline"],
        "code_challenge": ["c-1"],
        "code_challenge_method": ["S256"],
        "prompt": ["consent"],
    }


def test_authorization_url_without_pkce_or_scope() -> None:
    url = authorization_url("https://id/authorize", client_id="c", redirect_uri="r", state="s")
    assert set(parse_qs(urlsplit(url).query)) == {
        "response_type",
        "client_id",
        "redirect_uri",
        "state",
    }


# --- token requests ---------------------------------------------------------------------


def test_refresh_request_authenticates_the_client_with_basic() -> None:
    request = refresh_request(TOKEN_URL, CLIENT, "rt-1", scope="recruiting")
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert _form(request) == {
        "grant_type": "refresh_token",
        "refresh_token": "rt-1",
        "scope": "recruiting",
    }
    client_id, secret = _basic(request)
    # RFC 6749 2.3.1: form-encoded before Basic
    assert (client_id, secret) == ("client-1", "s3cret%3Awith%26odd%3Dchars")


def test_client_secret_post_puts_the_client_in_the_form() -> None:
    client = ClientCredentials("client-1", "secret-1", method="post")
    request = code_request(
        TOKEN_URL, client, code="code-1", redirect_uri="https://tg/cb", code_verifier="v-1"
    )
    assert "authorization" not in request.headers
    assert _form(request) == {
        "grant_type": "authorization_code",
        "code": "code-1",
        "redirect_uri": "https://tg/cb",
        "code_verifier": "v-1",
        "client_id": "client-1",
        "client_secret": "secret-1",
    }


def test_secrets_stay_out_of_reprs() -> None:
    tokens = TokenSet(access_token="at-secret", refresh_token="rt-secret")
    auth = make_auth()
    for text in (repr(CLIENT), repr(tokens), repr(auth)):
        for secret in (CLIENT.client_secret, "at-secret", "rt-secret", "rt-1"):
            assert secret not in text


# --- token answers ----------------------------------------------------------------------


def _answer(status: int, body: Any = None, **kwargs: Any) -> httpx.Response:
    request = httpx.Request("POST", TOKEN_URL)
    if body is None:
        return httpx.Response(status, request=request, **kwargs)
    return httpx.Response(status, json=body, request=request, **kwargs)


@pytest.mark.parametrize(
    ("status", "body", "error", "text"),
    [
        (400, {"error": "invalid_grant", "error_description": "expired"}, AuthError, "expired"),
        (401, {"error": "invalid_client"}, AuthError, "invalid_client"),
        (400, None, AuthError, "HTTP 400"),
        (404, {"error": "no such tenant"}, NotFoundError, "not found"),
        (503, {"error": "down"}, ServerError, "503"),
    ],
)
def test_token_errors(status: int, body: Any, error: type[Exception], text: str) -> None:
    found = token_error(_answer(status, body))
    assert isinstance(found, error)
    assert text in str(found)


def test_a_429_from_the_token_endpoint_keeps_retry_after() -> None:
    found = token_error(_answer(429, {"error": "slow down"}, headers={"retry-after": "12"}))
    assert isinstance(found, RateLimitedError)
    assert found.retry_after == 12


def test_only_the_oauth_error_fields_reach_the_message() -> None:
    body = {"error": "invalid_grant", "echo": "rt-leaked-secret"}
    assert "rt-leaked-secret" not in str(token_error(_answer(400, body)))


def test_parse_tokens() -> None:
    answer = _answer(200, {"access_token": "a", "expires_in": "300", "refresh_token": "r"})
    tokens = parse_tokens(answer)
    assert (tokens.access_token, tokens.expires_in, tokens.refresh_token) == ("a", 300.0, "r")
    assert tokens.token_type == "Bearer"
    assert token_error(answer) is None


@pytest.mark.parametrize(
    "answer",
    [
        _answer(200, {"token_type": "Bearer"}),
        httpx.Response(200, content=b"<html>", request=httpx.Request("POST", TOKEN_URL)),
    ],
)
def test_an_answer_without_an_access_token_is_invalid(answer: httpx.Response) -> None:
    with pytest.raises(InvalidResponseError):
        parse_tokens(answer)


async def test_exchange_code_and_refresh_over_a_client() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "a", "refresh_token": "r2"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        exchanged = await exchange_code(
            client, TOKEN_URL, CLIENT, code="c", redirect_uri="https://tg/cb", code_verifier="v"
        )
        refreshed = await refresh(client, TOKEN_URL, CLIENT, "r2")

    assert exchanged.refresh_token == "r2"
    assert refreshed.access_token == "a"
    assert [_form(r)["grant_type"] for r in seen] == ["authorization_code", "refresh_token"]


async def test_an_unreachable_token_endpoint_is_a_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(TransportError):
            await refresh(client, TOKEN_URL, CLIENT, "rt-1")


# --- RefreshTokenAuth, async ------------------------------------------------------------


async def test_async_refreshes_caches_and_honours_the_margin() -> None:
    server, clock = TokenServer(expires_in=300), Clock()
    auth = make_auth(clock)
    async with async_client(server) as client:
        for _ in range(3):
            assert (await client.get(API_URL, auth=auth)).status_code == 200
        clock.now = 239.0
        await client.get(API_URL, auth=auth)
        assert server.issued == 1
        clock.now = 241.0  # 59 s before expiry
        await client.get(API_URL, auth=auth)
    assert server.issued == 2
    assert auth.refreshes == 2
    assert server.api_statuses == [200] * 5


async def test_a_short_lived_token_is_still_cached_for_half_its_life() -> None:
    server, clock = TokenServer(expires_in=30), Clock()
    auth = make_auth(clock)
    async with async_client(server) as client:
        await client.get(API_URL, auth=auth)
        clock.now = 14.0
        await client.get(API_URL, auth=auth)
        assert server.issued == 1
        clock.now = 15.0
        await client.get(API_URL, auth=auth)
    assert server.issued == 2


async def test_without_expires_in_the_default_lifetime_applies() -> None:
    server, clock = TokenServer(expires_in=None), Clock()
    auth = make_auth(clock, default_expires_in=600)
    async with async_client(server) as client:
        await client.get(API_URL, auth=auth)
        clock.now = 539.0
        await client.get(API_URL, auth=auth)
        assert server.issued == 1
        clock.now = 541.0
        await client.get(API_URL, auth=auth)
    assert server.issued == 2


async def test_a_401_refreshes_once_and_sends_the_body_again() -> None:
    server = TokenServer()
    auth = make_auth()
    async with async_client(server) as client:
        await client.get(API_URL, auth=auth)
        server.valid.clear()
        response = await client.post(API_URL, json={"n": 1}, auth=auth)
    assert response.status_code == 200
    assert server.api_statuses == [200, 401, 200]
    assert server.api_bodies[1:] == [b'{"n":1}', b'{"n":1}']


async def test_a_second_401_is_the_answer() -> None:
    server = TokenServer()
    auth = make_auth()
    async with async_client(server) as client:
        server.valid = set()
        original = server.token

        def issue_useless(request: httpx.Request) -> httpx.Response:
            answer = original(request)
            server.valid.clear()
            return answer

        server.token = issue_useless  # type: ignore[method-assign]
        response = await client.get(API_URL, auth=auth)
    assert response.status_code == 401
    assert server.issued == 2
    assert server.api_statuses == [401, 401]


async def test_a_refused_refresh_raises_auth_error() -> None:
    server = TokenServer()
    server.refresh_tokens.clear()
    async with async_client(server) as client:
        with pytest.raises(AuthError, match="invalid_grant"):
            await client.get(API_URL, auth=make_auth())


async def test_a_token_endpoint_outage_is_returned_for_the_caller_to_retry() -> None:
    server = TokenServer()
    server.token_answers.append(httpx.Response(503, json={"error": "down"}))
    auth = make_auth()
    async with async_client(server) as client:
        first = await client.get(API_URL, auth=auth)
        second = await client.get(API_URL, auth=auth)
    assert first.status_code == 503
    assert second.status_code == 200
    assert server.api_statuses == [200]


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_rotated_refresh_token_goes_to_on_tokens(kind: str) -> None:
    server, clock = TokenServer(rotate=True), Clock()
    saved: list[str | None] = []

    async def save_async(tokens: TokenSet) -> None:
        saved.append(tokens.refresh_token)

    def save_sync(tokens: TokenSet) -> None:
        saved.append(tokens.refresh_token)

    on_tokens: Callable[[TokenSet], Any] = save_async if kind == "async" else save_sync
    auth = make_auth(clock, on_tokens=on_tokens)
    async with async_client(server) as client:
        await client.get(API_URL, auth=auth)
        clock.now = 10_000.0
        await client.get(API_URL, auth=auth)
    assert saved == ["rt-2", "rt-3"]


# --- RefreshTokenAuth, sync -------------------------------------------------------------


def test_sync_client_refreshes_caches_and_retries_a_401() -> None:
    server = TokenServer()
    auth = make_auth()
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        assert client.get(API_URL, auth=auth).status_code == 200
        assert client.get(API_URL, auth=auth).status_code == 200
        server.valid.clear()
        assert client.get(API_URL, auth=auth).status_code == 200
    assert server.issued == 2
    assert server.api_statuses == [200, 200, 401, 200]


def test_sync_client_with_an_async_on_tokens_is_a_type_error() -> None:
    async def save(tokens: TokenSet) -> None:
        return None

    server = TokenServer(rotate=True)
    auth = make_auth(on_tokens=save)
    with (
        httpx.Client(transport=httpx.MockTransport(server)) as client,
        pytest.raises(TypeError, match="synchronous"),
    ):
        client.get(API_URL, auth=auth)


# --- single flight and rotation under concurrency ---------------------------------------


def slow_async_client(server: TokenServer, delay: float = 0.01) -> httpx.AsyncClient:
    """The token endpoint takes ``delay``: the other requests arrive meanwhile."""

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url == TOKEN_URL:
            await asyncio.sleep(delay)
        else:
            await asyncio.sleep(0)  # every request is in flight before any answer
        return server(request)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_twenty_concurrent_requests_without_a_token_share_one_refresh() -> None:
    server = TokenServer()
    auth = make_auth()
    async with slow_async_client(server) as client:
        responses = await asyncio.gather(*(client.get(API_URL, auth=auth) for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert (server.issued, auth.refreshes) == (1, 1)


async def test_twenty_concurrent_expired_tokens_share_one_refresh() -> None:
    server, clock = TokenServer(expires_in=300), Clock()
    auth = make_auth(clock)
    async with slow_async_client(server) as client:
        await client.get(API_URL, auth=auth)
        clock.now = 1_000.0
        responses = await asyncio.gather(*(client.get(API_URL, auth=auth) for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert server.issued == 2
    assert 401 not in server.api_statuses  # refreshed before sending


async def test_twenty_concurrent_401s_share_one_refresh_and_its_rotation() -> None:
    server = TokenServer(rotate=True)
    saved: list[str | None] = []
    auth = make_auth(on_tokens=lambda tokens: saved.append(tokens.refresh_token))
    async with slow_async_client(server) as client:
        await client.get(API_URL, auth=auth)
        server.valid.clear()  # revoked server-side while the cache thinks it fresh
        responses = await asyncio.gather(*(client.get(API_URL, auth=auth) for _ in range(20)))
        server.valid.clear()
        last = await client.get(API_URL, auth=auth)  # refreshes with the rotated token
    assert [r.status_code for r in responses] == [200] * 20
    assert server.issued == 3  # the first token, one refresh for the twenty, the last
    assert server.api_statuses.count(401) == 21
    assert saved == ["rt-2", "rt-3", "rt-4"]  # each rotation once, each one used next
    assert last.status_code == 200


def test_threads_sharing_a_sync_auth_share_one_refresh() -> None:
    server = TokenServer()
    auth = make_auth()
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url == TOKEN_URL:
            time.sleep(0.02)
        return server(request)

    def call() -> None:
        with httpx.Client(transport=httpx.MockTransport(handler)) as client:
            barrier.wait()
            statuses.append(client.get(API_URL, auth=auth).status_code)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert server.issued == 1


# --- what Authlib builds ----------------------------------------------------------------


@pytest.mark.parametrize("secret", ["a+b c", "pä%ss", "plain"])
def test_basic_client_auth_form_encodes_the_secret_first(secret: str) -> None:
    request = refresh_request(TOKEN_URL, ClientCredentials("id 1", secret), "rt-1")
    # RFC 6749 2.3.1 and Appendix B: "+" is %2B, a space is "+", UTF-8 is %-escaped
    assert _basic(request) == ("id+1", quote_plus(secret))
    assert unquote_plus(_basic(request)[1]) == secret


def test_token_requests_leave_out_empty_parameters_and_encode_the_rest() -> None:
    request = code_request(TOKEN_URL, CLIENT, code="c/+=&", redirect_uri="https://tg/cb")
    assert _form(request) == {
        "grant_type": "authorization_code",
        "code": "c/+=&",
        "redirect_uri": "https://tg/cb",
    }
    assert "scope" not in _form(refresh_request(TOKEN_URL, CLIENT, "rt-1"))


async def test_an_empty_code_is_an_auth_error_without_a_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request for an empty code")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(AuthError, match="no authorization code"):
            await exchange_code(client, TOKEN_URL, CLIENT, code="", redirect_uri="https://tg/cb")


def test_extra_authorization_parameters_win() -> None:
    url = authorization_url(
        "https://id/authorize",
        client_id="c",
        redirect_uri="r",
        state="s",
        extra={"response_type": "code id_token", "state": "s-2"},
    )
    query = parse_qs(urlsplit(url).query)
    assert (query["response_type"], query["state"]) == (["code id_token"], ["s-2"])
