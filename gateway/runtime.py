"""What one process shares for its life: ``open_runtime`` builds it, ``close_runtime``
closes it in reverse order. Both ``serve`` (``gateway.app``) and ``talentgraph worker``
(``jobs.worker``) open one; the GraphQL context and the web pages read from it.

    runtime = await open_runtime(settings, queue_factory=lambda parts: ...)
    ...
    await close_runtime(runtime)

The task queue is the one part that differs by process (in-process or arq for
``serve``, arq's own pool for the worker), so the caller builds it: ``queue_factory`` is
given the runtime without its queue and returns the queue. What only the assembly can
build (the GraphQL schema, the background tasks and their schedule) stays with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import HTTPConnection

from gateway import tracing
from gateway.ai.factory import create_provider
from gateway.ai.provider import AIProvider
from gateway.cache import ResponseCache
from gateway.crypto import Keyring
from gateway.inbox import WEBHOOK_DELIVERIES, WEBHOOK_EVENTS, Inbox
from gateway.locks import LockFactory, create_locks
from gateway.oidc.signin import OidcSignIn
from gateway.outbound_http import connector_client, outbound_client
from gateway.outbox import Outbox
from gateway.principal_cache import PrincipalCache, serve_user_changes
from gateway.pubsub import EventBus
from gateway.queue import Enqueued, Leases, TaskQueue
from gateway.rate_limits import RateLimits
from gateway.services.analysis import NewApplicationAnalyses
from gateway.services.writeback import WriteDeps
from gateway.settings import Settings
from gateway.store.engine import SessionFactory, create_engine, create_session_factory
from gateway.store.reader import Reader
from gateway.store.statement_reader import StatementReader
from gateway.worker_heartbeat import WorkerHeartbeat
from gateway.write_limits import WriteLimits


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    session_factory: SessionFactory
    reader: Reader
    statements: StatementReader
    """Single-statement reads in autocommit (the read compiler's)."""
    cache: ResponseCache
    keyring: Keyring
    http: httpx.AsyncClient
    """What connectors talk through."""
    owns_http: bool
    """False when the caller passed ``http`` in (tests): closing it is theirs."""
    outbound_http: httpx.AsyncClient
    """For outbound webhooks: ignores proxy settings, so the address check holds."""
    bus: EventBus
    """Not started: each process starts it its own way (``serve`` starts up while Redis
    is away, the worker keeps trying)."""
    locks: LockFactory
    ai_provider: AIProvider
    """One per process: its concurrency bound is per instance."""
    new_applications: NewApplicationAnalyses
    rate_limits: RateLimits
    write_limits: WriteLimits
    write_deps: WriteDeps
    """What writes to source systems need (``gateway.services.writeback``)."""
    oidc: OidcSignIn
    principals: PrincipalCache
    """Who tokens sign in, for a few seconds; forgets a user the moment they change."""
    webhook_inbox: Inbox
    """Hand-off of inbound webhook events from ``serve`` to their processing."""
    delivery_inbox: Inbox
    queue: TaskQueue
    worker_heartbeat: WorkerHeartbeat
    """Written by ``worker`` processes, read by ``/readyz``."""

    @cached_property
    def jwt_secret(self) -> str:
        """Resolved when first asked: ``serve`` asks at startup (production refuses to
        start without one), the worker never needs it."""
        return self.settings.resolved_jwt_secret()


QueueFactory = Callable[[Runtime], Awaitable[TaskQueue]]


class _NoQueueYet:
    """The queue of the runtime handed to ``queue_factory``, before there is one."""

    async def enqueue(self, *args: Any, **kwargs: Any) -> Enqueued:
        raise RuntimeError("the task queue is not open yet")

    async def retry(self, job_record_id: int, *, tenant_id: int) -> Enqueued:
        raise RuntimeError("the task queue is not open yet")

    async def reclaim(self) -> int:
        raise RuntimeError("the task queue is not open yet")

    async def clear(self, *args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the task queue is not open yet")

    async def close(self) -> None:
        return None


async def open_runtime(
    settings: Settings,
    *,
    queue_factory: QueueFactory,
    http_client: httpx.AsyncClient | None = None,
) -> Runtime:
    """``http_client`` is what connectors talk through; tests pass one routed to fakes."""
    Leases.configure(settings.job_lease_seconds)
    parts = _open_parts(settings, http_client)
    try:
        queue = await queue_factory(parts)
    except BaseException:
        await _close_parts(parts)
        raise
    parts.new_applications.bind(queue)
    return replace(parts, queue=queue)


def _open_parts(settings: Settings, http_client: httpx.AsyncClient | None) -> Runtime:
    engine = create_engine(settings.resolved_database_url, echo=settings.database_echo)
    tracing.trace_engine(engine)
    session_factory = create_session_factory(engine)
    cache = ResponseCache(settings)
    keyring = settings.keyring()
    http = http_client or connector_client(settings)
    tracing.trace_client(http)
    outbound = outbound_client()
    tracing.trace_client(outbound)
    bus = EventBus.create(settings)
    write_limits = WriteLimits.create(settings)
    principals = PrincipalCache(settings.principal_cache_seconds, bus)
    serve_user_changes(engine, principals, Outbox(session_factory, bus))
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        reader=Reader(engine),
        statements=StatementReader(engine),
        cache=cache,
        keyring=keyring,
        http=http,
        owns_http=http_client is None,
        outbound_http=outbound,
        bus=bus,
        locks=create_locks(settings.redis_url, settings.redis_prefix),
        ai_provider=create_provider(settings, http),
        new_applications=NewApplicationAnalyses(settings, session_factory=session_factory),
        rate_limits=RateLimits.create(settings),
        write_limits=write_limits,
        write_deps=WriteDeps(session_factory, keyring, http, bus, cache, write_limits),
        oidc=OidcSignIn.from_settings(settings, session_factory),
        principals=principals,
        webhook_inbox=Inbox.create(settings, WEBHOOK_EVENTS),
        delivery_inbox=Inbox.create(settings, WEBHOOK_DELIVERIES),
        queue=_NoQueueYet(),
        worker_heartbeat=WorkerHeartbeat.create(settings),
    )


async def close_runtime(runtime: Runtime) -> None:
    """Close everything ``open_runtime`` opened, the queue first; the caller stops what
    uses them (background tasks, the schedule, the bus's start) before."""
    await runtime.queue.close()
    await _close_parts(runtime)


async def _close_parts(runtime: Runtime) -> None:
    await runtime.worker_heartbeat.close()
    await runtime.webhook_inbox.close()
    await runtime.delivery_inbox.close()
    await runtime.write_limits.close()
    await runtime.rate_limits.close()
    await runtime.outbound_http.aclose()
    await runtime.oidc.aclose()
    await runtime.principals.close()
    await runtime.bus.close()
    await runtime.locks.close()
    if runtime.owns_http:
        await runtime.http.aclose()
    await runtime.cache.close()
    await runtime.statements.close()
    await runtime.engine.dispose()


def runtime_of(connection: HTTPConnection) -> Runtime:
    """The runtime of the app serving this request or WebSocket."""
    runtime: Runtime = connection.app.state.runtime
    return runtime
