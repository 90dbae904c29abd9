"""An issuer's signing keys (its JWKS), fetched once and shared, kept while it is away.

- Cached for the ``max-age`` of its ``Cache-Control`` (within `KeyPolicy`'s bounds), or
  ``default_seconds`` without one. Past that the keys in hand still answer at once while
  one fetch in the background renews them.
- One fetch at a time per issuer: requests needing keys meanwhile wait for that one.
- A ``kid`` not among the keys (the provider rotated) fetches them again at once, but
  at most once per ``unknown_kid_cooldown``: a stream of made-up kids costs the provider
  one fetch per cooldown, not one per token.
- A failed fetch is not tried again for ``retry_after_failure`` seconds: the keys in hand
  keep answering meanwhile; with none in hand, requests are refused at once
  (`IdentityProviderUnavailable`) instead of each waiting on a provider that is down.
- A key serves only the algorithm its type is for (RS256: RSA, ES256: EC P-256).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jwt import PyJWK
from jwt.exceptions import PyJWKError

from gateway.auth import AuthenticationError
from gateway.oidc.discovery import jwks_uri_of
from gateway.oidc.fetch import IdentityProviderUnavailable, get_json

logger = logging.getLogger("talentgraph.oidc")

KEY_TYPES = {"RS256": ("RSA", None), "ES256": ("EC", "P-256")}
"""The algorithms accepted from identity providers, and the key type (and curve) each needs."""
REDISCOVER_SECONDS = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class KeyPolicy:
    timeout: float = 5.0
    default_seconds: float = 600.0
    min_seconds: float = 60.0
    max_seconds: float = 24 * 3600.0
    unknown_kid_cooldown: float = 30.0
    retry_after_failure: float = 30.0


_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\s*(?:,|$)", re.IGNORECASE)


def cache_seconds(cache_control: str | None, policy: KeyPolicy) -> float:
    """How long a JWKS answered with ``cache_control`` is kept.

    >>> cache_seconds("public, max-age=3600", KeyPolicy())
    3600.0
    >>> cache_seconds("max-age=5", KeyPolicy()), cache_seconds("no-store", KeyPolicy())
    (60.0, 60.0)
    >>> cache_seconds(None, KeyPolicy())
    600.0
    """
    if cache_control:
        if _NO_CACHE.search(cache_control):
            return policy.min_seconds
        found = _MAX_AGE.search(cache_control)
        if found:
            return min(policy.max_seconds, max(policy.min_seconds, float(found.group(1))))
    return policy.default_seconds


@dataclass(frozen=True, slots=True)
class _Key:
    kid: str | None
    algorithm: str
    jwk: PyJWK


def _signing_key(entry: Any) -> _Key | None:
    """The key of one JWKS entry if it can verify RS256 or ES256 signatures."""
    if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
        return None
    ops = entry.get("key_ops")
    if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
        return None
    for algorithm, (kty, crv) in KEY_TYPES.items():
        if entry.get("kty") != kty or (crv is not None and entry.get("crv") != crv):
            continue
        if entry.get("alg", algorithm) != algorithm:
            return None
        kid = entry.get("kid")
        try:
            return _Key(kid if isinstance(kid, str) else None, algorithm, PyJWK(entry, algorithm))
        except (PyJWKError, ValueError, TypeError, KeyError):
            return None
    return None


def signing_keys(jwks: dict[str, Any]) -> list[_Key]:
    entries = jwks.get("keys")
    if not isinstance(entries, list):
        return []
    return [key for key in map(_signing_key, entries) if key is not None]


class IssuerKeys:
    def __init__(
        self, issuer: str, policy: KeyPolicy, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.issuer = issuer
        self.policy = policy
        self.clock = clock
        self._keys: list[_Key] | None = None
        self._expires_at = -math.inf
        self._jwks_uri: str | None = None
        self._discovered_at = -math.inf
        self._fetch: asyncio.Task[None] | None = None
        self._failed_at = -math.inf
        self._last_failure = ""
        self._unknown_kid_fetch_at = -math.inf

    async def key_for(self, kid: str | None, algorithm: str) -> PyJWK:
        """The key ``kid`` names, for ``algorithm`` (one of `KEY_TYPES`)."""
        now = self.clock()
        if self._keys is None:
            await self._fetched(now)
        elif now >= self._expires_at and self._may_try(now):
            self._fetching()
        key = self._find(kid, algorithm)
        if key is not None:
            return key
        if self._fetch is not None and not self._fetch.done():
            await asyncio.shield(self._fetch)
        elif now - self._unknown_kid_fetch_at >= self.policy.unknown_kid_cooldown:
            self._unknown_kid_fetch_at = now
            await self._fetched(now, retry=True)
        key = self._find(kid, algorithm)
        if key is not None:
            return key
        raise AuthenticationError(
            "the identity provider publishes no key for this token"
            + (f" (kid {kid[:64]!r})" if kid else " (it names no kid)")
        )

    def _find(self, kid: str | None, algorithm: str) -> PyJWK | None:
        keys = self._keys or []
        if kid is None:
            candidates = [key for key in keys if key.algorithm == algorithm]
            return candidates[0].jwk if len(candidates) == 1 else None
        for key in keys:
            if key.kid == kid:
                if key.algorithm != algorithm:
                    raise AuthenticationError(
                        f"the key {kid[:64]!r} is for {key.algorithm}, the token says {algorithm}"
                    )
                return key.jwk
        return None

    def _may_try(self, now: float) -> bool:
        return now - self._failed_at >= self.policy.retry_after_failure

    async def _fetched(self, now: float, *, retry: bool = False) -> None:
        """Keys fetched (or the fetch under way joined); raises when that failed."""
        in_flight = self._fetch is not None and not self._fetch.done()
        if not in_flight and not retry and not self._may_try(now):
            raise IdentityProviderUnavailable(
                f"the identity provider {self.issuer} is unavailable "
                f"({self._last_failure}); retrying shortly"
            )
        await asyncio.shield(self._fetching())

    def _fetching(self) -> asyncio.Task[None]:
        if self._fetch is None or self._fetch.done():
            self._fetch = asyncio.create_task(self._refresh(), name=f"jwks {self.issuer}")
            self._fetch.add_done_callback(_observed)
        return self._fetch

    async def _refresh(self) -> None:
        timeout = self.policy.timeout
        try:
            if self._jwks_uri is None or self.clock() - self._discovered_at > REDISCOVER_SECONDS:
                self._jwks_uri = await jwks_uri_of(self.issuer, within=timeout)
                self._discovered_at = self.clock()
            fetched = await get_json(self._jwks_uri, within=timeout)
            keys = signing_keys(fetched.document)
            if not keys:
                raise IdentityProviderUnavailable(
                    f"{self._jwks_uri} holds no RS256 or ES256 signing key"
                )
        except IdentityProviderUnavailable as exc:
            self._failed_at = self.clock()
            self._last_failure = str(exc)
            self._jwks_uri = None
            logger.warning(
                "keys of identity provider %s not fetched%s: %s",
                self.issuer,
                "; the cached keys stay in use" if self._keys else "",
                exc,
            )
            raise
        self._keys = keys
        self._expires_at = self.clock() + cache_seconds(fetched.cache_control, self.policy)
        self._failed_at = -math.inf
        logger.info("fetched %d keys of identity provider %s", len(keys), self.issuer)

    async def aclose(self) -> None:
        if self._fetch is not None and not self._fetch.done():
            self._fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, IdentityProviderUnavailable):
                await self._fetch


def _observed(task: asyncio.Task[None]) -> None:
    """Marks a failed fetch's error as seen: a background refresh has no one awaiting
    it, and its failure was logged already."""
    if not task.cancelled():
        task.exception()
