"""Webhook ingress end to end, on SQLite and PostgreSQL: signed deliveries from each
scheme are stored and acknowledged, then processed into the graph by refetching from
the Recruiterflow fake; forged, stale, replayed, oversized and misrouted deliveries
change nothing; failures retry, then fail, then can be retried by hand."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import hmac
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.crypto import Keyring, credentials_context, webhook_secret_context
from gateway.pubsub import Event
from gateway.services.activities import Actor
from gateway.services.webhook_events import retry_event
from gateway.store.enums import ActorType, IntegrationStatus, WebhookEventStatus
from gateway.store.models import Application, Integration, Job, PipelineStage, WebhookEvent
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

SECRET = "rf-webhook-secret-0123456789"
STANDARD_SECRET = "whsec_" + base64.b64encode(b"standard-webhooks-key-32-bytes!!").decode()
BPOC_SECRET = "bpoc-webhook-secret-abcdef"
JOBVITE_SECRET = "jobvite-webhook-secret-xyz"
SETTLED = {WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED, WebhookEventStatus.FAILED}
_ids = itertools.count(1)


async def no_sleep(_seconds: float) -> None:
    return None


@dataclass
class World:
    gateway: Gateway
    fake: FakeRecruiterflow
    tenant_id: int
    rf: int
    """The Recruiterflow integration (synced from the fake)."""
    bpoc: int
    jobvite: int
    disabled: int
    events: list[Event]

    @property
    def client(self) -> httpx.AsyncClient:
        return self.gateway.client

    async def scalar(self, query: Any) -> Any:
        async with self.gateway.app.state.session_factory() as session:
            return await session.scalar(query)

    async def event(self, event_id: int) -> WebhookEvent:
        async with self.gateway.app.state.session_factory() as session:
            found = await session.get(WebhookEvent, event_id)
            assert found is not None
            return found

    async def settled(self, event_id: int, within: float = 15.0) -> WebhookEvent:
        deadline = time.monotonic() + within
        while True:
            event = await self.event(event_id)
            if event.status in SETTLED or time.monotonic() > deadline:
                return event
            await asyncio.sleep(0.05)

    async def stored(self) -> int:
        return int(await self.scalar(sa.select(sa.func.count()).select_from(WebhookEvent)))


def rf_signed(payload: Mapping[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps(payload)
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Recruiterflow-Signature": signature, "Content-Type": "application/json"}


def rf_event(event: str, **data: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "event": event,
        "created_at": "2026-11-21T08:00:00Z",
        "data": data,
    }


def bpoc_signed(
    payload: Mapping[str, Any], *, at: int | None = None
) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps(payload)
    stamp = str(at if at is not None else int(time.time()))
    digest = hmac.new(BPOC_SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return body, {
        "X-BPOC-Timestamp": stamp,
        "X-BPOC-Signature": "v1=" + digest.hexdigest(),
        "Content-Type": "application/json",
    }


def standard_signed(
    payload: Mapping[str, Any], *, at: float | None = None
) -> tuple[bytes, dict[str, str]]:
    from datetime import UTC, datetime

    body = orjson.dumps(payload)
    message_id = f"msg_{uuid.uuid4().hex}"
    when = datetime.fromtimestamp(at if at is not None else time.time(), UTC)
    signature = Webhook(STANDARD_SECRET).sign(message_id, when, body.decode())
    return body, {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }


@pytest.fixture(scope="module")
async def world(backend: Backend) -> AsyncIterator[World]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=4, candidates=6, applications=10)
    client = httpx.AsyncClient(
        mounts={"https://api.recruiterflow.com": httpx.ASGITransport(app=fake.app)}
    )
    async with running_gateway(
        backend.url,
        http_client=client,
        webhook_sweep_interval_seconds=0.2,
        webhook_processing_retry_base_seconds=0.05,
        webhook_processing_attempts=3,
    ) as gateway:
        state = gateway.app.state
        keyring: Keyring = state.keyring
        tenant_id = gateway.tenants["demo"].tenant_id

        def integration(provider: str, secret: str, **fields: Any) -> Integration:
            return Integration(
                tenant_id=tenant_id,
                provider=provider,
                name=f"{provider} webhooks {next(_ids)}",
                status=fields.pop("status", IntegrationStatus.ACTIVE),
                config={"rateLimitPerSecond": 10_000},
                credentials_encrypted=keyring.encrypt_json(
                    {"apiKey": fake.api_key}, context=credentials_context(tenant_id)
                ),
                webhook_secret_encrypted=keyring.encrypt(
                    secret.encode(), context=webhook_secret_context(tenant_id)
                ),
                **fields,
            )

        async with state.session_factory.begin() as session:
            made = [
                integration("recruiterflow", SECRET),
                integration("bpoc", BPOC_SECRET),
                integration("jobvite", JOBVITE_SECRET, external_account_id="acme-co-77"),
                integration("recruiterflow", SECRET, status=IntegrationStatus.INACTIVE),
            ]
            session.add_all(made)
            await session.flush()
            ids = [i.id for i in made]
        outcome = await sync_integration(state.sync_deps, tenant_id, ids[0], mode=SyncMode.FULL)
        assert outcome.counts["applications"]["created"] == 10, outcome.error
        events: list[Event] = []

        async def listen() -> None:
            async for event in state.bus.subscribe(tenant_id):
                events.append(event)

        listener = asyncio.create_task(listen())
        await asyncio.sleep(0)
        try:
            yield World(gateway, fake, tenant_id, ids[0], ids[1], ids[2], ids[3], events)
        finally:
            listener.cancel()
    await client.aclose()


async def post(world: World, path: str, body: bytes, headers: Mapping[str, str]) -> httpx.Response:
    return await world.client.post(path, content=body, headers=dict(headers))


# --- acknowledged and processed ----------------------------------------------------------


async def test_a_signed_job_update_reaches_the_graph(world: World) -> None:
    job_id = next(iter(world.fake.jobs))
    world.fake.jobs[job_id]["name"] = world.fake.jobs[job_id]["title"] = "Renamed by webhook"
    body, headers = rf_signed(rf_event("job.updated", job_id=job_id))

    response = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)

    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    event = await world.settled(response.json()["id"])
    assert event.status is WebhookEventStatus.PROCESSED, event.last_error
    assert event.attempts == 1
    assert event.event_type == "job.updated"
    assert event.body == body
    assert event.headers["x-recruiterflow-signature"] == headers["X-Recruiterflow-Signature"]
    assert event.result is not None and event.result["counts"]["jobs"]["updated"] == 1
    title = await world.scalar(
        sa.select(Job.title).where(Job.integration_id == world.rf, Job.remote_id == str(job_id))
    )
    assert title == "Renamed by webhook"
    data = await world.gateway.execute(
        '{ jobs(first: 50, filter: {search: "Renamed by webhook"}) { edges { node { title } } } }'
    )
    assert [e["node"]["title"] for e in data["jobs"]["edges"]] == ["Renamed by webhook"]


async def test_a_stage_change_moves_the_application_and_is_published(world: World) -> None:
    (candidate_id, job_id), application = next(
        (key, app) for key, app in world.fake.applications.items() if app.stage != "Placed"
    )
    world.fake._move(application, "Placed", world.fake.now(), world.fake.owner)
    body, headers = rf_signed(
        rf_event(
            "candidate.stage_changed", job_id=job_id, candidate_id=candidate_id, stage="Placed"
        )
    )
    seen = len(world.events)

    response = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)
    event = await world.settled(response.json()["id"])

    assert event.status is WebhookEventStatus.PROCESSED, event.last_error
    stage = await world.scalar(
        sa.select(PipelineStage.name)
        .join(Application, Application.current_stage_id == PipelineStage.id)
        .where(
            Application.integration_id == world.rf,
            Application.remote_id == f"{candidate_id}:{job_id}",
        )
    )
    assert stage == "Placed"
    moved = [e for e in world.events[seen:] if e.type == "application.stage_changed"]
    assert len(moved) == 1 and moved[0].data["stage"] == "Placed"


async def test_a_job_the_source_no_longer_has_is_marked_deleted(world: World) -> None:
    job_id = world.fake.add_job(99)
    body, headers = rf_signed(rf_event("job.created", job_id=job_id))
    created = await world.settled(
        (await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)).json()["id"]
    )
    assert created.status is WebhookEventStatus.PROCESSED, created.last_error
    del world.fake.jobs[job_id]
    body, headers = rf_signed(rf_event("job.archived", job_id=job_id))

    gone = await world.settled(
        (await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)).json()["id"]
    )

    assert gone.status is WebhookEventStatus.PROCESSED, gone.last_error
    active = await world.scalar(
        sa.select(Job.is_active).where(Job.integration_id == world.rf, Job.remote_id == str(job_id))
    )
    assert active is False


async def test_an_event_naming_nothing_to_refetch_is_ignored(world: World) -> None:
    body, headers = rf_signed(rf_event("company.updated", company_id=3))
    response = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)
    event = await world.settled(response.json()["id"])
    assert event.status is WebhookEventStatus.IGNORED


async def test_a_signed_body_that_says_nothing_fails_without_retries(world: World) -> None:
    body = b"[1, 2, 3]"
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = await post(
        world,
        f"/webhooks/recruiterflow/{world.rf}",
        body,
        {"X-Recruiterflow-Signature": signature, "Content-Type": "application/json"},
    )
    assert response.status_code == 202
    event = await world.settled(response.json()["id"])
    assert event.status is WebhookEventStatus.FAILED
    assert event.attempts == 1
    assert "not a JSON object" in (event.last_error or "")


# --- duplicates -------------------------------------------------------------------------


async def test_a_replayed_delivery_is_acknowledged_and_not_processed_twice(world: World) -> None:
    job_id = next(iter(world.fake.jobs))
    body, headers = rf_signed(rf_event("job.updated", job_id=job_id))
    first = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)
    await world.settled(first.json()["id"])
    before = await world.stored()

    again = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)

    assert again.status_code == 202
    assert again.json() == {"status": "duplicate", "id": first.json()["id"]}
    assert await world.stored() == before
    assert (await world.event(first.json()["id"])).attempts == 1


async def test_without_a_delivery_id_the_same_body_within_a_day_is_a_duplicate(
    world: World,
) -> None:
    job_id = next(iter(world.fake.jobs))
    body, headers = rf_signed({"event": "job.updated", "data": {"job_id": job_id, "n": next(_ids)}})
    first = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)
    second = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)
    assert first.json()["status"] == "accepted"
    assert second.json() == {"status": "duplicate", "id": first.json()["id"]}


async def test_concurrent_copies_of_one_delivery_store_one_event(world: World) -> None:
    job_id = next(iter(world.fake.jobs))
    body, headers = rf_signed(rf_event("job.updated", job_id=job_id))
    before = await world.stored()
    answers = await asyncio.gather(
        *[post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers) for _ in range(8)]
    )
    assert {a.status_code for a in answers} == {202}
    assert sorted(a.json()["status"] for a in answers) == ["accepted"] + ["duplicate"] * 7
    assert await world.stored() == before + 1


# --- refused ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Recruiterflow-Signature": "00" * 32},
        {"X-Recruiterflow-Signature": "not hex at all"},
    ],
    ids=["missing", "wrong", "garbage"],
)
async def test_a_bad_signature_gets_401_and_stores_nothing(
    world: World, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    body = orjson.dumps(rf_event("job.updated", job_id=1, secret_marker="do-not-log-me"))
    before = await world.stored()
    response = await post(
        world,
        f"/webhooks/recruiterflow/{world.rf}",
        body,
        {"Content-Type": "application/json", **headers},
    )
    assert response.status_code == 401
    assert await world.stored() == before
    assert "webhook refused" in caplog.text
    assert "do-not-log-me" not in caplog.text


async def test_a_body_signed_with_another_secret_is_refused(world: World) -> None:
    body, headers = rf_signed(rf_event("job.updated", job_id=1), secret="someone-else")
    response = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/webhooks/recruiterflow/999999", "/webhooks/recruiterflow/abc", "/webhooks/recruiterflow/-1"],
)
async def test_an_unknown_integration_gets_404(world: World, path: str) -> None:
    body, headers = rf_signed(rf_event("job.updated", job_id=1))
    assert (await post(world, path, body, headers)).status_code == 404


async def test_a_route_of_another_provider_gets_404(world: World) -> None:
    body, headers = rf_signed(rf_event("job.updated", job_id=1))
    response = await post(world, f"/webhooks/recruiterflow/{world.bpoc}", body, headers)
    assert response.status_code == 404


async def test_a_disabled_integration_gets_409(world: World) -> None:
    body, headers = rf_signed(rf_event("job.updated", job_id=1))
    before = await world.stored()
    response = await post(world, f"/webhooks/recruiterflow/{world.disabled}", body, headers)
    assert response.status_code == 409
    assert await world.stored() == before


async def test_a_body_over_one_mebibyte_gets_413(world: World) -> None:
    body, headers = rf_signed({"event": "job.updated", "pad": "x" * (1024 * 1024)})
    response = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)
    assert response.status_code == 413

    async def chunked() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 65536

    streamed = await world.client.post(
        f"/webhooks/recruiterflow/{world.rf}",
        content=chunked(),
        headers={
            "Content-Type": "application/json",
            **{k: v for k, v in headers.items() if k != "Content-Type"},
        },
    )
    assert streamed.status_code == 413


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        'Application/JSON;charset="UTF-8"',
        "application/json ; charset=utf8",
    ],
)
async def test_application_json_with_parameters_is_accepted(
    world: World, content_type: str
) -> None:
    body, headers = rf_signed(rf_event("company.updated", company_id=3))
    response = await post(
        world,
        f"/webhooks/recruiterflow/{world.rf}",
        body,
        {**headers, "Content-Type": content_type},
    )
    assert response.status_code == 202, response.text


@pytest.mark.parametrize(
    "content_types",
    [
        ["text/plain"],
        ["text/plain; x=json"],
        ["text/json"],
        ["application/jsonx"],
        ["application/json-seq"],
        ["application/x-json"],
        ["application/json+x"],
        ["application/json; charset=latin-1"],
        ["application/json; json"],
        [""],
        [],
        ["application/json", "text/plain"],
    ],
    ids=repr,
)
async def test_anything_but_application_json_gets_415_and_stores_nothing(
    world: World, content_types: list[str]
) -> None:
    body, signed = rf_signed(rf_event("company.updated", company_id=3))
    headers = [(k, v) for k, v in signed.items() if k != "Content-Type"]
    headers += [("Content-Type", value) for value in content_types]
    before = await world.stored()
    response = await world.client.post(
        f"/webhooks/recruiterflow/{world.rf}", content=body, headers=headers
    )
    assert response.status_code == 415
    assert response.json() == {"error": "send the webhook as application/json"}
    assert await world.stored() == before


async def test_get_is_not_a_webhook(world: World) -> None:
    response = await world.client.get(f"/webhooks/recruiterflow/{world.rf}")
    assert response.status_code == 405


# --- other schemes ----------------------------------------------------------------------


async def test_standard_webhooks_signed_by_the_reference_library_are_accepted(world: World) -> None:
    async with world.gateway.app.state.session_factory.begin() as session:
        integration = await session.get(Integration, world.bpoc)
        assert integration is not None
        integration.webhook_secret_encrypted = world.gateway.app.state.keyring.encrypt(
            STANDARD_SECRET.encode(), context=webhook_secret_context(world.tenant_id)
        )
    try:
        body, headers = standard_signed({"type": "interview.scheduled", "data": {"id": "iv-1"}})
        response = await post(world, f"/webhooks/standard/{world.bpoc}", body, headers)
        assert response.status_code == 202, response.text
        event = await world.event(response.json()["id"])
        assert event.delivery_id == headers["webhook-id"]

        replay = await post(world, f"/webhooks/standard/{world.bpoc}", body, headers)
        assert replay.json()["status"] == "duplicate"

        # well past the 300 s tolerance: the header is whole seconds and a loaded machine
        # may take seconds between signing and checking
        for off in (-360, 360):
            stale_body, stale = standard_signed(
                {"type": "job.updated", "data": {"id": 1}}, at=time.time() + off
            )
            assert (
                await post(world, f"/webhooks/standard/{world.bpoc}", stale_body, stale)
            ).status_code == 401

        tampered = dict(headers, **{"webhook-id": "msg_other"})
        assert (
            await post(world, f"/webhooks/standard/{world.bpoc}", body, tampered)
        ).status_code == 401
    finally:
        async with world.gateway.app.state.session_factory.begin() as session:
            integration = await session.get(Integration, world.bpoc)
            assert integration is not None
            integration.webhook_secret_encrypted = world.gateway.app.state.keyring.encrypt(
                BPOC_SECRET.encode(), context=webhook_secret_context(world.tenant_id)
            )


async def test_bpoc_deliveries_carry_a_timestamp_and_stale_ones_are_refused(world: World) -> None:
    payload = {
        "id": uuid.uuid4().hex,
        "event": "application.created",
        "data": {"candidate_id": "c-1"},
    }
    body, headers = bpoc_signed(payload)
    response = await post(world, f"/webhooks/bpoc/{world.bpoc}", body, headers)
    assert response.status_code == 202
    assert (await world.event(response.json()["id"])).delivery_id == payload["id"]

    old_body, old = bpoc_signed(dict(payload, id=uuid.uuid4().hex), at=int(time.time()) - 600)
    assert (await post(world, f"/webhooks/bpoc/{world.bpoc}", old_body, old)).status_code == 401


async def test_jobvite_resolves_the_tenant_from_the_company_id(world: World) -> None:
    payload = {"eventId": uuid.uuid4().hex, "eventType": "job.updated", "requisitionId": "req-1"}
    body = orjson.dumps(payload)
    signature = base64.b64encode(hmac.new(JOBVITE_SECRET.encode(), body, hashlib.sha256).digest())
    headers = {"X-JVI-Signature": signature.decode(), "Content-Type": "application/json"}

    response = await post(world, "/webhooks/jobvite/acme-co-77/job", body, headers)

    assert response.status_code == 202
    event = await world.event(response.json()["id"])
    assert (event.tenant_id, event.integration_id) == (world.tenant_id, world.jobvite)
    assert event.event_type == "job.updated"
    assert (await post(world, "/webhooks/jobvite/unknown-co/job", body, headers)).status_code == 404
    assert (
        await post(world, "/webhooks/jobvite/acme-co-77/offer", body, headers)
    ).status_code == 404


# --- failures and retries ---------------------------------------------------------------


async def test_a_failing_source_is_retried_then_the_event_fails_then_retries_by_hand(
    world: World,
) -> None:
    job_id = next(iter(world.fake.jobs))
    ingestor = world.gateway.app.state.ingestor
    patient = ingestor.deps
    ingestor.deps = dataclasses.replace(patient, sleep=no_sleep)
    world.fake.faults.server_errors(times=100, status=503)
    try:
        body, headers = rf_signed(rf_event("job.updated", job_id=job_id))
        response = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)
        assert response.status_code == 202
        event = await world.settled(response.json()["id"])
        assert event.status is WebhookEventStatus.FAILED
        assert event.attempts == 3
        assert event.last_error
    finally:
        world.fake.faults.reset()
        ingestor.deps = patient
    actor = Actor(world.tenant_id, ActorType.USER, "1", "Admin")
    state = world.gateway.app.state

    retried = await retry_event(
        state.session_factory, state.webhook_inbox, world.tenant_id, event.id, actor
    )

    assert retried.status is WebhookEventStatus.RECEIVED
    done = await world.settled(event.id)
    assert done.status is WebhookEventStatus.PROCESSED, done.last_error
    assert done.attempts == 1


async def test_only_failed_events_of_the_tenant_can_be_retried(world: World) -> None:
    from gateway.errors import NotFound, ValidationFailed

    job_id = next(iter(world.fake.jobs))
    body, headers = rf_signed(rf_event("job.updated", job_id=job_id))
    event = await world.settled(
        (await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)).json()["id"]
    )
    state = world.gateway.app.state
    other = world.gateway.tenants["other"].tenant_id
    with pytest.raises(ValidationFailed):
        await retry_event(
            state.session_factory,
            state.webhook_inbox,
            world.tenant_id,
            event.id,
            Actor(world.tenant_id, ActorType.USER, "1", None),
        )
    with pytest.raises(NotFound):
        await retry_event(
            state.session_factory,
            state.webhook_inbox,
            other,
            event.id,
            Actor(other, ActorType.USER, "1", None),
        )


# --- values the store keeps in bounded columns ------------------------------------------

ID_COLUMN = 255
"""``webhook_events.delivery_id``: an id up to this long is kept whole, a longer one refused."""


def signed_with_id(
    world: World, scheme: str, delivery_id: str
) -> tuple[str, bytes, dict[str, str]]:
    """A delivery of an event nothing is refetched for, carrying ``delivery_id`` where
    ``scheme`` puts it: the body's id, Jobvite's eventId, the Standard webhook-id header."""
    if scheme == "recruiterflow":
        body, headers = rf_signed(dict(rf_event("company.updated"), id=delivery_id))
        return f"/webhooks/recruiterflow/{world.rf}", body, headers
    if scheme == "bpoc":
        body, headers = bpoc_signed({"id": delivery_id, "event": "company.updated", "data": {}})
        return f"/webhooks/bpoc/{world.bpoc}", body, headers
    if scheme == "jobvite":
        body = orjson.dumps({"eventId": delivery_id, "eventType": "company.updated"})
        digest = hmac.new(JOBVITE_SECRET.encode(), body, hashlib.sha256).digest()
        headers = {
            "X-JVI-Signature": base64.b64encode(digest).decode(),
            "Content-Type": "application/json",
        }
        return "/webhooks/jobvite/acme-co-77/candidate", body, headers
    body = orjson.dumps({"type": "company.updated", "data": {}})
    stamp = str(int(time.time()))
    message = f"{delivery_id}.{stamp}.".encode() + body
    digest = hmac.new(SECRET.encode(), message, hashlib.sha256).digest()  # not whsec_: raw key
    headers = {
        "webhook-id": delivery_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
        "Content-Type": "application/json",
    }
    return f"/webhooks/standard/{world.rf}", body, headers


def delivery_ids(length: int, *endings: str) -> list[str]:
    """Ids of ``length`` characters sharing everything but their last character."""
    prefix = f"{uuid.uuid4().hex}-".ljust(length - 1, "x")
    return [prefix + ending for ending in endings]


SCHEMES_WITH_IDS = ["recruiterflow", "bpoc", "jobvite", "standard"]


@pytest.mark.parametrize("scheme", SCHEMES_WITH_IDS)
async def test_delivery_ids_as_long_as_the_column_are_kept_whole_and_distinct(
    world: World, scheme: str
) -> None:
    first, second = delivery_ids(ID_COLUMN, "a", "b")
    stored = []
    for delivery_id in (first, second):
        path, body, headers = signed_with_id(world, scheme, delivery_id)
        response = await post(world, path, body, headers)
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "accepted", "ids differing in the last place"
        stored.append(await world.event(response.json()["id"]))
    assert [event.delivery_id for event in stored] == [first, second]

    path, body, headers = signed_with_id(world, scheme, second)
    replay = await post(world, path, body, headers)
    assert replay.json() == {"status": "duplicate", "id": stored[1].id}


@pytest.mark.parametrize("scheme", SCHEMES_WITH_IDS)
async def test_a_delivery_id_longer_than_the_column_gets_400_and_stores_nothing(
    world: World, scheme: str
) -> None:
    """Never cut short: two ids sharing the column's length of prefix are both refused,
    neither taken for the other (nor for an id equal to that prefix)."""
    prefix_only = delivery_ids(ID_COLUMN, "x")[0]
    path, body, headers = signed_with_id(world, scheme, prefix_only)
    kept = await post(world, path, body, headers)
    assert kept.status_code == 202 and kept.json()["status"] == "accepted"
    before = await world.stored()
    for delivery_id in (prefix_only + "a", prefix_only + "b"):
        path, body, headers = signed_with_id(world, scheme, delivery_id)
        response = await post(world, path, body, headers)
        assert response.status_code == 400
        assert response.json() == {"error": "the delivery id is longer than 255 characters"}
    assert await world.stored() == before


async def test_a_jobvite_company_id_longer_than_any_account_id_finds_no_integration(
    world: World,
) -> None:
    """A company id is looked up whole: one character past an account id of the column's
    full length does not reach that integration."""
    account = delivery_ids(ID_COLUMN, "z")[0]
    async with world.gateway.app.state.session_factory.begin() as session:
        integration = await session.get(Integration, world.jobvite)
        assert integration is not None
        integration.external_account_id = account
    try:
        _, body, headers = signed_with_id(world, "jobvite", uuid.uuid4().hex)
        before = await world.stored()
        refused = await post(world, f"/webhooks/jobvite/{account}x/candidate", body, headers)
        assert refused.status_code == 404
        assert await world.stored() == before
        accepted = await post(world, f"/webhooks/jobvite/{account}/candidate", body, headers)
        assert accepted.status_code == 202, accepted.text
    finally:
        async with world.gateway.app.state.session_factory.begin() as session:
            integration = await session.get(Integration, world.jobvite)
            assert integration is not None
            integration.external_account_id = "acme-co-77"


async def test_an_event_name_longer_than_its_column_is_stored_unnamed_and_fails(
    world: World,
) -> None:
    """The event type column holds 128 characters: a name that long is kept as sent, a
    longer one is not cut short into another name; the delivery is stored (it was
    verified) and its processing fails saying why."""
    fits = "x." + "y" * 126
    body, headers = rf_signed(rf_event(fits))
    event = await world.settled(
        (await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)).json()["id"]
    )
    assert event.event_type == fits
    assert event.status is WebhookEventStatus.IGNORED

    body, headers = rf_signed(rf_event("job.updated" + " " * 117 + "x"))
    response = await post(world, f"/webhooks/recruiterflow/{world.rf}", body, headers)
    assert response.status_code == 202
    event = await world.settled(response.json()["id"])
    assert event.event_type is None
    assert event.status is WebhookEventStatus.FAILED
    assert "longer than 128 characters" in (event.last_error or "")
