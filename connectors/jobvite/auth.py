"""Jobvite's credential headers, plain (``x-jvi-api``/``x-jvi-sc``) or signed
(``X-JVI-API``, ``X-JVI-EPOCH``, ``X-JVI-SIGN``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Generator
from typing import Literal

import httpx

AuthScheme = Literal["plain", "signed"]


def signature(api_key: str, secret: str, epoch: int) -> str:
    """``X-JVI-SIGN``: base64(HMAC-SHA256(secret, f"{api_key}|{epoch}"))."""
    digest = hmac.new(secret.encode(), f"{api_key}|{epoch}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class JobviteAuth(httpx.Auth):
    """Adds Jobvite's credential headers to every request (and every retry).

    JobviteAuth("key", "secret")            # x-jvi-api: key, x-jvi-sc: secret
    JobviteAuth("key", "secret", "signed")  # X-JVI-API, X-JVI-EPOCH, X-JVI-SIGN (fresh epoch)
    """

    def __init__(
        self,
        api_key: str,
        secret: str,
        scheme: AuthScheme = "plain",
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._api_key = api_key
        self._secret = secret
        self.scheme = scheme
        self._clock = clock

    def __repr__(self) -> str:
        return f"JobviteAuth(scheme={self.scheme!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.scheme == "signed":
            epoch = int(self._clock())
            request.headers["X-JVI-API"] = self._api_key
            request.headers["X-JVI-EPOCH"] = str(epoch)
            request.headers["X-JVI-SIGN"] = signature(self._api_key, self._secret, epoch)
        else:
            request.headers["x-jvi-api"] = self._api_key
            request.headers["x-jvi-sc"] = self._secret
        yield request
