"""Ashby's RPC envelope over ``HttpClient``: every call is ``POST /<category.method>``
with a JSON body, answered ``{"success": true, "results": ...}`` or, for what would be a
4xx elsewhere, ``{"success": false, "errorInfo": {"code": ..., "message": ...}}`` (or
``"errors": [code, ...]``) with HTTP 200.

    rpc = AshbyRpc(http)
    job = await rpc.call("job.info", {"id": job_id})          # the "results" object
    async for page in rpc.pages("candidate.list", {}, size=100):
        ...                                                   # cursor paging to the end

A refusal in the body becomes the same typed error an HTTP status would
(``connectors.errors``): a permission code is ``AuthError``, a ``*_not_found`` code
``NotFoundError``, anything else ``UnprocessableError``; its message names the code,
never the vendor's text, which stays in ``detail``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from connectors.errors import (
    AuthError,
    ConnectorError,
    InvalidResponseError,
    NotFoundError,
    PaginationLoopError,
    UnprocessableError,
)
from connectors.http import HttpClient

AUTH_CODES = frozenset(
    {"missing_endpoint_permission", "invalid_api_key", "api_key_deactivated", "unauthorized"}
)
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
STALE_SYNC_TOKEN_CODES = frozenset(
    {"sync_token_expired", "sync_token_invalid", "incremental_sync_too_large"}
)
"""Ashby's answers to a ``syncToken`` it will not serve: the guide says to discard the
token and read everything again."""


class StaleSyncToken(UnprocessableError):
    """A ``syncToken`` Ashby no longer serves (expired, undecodable, or too many pages of
    changes behind)."""


def _codes(body: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    info = body.get("errorInfo")
    if isinstance(info, Mapping) and isinstance(info.get("code"), str):
        found.append(info["code"])
    errors = body.get("errors")
    for entry in errors if isinstance(errors, list) else []:
        code = entry.get("code") if isinstance(entry, Mapping) else entry
        if isinstance(code, str):
            found.append(code)
    return [code.strip() for code in found if _CODE.match(code.strip())]


def refusal(body: Mapping[str, Any], endpoint: str) -> ConnectorError:
    """The typed error of a ``"success": false`` answer."""
    codes = _codes(body)
    code = codes[0] if codes else "unknown_error"
    detail = str(dict(body))[:300]
    message = f"Ashby refused {endpoint}: {code}"
    if code in AUTH_CODES or any(c in AUTH_CODES for c in codes):
        return AuthError(message, status=403, detail=detail)
    if code.endswith("_not_found"):
        return NotFoundError(message, status=404, detail=detail)
    if code in STALE_SYNC_TOKEN_CODES:
        return StaleSyncToken(message, status=422, detail=detail)
    return UnprocessableError(message, status=422, detail=detail)


class AshbyRpc:
    def __init__(self, http: HttpClient) -> None:
        self.http = http
        self.last_sync_token: dict[str, str] = {}
        """The ``syncToken`` of each endpoint's last unfiltered read (no body but a
        ``syncToken``) that reached its last page."""

    async def envelope(
        self, endpoint: str, body: Mapping[str, Any], *, read: bool = True
    ) -> Mapping[str, Any]:
        """The whole answer of a call that succeeded. Reads may be retried (they change
        nothing); writes only where the server certainly did not act (a 429)."""
        answer = await self.http.json(
            "POST", f"/{endpoint}", json=dict(body), idempotent=True if read else None
        )
        if not isinstance(answer, Mapping):
            raise InvalidResponseError(f"expected a JSON object from {endpoint}")
        if answer.get("success") is not True:
            raise refusal(answer, endpoint)
        return answer

    async def call(self, endpoint: str, body: Mapping[str, Any], *, read: bool = True) -> Any:
        """The ``results`` of a call that succeeded."""
        return (await self.envelope(endpoint, body, read=read)).get("results")

    async def pages(
        self, endpoint: str, body: Mapping[str, Any], *, size: int | None
    ) -> AsyncIterator[list[Any]]:
        """Every page's ``results`` in order: the next page is asked with ``cursor`` =
        the last ``nextCursor`` while ``moreDataAvailable`` is true. A cursor served twice
        is a ``PaginationLoopError``; more data without a cursor an invalid answer."""
        request: dict[str, Any] = dict(body)
        unfiltered = set(request) <= {"syncToken"}
        if size is not None:
            request["limit"] = size
        seen: set[str] = set()
        while True:
            answer = await self.envelope(endpoint, request)
            results = answer.get("results")
            if results is None:
                results = []
            if not isinstance(results, list):
                raise InvalidResponseError(f"expected a results list from {endpoint}")
            if results:
                yield results
            if answer.get("moreDataAvailable") is not True:
                token = answer.get("syncToken")
                if unfiltered and isinstance(token, str) and token:
                    self.last_sync_token[endpoint] = token
                return
            cursor = answer.get("nextCursor")
            if not isinstance(cursor, str) or not cursor:
                raise InvalidResponseError(f"{endpoint} has more data but gave no nextCursor")
            if cursor in seen:
                raise PaginationLoopError(f"{endpoint}: the same cursor was served twice")
            seen.add(cursor)
            request["cursor"] = cursor
