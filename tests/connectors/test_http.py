"""The shared HTTP layer on its own: retry rules, Retry-After, rate limit, paginators,
loop detection and logging."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from aiolimiter import AsyncLimiter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.errors import (
    AuthError,
    NotFoundError,
    PaginationLoopError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnprocessableError,
)
from connectors.http import (
    CursorPaginator,
    HttpClient,
    LinkHeaderPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    RetryPolicy,
    parse_retry_after,
)
from demo.sandbox.faults import Faults, with_faults

ITEMS = [{"id": n} for n in range(1, 24)]


async def link_pages(request: Request) -> Response:
    page = int(request.query_params.get("page", 1))
    size = int(request.query_params["per_page"])
    chunk = ITEMS[(page - 1) * size : page * size]
    headers = {}
    if page * size < len(ITEMS):
        headers["link"] = f'<http://fake/link?page={page + 1}&per_page={size}>; rel="next"'
    return JSONResponse(chunk, headers=headers)


async def cursor_pages(request: Request) -> Response:
    start = int(request.query_params.get("cursor") or 0)
    size = int(request.query_params["limit"])
    chunk = ITEMS[start : start + size]
    following = start + size if start + size < len(ITEMS) else None
    return JSONResponse({"items": chunk, "next_cursor": str(following) if following else None})


async def looping_cursor(request: Request) -> Response:
    """Always hands back the same cursor: a broken API the paginator must stop."""
    return JSONResponse({"items": [{"id": len(request.query_params)}], "next_cursor": "same"})


async def repeated_last_page(request: Request) -> Response:
    """A full page, then its last, short page for every cursor after it, with a new
    cursor each time: the end, said twice."""
    start = int(request.query_params.get("cursor") or 0)
    chunk = ITEMS[:5] if start == 0 else ITEMS[20:]
    return JSONResponse({"items": chunk, "next_cursor": str(start + 5)})


async def offset_pages(request: Request) -> Response:
    start, count = int(request.query_params["start"]), int(request.query_params["count"])
    return JSONResponse({"total": len(ITEMS), "rows": ITEMS[start : start + count]})


async def stuck_pages(request: Request) -> Response:
    return JSONResponse(ITEMS[:5])


async def status(request: Request) -> Response:
    return Response(b'{"error": "x"}', status_code=int(request.path_params["code"]))


async def echo(request: Request) -> Response:
    return JSONResponse({"method": request.method})


APP = Starlette(
    routes=[
        Route("/link", link_pages),
        Route("/cursor", cursor_pages),
        Route("/loop", looping_cursor),
        Route("/repeated", repeated_last_page),
        Route("/offset", offset_pages),
        Route("/stuck", stuck_pages),
        Route("/status/{code:int}", status),
        Route("/echo", echo, methods=["GET", "POST"]),
    ]
)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
async def http(faults: Faults) -> AsyncIterator[tuple[HttpClient, Sleeps]]:
    sleeps = Sleeps()
    transport = httpx.ASGITransport(app=with_faults(APP, faults))
    async with httpx.AsyncClient(transport=transport) as client:
        yield HttpClient(client, base_url="http://fake", integration="t:test", sleep=sleeps), sleeps


async def pages(http: HttpClient, path: str, paginator: object) -> list[int]:
    return [item["id"] async for page in http.pages(path, paginator) for item in page]  # type: ignore[arg-type]


async def test_all_four_paginators_read_every_item_once(http: tuple[HttpClient, Sleeps]) -> None:
    client, _ = http
    expected = [item["id"] for item in ITEMS]
    assert await pages(client, "/link", LinkHeaderPaginator(size=5)) == expected
    assert await pages(client, "/cursor", CursorPaginator(items_key="items", size=5)) == expected
    assert await pages(client, "/offset", OffsetPaginator(items_key="rows", count=5)) == expected


async def test_a_short_last_page_served_again_ends_the_listing(
    http: tuple[HttpClient, Sleeps],
) -> None:
    client, _ = http
    ids = await pages(client, "/repeated", CursorPaginator(items_key="items", size=5))
    assert ids == [item["id"] for item in ITEMS[:5] + ITEMS[20:]]


async def test_the_same_page_twice_is_a_loop(http: tuple[HttpClient, Sleeps]) -> None:
    client, _ = http
    with pytest.raises(PaginationLoopError):
        await pages(client, "/loop", CursorPaginator(items_key="items", size=1))
    with pytest.raises(PaginationLoopError):
        await pages(client, "/stuck", PageNumberPaginator(size=5))


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (401, AuthError),
        (403, AuthError),
        (404, NotFoundError),
        (422, UnprocessableError),
        (400, UnprocessableError),
    ],
)
async def test_fatal_statuses_are_typed_and_not_retried(
    http: tuple[HttpClient, Sleeps], faults: Faults, code: int, error: type[Exception]
) -> None:
    client, sleeps = http
    with pytest.raises(error):
        await client.get_json(f"/status/{code}")
    assert sleeps.calls == [] and faults.requests == 1


async def test_retry_after_is_a_floor_and_5xx_backs_off(
    http: tuple[HttpClient, Sleeps], faults: Faults
) -> None:
    client, sleeps = http
    faults.rate_limit(times=1, retry_after=7)
    faults.server_errors(times=2)
    assert await client.get_json("/echo") == {"method": "GET"}
    assert sleeps.calls[0] >= 7
    assert all(0 <= delay <= RetryPolicy().max_delay for delay in sleeps.calls[1:])


async def test_retries_stop_after_the_policy(
    http: tuple[HttpClient, Sleeps], faults: Faults
) -> None:
    client, sleeps = http
    faults.rate_limit(times=10, retry_after=1)
    with pytest.raises(RateLimitedError) as raised:
        await client.get_json("/echo")
    assert raised.value.retry_after == 1
    assert len(sleeps.calls) == RetryPolicy().attempts - 1


async def test_posts_retry_rate_limits_but_not_server_errors(
    http: tuple[HttpClient, Sleeps], faults: Faults
) -> None:
    client, sleeps = http
    faults.rate_limit(times=1, retry_after=1)
    assert await client.json("POST", "/echo") == {"method": "POST"}
    faults.server_errors(times=1)
    with pytest.raises(ServerError):
        await client.json("POST", "/echo")
    faults.server_errors(times=1)
    assert await client.json("POST", "/echo", idempotent=True) == {"method": "POST"}
    assert len(sleeps.calls) == 2


async def test_connection_failures_are_retried_even_for_posts() -> None:
    sleeps = Sleeps()
    calls = 0

    def refuse(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"ok": True})

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        http = HttpClient(client, base_url="http://fake", integration="t", sleep=sleeps)
        assert await http.json("POST", "/x") == {"ok": True}
        assert len(sleeps.calls) == 2

    def read_timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(read_timeout)) as client:
        http = HttpClient(client, base_url="http://fake", integration="t", sleep=Sleeps())
        with pytest.raises(TransportError):
            await http.json("POST", "/x")


def test_retry_after_parses_seconds_and_dates() -> None:
    assert parse_retry_after("12") == 12
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (parse_retry_after(later) or 0) <= 31


async def test_rate_limit_spaces_requests(faults: Faults) -> None:
    transport = httpx.ASGITransport(app=with_faults(APP, faults))
    async with httpx.AsyncClient(transport=transport) as client:
        http = HttpClient(
            client, base_url="http://fake", integration="t", rate_limit=AsyncLimiter(20, 0.25)
        )
        started = time.perf_counter()
        for _ in range(30):
            await http.get_json("/echo")
        assert time.perf_counter() - started >= 0.1


async def test_requests_are_logged_without_query_strings(
    http: tuple[HttpClient, Sleeps], caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = http
    caplog.set_level(logging.INFO, logger="talentgraph.connectors.http")
    await client.get_json("/echo", params={"api_key": "secret-in-query"})
    record = caplog.records[-1].getMessage()
    assert "integration=t:test" in record and "method=GET" in record and "path=/echo" in record
    assert "status=200" in record and "duration_ms=" in record
    assert "secret-in-query" not in caplog.text
