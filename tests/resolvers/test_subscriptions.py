"""Subscriptions over WebSocket, on SQLite and PostgreSQL: the gateway serves on a real
loopback port and real ``websockets`` clients speak graphql-transport-ws and the legacy
graphql-ws to it. Events are published on the gateway's bus as syncs, webhooks and
write-backs publish them.

Covered: each subscription filtered by its argument, the tenant and the role; the
connection_init authentication and its refusals in both protocols; the public interview
chat carrying nothing recruiters see; the protocols' close codes; and every socket,
however it ends, leaving no bus queue behind.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from strawberry.types.base import StrawberryObjectDefinition
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from gateway import permissions
from gateway.auth import issue_token
from gateway.events import application_created, application_updated, job_updated
from gateway.interview_tokens import hash_token, new_token
from gateway.pubsub import Event, EventBus
from gateway.rate_limits import RateLimits
from gateway.store.enums import (
    InterviewKind,
    InterviewStatus,
    Role,
    SyncKind,
    SyncStatus,
)
from gateway.store.models import Application, Integration, Interview, Job, SyncRun, User
from resolvers import ws_protocol, ws_session
from resolvers.relay import to_global_id
from resolvers.schema import schema
from tests.support.gateway import JWT_SECRET, Gateway
from tests.support.serving import served_on_loopback

TRANSPORT = "graphql-transport-ws"
LEGACY = "graphql-ws"

PIPELINE = """subscription Pipeline($jobId: ID!, $kinds: [PipelineUpdateKind!]) {
  pipelineUpdates(jobId: $jobId, kinds: $kinds) {
    kind stage previousStage status at applicationId jobId candidateId
    application { id status }
  }
}"""
SYNC = """subscription Sync($id: ID!) {
  syncProgress(integrationId: $id) {
    kind phase processed counts status error runId integrationId run { id status }
  }
}"""
CHAT = """subscription Chat($id: ID!) {
  interviewChat(interviewId: $id) {
    kind interviewId messageId sequence role content delta status previousStatus
    interview { id status }
  }
}"""
PUBLIC_CHAT = """subscription PublicChat($token: String!) {
  publicInterviewChat(token: $token) { kind sequence role content delta status at }
}"""


@dataclass
class World:
    gateway: Gateway
    url: str
    bus: EventBus
    tenant: int
    other_tenant: int
    job: int
    second_job: int
    application: int
    other_job: int
    integration: int
    other_integration: int
    run: int
    interview: int
    token: str

    def jwt(self, tenant: str = "demo", role: Role = Role.ADMIN) -> str:
        return self.gateway.token(tenant, role)


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> AsyncIterator[World]:
    state = gateway.app.state
    demo, other = gateway.tenants["demo"].tenant_id, gateway.tenants["other"].tenant_id
    token = new_token()
    async with state.session_factory.begin() as session:
        application = (
            await session.execute(
                sa.select(Application.id, Application.job_id)
                .where(Application.tenant_id == demo)
                .order_by(Application.id)
                .limit(1)
            )
        ).one()
        second_job = await session.scalar(
            sa.select(Job.id).where(Job.tenant_id == demo, Job.id != application.job_id).limit(1)
        )
        other_job = await session.scalar(sa.select(Job.id).where(Job.tenant_id == other).limit(1))
        integrations = []
        for tenant in (demo, demo):
            row = Integration(tenant_id=tenant, provider="recruiterflow", name="RF live")
            session.add(row)
            await session.flush()
            integrations.append(row.id)
        run = SyncRun(
            tenant_id=demo,
            integration_id=integrations[0],
            kind=SyncKind.FULL,
            status=SyncStatus.RUNNING,
            trigger="manual",
            counts={},
        )
        session.add(run)
        interview = await session.scalar(
            sa.select(Interview).where(Interview.tenant_id == demo).order_by(Interview.id).limit(1)
        )
        assert interview is not None and second_job is not None and other_job is not None
        interview.token_hash = hash_token(token)
        interview.token_expires_at = datetime.now(UTC) + timedelta(days=1)
        interview.status = InterviewStatus.IN_PROGRESS
        interview.kind = InterviewKind.SELF_SERVICE
        await session.flush()
        ids = (run.id, interview.id)
    async with served_on_loopback(gateway.app) as loopback:
        yield World(
            gateway=gateway,
            url=f"{loopback.ws_url}/graphql",
            bus=state.bus,
            tenant=demo,
            other_tenant=other,
            job=application.job_id,
            second_job=second_job,
            application=application.id,
            other_job=other_job,
            integration=integrations[0],
            other_integration=integrations[1],
            run=ids[0],
            interview=ids[1],
            token=token,
        )


@pytest.fixture(autouse=True)
async def no_queue_left_behind(world: World) -> AsyncIterator[None]:
    """Every test ends with the bus as it found it: each socket, however it ended, gave
    back its queues (and the next test starts from a quiet bus)."""
    before = world.bus.fanout.count()
    yield
    await until(lambda: world.bus.fanout.count() == before)


class Client:
    """One socket speaking one of the two protocols. Messages are handed out per
    operation id in arrival order; ``ka`` keep-alives are skipped."""

    def __init__(self, socket: ClientConnection, protocol: str) -> None:
        self.socket = socket
        self.protocol = protocol
        self.frames: list[str] = []
        self.pending: dict[str | None, deque[dict[str, Any]]] = defaultdict(deque)

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(orjson.dumps(message).decode())

    async def recv(self, within: float = 5.0) -> dict[str, Any]:
        """The next message that is not a keep-alive, whatever its operation."""
        while True:
            frame = await asyncio.wait_for(self.socket.recv(), within)
            assert isinstance(frame, str), "every message is a text frame"
            self.frames.append(frame)
            message: dict[str, Any] = orjson.loads(frame)
            if message["type"] != "ka":
                return message

    async def for_operation(self, op_id: str, within: float = 5.0) -> dict[str, Any]:
        queued = self.pending[op_id]
        while not queued:
            message = await self.recv(within)
            self.pending[message.get("id")].append(message)
        return queued.popleft()

    async def nothing_within(self, seconds: float = 0.2) -> None:
        assert not any(self.pending.values()), self.pending
        with pytest.raises(TimeoutError):
            await self.recv(seconds)

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any]) -> None:
        kind = "subscribe" if self.protocol == TRANSPORT else "start"
        await self.send(
            {"type": kind, "id": op_id, "payload": {"query": query, "variables": variables}}
        )

    async def stop(self, op_id: str) -> None:
        await self.send({"type": "complete" if self.protocol == TRANSPORT else "stop", "id": op_id})

    async def next(self, op_id: str) -> dict[str, Any]:
        message = await self.for_operation(op_id)
        assert message["type"] == self.data_type, message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def error(self, op_id: str) -> dict[str, Any]:
        message = await self.for_operation(op_id)
        assert message["type"] == "error", message
        payload = message["payload"]
        first: dict[str, Any] = payload if self.protocol == LEGACY else payload[0]
        return first

    @property
    def data_type(self) -> str:
        return "next" if self.protocol == TRANSPORT else "data"

    async def closed_with(self) -> int | None:
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await self.recv()
        return closed.value.rcvd.code if closed.value.rcvd else None


@contextlib.asynccontextmanager
async def session(
    world: World,
    protocol: str = TRANSPORT,
    *,
    token: str | None = None,
    payload: dict[str, Any] | None = None,
) -> AsyncIterator[Client]:
    async with connect(world.url, subprotocols=[Subprotocol(protocol)]) as socket:
        client = Client(socket, protocol)
        init = payload if payload is not None else {}
        if token is not None:
            init = {"authorization": f"Bearer {token}"}
        await client.send({"type": "connection_init", "payload": init})
        assert (await client.recv()) == {"type": "connection_ack"}
        yield client


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def live(world: World, count: int) -> None:
    """Wait until ``count`` subscriptions hold bus queues (events published before would
    reach nobody)."""
    await until(lambda: world.bus.fanout.count() >= count)


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def moved(world: World, status: str, *, job: int | None = None, tenant: int | None = None) -> Event:
    return Event(
        "application.stage_changed",
        tenant or world.tenant,
        {
            "id": world.application,
            "jobId": job or world.job,
            "candidateId": 5,
            "stage": f"Stage for {status}",
            "previousStage": "Screen",
            "status": status,
        },
    )


async def test_pipeline_updates_for_one_job_over_graphql_transport_ws(world: World) -> None:
    baseline = world.bus.fanout.count()
    async with session(world, token=world.jwt()) as client:
        await client.subscribe("all", PIPELINE, {"jobId": gid("Job", world.job)})
        await client.subscribe(
            "hired", PIPELINE, {"jobId": gid("Job", world.job), "kinds": ["HIRED"]}
        )
        await live(world, baseline + 2)
        bus = world.bus
        await bus.publish(moved(world, "active", job=world.second_job))
        await bus.publish(moved(world, "active", tenant=world.other_tenant))
        facts = {
            "application_id": world.application,
            "remote_id": "A-1",
            "job_id": world.job,
            "candidate_id": 5,
            "status": "active",
        }
        await bus.publish(application_created(world.tenant, **facts, stage="New"))
        for status in ("active", "rejected", "hired"):
            await bus.publish(moved(world, status))
        await bus.publish(application_updated(world.tenant, **facts, stage="X"))
        await bus.publish(
            job_updated(world.tenant, job_id=world.job, remote_id="J-1", status="open")
        )

        updates = [(await client.next("all"))["pipelineUpdates"] for _ in range(5)]
        assert [u["kind"] for u in updates] == ["CREATED", "MOVED", "REJECTED", "HIRED", "UPDATED"]
        assert [u["status"] for u in updates[1:4]] == ["ACTIVE", "REJECTED", "HIRED"]
        first = updates[1]
        assert first["stage"] == "Stage for active" and first["previousStage"] == "Screen"
        assert first["applicationId"] == gid("Application", world.application)
        assert first["jobId"] == gid("Job", world.job)
        assert first["candidateId"] == gid("Candidate", 5)
        assert first["application"]["id"] == first["applicationId"]
        assert datetime.fromisoformat(first["at"]).tzinfo is not None
        hired = await client.next("hired")
        assert hired["pipelineUpdates"]["kind"] == "HIRED"

        await client.stop("all")
        await until(lambda: world.bus.fanout.count() == baseline + 1)
        await bus.publish(moved(world, "hired"))
        assert (await client.next("hired"))["pipelineUpdates"]["kind"] == "HIRED"
        await client.nothing_within()
    await until(lambda: world.bus.fanout.count() == baseline)


async def test_subscribers_of_one_event_share_its_reads(world: World) -> None:
    """Nested fields read the store once per event and process, however many subscribe,
    and afresh for the next event."""
    query = PIPELINE.replace(
        "application { id status }", "application { id status currentStage { name } }"
    )
    statements = world.gateway.statements

    async def reads(subscribers: int) -> list[int]:
        async with contextlib.AsyncExitStack() as stack:
            clients = []
            baseline = world.bus.fanout.count()
            for n in range(subscribers):
                role = (Role.ADMIN, Role.RECRUITER, Role.READONLY)[n % 3]
                clients.append(
                    await stack.enter_async_context(session(world, token=world.jwt(role=role)))
                )
                await clients[-1].subscribe("1", query, {"jobId": gid("Job", world.job)})
            await live(world, baseline + subscribers)
            counts = []
            for status in ("active", "hired"):
                statements.reset()
                await world.bus.publish(moved(world, status))
                for client in clients:
                    update = (await client.next("1"))["pipelineUpdates"]
                    assert update["application"]["currentStage"] is not None
                counts.append(statements.count)
            return counts

    one, many = await reads(1), await reads(6)
    assert many == one, "six subscribers read what one does"
    assert one[0] == one[1] > 0, "each event reads again"


async def test_the_legacy_graphql_ws_protocol(world: World) -> None:
    baseline = world.bus.fanout.count()
    async with session(world, LEGACY, token=world.jwt(role=Role.RECRUITER)) as client:
        await client.subscribe("1", PIPELINE, {"jobId": gid("Job", world.job)})
        await live(world, baseline + 1)
        await world.bus.publish(moved(world, "active"))
        data = await client.next("1")
        assert data["pipelineUpdates"]["kind"] == "MOVED"
        assert orjson.loads(client.frames[1]) == {"type": "ka"}, "sent right after the ack"

        await client.subscribe("2", PIPELINE, {"jobId": "not base64!"})
        error = await client.error("2")
        assert error["extensions"]["code"] in ("BAD_USER_INPUT", "VALIDATION_FAILED")

        await client.stop("1")
        assert await client.for_operation("1") == {"type": "complete", "id": "1"}
        await until(lambda: world.bus.fanout.count() == baseline)
        await client.send({"type": "connection_terminate"})
        assert await client.closed_with() == 1000


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
@pytest.mark.parametrize(
    "payload",
    [
        {"authorization": "Bearer not-a-jwt"},
        {"authorization": "Basic dXNlcjpwYXNz"},
        {"token": 42},
        "deleted-user",
        "forged",
    ],
    ids=["garbage", "not-bearer", "token-not-a-string", "deleted-user", "forged"],
)
async def test_bad_credentials_are_refused_at_connection_init(
    world: World, protocol: str, payload: dict[str, Any] | str
) -> None:
    if payload == "deleted-user":
        token = issue_token(
            JWT_SECRET, tenant_id=world.tenant, tenant_slug="demo", user_id=10**9, role=Role.ADMIN
        )
        payload = {"authorization": f"Bearer {token}"}
    elif payload == "forged":
        forged = issue_token(
            "another-secret-" + "y" * 40,
            tenant_id=world.tenant,
            tenant_slug="demo",
            user_id=world.gateway.tenants["demo"].admin_user_id,
            role=Role.ADMIN,
        )
        payload = {"authorization": f"Bearer {forged}"}
    assert isinstance(payload, dict)
    async with connect(world.url, subprotocols=[Subprotocol(protocol)]) as socket:
        client = Client(socket, protocol)
        await client.send({"type": "connection_init", "payload": payload})
        if protocol == LEGACY:
            refused = await client.recv()
            assert refused["type"] == "connection_error"
            assert refused["payload"]["extensions"]["code"] == "UNAUTHENTICATED"
        assert await client.closed_with() == 4403


@pytest.mark.parametrize("where", ["token", "headers", "handshake"])
async def test_the_token_may_come_in_other_places(world: World, where: str) -> None:
    jwt = world.jwt()
    payloads: dict[str, dict[str, Any]] = {
        "token": {"token": jwt},
        "headers": {"headers": {"Authorization": f"Bearer {jwt}"}},
        "handshake": {},
    }
    payload = payloads[where]
    headers = {"Authorization": f"Bearer {jwt}"} if where == "handshake" else None
    async with connect(
        world.url,
        subprotocols=[Subprotocol(TRANSPORT)],
        additional_headers=headers,
    ) as socket:
        client = Client(socket, TRANSPORT)
        await client.send({"type": "connection_init", "payload": payload})
        assert await client.recv() == {"type": "connection_ack"}
        baseline = world.bus.fanout.count()
        await client.subscribe("1", SYNC, {"id": gid("Integration", world.integration)})
        await live(world, baseline + 1)


async def test_without_a_token_only_the_public_chat_opens(world: World) -> None:
    async with session(world) as client:
        for op_id, query, variables in (
            ("p", PIPELINE, {"jobId": gid("Job", world.job)}),
            ("s", SYNC, {"id": gid("Integration", world.integration)}),
            ("c", CHAT, {"id": gid("Interview", world.interview)}),
        ):
            await client.subscribe(op_id, query, variables)
            error = await client.error(op_id)
            assert error["extensions"]["code"] == "UNAUTHENTICATED", error
            assert "connection_init" in error["message"]
        baseline = world.bus.fanout.count()
        await client.subscribe("public", PUBLIC_CHAT, {"token": world.token})
        await live(world, baseline + 1)


async def test_another_tenants_records_are_not_found_and_its_events_never_arrive(
    world: World,
) -> None:
    async with session(world, token=world.jwt("other")) as client:
        for op_id, query, variables in (
            ("p", PIPELINE, {"jobId": gid("Job", world.job)}),
            ("s", SYNC, {"id": gid("Integration", world.integration)}),
            ("c", CHAT, {"id": gid("Interview", world.interview)}),
        ):
            await client.subscribe(op_id, query, variables)
            assert (await client.error(op_id))["extensions"]["code"] == "NOT_FOUND"
        baseline = world.bus.fanout.count()
        await client.subscribe("own", PIPELINE, {"jobId": gid("Job", world.other_job)})
        await live(world, baseline + 1)
        await world.bus.publish(moved(world, "hired", job=world.other_job))  # demo's tenant
        await world.bus.publish(
            moved(world, "active", job=world.other_job, tenant=world.other_tenant)
        )
        update = (await client.next("own"))["pipelineUpdates"]
        assert update["kind"] == "MOVED", "the other tenant's event never reached this one"
        assert update["application"] is None, "a forged id finds nothing across tenants"


async def test_a_role_without_the_permission_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    readonly = permissions.ROLE_PERMISSIONS[Role.READONLY]
    monkeypatch.setitem(
        permissions.ROLE_PERMISSIONS,
        Role.READONLY,
        readonly - {permissions.Permission.INTEGRATIONS_READ},
    )
    async with session(world, token=world.jwt(role=Role.READONLY)) as client:
        await client.subscribe("s", SYNC, {"id": gid("Integration", world.integration)})
        error = await client.error("s")
        assert error["extensions"] == {"code": "FORBIDDEN", "permission": "integrations:read"}
        baseline = world.bus.fanout.count()
        await client.subscribe("p", PIPELINE, {"jobId": gid("Job", world.job)})
        await live(world, baseline + 1)


async def test_subscriptions_count_against_the_rate_limits(world: World) -> None:
    state = world.gateway.app.state
    runtime = state.runtime
    state.runtime = dataclasses.replace(
        runtime,
        settings=runtime.settings.model_copy(
            update={"rate_limit_user_per_minute": 2, "rate_limit_public_per_minute": 1}
        ),
        rate_limits=RateLimits(),
    )
    try:
        async with session(world, token=world.jwt(role=Role.RECRUITER)) as client:
            for op_id in ("1", "2", "3"):
                await client.subscribe(op_id, PIPELINE, {"jobId": gid("Job", world.job)})
            error = await client.error("3")
            assert error["extensions"]["code"] == "RATE_LIMITED", error
            assert error["extensions"]["retryAfter"] > 0
        async with session(world) as anonymous:
            for op_id in ("1", "2"):
                await anonymous.subscribe(op_id, PUBLIC_CHAT, {"token": world.token})
            assert (await anonymous.error("2"))["extensions"]["code"] == "RATE_LIMITED"
    finally:
        state.runtime = runtime


async def test_sync_progress_of_one_integration(world: World) -> None:
    baseline = world.bus.fanout.count()
    async with session(world, token=world.jwt(role=Role.READONLY)) as client:
        await client.subscribe("s", SYNC, {"id": gid("Integration", world.integration)})
        await live(world, baseline + 1)

        def progress(integration: int, phase: str, processed: int) -> Event:
            data = {"runId": world.run, "integrationId": integration, "phase": phase}
            counts = {"jobs": {"created": processed}}
            return Event(
                "sync.progress", world.tenant, {**data, "processed": processed, "counts": counts}
            )

        await world.bus.publish(progress(world.other_integration, "jobs", 1))
        await world.bus.publish(progress(world.integration, "jobs", 3))
        await world.bus.publish(
            Event(
                "sync.finished",
                world.tenant,
                {
                    "runId": world.run,
                    "integrationId": world.integration,
                    "status": "partially_failed",
                    "counts": {"jobs": {"created": 3, "failed": 1}},
                    "error": "1 record(s) failed",
                },
            )
        )
        running = (await client.next("s"))["syncProgress"]
        assert running == {
            "kind": "PROGRESS",
            "phase": "jobs",
            "processed": 3,
            "counts": {"jobs": {"created": 3}},
            "status": None,
            "error": None,
            "runId": gid("SyncRun", world.run),
            "integrationId": gid("Integration", world.integration),
            "run": {"id": gid("SyncRun", world.run), "status": "RUNNING"},
        }
        finished = (await client.next("s"))["syncProgress"]
        assert finished["kind"] == "FINISHED" and finished["status"] == "PARTIALLY_FAILED"
        assert finished["phase"] is None and finished["error"] == "1 record(s) failed"


def chat_events(world: World, secret: str) -> list[Event]:
    interview = world.interview
    return [
        Event("interview.message", world.tenant, {"interviewId": interview + 1, "sequence": 1,
              "role": "assistant", "content": "another interview", "messageId": 1}),
        Event("interview.message", world.tenant, {"interviewId": interview, "sequence": 1,
              "role": "system", "content": f"system prompt {secret}", "messageId": 10}),
        Event("interview.delta", world.tenant, {"interviewId": interview, "sequence": 2,
              "delta": "Hel"}),
        Event("interview.message", world.tenant, {"interviewId": interview, "sequence": 2,
              "role": "assistant", "content": "Hello!", "messageId": 11}),
        Event("interview.status_changed", world.tenant, {"interviewId": interview,
              "status": "completed", "previousStatus": "in_progress",
              "evaluation": {"summary": secret, "overallScore": 12}}),
        Event("interview.human_requested", world.tenant, {"interviewId": interview,
              "note": secret}),
    ]  # fmt: skip


async def test_interview_chat_for_recruiters_and_for_the_candidate(world: World) -> None:
    secret = "recruiters-only-7f3a"
    baseline = world.bus.fanout.count()
    async with (
        session(world, token=world.jwt(role=Role.RECRUITER)) as recruiter,
        session(world, LEGACY) as candidate,
    ):
        await recruiter.subscribe("c", CHAT, {"id": gid("Interview", world.interview)})
        await candidate.subscribe("c", PUBLIC_CHAT, {"token": world.token})
        await live(world, baseline + 2)
        await world.bus.publish_many(chat_events(world, secret))

        seen = [(await recruiter.next("c"))["interviewChat"] for _ in range(5)]
        assert [e["kind"] for e in seen] == [
            "MESSAGE",
            "DELTA",
            "MESSAGE",
            "STATUS",
            "HUMAN_REQUESTED",
        ]
        assert seen[0]["role"] == "SYSTEM" and seen[0]["messageId"] == gid("InterviewMessage", 10)
        assert seen[1]["delta"] == "Hel" and seen[1]["sequence"] == 2 and seen[1]["content"] is None
        assert seen[3]["status"] == "COMPLETED" and seen[3]["previousStatus"] == "IN_PROGRESS"
        assert {e["interviewId"] for e in seen} == {gid("Interview", world.interview)}
        assert seen[0]["interview"]["id"] == gid("Interview", world.interview)

        public = [(await candidate.next("c"))["publicInterviewChat"] for _ in range(4)]
        assert [(e["kind"], e["sequence"]) for e in public] == [
            ("DELTA", 2),
            ("MESSAGE", 2),
            ("STATUS", None),
            ("HUMAN_REQUESTED", None),
        ]
        assert public[1]["content"] == "Hello!" and public[1]["role"] == "ASSISTANT"
        await candidate.nothing_within()
        assert not any(secret in frame for frame in candidate.frames)
        public_type = schema.get_type_by_name("PublicInterviewChatEvent")
        assert isinstance(public_type, StrawberryObjectDefinition)
        assert {f.name for f in public_type.fields} == {
            "kind", "sequence", "role", "content", "delta", "status", "at"
        }  # fmt: skip

        no_ids = "subscription($t: String!) { publicInterviewChat(token: $t) { interviewId } }"
        await candidate.subscribe("ids", no_ids, {"t": world.token})
        assert "interviewId" in (await candidate.error("ids"))["message"]


async def test_interview_links_that_open_nothing(world: World) -> None:
    state = world.gateway.app.state
    tokens = {name: new_token() for name in ("expired", "cancelled", "scheduled-round")}
    async with state.session_factory.begin() as session_:
        rows = (
            await session_.scalars(
                sa.select(Interview)
                .where(Interview.tenant_id == world.tenant, Interview.id != world.interview)
                .order_by(Interview.id)
                .limit(3)
            )
        ).all()
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        for row, (name, token) in zip(rows, tokens.items(), strict=True):
            row.token_hash = hash_token(token)
            row.token_expires_at = datetime.now(UTC) if name == "expired" else tomorrow
            row.status = (
                InterviewStatus.CANCELLED if name == "cancelled" else InterviewStatus.SCHEDULED
            )
            row.kind = (
                InterviewKind.SCHEDULED if name == "scheduled-round" else InterviewKind.SELF_SERVICE
            )
    cases = {
        "unknown": (new_token(), "NOT_FOUND"),
        "malformed": ("iv_' OR 1=1 --", "NOT_FOUND"),
        "expired": (tokens["expired"], "EXPIRED"),
        "cancelled": (tokens["cancelled"], "CANCELLED"),
        "scheduled-round": (tokens["scheduled-round"], "NOT_FOUND"),
    }
    async with session(world) as client:
        for name, (token, code) in cases.items():
            await client.subscribe(name, PUBLIC_CHAT, {"token": token})
            error = await client.error(name)
            assert error["extensions"] == {"code": code}, (name, error)


async def test_protocol_violations_close_the_socket(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with connect(world.url, subprotocols=[Subprotocol(TRANSPORT)]) as socket:
        client = Client(socket, TRANSPORT)
        await client.subscribe("1", PIPELINE, {"jobId": gid("Job", world.job)})
        assert await client.closed_with() == 4401
    async with session(world) as client:
        await client.send({"type": "connection_init", "payload": {}})
        assert await client.closed_with() == 4429
    async with session(world, token=world.jwt()) as client:
        await client.subscribe("1", PIPELINE, {"jobId": gid("Job", world.job)})
        await client.subscribe("1", PIPELINE, {"jobId": gid("Job", world.job)})
        assert await client.closed_with() == 4409
    async with session(world) as client:
        await client.socket.send("{not json")
        assert await client.closed_with() == 4400
    async with session(world) as client:
        await client.send({"type": "ping"})
        assert await client.recv() == {"type": "pong"}
        await client.subscribe("x", "subscription { nope }", {})
        assert "nope" in (await client.error("x"))["message"]
    async with connect(world.url, subprotocols=[Subprotocol("mqtt")]) as socket:
        assert await Client(socket, TRANSPORT).closed_with() == 4406
    monkeypatch.setattr(ws_protocol, "INIT_TIMEOUT_SECONDS", 0.2)
    async with connect(world.url, subprotocols=[Subprotocol(TRANSPORT)]) as socket:
        assert await Client(socket, TRANSPORT).closed_with() == 4408


async def test_a_socket_that_goes_away_frees_its_bus_queues(world: World) -> None:
    baseline = world.bus.fanout.count()
    for protocol in (TRANSPORT, LEGACY):
        async with session(world, protocol, token=world.jwt()) as client:
            for n in range(3):
                await client.subscribe(str(n), PIPELINE, {"jobId": gid("Job", world.job)})
            await live(world, baseline + 3)
            client.socket.transport.abort()  # no close frame: the peer just vanishes
        await until(lambda: world.bus.fanout.count() == baseline)


async def test_an_expired_token_closes_the_socket(world: World) -> None:
    demo = world.gateway.tenants["demo"]
    short = issue_token(
        JWT_SECRET,
        tenant_id=demo.tenant_id,
        tenant_slug="demo",
        user_id=demo.admin_user_id,
        role=Role.ADMIN,
        ttl_seconds=2,
    )
    baseline = world.bus.fanout.count()
    started = time.monotonic()
    async with session(world, token=short) as client:
        await client.subscribe("1", PIPELINE, {"jobId": gid("Job", world.job)})
        assert await client.closed_with() == 4403
    assert time.monotonic() - started < 5
    await until(lambda: world.bus.fanout.count() == baseline)


async def test_a_disabled_user_is_disconnected(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ws_session, "ACCESS_CHECK_SECONDS", 0.2)
    state = world.gateway.app.state
    async with state.session_factory.begin() as session_:
        user = User(
            tenant_id=world.tenant,
            email=f"{base64.b32encode(time.time_ns().to_bytes(8)).decode()}@example.com",
            name="Soon gone",
            role=Role.RECRUITER,
        )
        session_.add(user)
        await session_.flush()
        user_id = user.id
    token = issue_token(
        JWT_SECRET, tenant_id=world.tenant, tenant_slug="demo", user_id=user_id, role=Role.RECRUITER
    )
    async with session(world, LEGACY, token=token) as client:
        await client.subscribe("1", PIPELINE, {"jobId": gid("Job", world.job)})
        await asyncio.sleep(0.4)
        async with state.session_factory.begin() as session_:
            await session_.execute(
                sa.update(User).where(User.id == user_id).values(is_active=False)
            )
        refused = await client.recv()
        assert refused["type"] == "connection_error"
        assert await client.closed_with() == 4403
