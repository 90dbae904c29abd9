"""GET one JSON document from an identity provider, briefly.

A provider that cannot be reached, answers late, answers an error or answers something
that is not the document raises `IdentityProviderUnavailable`: a ``ConnectionError``,
so the request that needed it is answered 503 with ``Retry-After``
(``gateway.unavailable``) rather than 401, since the same token may well be good in a
minute.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

MAX_DOCUMENT_BYTES = 512 * 1024


class IdentityProviderUnavailable(ConnectionError):
    """The identity provider's discovery document or keys could not be had."""


@dataclass(frozen=True, slots=True)
class Fetched:
    document: dict[str, Any]
    cache_control: str | None


async def get_json(url: str, *, within: float) -> Fetched:
    """The JSON object at ``url``; at most ``within`` seconds in all."""
    try:
        async with (
            asyncio.timeout(within),
            httpx.AsyncClient(timeout=within, follow_redirects=False) as client,
            client.stream("GET", url, headers={"accept": "application/json"}) as response,
        ):
            if response.status_code != 200:
                raise IdentityProviderUnavailable(f"{url} answered HTTP {response.status_code}")
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise IdentityProviderUnavailable(f"{url} sent over {MAX_DOCUMENT_BYTES} bytes")
            cache_control = response.headers.get("cache-control")
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise IdentityProviderUnavailable(f"{url} did not answer within {within:g} s") from exc
    except httpx.HTTPError as exc:
        raise IdentityProviderUnavailable(f"{url} could not be reached: {exc!r}") from exc
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise IdentityProviderUnavailable(f"{url} did not send JSON") from exc
    if not isinstance(document, dict):
        raise IdentityProviderUnavailable(f"{url} did not send a JSON object")
    return Fetched(document, cache_control)
