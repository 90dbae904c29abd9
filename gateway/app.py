"""The service: ``create_app(settings)`` assembles store, cache and routes.

app = create_app(Settings())
# /graphql (GraphiQL for browsers), /webhooks/..., /healthz, /readyz, /metrics
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import fields
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from gateway import ingress, tracing
from gateway.background_tasks import stop_all
from gateway.compression import Compression
from gateway.cors import GraphQLCors
from gateway.logging import configure_logging
from gateway.metrics import REGISTRY
from gateway.oauth_callback import oauth_callback
from gateway.proxy_headers import TrustedProxies
from gateway.pubsub import EventBus, RedisEventBus
from gateway.queue import TaskQueue
from gateway.runtime import Runtime, close_runtime, open_runtime, runtime_of
from gateway.settings import Settings
from gateway.unavailable import Unavailable
from gateway.version import VERSION
from gateway.web import routes as web
from gateway.work_gauges import refresh_work_gauges
from jobs.deliver import Deliveries
from jobs.health import HealthDeps, check_health
from jobs.ingest import Ingestor
from jobs.queue_arq import ArqQueue, arq_redis
from jobs.queue_local import InProcessQueue
from jobs.runner import PeriodicRunner
from jobs.task_context import task_context_for
from jobs.tasks import (
    RECRUITER_SYNC_EVERY,
    TaskContext,
    enqueue_recruiter_syncs,
    maintenance_task,
    schedule_tick,
)
from resolvers.http import GraphQLHTTP
from resolvers.schema import build_schema
from resolvers.ws import GraphQLWebSocket

logger = logging.getLogger("talentgraph.app")


async def _start_bus(bus: EventBus) -> asyncio.Task[None] | None:
    """Start the bus; while Redis is unreachable keep trying in the background (the
    task returned) so the process still starts and ``/readyz`` can say what is wrong."""
    try:
        await bus.start()
        return None
    except Exception as exc:
        logger.warning("event bus not started, retrying in the background: %s", exc)

    async def retry() -> None:
        delay = 1.0
        while True:
            await asyncio.sleep(delay)
            try:
                await bus.start()
                logger.info("event bus started")
                return
            except Exception as exc:
                logger.warning("event bus still not started: %s", exc)
                delay = min(delay * 2, 30.0)

    return asyncio.create_task(retry(), name="event-bus-start")


_frozen = False


def _freeze_startup_objects() -> None:
    """Once per process, after the first app started: the ~400,000 objects of startup
    (schema, models, modules) stay out of every later garbage collection, which otherwise
    walks them all and stalls a busy process for ~300 ms (``bench/RESULTS.md``)."""
    global _frozen
    if not _frozen:
        gc.freeze()
        _frozen = True


async def healthz(_request: Request) -> Response:
    """Liveness: answers without touching anything else."""
    return JSONResponse({"status": "ok", "version": VERSION})


async def readyz(request: Request) -> Response:
    """Ready when the database answers and, if configured, Redis does too and the event
    bus is subscribed to it: while it is not, live updates published meanwhile are lost
    (``events``: "error: disconnected since <when>"). ``worker`` reports the workers'
    heartbeat (``gateway.worker_heartbeat``) but never makes the gateway unready: it
    serves reads and takes webhooks while no worker runs."""
    runtime = runtime_of(request)
    checks: dict[str, str] = {}
    try:
        async with runtime.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    if runtime.cache.backend_name == "redis":
        try:
            checks["redis"] = "ok" if await runtime.cache.ping() else "error: no pong"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    bus = runtime.bus
    if isinstance(bus, RedisEventBus):
        since = bus.interrupted_since
        checks["events"] = (
            "ok" if since is None else f"error: disconnected since {since.isoformat()}"
        )
    ready = all(value == "ok" for value in checks.values())
    worker = await runtime.worker_heartbeat.liveness()
    return JSONResponse(
        {
            "status": "ready" if ready else "not ready",
            "version": VERSION,
            "checks": checks,
            "worker": worker.as_json(),
        },
        status_code=200 if ready else 503,
    )


async def metrics(request: Request) -> Response:
    """Prometheus metrics: behind ``metrics_token`` when one is set; without one, open
    in development and refused in production (they name operations and tenants' load)."""
    settings = runtime_of(request).settings
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if token is None and not settings.is_development:
        return JSONResponse(
            {"error": "metrics need TALENTGRAPH_METRICS_TOKEN outside development"},
            status_code=403,
        )
    if token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return JSONResponse(
                {"error": "metrics need 'Authorization: Bearer <metrics token>'"},
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
    await refresh_work_gauges(runtime_of(request).reader)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class AppState(State):
    """``app.state``: the ``runtime`` (``gateway.runtime``), the only attribute the code
    outside this module reads, and what only this assembly builds (``sync_deps``,
    ``task_context``, ``ingestor``, ``deliveries``). For tests and the assembly, the
    runtime's parts also read by name (``app.state.session_factory``); they cannot be set
    here, so nothing diverges from the runtime: replace ``app.state.runtime`` instead."""

    def __getattr__(self, key: Any) -> Any:
        try:
            return super().__getattr__(key)
        except AttributeError:
            runtime = self._state.get("runtime")
            if runtime is None or str(key).startswith("_"):
                raise
            return getattr(runtime, key)

    def __setattr__(self, key: Any, value: Any) -> None:
        if key in RUNTIME_PARTS:
            raise AttributeError(
                f"app.state.{key} comes from the runtime: replace app.state.runtime instead"
            )
        super().__setattr__(key, value)


RUNTIME_PARTS = frozenset(field.name for field in fields(Runtime)) | {"jwt_secret"}


class _ServeQueue:
    """serve's task queue: arq's when Redis is configured (then a ``talentgraph worker``
    runs the work and the schedule), else one in this process, with the schedule on
    ``runner``."""

    def __init__(self, runner: PeriodicRunner) -> None:
        self.runner = runner
        self.tasks: TaskContext | None = None

    async def __call__(self, parts: Runtime) -> TaskQueue:
        settings = parts.settings
        self.tasks = tasks = task_context_for(parts)
        if settings.redis_url:
            return ArqQueue(arq_redis(settings), parts.session_factory, settings.redis_prefix)
        local = InProcessQueue(tasks)
        try:
            await local.recover()
        except Exception as exc:  # e.g. not migrated yet: the first request will say so
            logger.warning("background jobs of a previous run not recovered: %s", exc)
        every = settings.sync_scheduler_interval_seconds
        if every > 0:
            self.runner.every(
                every, "due-syncs", lambda: schedule_tick(tasks.session_factory, local)
            )
            self.runner.every(3600, "maintenance", lambda: maintenance_task(tasks), delay=60)
            self.runner.every(
                RECRUITER_SYNC_EVERY,
                "recruiter-sync",
                lambda: enqueue_recruiter_syncs(tasks.session_factory, local),
                delay=120,
            )
        return local


def _start_in_process_work(
    app: Starlette, runtime: Runtime, tasks: TaskContext
) -> list[asyncio.Task[None]]:
    """Without Redis, this process also processes inbound webhook events and delivers
    outbound ones (else ``talentgraph worker`` does)."""
    app.state.ingestor = app.state.deliveries = None
    if runtime.settings.redis_url:
        return []
    ingestor = Ingestor(tasks.deps, runtime.settings, runtime.webhook_inbox, runtime.queue)
    deliveries = Deliveries(
        runtime.session_factory,
        runtime.keyring,
        runtime.bus,
        runtime.delivery_inbox,
        runtime.settings,
        runtime.outbound_http,
    )
    app.state.ingestor, app.state.deliveries = ingestor, deliveries
    return [
        asyncio.create_task(ingestor.run(), name="webhook-ingest"),
        asyncio.create_task(deliveries.run(), name="webhook-deliveries"),
    ]


def _schedule_health_checks(runner: PeriodicRunner, runtime: Runtime) -> None:
    every = runtime.settings.health_check_interval_seconds
    if every > 0:
        deps = HealthDeps(
            runtime.session_factory, runtime.keyring, runtime.http, timedelta(seconds=every)
        )
        runner.every(every, "health", lambda: check_health(deps))


def create_app(
    settings: Settings | None = None, *, http_client: httpx.AsyncClient | None = None
) -> Starlette:
    """``http_client`` is what connectors talk through; tests pass one routed to fakes."""
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_format)
    tracing.configure_from_environment()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runner = PeriodicRunner()
        queue = _ServeQueue(runner)
        runtime = await open_runtime(settings, queue_factory=queue, http_client=http_client)
        tasks = queue.tasks or task_context_for(runtime)
        app.state.runtime = runtime
        app.state.task_context, app.state.sync_deps = tasks, tasks.deps
        background: list[asyncio.Task[None]] = []
        bus_starting: asyncio.Task[None] | None = None
        try:
            runtime.jwt_secret  # noqa: B018  (production refuses to start without one)
            bus_starting = await _start_bus(runtime.bus)
            background = _start_in_process_work(app, runtime, tasks)
            _schedule_health_checks(runner, runtime)
            _freeze_startup_objects()
            yield
        finally:
            await stop_all(background)
            await runner.stop()
            if bus_starting is not None:
                await stop_all([bus_starting])
            await close_runtime(runtime)

    schema = build_schema(settings)
    graphql = GraphQLHTTP(schema)
    app = Starlette(
        routes=[
            Route("/graphql", graphql.handle, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", GraphQLWebSocket(schema).handle),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/oauth/callback", oauth_callback, methods=["GET"]),
            *ingress.routes(),
            *web.routes(),
        ],
        middleware=[
            *([Middleware(tracing.traced_app)] if tracing.provider() is not None else []),
            Middleware(Unavailable, cors_origins=settings.cors_allowed_origins),
            Middleware(GraphQLCors, origins=settings.cors_allowed_origins),
            Middleware(Compression),
            Middleware(TrustedProxies, trusted=settings.trusted_proxies),
        ],
        lifespan=lifespan,
    )
    app.state = AppState()
    return app
