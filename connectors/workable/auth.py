"""Workable SPI v3 authentication: the account's access token as a bearer token.

    auth = WorkableAuth("a1b2c3...")
    # every request: Authorization: Bearer a1b2c3...

Workable answers a spent rate limit with 429 and the ``X-Rate-Limit-Reset`` header
("timestamp of next interval"); its rate-limit page names no ``Retry-After``. So a 429
without one gets a ``Retry-After`` worked out from the reset time here, before
``HttpClient`` reads the answer, and the wait is the one Workable asked for instead of
a blind backoff.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator

import httpx

from connectors import lenient

RATE_LIMIT_RESET = "X-Rate-Limit-Reset"
MAX_WAIT = 60.0
"""A reset further away than this is not believed (Workable's intervals are 10 s)."""


def seconds_until_reset(value: str | None, now: float) -> float | None:
    """Seconds from ``now`` to the reset an ``X-Rate-Limit-Reset`` names: unix seconds
    (or milliseconds), or an ISO-8601 time; ``None`` where it says nothing usable."""
    if not value:
        return None
    moment = lenient.timestamp(value.strip())
    if moment is None:
        return None
    wait = moment.timestamp() - now
    return max(0.0, wait) if wait <= MAX_WAIT else None


class WorkableAuth(httpx.Auth):
    def __init__(self, token: str, *, clock: Callable[[], float] = time.time) -> None:
        self._token = token
        self.clock = clock

    def __repr__(self) -> str:
        return "WorkableAuth(<hidden>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 429 and "retry-after" not in response.headers:
            wait = seconds_until_reset(response.headers.get(RATE_LIMIT_RESET), self.clock())
            if wait is not None:
                response.headers["Retry-After"] = str(max(1, round(wait)))
