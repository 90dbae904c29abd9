"""PostgreSQL away answers 503 JSON with ``Retry-After`` and a request id on every route,
acknowledges no webhook it did not store, never claims a write it may have made was
not made, and recovers by itself once the server is back.

The outage is real: a private PostgreSQL is stopped and started under a gateway served
by uvicorn on a loopback port, which is never restarted.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import hmac
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
import redis.exceptions
import sqlalchemy as sa
import sqlalchemy.exc
from graphql import GraphQLError
from sqlalchemy import event
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from connectors.errors import RetryableError
from gateway.app import create_app
from gateway.crypto import webhook_secret_context
from gateway.errors import NotFound
from gateway.outbox import Outbox, Staged
from gateway.pubsub import Event
from gateway.settings import Settings
from gateway.store.engine import commits_begun
from gateway.store.enums import IntegrationStatus
from gateway.store.models import Integration, WebhookEvent
from gateway.unavailable import Unavailable, is_infrastructure_failure, log_loop_failure
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import (
    ServiceUnavailable,
    ThrowawayPostgres,
    async_database_url,
    is_ci,
    unavailable,
)
from tests.support.serving import served_on_loopback

SECRET = "rf-outage-secret-0123456789"
RECOVERY_SECONDS = 30.0
JOBS = "{ jobs(first: 3) { totalCount } }"
PROMPT_CREATE = """
mutation ($name: String!) {
  promptCreate(input: {name: $name, promptType: INTERVIEW, templateContent: "Hello"}) {
    __typename
    ... on PromptCreateSuccess { prompt { id name } }
  }
}
"""


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL of this module's own: the shared one is never stopped."""
    try:
        server = ThrowawayPostgres.start()
    except ServiceUnavailable as exc:
        unavailable(str(exc), ci=is_ci(os.environ))
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Served:
    gateway: Gateway
    http: httpx.AsyncClient
    postgres: ThrowawayPostgres
    integration_id: int

    async def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, request_id: str = ""
    ) -> httpx.Response:
        body = {"query": query, "variables": variables or {}}
        headers = self.gateway.headers()
        if request_id:
            headers["x-request-id"] = request_id
        return await self.http.post("/graphql", json=body, headers=headers)

    async def webhook(self, body: bytes) -> httpx.Response:
        signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"x-recruiterflow-signature": signature, "content-type": "application/json"}
        path = f"/webhooks/recruiterflow/{self.integration_id}"
        return await self.http.post(path, content=body, headers=headers)

    async def stored(self, body: bytes) -> int:
        digest = hashlib.sha256(body).hexdigest()
        async with self.gateway.app.state.session_factory() as session:
            count = await session.scalar(
                sa.select(sa.func.count())
                .select_from(WebhookEvent)
                .where(WebhookEvent.body_sha256 == digest)
            )
        return int(count or 0)


@pytest.fixture(scope="module")
async def served(postgres: ThrowawayPostgres) -> AsyncIterator[Served]:
    ats = httpx.AsyncClient(transport=httpx.MockTransport(lambda _r: httpx.Response(503)))
    url = async_database_url(postgres.url, "postgres")
    async with running_gateway(url, http_client=ats) as gateway:
        state = gateway.app.state
        tenant_id = gateway.tenants["demo"].tenant_id
        async with state.session_factory.begin() as session:
            integration = Integration(
                tenant_id=tenant_id,
                provider="recruiterflow",
                name="outage webhooks",
                status=IntegrationStatus.ACTIVE,
                config={},
                credentials_encrypted=None,
                webhook_secret_encrypted=state.keyring.encrypt(
                    SECRET.encode(), context=webhook_secret_context(tenant_id)
                ),
            )
            session.add(integration)
            await session.flush()
            integration_id = integration.id
        async with (
            served_on_loopback(gateway.app) as loopback,
            httpx.AsyncClient(base_url=loopback.url, timeout=15) as http,
        ):
            yield Served(gateway, http, postgres, integration_id)
    await ats.aclose()


def assert_unavailable(response: httpx.Response, *, outcome: str = "not_written") -> str:
    """The 503 a GraphQL request gets while PostgreSQL is away; its request id."""
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["retry-after"] == "5"
    (error,) = response.json()["errors"]
    extensions = error["extensions"]
    assert extensions["code"] == "SERVICE_UNAVAILABLE"
    assert extensions["retryAfter"] == 5
    assert extensions["outcome"] == outcome
    assert extensions["requestId"] == response.headers["x-request-id"]
    return str(extensions["requestId"])


async def until_ok(served: Served, within: float = RECOVERY_SECONDS) -> float:
    """Seconds until a query answers 200 again; fails after ``within``."""
    started = time.monotonic()
    while True:
        response = await served.graphql(JOBS)
        if response.status_code == 200 and "errors" not in response.json():
            return time.monotonic() - started
        assert response.status_code == 503, response.text
        assert time.monotonic() - started < within, "no recovery without a restart"
        await asyncio.sleep(0.1)


def rf_body() -> bytes:
    return orjson.dumps(
        {"id": uuid.uuid4().hex, "event": "job.updated", "data": {"job_id": 1}},
    )


# --- the outage, end to end --------------------------------------------------------------


async def test_postgres_away_answers_503_everywhere_and_comes_back_by_itself(
    served: Served,
) -> None:
    assert (await served.graphql(JOBS)).status_code == 200
    body = rf_body()

    served.postgres.down()
    try:
        query = await served.graphql(JOBS, request_id="outage-query-1")
        assert assert_unavailable(query) == "outage-query-1"
        assert "retry in 5 s" in query.json()["errors"][0]["message"]

        mutation = await served.graphql(PROMPT_CREATE, {"name": "during the outage"})
        assert_unavailable(mutation)

        webhook = await served.webhook(body)
        assert webhook.status_code == 503, webhook.text
        assert webhook.headers["content-type"].startswith("application/json")
        assert webhook.headers["retry-after"] == "5"
        assert webhook.json()["requestId"] == webhook.headers["x-request-id"]
        assert "error" in webhook.json()
    finally:
        served.postgres.up()

    recovered = await until_ok(served)
    print(f"first 200 after PostgreSQL was back: {recovered:.2f} s")
    assert await served.stored(body) == 0, "a webhook answered 503 was not stored"
    again = await served.webhook(body)
    assert again.status_code == 202, again.text
    assert again.json()["status"] == "accepted"
    assert (await served.webhook(body)).json()["status"] == "duplicate"
    assert await served.stored(body) == 1

    created = await served.graphql(PROMPT_CREATE, {"name": "after the outage"})
    assert created.status_code == 200, created.text
    assert created.json()["data"]["promptCreate"]["__typename"] == "PromptCreateSuccess"


async def test_a_restart_under_a_full_pool_fails_no_request(served: Served) -> None:
    """The pool holds connections the restart killed; each is tested before it is lent
    (``pool_pre_ping``), so no request after the restart meets a dead one."""
    warm = await asyncio.gather(*(served.graphql(JOBS) for _ in range(8)))
    assert [r.status_code for r in warm] == [200] * 8
    assert served.gateway.app.state.engine.pool.checkedin() >= 2

    served.postgres.down("fast")
    served.postgres.up()

    after = await asyncio.gather(*(served.graphql(JOBS) for _ in range(8)))
    assert [r.status_code for r in after] == [200] * 8, [r.text for r in after]


async def test_a_commit_cut_off_by_the_connection_claims_nothing(served: Served) -> None:
    """The connection dies as the mutation commits: whether it was saved is unknown,
    and the answer says so instead of "nothing was written"."""
    engine = served.gateway.app.state.engine.sync_engine

    def cut_off(conn: sa.Connection) -> None:
        if commits_begun():  # a request's commit, not a background sweep's
            conn.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")

    event.listen(engine, "commit", cut_off)
    try:
        response = await served.graphql(PROMPT_CREATE, {"name": "cut off"})
    finally:
        event.remove(engine, "commit", cut_off)
    assert_unavailable(response, outcome="unknown")
    assert "unknown" in response.json()["errors"][0]["message"]


async def test_websocket_init_with_postgres_away_closes_try_again_later(served: Served) -> None:
    url = str(served.http.base_url.copy_with(scheme="ws", path="/graphql"))
    served.postgres.down()
    try:
        async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            await ws.send(
                orjson.dumps(
                    {
                        "type": "connection_init",
                        "payload": {"authorization": served.gateway.headers()["authorization"]},
                    }
                ).decode()
            )
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
    finally:
        served.postgres.up()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
    await until_ok(served)


# --- which failures are the infrastructure's ---------------------------------------------


def _raised_from(error: BaseException, cause: BaseException) -> BaseException:
    try:
        raise error from cause
    except BaseException as raised:
        return raised


def _invalidated() -> sqlalchemy.exc.DBAPIError:
    error = sqlalchemy.exc.DBAPIError("SELECT 1", {}, Exception("gone"))
    error.connection_invalidated = True
    return error


@pytest.mark.parametrize(
    "error",
    [
        sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("refused")),
        sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("closed")),
        _invalidated(),
        sqlalchemy.exc.TimeoutError("QueuePool limit reached"),
        ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
        OSError(errno.ECONNREFUSED, "Connect call failed"),
        OSError(errno.EHOSTUNREACH, "No route to host"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.TooManyConnectionsError("too many clients"),
        asyncpg.AdminShutdownError("terminating connection"),
        redis.exceptions.ConnectionError("Error 111 connecting"),
        _raised_from(RuntimeError("wrapped"), ConnectionRefusedError()),
        GraphQLError("located", original_error=asyncpg.CannotConnectNowError("starting")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_infrastructure_failures(error: BaseException) -> None:
    assert is_infrastructure_failure(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad input"),
        NotFound("Job", 1),
        sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
        sqlalchemy.exc.DBAPIError("SELECT 1", {}, Exception("syntax")),
        asyncpg.QueryCanceledError("canceling statement"),
        FileNotFoundError(errno.ENOENT, "No such file"),
        TimeoutError(),
        httpx.ConnectError("the ATS is down"),
        _raised_from(RetryableError("the ATS is down"), ConnectionRefusedError()),
        GraphQLError("located", original_error=KeyError("x")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_failures_that_are_not_the_infrastructure(error: BaseException) -> None:
    assert not is_infrastructure_failure(error)


# --- whatever escapes a route is JSON ----------------------------------------------------


async def _raises(request: Request) -> Response:
    raise RuntimeError(f"a bug at {request.url.path}")


async def _unreachable(_request: Request) -> Response:
    raise sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError())


@pytest.fixture
async def bare() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(
        routes=[
            Route("/graphql", _raises, methods=["POST"]),
            Route("/webhooks/x", _raises, methods=["POST"]),
            Route("/webhooks/down", _unreachable, methods=["POST"]),
        ],
        middleware=[Middleware(Unavailable)],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_an_unexpected_error_is_500_json_with_the_request_id(
    bare: httpx.AsyncClient,
) -> None:
    response = await bare.post("/webhooks/x", headers={"x-request-id": "bug-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"] == "bug-1"
    assert "retry-after" not in response.headers
    assert response.json() == {
        "error": "Internal server error (request id bug-1)",
        "requestId": "bug-1",
    }
    assert "a bug" not in response.text

    graphql = await bare.post("/graphql")
    assert graphql.status_code == 500
    (error,) = graphql.json()["errors"]
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": graphql.headers["x-request-id"],
    }


async def test_an_escaped_infrastructure_failure_is_503_json(bare: httpx.AsyncClient) -> None:
    response = await bare.post("/webhooks/down")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["requestId"] == response.headers["x-request-id"]


async def test_an_escaped_failure_is_readable_by_an_allowed_browser_origin() -> None:
    """A browser app on an allowed origin reads the 503 (its status, Retry-After and
    request id); another origin gets no CORS header, so its browser withholds it."""
    allowed = "https://app.example.com"
    app = Starlette(
        routes=[Route("/graphql", _unreachable, methods=["POST"])],
        middleware=[Middleware(Unavailable, cors_origins=allowed)],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        mine = await client.post("/graphql", headers={"origin": allowed})
        theirs = await client.post("/graphql", headers={"origin": "https://evil.example"})
        none = await client.post("/graphql")
    assert mine.status_code == theirs.status_code == none.status_code == 503
    assert mine.headers["access-control-allow-origin"] == allowed
    exposed = {h.strip() for h in mine.headers["access-control-expose-headers"].split(",")}
    assert {"retry-after", "x-request-id"} <= exposed
    for other in (theirs, none):
        assert "access-control-allow-origin" not in other.headers
        assert other.headers["vary"] == "Origin"


def test_the_app_answers_escaped_errors_itself() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    outermost: object = app.user_middleware[0].cls
    assert outermost is Unavailable


# --- what follows a commit cannot fail the write ------------------------------------------


class _DownBus:
    async def publish_many(self, _events: list[Event]) -> None:
        raise redis.exceptions.ConnectionError("Error 111 connecting to Redis")


async def test_publishing_after_a_commit_never_fails_the_write() -> None:
    """The event bus (Redis) is away when a committed change is announced: the staged
    rows stay for the sweep, and the caller, whose write is committed, does not fail."""
    outbox = Outbox(None, _DownBus())  # type: ignore[arg-type]
    await outbox.release(Staged([1], [Event("job.updated", 1, {"id": 1})]))


def test_background_loops_log_an_outage_as_one_line_and_anything_else_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("talentgraph.test.loops")
    with caplog.at_level(logging.INFO, logger=log.name):
        log_loop_failure(log, "sweep failed", ConnectionRefusedError(111, "refused"))
        try:
            raise KeyError("a bug")
        except KeyError as bug:
            log_loop_failure(log, "sweep failed", bug)
    outage, bug = caplog.records
    assert (outage.levelno, outage.exc_info) == (logging.WARNING, None)
    assert outage.getMessage() == "sweep failed: ConnectionRefusedError: [Errno 111] refused"
    assert bug.levelno == logging.ERROR and bug.exc_info is not None
