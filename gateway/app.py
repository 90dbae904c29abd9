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
from datetime import timedelta

import httpx
import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from gateway import ingress
from gateway.ai.factory import create_provider
from gateway.background_tasks import stop_all
from gateway.cache import ResponseCache
from gateway.inbox import WEBHOOK_DELIVERIES, WEBHOOK_EVENTS, Inbox
from gateway.locks import create_locks
from gateway.logging import configure_logging
from gateway.metrics import REGISTRY
from gateway.oauth_callback import oauth_callback
from gateway.oidc.signin import OidcSignIn
from gateway.outbound_http import connector_client, outbound_client
from gateway.proxy_headers import TrustedProxies
from gateway.pubsub import EventBus, RedisEventBus
from gateway.queue import Leases, TaskQueue
from gateway.rate_limits import RateLimits
from gateway.services.analysis import NewApplicationAnalyses
from gateway.services.writeback import WriteDeps
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.reader import Reader
from gateway.unavailable import Unavailable
from gateway.web import routes as web
from gateway.write_limits import WriteLimits
from jobs.deliver import Deliveries
from jobs.health import HealthDeps, check_health
from jobs.ingest import Ingestor
from jobs.queue_arq import ArqQueue, arq_redis
from jobs.queue_local import InProcessQueue
from jobs.runner import PeriodicRunner
from jobs.sync_api import SyncDeps
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
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready when the database answers and, if configured, Redis does too and the event
    bus is subscribed to it: while it is not, live updates published meanwhile are lost
    (``events``: "error: disconnected since <when>")."""
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        async with state.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    if state.cache.backend_name == "redis":
        try:
            checks["redis"] = "ok" if await state.cache.ping() else "error: no pong"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    bus = state.bus
    if isinstance(bus, RedisEventBus):
        since = bus.interrupted_since
        checks["events"] = (
            "ok" if since is None else f"error: disconnected since {since.isoformat()}"
        )
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


async def metrics(request: Request) -> Response:
    """Prometheus metrics: behind ``metrics_token`` when one is set; without one, open
    in development and refused in production (they name operations and tenants' load)."""
    settings: Settings = request.app.state.settings
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
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def create_app(
    settings: Settings | None = None, *, http_client: httpx.AsyncClient | None = None
) -> Starlette:
    """``http_client`` is what connectors talk through; tests pass one routed to fakes."""
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.resolved_database_url, echo=settings.database_echo)
        cache = ResponseCache(settings)
        app.state.settings = settings
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        app.state.reader = Reader(engine)
        app.state.cache = cache
        app.state.jwt_secret = settings.resolved_jwt_secret()
        app.state.oidc = OidcSignIn.from_settings(settings, app.state.session_factory)
        app.state.schema = build_schema(settings)
        app.state.keyring = settings.keyring()
        http = http_client or connector_client(settings)
        app.state.http = http
        bus = EventBus.create(settings)
        bus_starting = await _start_bus(bus)
        app.state.bus = bus
        locks = create_locks(settings.redis_url, settings.redis_prefix)
        app.state.locks = locks
        ai_provider = create_provider(settings, http)
        app.state.ai_provider = ai_provider
        new_applications = NewApplicationAnalyses(settings)
        sync_deps = SyncDeps(
            app.state.session_factory,
            app.state.keyring,
            http,
            bus,
            cache,
            locks,
            new_applications=new_applications,
        )
        app.state.sync_deps = sync_deps
        tasks = TaskContext(sync_deps, settings, ai=ai_provider)
        Leases.configure(settings.job_lease_seconds)
        app.state.task_context = tasks
        runner = PeriodicRunner()
        queue: TaskQueue
        if settings.redis_url:  # a `talentgraph worker` runs the work and the schedule
            queue = ArqQueue(arq_redis(settings), app.state.session_factory, settings.redis_prefix)
        else:
            local = InProcessQueue(tasks)
            try:
                await local.recover()
            except Exception as exc:  # e.g. not migrated yet: the first request will say so
                logger.warning("background jobs of a previous run not recovered: %s", exc)
            queue = local
            every = settings.sync_scheduler_interval_seconds
            if every > 0:
                runner.every(
                    every,
                    "due-syncs",
                    lambda: schedule_tick(tasks.session_factory, local),
                )
                runner.every(3600, "maintenance", lambda: maintenance_task(tasks), delay=60)
                runner.every(
                    RECRUITER_SYNC_EVERY,
                    "recruiter-sync",
                    lambda: enqueue_recruiter_syncs(tasks.session_factory, local),
                    delay=120,
                )
        app.state.queue = queue
        new_applications.bind(queue)
        rate_limits = RateLimits.create(settings)
        app.state.rate_limits = rate_limits
        write_limits = WriteLimits.create(settings)
        app.state.write_deps = WriteDeps(
            app.state.session_factory, app.state.keyring, http, bus, cache, write_limits
        )
        webhook_inbox = Inbox.create(settings, WEBHOOK_EVENTS)
        app.state.webhook_inbox = webhook_inbox
        outbound_http = outbound_client()
        app.state.outbound_http = outbound_http
        background: list[asyncio.Task[None]] = []
        app.state.ingestor = app.state.deliveries = None
        delivery_inbox = Inbox.create(settings, WEBHOOK_DELIVERIES)
        if not settings.redis_url:  # else `talentgraph worker` processes and delivers
            ingestor = Ingestor(sync_deps, settings, webhook_inbox, queue)
            deliveries = Deliveries(
                app.state.session_factory,
                app.state.keyring,
                bus,
                delivery_inbox,
                settings,
                outbound_http,
            )
            app.state.ingestor, app.state.deliveries = ingestor, deliveries
            background.append(asyncio.create_task(ingestor.run(), name="webhook-ingest"))
            background.append(asyncio.create_task(deliveries.run(), name="webhook-deliveries"))
        if settings.health_check_interval_seconds > 0:
            deps = HealthDeps(
                app.state.session_factory,
                app.state.keyring,
                http,
                timedelta(seconds=settings.health_check_interval_seconds),
            )
            runner.every(
                settings.health_check_interval_seconds, "health", lambda: check_health(deps)
            )
        _freeze_startup_objects()
        try:
            yield
        finally:
            await stop_all(background)
            await webhook_inbox.close()
            await delivery_inbox.close()
            await write_limits.close()
            await rate_limits.close()
            await outbound_http.aclose()
            await app.state.oidc.aclose()
            await runner.stop()
            await queue.close()
            if bus_starting is not None:
                await stop_all([bus_starting])
            await bus.close()
            await locks.close()
            if http_client is None:
                await http.aclose()
            await cache.close()
            await engine.dispose()

    graphql = GraphQLHTTP()
    return Starlette(
        routes=[
            Route("/graphql", graphql.handle, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", GraphQLWebSocket().handle),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/oauth/callback", oauth_callback, methods=["GET"]),
            *ingress.routes(),
            *web.routes(),
        ],
        middleware=[
            Middleware(Unavailable),
            Middleware(TrustedProxies, trusted=settings.trusted_proxies),
        ],
        lifespan=lifespan,
    )
