"""The one HTTP layer every connector uses.

``HttpClient`` wraps an injected ``httpx.AsyncClient`` and decides, in one place,
what to retry and what to give up on:

- 429, 5xx and transport errors are retried with exponential backoff and full
  jitter, waiting at least ``Retry-After`` when the server sends it; a POST or PATCH
  (which may have taken effect before the failure) is retried only when the server
  certainly did not act on it: a 429, or a connection that never opened. Reads sent
  as POST pass ``idempotent=True``;
- 401/403, 404, 422 and other 4xx are fatal at once and raised as typed errors;
- a body that is not the JSON the API documents is ``InvalidResponseError``;
- an error's message is the status and a short reason ("HTTP 500 from the provider"),
  never the body, which stays in the error's ``detail``.

Each integration gets its own rate limit (a leaky bucket from ``aiolimiter``). Every
request is logged with integration, method, path, status and duration; never with
headers, query strings or bodies, where credentials live.

Paging is an object (``PageNumberPaginator``, ``OffsetPaginator``,
``LinkHeaderPaginator``, ``CursorPaginator``) that ``HttpClient.pages`` drives; the
same page twice is a ``PaginationLoopError``, not an endless sync.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx
import orjson
from aiolimiter import AsyncLimiter

from connectors.errors import (
    AuthError,
    ConnectorError,
    InvalidResponseError,
    NotFoundError,
    PaginationLoopError,
    RateLimitedError,
    RetryableError,
    ServerError,
    TransportError,
    UnprocessableError,
)

logger = logging.getLogger("talentgraph.connectors.http")

Params = dict[str, Any]
UNSAFE_METHODS = frozenset({"POST", "PATCH"})
Sleep = Callable[[float], Awaitable[None]]


class ApiKeyHeaderAuth(httpx.Auth):
    """Sends a static key in one header; subclasses name the header. The key never
    shows in a repr, a log line or an error."""

    header: str = ""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self.header] = self._api_key
        yield request

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<hidden>)"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` tries in all; delays double from ``base_delay`` up to ``max_delay``."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, attempt: int, error: RetryableError) -> float:
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        jittered = random.uniform(0, backoff)
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return max(min(error.retry_after, self.max_retry_after), jittered)
        return jittered


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_for(response: httpx.Response) -> ConnectorError | None:
    """The typed error a response stands for, ``None`` for success.

    error_for(<500 answer>).message      # "HTTP 500 from the provider"
    error_for(<401 answer>).message      # "HTTP 401: credentials refused"

    The body goes to ``detail`` only (see ``connectors.errors``)."""
    status = response.status_code
    if status < 400:
        return None
    detail = _detail(response)
    if status == 429:
        return RateLimitedError(
            "HTTP 429: rate limited by the provider",
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            detail=detail,
        )
    if status >= 500:
        return ServerError(f"HTTP {status} from the provider", status=status, detail=detail)
    if status == 401:
        return AuthError("HTTP 401: credentials refused", status=status, detail=detail)
    if status == 403:
        return AuthError("HTTP 403: access denied", status=status, detail=detail)
    if status == 404:
        return NotFoundError("HTTP 404: not found", status=status, detail=detail)
    return UnprocessableError(
        f"HTTP {status}: the provider refused the request", status=status, detail=detail
    )


def _detail(response: httpx.Response, limit: int = 300) -> str:
    try:
        text = response.text
    except (UnicodeDecodeError, httpx.ResponseNotRead):
        return "<unreadable body>"
    return text[:limit].strip() or "<empty body>"


CallObserver = Callable[[str, str, float], None]
CALL_OBSERVERS: list[CallObserver] = []
"""Called with (provider, outcome, seconds) after every attempt of every request: how
the core's metrics (``gateway.metrics``) see the calls, without this package knowing
about them."""


class HttpClient:
    """Requests for one integration: base URL, auth, rate limit, retries, logging.

    http = HttpClient(client, base_url="https://api.example.com", auth=KeyAuth(key),
                      integration="7:recruiterflow")
    data = await http.get_json("/api/external/job/list", params={"current_page": 1})
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        integration: str,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        rate_limit: AsyncLimiter | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.integration = integration
        self.auth = auth
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.rate_limit = rate_limit
        self.retry = retry or RetryPolicy()
        self.sleep = sleep

    @property
    def provider(self) -> str:
        """The provider named in ``integration`` (``"7:recruiterflow"``), for metrics."""
        return self.integration.rpartition(":")[2] or "unknown"

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        answer_errors: bool = False,
    ) -> httpx.Response:
        """Send with retries; return a 2xx/3xx response or raise a ``ConnectorError``.

        With ``answer_errors``, an HTTP error answer that is not retried (a 4xx, or a
        429 or 5xx once the retries are spent) is returned instead of raised: for a
        caller relaying the provider's answer as it is (the passthrough). Transport
        failures still raise."""
        url = self.url(path)
        safe_to_repeat = method.upper() not in UNSAFE_METHODS if idempotent is None else idempotent
        attempt = 0
        while True:
            attempt += 1
            never_sent = False
            answered: httpx.Response | None = None
            try:
                response = await self._send(method, url, params, json, content, headers)
                answered = response
                error = error_for(response)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                never_sent = True
                error = TransportError(f"could not connect: {type(exc).__name__}")
            except httpx.TimeoutException as exc:
                error = TransportError(f"timed out: {type(exc).__name__}")
            except httpx.TransportError as exc:
                error = TransportError(f"transport error: {type(exc).__name__}")
            if error is None:
                return response
            repeatable = safe_to_repeat or never_sent or isinstance(error, RateLimitedError)
            if (
                not isinstance(error, RetryableError)
                or not repeatable
                or attempt >= self.retry.attempts
            ):
                if answer_errors and answered is not None:
                    return answered
                raise error
            delay = self.retry.delay(attempt, error)
            logger.warning(
                "retrying %s %s for %s in %.2fs (attempt %d): %s",
                method,
                httpx.URL(url).path,
                self.integration,
                delay,
                attempt,
                error.message,
            )
            await self.sleep(delay)

    async def _send(
        self,
        method: str,
        url: str,
        params: Params | None,
        json: Any,
        content: bytes | None,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        if self.rate_limit is not None:
            await self.rate_limit.acquire()
        started = time.perf_counter()
        status: int | str = "error"
        try:
            response = await self.client.request(
                method,
                url,
                params=params,
                json=json,
                content=content,
                headers={**self.headers, **(headers or {})},
                auth=self.auth if self.auth is not None else httpx.USE_CLIENT_DEFAULT,
                timeout=self.timeout,
            )
            await response.aread()
            status = response.status_code
            return response
        finally:
            elapsed = time.perf_counter() - started
            outcome = f"{status // 100}xx" if isinstance(status, int) else "error"
            for observe in CALL_OBSERVERS:
                observe(self.provider, outcome, elapsed)
            logger.info(
                "integration=%s method=%s path=%s status=%s duration_ms=%.1f",
                self.integration,
                method,
                httpx.URL(url).path,
                status,
                elapsed * 1000,
            )

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The decoded JSON body; ``idempotent=True`` lets a POST that only reads retry."""
        response = await self.request(method, path, **kwargs)
        return decode_json(response)

    async def get_json(self, path: str, params: Params | None = None) -> Any:
        return await self.json("GET", path, params=params)

    async def pages(
        self, path: str, paginator: Paginator, params: Params | None = None
    ) -> AsyncIterator[list[Any]]:
        """Every page's items, in order, until the paginator says there are no more.

        A page identical to the one before it is a server repeating its last page (seen
        where the page after the end is answered with the end again): when it is not a
        full page the listing ends there. A full page served again, or a page equal to an
        earlier one, means the server ignores the paging: ``PaginationLoopError``, rather
        than reading the same records forever."""
        request: Params | str | None = paginator.first(dict(params or {}))
        seen: set[str] = set()
        previous: tuple[str, int] | None = None
        while request is not None:
            if isinstance(request, str):
                response = await self.request("GET", request)
            else:
                response = await self.request("GET", path, params=request)
            body = decode_json(response)
            items = paginator.items(body)
            fingerprint = _fingerprint(items, request)
            if items and fingerprint in seen:
                if previous == (fingerprint, len(items)) and len(items) < _page_size(request):
                    return
                raise PaginationLoopError(f"{path}: the same page was served twice")
            seen.add(fingerprint)
            previous = (fingerprint, len(items))
            if items:
                yield items
            request = paginator.next(request, response, body, items)


def decode_json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise InvalidResponseError(
            f"expected JSON from {response.request.url.path},"
            f" got {len(response.content)} bytes of something else",
            status=response.status_code,
            detail=_detail(response),
        ) from exc


_SIZE_PARAMS = ("items_per_page", "count", "limit", "per_page", "page_size", "pageSize")


def _page_size(request: Params | str) -> int:
    """The page size the request asked for, where it names one; else 0."""
    if not isinstance(request, dict):
        return 0
    for name in _SIZE_PARAMS:
        value = request.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return 0


def _fingerprint(items: list[Any], request: Params | str) -> str:
    return hashlib.blake2b(orjson.dumps(items, default=str), digest_size=16).hexdigest()


class Paginator(Protocol):
    def first(self, params: Params) -> Params | str | None: ...
    def items(self, body: Any) -> list[Any]: ...
    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> Params | str | None: ...


def _items(body: Any, key: str | None) -> list[Any]:
    """The page's records. An empty body, or the list key present as ``null``, is an
    empty page; anything else that is not a list is not a page."""
    if body is None:
        return []
    if key is None:
        if isinstance(body, list):
            return body
        if isinstance(body, dict) and "data" in body and body["data"] is None:
            return []
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            return list(body["data"])
        raise InvalidResponseError(f"expected a list, got {type(body).__name__}")
    if isinstance(body, dict) and key in body and body[key] is None:
        return []
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise InvalidResponseError(f"expected an object with a {key!r} list")
    return list(body[key])


@dataclass
class PageNumberPaginator:
    """``page`` counts from ``start``; the first page shorter than ``size`` is the last.

    Recruiterflow: ``current_page`` (1-based) and ``items_per_page``; answers a bare
    list, or ``{"data": [...], "total_items": N}`` with ``include_count``.
    """

    page_param: str = "current_page"
    size_param: str = "items_per_page"
    size: int = 100
    start: int = 1
    items_key: str | None = None

    def first(self, params: Params) -> Params:
        return {**params, self.page_param: self.start, self.size_param: self.size}

    def items(self, body: Any) -> list[Any]:
        return _items(body, self.items_key)

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> Params | None:
        assert isinstance(request, dict)
        if len(items) < self.size:
            return None
        return {**request, self.page_param: int(request[self.page_param]) + 1}


@dataclass
class OffsetPaginator:
    """``start`` offset (0-based) and ``count``; stops at ``total`` or a short page.

    Jobvite: ``start``/``count`` (count at most 500), ``{"total": N, "<key>": [...]}``.
    """

    items_key: str
    offset_param: str = "start"
    count_param: str = "count"
    count: int = 100
    total_key: str | None = "total"

    def first(self, params: Params) -> Params:
        return {**params, self.offset_param: 0, self.count_param: self.count}

    def items(self, body: Any) -> list[Any]:
        return _items(body, self.items_key)

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> Params | None:
        assert isinstance(request, dict)
        offset = int(request[self.offset_param]) + len(items)
        total = body.get(self.total_key) if self.total_key and isinstance(body, dict) else None
        if not items or len(items) < self.count or (isinstance(total, int) and offset >= total):
            return None
        return {**request, self.offset_param: offset}


@dataclass
class LinkHeaderPaginator:
    """Follows RFC 5988 ``Link: <...>; rel="next"`` headers (Greenhouse Harvest)."""

    items_key: str | None = None
    size_param: str = "per_page"
    size: int = 100

    def first(self, params: Params) -> Params:
        return {**params, self.size_param: self.size}

    def items(self, body: Any) -> list[Any]:
        return _items(body, self.items_key)

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> str | None:
        link = response.links.get("next")
        return link.get("url") if link else None


@dataclass
class CursorPaginator:
    """An opaque cursor from the body (``next_cursor_key``) sent back as ``cursor_param``."""

    items_key: str
    cursor_param: str = "cursor"
    next_cursor_key: str = "next_cursor"
    size_param: str | None = "limit"
    size: int = 100
    _seen: set[str] = field(default_factory=set)

    def first(self, params: Params) -> Params:
        self._seen.clear()
        return {**params, self.size_param: self.size} if self.size_param else dict(params)

    def items(self, body: Any) -> list[Any]:
        return _items(body, self.items_key)

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> Params | None:
        assert isinstance(request, dict)
        cursor = body.get(self.next_cursor_key) if isinstance(body, dict) else None
        if not cursor:
            return None
        if cursor in self._seen:
            raise PaginationLoopError(f"cursor {str(cursor)[:40]!r} came back twice")
        self._seen.add(cursor)
        return {**request, self.cursor_param: cursor}
