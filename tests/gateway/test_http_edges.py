"""What real HTTP clients meet at the edge of ``/graphql``: CORS for the configured
browser origins only (preflights answered without touching the store, no origin ever
reflected unless listed), brotli or gzip (by the q-values of Accept-Encoding) for large
answers to clients that accept them (cache hits too), and ``RateLimit-*`` headers on
every rate-limited answer."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import AsyncIterator
from typing import Any

import brotli
import httpx
import pytest
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from gateway.compression import Compression, chosen_coding
from gateway.cors import parse_origins
from gateway.rate_limits import Bucket, RateLimits, RedisRateLimits
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

ALLOWED = "https://app.example.com"
OTHER = "https://evil.example.net"
PREFLIGHT = {
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization, content-type",
}
ME = "{ me { email } }"
JOBS = """
query Jobs {
  jobs(first: 6, sort: {field: TITLE, direction: ASC}) {
    edges { node { id title description location department status createdAt } }
  }
}
"""


@pytest.fixture(scope="module")
async def edges(backend: Backend) -> AsyncIterator[Gateway]:
    origins = f"{ALLOWED}, http://localhost:5173"
    async with running_gateway(backend.url, cors_allowed_origins=origins) as running:
        yield running


async def preflight(gateway: Gateway, origin: str, **headers: str) -> httpx.Response:
    return await gateway.client.options(
        "/graphql", headers={"origin": origin, **PREFLIGHT, **headers}
    )


async def test_a_preflight_from_an_allowed_origin_is_answered(edges: Gateway) -> None:
    edges.statements.reset()
    response = await preflight(edges, ALLOWED)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-max-age"] == "600"
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "x-request-id", "traceparent"} <= {
        header.strip() for header in allowed.split(",")
    }
    assert "access-control-allow-credentials" not in response.headers
    assert edges.statements.count == 0


@pytest.mark.parametrize(
    "origin, extra",
    [
        (OTHER, {}),
        ("https://app.example.com.evil.example.net", {}),
        ("http://app.example.com", {}),
        (ALLOWED, {"access-control-request-headers": "authorization, x-unheard-of"}),
        (ALLOWED, {"access-control-request-method": "DELETE"}),
    ],
)
async def test_a_preflight_outside_the_policy_is_refused_before_any_route(
    edges: Gateway, origin: str, extra: dict[str, str]
) -> None:
    edges.statements.reset()
    response = await preflight(edges, origin, **extra)
    assert response.status_code == 400
    assert response.headers.get("access-control-allow-origin") in (None, ALLOWED)
    if origin != ALLOWED:
        assert "access-control-allow-origin" not in response.headers
    assert edges.statements.count == 0


async def test_without_origins_configured_every_preflight_is_refused(gateway: Gateway) -> None:
    response = await preflight(gateway, ALLOWED)
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_a_cross_origin_post_is_readable_only_from_an_allowed_origin(
    edges: Gateway,
) -> None:
    allowed = await edges.post(ME, headers={"origin": ALLOWED})
    assert allowed.status_code == 200 and allowed.json()["data"]["me"]["email"]
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "origin" in allowed.headers["vary"].lower()
    exposed = allowed.headers["access-control-expose-headers"].lower()
    assert {"x-request-id", "retry-after", "ratelimit-remaining"} <= {
        header.strip() for header in exposed.split(",")
    }
    other = await edges.post(ME, headers={"origin": OTHER})
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-credentials" not in other.headers
    assert "origin" in other.headers["vary"].lower(), "a shared cache must not mix the two"


async def test_cors_stays_off_the_webhook_ingress_and_the_pages(edges: Gateway) -> None:
    for path in ("/webhooks/standard/1", "/"):
        response = await edges.client.options(path, headers={"origin": ALLOWED, **PREFLIGHT})
        assert response.status_code == 405, path
        assert "access-control-allow-origin" not in response.headers


async def asgi_call(app: Any, method: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """One request straight through the ASGI app, raw header bytes and all (an HTTP
    client would refuse to send some of them)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []
    body = b'{"query": "{ __typename }"}'

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    return {
        "status": start["status"],
        "headers": [(k.lower(), v) for k, v in start["headers"]],
    }


HOSTILE = [
    b"null",
    b"https://app.example.com\r\nx-injected: yes",
    b"https://app.example.com/",
    b"HTTPS://APP.EXAMPLE.COM",
    b"https://" + b"a" * 20_000 + b".example.com",
    "https://app.example.com\u00e9".encode("latin-1"),
]


@pytest.mark.parametrize("origin", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("method", ["OPTIONS", "POST"])
async def test_a_hostile_origin_is_neither_reflected_nor_an_error(
    edges: Gateway, origin: bytes, method: str
) -> None:
    headers = [(b"origin", origin), (b"content-type", b"application/json")]
    if method == "OPTIONS":
        headers.append((b"access-control-request-method", b"POST"))
    answer = await asgi_call(edges.app, method, headers)
    assert answer["status"] == (400 if method == "OPTIONS" else 200)
    for name, value in answer["headers"]:
        assert not name.startswith(b"access-control-allow-origin")
        assert origin not in value and b"\r" not in value and b"\n" not in value
        assert name != b"x-injected"


def test_origins_are_read_as_a_list_and_a_wildcard_is_refused() -> None:
    assert parse_origins("") == ()
    assert parse_origins(f" {ALLOWED} ,, http://[::1]:8080") == (ALLOWED, "http://[::1]:8080")
    assert parse_origins(f'["{ALLOWED}"]') == (ALLOWED,)
    for bad in ("*", "https://*.example.com", f"{ALLOWED}/", "app.example.com", "null"):
        with pytest.raises(ValueError, match="not an origin"):
            parse_origins(bad)


async def raw_body(gateway: Gateway, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    sent = {**gateway.headers(), **headers}
    request = gateway.client.build_request("POST", "/graphql", json={"query": JOBS}, headers=sent)
    response = await gateway.client.send(request, stream=True)
    raw = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    return response, raw


async def test_a_large_answer_is_gzipped_for_clients_that_accept_it_cache_hits_too(
    edges: Gateway,
) -> None:
    await edges.app.state.cache.invalidate(edges.tenants["demo"].tenant_id)
    plain, body = await raw_body(edges, {"accept-encoding": "identity"})
    assert plain.headers["x-cache"] == "miss"
    assert "content-encoding" not in plain.headers
    assert len(body) > 1024 and b'"jobs"' in body

    hit, compressed = await raw_body(edges, {"accept-encoding": "gzip"})
    assert hit.headers["content-encoding"] == "gzip"
    assert hit.headers["x-cache"] == "hit"
    assert hit.headers["server-timing"].startswith("app;dur=")
    assert hit.headers["x-request-id"]
    assert "accept-encoding" in hit.headers["vary"].lower()
    assert int(hit.headers["content-length"]) == len(compressed) < len(body)
    assert gzip.decompress(compressed) == body


async def test_clients_accepting_brotli_get_it_cache_hits_too(edges: Gateway) -> None:
    await edges.app.state.cache.invalidate(edges.tenants["demo"].tenant_id)
    _, body = await raw_body(edges, {"accept-encoding": "identity"})
    hit, compressed = await raw_body(edges, {"accept-encoding": "gzip, deflate, br, zstd"})
    assert hit.headers["content-encoding"] == "br"
    assert hit.headers["x-cache"] == "hit"
    assert "accept-encoding" in hit.headers["vary"].lower()
    assert int(hit.headers["content-length"]) == len(compressed) < len(body)
    assert brotli.decompress(compressed) == body
    _, gzipped = await raw_body(edges, {"accept-encoding": "gzip"})
    assert len(compressed) < len(gzipped), "brotli is worth choosing"


@pytest.mark.parametrize(
    "header, coding",
    [
        (b"gzip, deflate, br", "br"),
        (b"br;q=0.5, gzip", "gzip"),
        (b"br;q=0, gzip;q=0.1", "gzip"),
        (b"GZIP;Q=0.9, BR;Q=0.8", "gzip"),
        (b"*", "br"),
        (b"*;q=0.3, br;q=0", "gzip"),
        (b"gzip;q=0, *", "br"),
        (b"identity", None),
        (b"br;q=abc", None),
        (b" , ;q=1, br;;q=2", "br"),
        (b"", None),
        (None, None),
    ],
)
def test_the_coding_follows_the_clients_q_values(header: bytes | None, coding: str | None) -> None:
    assert chosen_coding(header) == coding


async def _streamed(scope: Scope, receive: Receive, send: Send) -> None:
    chunks = [b'{"part": %d, "filler": "%s"}\n' % (n, b"y" * 600) for n in range(20)]

    async def parts() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    await StreamingResponse(parts(), media_type="application/x-ndjson")(scope, receive, send)


async def test_a_streamed_answer_is_compressed_as_it_goes() -> None:
    transport = httpx.ASGITransport(app=Compression(_streamed))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for coding in ("br", "gzip"):
            async with client.stream("GET", "/graphql", headers={"accept-encoding": coding}) as r:
                raw = b"".join([chunk async for chunk in r.aiter_raw()])
            assert r.headers["content-encoding"] == coding
            plain = brotli.decompress(raw) if coding == "br" else gzip.decompress(raw)
            assert plain.count(b'"part"') == 20


async def test_small_answers_and_clients_without_gzip_get_it_plain(edges: Gateway) -> None:
    small = await edges.client.post(
        "/graphql", json={"query": ME}, headers={**edges.headers(), "accept-encoding": "gzip"}
    )
    assert small.status_code == 200 and "content-encoding" not in small.headers
    for refusing in ("", "identity", "deflate", "br;q=0, gzip;q=0", "*;q=0", "br;q=junk"):
        large, body = await raw_body(edges, {"accept-encoding": refusing})
        assert "content-encoding" not in large.headers
        assert len(body) > 1024 and body.startswith(b'{"data"')
        assert "accept-encoding" in large.headers["vary"].lower(), "shared caches must not mix"


async def test_an_answer_without_origin_says_it_varies_by_origin(edges: Gateway) -> None:
    """No CORS to do for a same-origin request, but a shared cache must not hand its
    answer (without ``Access-Control-Allow-Origin``) to a cross-origin one."""
    response = await edges.post(ME)
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert "origin" in [v.strip().lower() for v in response.headers["vary"].split(",")]


async def _big(scope: Scope, receive: Receive, send: Send) -> None:
    media_type = "text/event-stream" if scope["path"] == "/events" else "application/json"
    await Response(b"x" * 4096, media_type=media_type)(scope, receive, send)


@pytest.mark.parametrize(
    "path, compressed", [("/graphql", True), ("/webhooks/standard/1", False), ("/events", False)]
)
async def test_streams_and_the_webhook_ingress_are_never_compressed(
    path: str, compressed: bool
) -> None:
    transport = httpx.ASGITransport(app=Compression(_big))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for coding in ("gzip", "br"):
            response = await client.get(path, headers={"accept-encoding": coding})
            assert (response.headers.get("content-encoding") == coding) is compressed
            assert response.content == b"x" * 4096


def quota(response: httpx.Response) -> tuple[int, int, int]:
    headers = response.headers
    return (
        int(headers["ratelimit-limit"]),
        int(headers["ratelimit-remaining"]),
        int(headers["ratelimit-reset"]),
    )


async def test_ratelimit_headers_count_down_and_stay_on_the_429(backend: Backend) -> None:
    async with running_gateway(backend.url, rate_limit_user_per_minute=3) as gateway:
        answers = [await gateway.post(ME) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    quotas = [quota(a) for a in answers]
    assert [q[:2] for q in quotas] == [(3, 2), (3, 1), (3, 0), (3, 0)]
    assert all(1 <= reset <= 120 for _, _, reset in quotas)
    refused = answers[-1]
    assert int(refused.headers["retry-after"]) >= 1
    assert quotas[-1][2] == int(refused.headers["retry-after"])


async def test_anonymous_callers_get_their_ip_quota(backend: Backend) -> None:
    async with running_gateway(backend.url, rate_limit_public_per_minute=5) as gateway:
        answer = await gateway.post("{ __typename }", role=None)
    assert quota(answer)[:2] == (5, 4)


async def test_no_ratelimit_headers_when_limits_are_off(gateway: Gateway) -> None:
    answer = await gateway.post(ME)
    assert answer.status_code == 200
    assert not [name for name in answer.headers if name.startswith("ratelimit-")]


async def test_redis_and_the_process_report_the_same_quota_as_the_window_slides(
    redis_url: str, redis_prefix: str
) -> None:
    """Three of four calls early in one window; 15 s into the next, those three still
    weigh 2.25, so one more call fits (none left after it) and the next waits until
    they weigh 2 (5 s)."""
    process_clock, redis_clock = Clock(6005.0), Clock(6005.0)
    process = RateLimits(process_clock)
    shared = RedisRateLimits(redis_url, f"{redis_prefix}rq-{uuid.uuid4().hex[:6]}", redis_clock)
    bucket = Bucket("t", 4)
    seen: list[list[tuple[bool, int, int]]] = [[], []]
    try:
        for moment in [6005.0] * 3 + [6075.0] * 3:
            for index, (limits, clock) in enumerate(
                [(process, process_clock), (shared, redis_clock)]
            ):
                clock.now = moment
                decision = await limits.hit(bucket, "a")
                seen[index].append((decision.allowed, decision.remaining, round(decision.reset)))
    finally:
        await shared.close()
    assert seen[0] == seen[1]
    assert seen[0] == [
        (True, 3, 55),
        (True, 2, 55),
        (True, 1, 55),
        (True, 0, 45),
        (False, 0, 5),
        (False, 0, 5),
    ]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
