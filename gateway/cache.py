"""Response cache on aiocache: in memory by default, Redis when configured.

Every key is scoped by tenant and carries the tenant's *generation*, a counter that
every write to the tenant bumps. Invalidation is therefore one increment, exact
across processes (the counter lives in the same backend), and a stale read can
never follow a completed write:

    key = f"{prefix}:t{tenant}:g{generation}:{kind}:{scope}:{digest}"

    >>> await cache.invalidate(tenant_id=1)   # after a mutation commits

The cache is never the reason a request fails. With its backend unreachable, a read
is a miss and nothing is stored; an invalidation that could not be made is remembered
in the process and tried again before that tenant's next read, and until it is made
that tenant's reads bypass the cache: so a write committed during an outage is never
answered as failed, and the values cached before it are not served after Redis comes
back (by this process; another one learns of the write from its own next write or its
TTL).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlparse

from aiocache import SimpleMemoryCache
from aiocache.backends.redis import RedisCache
from aiocache.serializers import BaseSerializer
from redis.exceptions import RedisError

from gateway.metrics import CACHE_HITS, CACHE_MISSES
from gateway.settings import Settings

logger = logging.getLogger("talentgraph.cache")

UNAVAILABLE = (OSError, ConnectionError, asyncio.TimeoutError, RedisError)
"""What an unreachable backend raises (redis-py's errors, refused or timed-out sockets)."""


class CacheKind(StrEnum):
    JOB_LIST = "job_list"
    JOB_DETAIL = "job_detail"
    PIPELINE = "pipeline"
    DASHBOARD = "dashboard"


class _BytesSerializer(BaseSerializer):  # type: ignore[misc]
    DEFAULT_ENCODING = None

    def dumps(self, value: Any) -> Any:
        return value

    def loads(self, value: Any) -> Any:
        return value


@dataclass(frozen=True, slots=True)
class CacheEntryKey:
    tenant_id: int
    kind: CacheKind
    scope: str
    digest: str


class ResponseCache:
    def __init__(self, settings: Settings) -> None:
        self.prefix = settings.redis_prefix
        self.ttls = {
            CacheKind.JOB_LIST: settings.cache_ttl_job_list,
            CacheKind.JOB_DETAIL: settings.cache_ttl_job_detail,
            CacheKind.PIPELINE: settings.cache_ttl_pipeline,
            CacheKind.DASHBOARD: settings.cache_ttl_dashboard,
        }
        self.backend: Any
        if settings.redis_url:
            url = urlparse(settings.redis_url)
            self.backend = RedisCache(
                serializer=_BytesSerializer(),
                endpoint=url.hostname or "127.0.0.1",
                port=url.port or 6379,
                db=int((url.path or "/0").lstrip("/") or 0),
                password=url.password,
                namespace=f"{self.prefix}:cache",
            )
        else:
            # in-process and never waiting: no per-call asyncio.wait_for
            self.backend = SimpleMemoryCache(serializer=_BytesSerializer(), timeout=None)
        self.pending: set[int] = set()
        """Tenants whose invalidation could not be made yet (see the module docstring)."""

    async def get_document(self, key: str) -> str | None:
        """A persisted query's text (``resolvers.persisted``); None when unknown or the
        backend is unreachable: the client then sends the text again."""
        try:
            value = await self.backend.get(f"doc:{key}")
        except UNAVAILABLE as exc:
            self._unavailable("read", exc)
            return None
        return value.decode() if isinstance(value, bytes) else None

    async def set_document(self, key: str, text: str, ttl: int) -> None:
        try:
            await self.backend.set(f"doc:{key}", text.encode(), ttl=ttl)
        except UNAVAILABLE as exc:
            self._unavailable("write", exc)

    @property
    def backend_name(self) -> str:
        return "redis" if isinstance(self.backend, RedisCache) else "memory"

    def ttl_for(self, kinds: set[CacheKind]) -> int:
        return min(self.ttls[kind] for kind in kinds)

    @staticmethod
    def digest(*parts: bytes | str) -> str:
        hasher = hashlib.blake2b(digest_size=20)
        for part in parts:
            hasher.update(part if isinstance(part, bytes) else part.encode())
            hasher.update(b"\x00")
        return hasher.hexdigest()

    def _generation_key(self, tenant_id: int) -> str:
        return f"t{tenant_id}:generation"

    async def _generation(self, tenant_id: int) -> int:
        value = await self.backend.get(self._generation_key(tenant_id))
        return int(value) if value is not None else 0

    async def _key(self, entry: CacheEntryKey) -> str:
        generation = await self._generation(entry.tenant_id)
        return f"t{entry.tenant_id}:g{generation}:{entry.kind}:{entry.scope}:{entry.digest}"

    async def get(self, entry: CacheEntryKey) -> tuple[str | None, bytes | None]:
        """The concrete key (to store under after a miss) and the cached value; no key
        when nothing may be cached now (backend unreachable, invalidation pending)."""
        if entry.tenant_id in self.pending and not await self._retry(entry.tenant_id):
            CACHE_MISSES.labels(kind=entry.kind.value).inc()
            return None, None
        try:
            key = await self._key(entry)
            value = await self.backend.get(key)
        except UNAVAILABLE as exc:
            self._unavailable("read", exc)
            CACHE_MISSES.labels(kind=entry.kind.value).inc()
            return None, None
        (CACHE_HITS if value is not None else CACHE_MISSES).labels(kind=entry.kind.value).inc()
        return key, value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        if ttl <= 0:
            return
        try:
            await self.backend.set(key, value, ttl=ttl)
        except UNAVAILABLE as exc:
            self._unavailable("store", exc)

    async def invalidate(self, tenant_id: int) -> None:
        """Drop every cached answer of the tenant; never raises (module docstring)."""
        try:
            await self.backend.increment(self._generation_key(tenant_id))
        except UNAVAILABLE as exc:
            self._unavailable("invalidate", exc)
            self.pending.add(tenant_id)
        else:
            self.pending.discard(tenant_id)

    async def _retry(self, tenant_id: int) -> bool:
        await self.invalidate(tenant_id)
        return tenant_id not in self.pending

    @staticmethod
    def _unavailable(what: str, exc: BaseException) -> None:
        logger.warning("response cache unavailable, could not %s: %s", what, exc)

    async def ping(self) -> bool:
        if isinstance(self.backend, RedisCache):
            return bool(await self.backend.client.ping())
        return True

    async def close(self) -> None:
        await self.backend.close()
