"""The sandbox fakes as real webhook senders (``demo/sandbox/webhook_sender.py``).

Each fake's emitter posts over a real ``httpx.AsyncClient`` to a small Starlette
receiver (an ASGI transport, as the fakes themselves are served), which keeps every
request as it arrived; the tests recompute signatures from the raw bodies. The
receiver can hold deliveries back (``gate``) to show that a fake's API answer never
waits for its webhook.

These live beside the connector tests because the fakes are driven through the
connectors, as the gateway drives them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import socket
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connectors.bpoc.connector import BpocConnector
from connectors.errors import UnprocessableError
from connectors.models import Attribution, InterviewRequest, JobDraft, OnboardingTaskDraft
from demo.sandbox.bpoc import (
    MAIN_API_KEY,
    OTHER_AGENCY_RECRUITER_ID,
    OTHER_API_KEY,
    RECRUITER_ID,
    BpocFake,
)
from demo.sandbox.greenhouse import FakeGreenhouse
from demo.sandbox.lever import FakeLever
from demo.sandbox.webhook_sender import (
    EVENTS,
    FunctionFormat,
    Outgoing,
    WebhookEmitter,
    id_text,
    sign_bpoc,
    sign_jobvite,
    sign_recruiterflow,
)
from demo.sandbox.workable import FakeWorkable
from tests.connectors.harness.jobvite import make_harness as jobvite_harness
from tests.connectors.harness.recruiterflow import make_harness as recruiterflow_harness

SECRET = "whsec-sandbox-3f9a"
NOW = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


async def no_sleep(_: float) -> None:
    return None


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """Answers every POST with ``status`` after ``gate`` opens, keeping what came."""

    def __init__(self, status: int = 202) -> None:
        self.status = status
        self.received: list[Received] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.app = Starlette(routes=[Route("/{path:path}", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        await self.gate.wait()
        self.received.append(Received(request.url.path, dict(request.headers), body))
        return Response(status_code=self.status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    made = Receiver()
    yield made
    made.gate.set()


@pytest.fixture
async def sender(receiver: Receiver) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=receiver.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def api_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake")


def hmac_sha256(message: bytes) -> bytes:
    return hmac.new(SECRET.encode(), message, hashlib.sha256).digest()


def assert_recent_iso(text: str) -> None:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() == timedelta(0), "UTC"
    assert abs(moment.timestamp() - time.time()) < 60


# -- signing ----------------------------------------------------------------------------


def test_signatures_match_fixed_vectors() -> None:
    body = b'{"event":"job.updated"}'
    assert sign_recruiterflow("s3cret", body) == (
        "bf47e8e478d53a958add94576de9f0ca2c3b77f445c825a74e383977fca7ebeb"
    )
    assert sign_jobvite("s3cret", body) == "v0fo5HjVOpWK3ZRXbenwyiw7d/RFyCWnTjg5d/yn6+s="
    assert sign_bpoc("s3cret", 1768464000, body) == (
        "v1=fd02b9b7ea62d768b87bb460ceb5a793372113ffcfabb7f51b26277f60e53e3e"
    )
    assert sign_bpoc(b"s3cret", "1768464000", body) == sign_bpoc("s3cret", 1768464000, body)


async def test_bad_events_and_data_are_refused_before_anything_is_scheduled(
    sender: httpx.AsyncClient,
) -> None:
    emitter = WebhookEmitter("recruiterflow", "http://gateway/rf", SECRET, sender)
    with pytest.raises(ValueError, match=r"no 'job\.closed' event"):
        emitter.send("job.closed", job_id=1)
    with pytest.raises(ValueError, match="needs"):
        emitter.send("candidate.stage_changed", job_id=1, candidate_id=2)  # no stage
    with pytest.raises(ValueError, match="needs"):
        emitter.send("job.updated", job_id=1, candidate_id=2)  # a job event has no candidate
    with pytest.raises(ValueError, match="a number"):
        emitter.send("job.updated", job_id="j-1")
    with pytest.raises(ValueError, match="no webhook format"):
        WebhookEmitter("workday", "http://gateway/wd", SECRET, sender)  # type: ignore[arg-type]
    assert emitter.pending == 0 and await emitter.drain() == []


def test_an_id_in_a_delivery_is_a_string_or_a_whole_number() -> None:
    assert id_text("job_id", "j-1") == "j-1"
    assert id_text("job_id", 17) == "17"
    for value in (True, "", None, 1.5, {"id": 1}, ["j-1"]):
        with pytest.raises(ValueError, match="job_id must be a non-empty id"):
            id_text("job_id", value)


async def test_deliveries_go_out_in_order_and_failures_are_recorded(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    emitter = WebhookEmitter("bpoc", "http://gateway/bpoc", SECRET, sender)
    for n in range(5):
        emitter.send("job.updated", job_id=f"job-{n}")
    assert emitter.pending == 5
    await emitter.drain()
    assert [r.json()["data"]["job_id"] for r in receiver.received] == [f"job-{n}" for n in range(5)]
    assert emitter.sent == [("job.updated", 202)] * 5
    receiver.status = 500
    failed = await emitter.emit("job.closed", job_id="job-9")
    assert (failed.status, failed.error) == (500, None)
    assert emitter.sent[-1] == ("job.closed", 500)


async def test_an_unreachable_receiver_is_recorded_not_raised() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with httpx.AsyncClient() as client:
        emitter = WebhookEmitter("jobvite", f"http://127.0.0.1:{port}/jv", SECRET, client)
        emitter.send("job.created", company_id="c1", requisition_id="oJob1")
        [delivery] = await emitter.drain()
    assert delivery.status is None
    assert delivery.error is not None and "ConnectError" in delivery.error
    assert emitter.sent == [("job.created", None)]


async def test_the_emitters_clock_stamps_and_signs(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    fixed = NOW.timestamp()
    emitter = WebhookEmitter("bpoc", "http://gateway/bpoc", SECRET, sender, clock=lambda: fixed)
    await emitter.emit("job.approved", job_id="j1")
    [got] = receiver.received
    assert got.headers["x-bpoc-timestamp"] == "1768464000"
    assert got.json()["occurred_at"] == "2026-01-15T08:00:00.000Z"


async def test_emit_without_webhooks_enabled_says_so() -> None:
    with pytest.raises(RuntimeError, match="enable_webhooks"):
        await BpocFake().emit("job.updated", job_id="j1")


# -- Recruiterflow ----------------------------------------------------------------------

RF_URL = "http://gateway/webhooks/recruiterflow/7"
RF_RECRUITER = Attribution(remote_id="10447")


async def test_recruiterflow_answers_a_move_before_its_webhook_is_delivered(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    harness = recruiterflow_harness()
    harness.seed(jobs=4, candidates=3, applications=6)
    emitter = harness.fake.enable_webhooks(RF_URL, SECRET, sender)
    receiver.gate.clear()  # the receiver holds every delivery
    async with api_client(harness.app) as api:
        connector = harness.connector(api, sleep=no_sleep)
        result = await connector.move_stage("154651:1001", "Client Interview", RF_RECRUITER)
    assert result.remote_id == "154651:1001"
    assert emitter.pending == 1 and emitter.sent == [], "answered while the webhook waits"
    receiver.gate.set()
    await emitter.drain()

    assert emitter.sent == [("candidate.stage_changed", 202)]
    [got] = receiver.received
    assert got.path == "/webhooks/recruiterflow/7"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-recruiterflow-signature"] == hmac_sha256(got.body).hex()
    payload = got.json()
    assert set(payload) == {"id", "event", "created_at", "data"}
    assert re.fullmatch(r"[0-9a-f]{32}", payload["id"])
    assert uuid.UUID(hex=payload["id"]).version == 4
    assert payload["event"] == "candidate.stage_changed"
    assert payload["data"] == {"job_id": 1001, "candidate_id": 154651, "stage": "Client Interview"}
    assert_recent_iso(payload["created_at"])


async def test_recruiterflow_notifies_each_accepted_write_and_no_refused_one(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    harness = recruiterflow_harness()
    harness.seed(jobs=4, candidates=3, applications=6)
    emitter = harness.fake.enable_webhooks(RF_URL, SECRET, sender)
    async with api_client(harness.app) as api:
        connector = harness.connector(api, sleep=no_sleep)
        await connector.add_to_job("154653", "1001", RF_RECRUITER)
        await connector.reject("154651:1001", "Not a fit", RF_RECRUITER)
        await connector.update_job_custom_field("1002", "Current Rank", "3")
        await connector.add_note("154651", "Called", RF_RECRUITER)  # no event for notes
        with pytest.raises(UnprocessableError):
            await connector.move_stage("154651:1001", "Nowhere", RF_RECRUITER)
    await emitter.drain()

    assert emitter.sent == [
        ("candidate.added_to_job", 202),
        ("candidate.stage_changed", 202),
        ("job.updated", 202),
    ]
    assert [r.json()["data"] for r in receiver.received] == [
        {"job_id": 1001, "candidate_id": 154653},
        {"job_id": 1001, "candidate_id": 154651, "stage": "Disqualified"},
        {"job_id": 1002},
    ]
    for got in receiver.received:
        assert got.headers["x-recruiterflow-signature"] == hmac_sha256(got.body).hex()


async def test_recruiterflow_emits_by_hand_for_changes_made_to_its_records(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    harness = recruiterflow_harness()
    harness.seed(jobs=2, candidates=1, applications=1)
    harness.fake.enable_webhooks(RF_URL, SECRET, sender)
    harness.fake.jobs[1002]["is_open"] = False
    delivery = await harness.fake.emit("job.archived", job_id="1002")
    assert (delivery.event, delivery.status) == ("job.archived", 202)
    assert delivery.json()["data"] == {"job_id": 1002}
    assert receiver.received[0].body == delivery.body


# -- Jobvite ----------------------------------------------------------------------------

JV_URL = "http://gateway/webhooks/jobvite/demo-agency"
JV_RECRUITER = Attribution(remote_id="uRecr001")


async def test_jobvite_notifies_onboarding_writes_as_candidate_updates(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    harness = jobvite_harness()
    harness.seed(jobs=2, candidates=2, applications=2)
    fake = harness.fake
    application = list(fake.applications.values())[1]
    emitter = fake.enable_webhooks(JV_URL, SECRET, sender)
    receiver.gate.clear()
    async with api_client(harness.app) as api:
        connector = harness.connector(api, sleep=no_sleep)
        drafts = [OnboardingTaskDraft(title="Upload ID", due_date=date(2024, 4, 1))]
        [created] = await connector.create_onboarding_tasks(
            application.data["eId"], drafts, JV_RECRUITER
        )
        assert emitter.sent == [], "answered while the webhook waits"
        receiver.gate.set()
        await connector.review_onboarding_task(str(created.remote_id), True, JV_RECRUITER)
    await emitter.drain()

    assert emitter.sent == [("candidate.updated", 202)] * 2
    for got in receiver.received:
        assert got.path == "/webhooks/jobvite/demo-agency/candidate"
        assert got.headers["content-type"] == "application/json"
        assert got.headers["x-jvi-signature"] == base64.b64encode(hmac_sha256(got.body)).decode()
        payload = got.json()
        assert set(payload) == {
            "eventId",
            "eventType",
            "companyId",
            "candidateId",
            "requisitionId",
            "timestamp",
        }
        assert uuid.UUID(payload["eventId"])
        assert payload["eventType"] == "candidate.updated"
        assert payload["companyId"] == fake.company_id == "demo-agency"
        assert payload["candidateId"] == application.candidate_eid
        assert payload["requisitionId"] == application.job_eid
        assert isinstance(payload["timestamp"], int)
        assert abs(payload["timestamp"] / 1000 - time.time()) < 60, "epoch milliseconds"


async def test_jobvite_job_events_go_to_the_job_url_without_a_candidate(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    harness = jobvite_harness()
    harness.seed(jobs=1, candidates=0, applications=0)
    [job] = harness.job_ids()
    harness.fake.jobs[job]["jobState"] = "Closed"
    harness.fake.enable_webhooks(JV_URL + "/", SECRET, sender)
    delivery = await harness.fake.emit("job.closed", requisition_id=job)
    assert delivery.status == 202
    [got] = receiver.received
    assert got.path == "/webhooks/jobvite/demo-agency/job"
    payload = got.json()
    assert "candidateId" not in payload
    assert (payload["eventType"], payload["requisitionId"]) == ("job.closed", job)


# -- BPOC -------------------------------------------------------------------------------

BPOC_URL = "http://gateway/webhooks/bpoc/9"
AS_RECRUITER = Attribution(remote_id=RECRUITER_ID)


def bpoc_connector(api: httpx.AsyncClient, key: str = MAIN_API_KEY) -> BpocConnector:
    return BpocConnector.create(api, {"apiKey": key}, {}, integration="t:bpoc", sleep=no_sleep)


def assert_bpoc_signed(got: Received) -> None:
    timestamp = got.headers["x-bpoc-timestamp"]
    assert timestamp.isdigit() and abs(int(timestamp) - time.time()) < 60
    expected = "v1=" + hmac_sha256(timestamp.encode() + b"." + got.body).hex()
    assert got.headers["x-bpoc-signature"] == expected
    assert got.headers["content-type"] == "application/json"


async def test_bpoc_notifies_its_writes_with_a_signed_timestamp(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    fake = BpocFake(now=lambda: NOW)  # the fake's clock is fixed; the signature's is not
    fake.seed(jobs=3, candidates=3, applications=8)
    submitted = next(a for a in fake.applications.values() if a["status"] == "submitted")
    shortlisted = next(a for a in fake.applications.values() if a["status"] == "shortlisted")
    emitter = fake.enable_webhooks(BPOC_URL, SECRET, sender)
    receiver.gate.clear()
    async with api_client(fake.app) as api:
        connector = bpoc_connector(api)
        await connector.release_application(submitted["id"], "Strong", AS_RECRUITER)
        assert emitter.sent == [] and emitter.pending == 1, "answered while the webhook waits"
        receiver.gate.set()
        await connector.reject(shortlisted["id"], "Skills mismatch", AS_RECRUITER)
        created = await connector.create_job(JobDraft(title="QA Analyst"), AS_RECRUITER)
        await connector.approve_job(str(created.remote_id), AS_RECRUITER)
        await connector.schedule_interview(
            InterviewRequest(
                application_remote_id=submitted["id"],
                interview_type="client_round_1",
                scheduled_at=NOW + timedelta(days=2),
            ),
            AS_RECRUITER,
        )
        await connector.create_onboarding_tasks(
            submitted["id"], [OnboardingTaskDraft(title="NBI clearance")], AS_RECRUITER
        )  # no event for onboarding
    await emitter.drain()

    assert emitter.sent == [
        ("application.released", 202),
        ("application.rejected", 202),
        ("job.created", 202),
        ("job.approved", 202),
        ("interview.scheduled", 202),
    ]

    def about(application: dict[str, Any]) -> dict[str, str]:
        return {
            "job_id": application["jobId"],
            "application_id": application["id"],
            "candidate_id": application["candidateId"],
        }

    assert [r.json()["data"] for r in receiver.received] == [
        about(submitted),
        about(shortlisted),
        {"job_id": created.remote_id},
        {"job_id": created.remote_id},
        about(submitted),
    ]
    for got in receiver.received:
        assert got.path == "/webhooks/bpoc/9"
        assert_bpoc_signed(got)
        payload = got.json()
        assert set(payload) == {"id", "event", "occurred_at", "data"}
        assert uuid.UUID(payload["id"])
        assert_recent_iso(payload["occurred_at"])


async def test_bpoc_notifies_only_its_agencys_accepted_writes(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    fake = BpocFake(now=lambda: NOW)
    fake.seed(jobs=2, candidates=2, applications=8)
    rejected = next(a for a in fake.applications.values() if a["status"] == "rejected")
    emitter = fake.enable_webhooks(BPOC_URL, SECRET, sender)
    async with api_client(fake.app) as api:
        other = bpoc_connector(api, OTHER_API_KEY)
        await other.create_job(
            JobDraft(title="Elsewhere"), Attribution(remote_id=OTHER_AGENCY_RECRUITER_ID)
        )
        with pytest.raises(UnprocessableError):
            await bpoc_connector(api).release_application(rejected["id"], None, AS_RECRUITER)
    await emitter.drain()
    assert emitter.sent == [] and receiver.received == []
    job_id = fake.job_ids()[0]
    delivery = await fake.emit("job.updated", job_id=job_id)
    assert delivery.json()["data"] == {"job_id": job_id}
    assert_bpoc_signed(receiver.received[0])


# -- the receiving side reads what the fakes send ---------------------------------------


async def test_connectors_webhooks_verifies_and_reads_every_fakes_notifications(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    webhooks = pytest.importorskip("connectors.webhooks")
    rf = recruiterflow_harness()
    rf.seed(jobs=2, candidates=1, applications=1)
    jv = jobvite_harness()
    jv.seed(jobs=1, candidates=1, applications=1)
    bpoc = BpocFake()
    bpoc.seed(jobs=1, candidates=1, applications=1)
    rf.fake.enable_webhooks(RF_URL, SECRET, sender)
    jv.fake.enable_webhooks(JV_URL, SECRET, sender)
    bpoc.enable_webhooks(BPOC_URL, SECRET, sender)
    greenhouse = FakeGreenhouse()
    greenhouse.seed(jobs=1, candidates=1, applications=1)
    greenhouse.enable_webhooks(BPOC_URL, SECRET, sender)
    [gh_application] = greenhouse.applications.values()
    workable = FakeWorkable()
    workable.seed(jobs=1, candidates=1, applications=1)
    workable.enable_webhooks(BPOC_URL, SECRET, sender)
    [wk_candidate] = workable.candidates.values()
    lever = FakeLever(limiter=None)
    lever.seed(jobs=1, candidates=1, applications=1)
    lever.enable_webhooks(BPOC_URL, SECRET, sender)
    [opportunity] = lever.opportunities.values()
    [application] = bpoc.applications.values()
    [jv_application] = jv.fake.applications.values()
    rf_delivery = await rf.fake.emit("candidate.added_to_job", job_id=1001, candidate_id=154651)
    jv_delivery = await jv.fake.emit(
        "candidate.stage_changed",
        candidate_id=jv_application.candidate_eid,
        requisition_id=jv_application.job_eid,
    )
    bpoc_delivery = await bpoc.emit(
        "application.stage_changed",
        job_id=application["jobId"],
        application_id=application["id"],
        candidate_id=application["candidateId"],
    )
    gh_delivery = await greenhouse.emit(
        "candidate_stage_change",
        job_id=gh_application["job_id"],
        application_id=gh_application["id"],
        candidate_id=gh_application["candidate_id"],
    )
    wk_delivery = await workable.emit(
        "candidate_moved",
        candidate_id=wk_candidate["id"],
        job_shortcode=wk_candidate["job"]["shortcode"],
        stage="Interview",
    )
    lever_delivery = await lever.emit(
        "candidateStageChange",
        opportunity_id=opportunity["id"],
        contact_id=opportunity["contact"],
        posting_id=lever.posting_of(opportunity),
        from_stage_id="lead-new",
        to_stage_id="offer",
    )
    sent = [
        ("recruiterflow", rf_delivery),
        ("jobvite", jv_delivery),
        ("bpoc", bpoc_delivery),
        ("greenhouse", gh_delivery),
        ("workable", wk_delivery),
        ("lever", lever_delivery),
    ]
    expected_candidates = [
        "154651",
        jv_application.candidate_eid,
        application["candidateId"],
        str(gh_application["candidate_id"]),
        wk_candidate["id"],
        opportunity["contact"],
    ]
    for (provider, delivery), candidate in zip(sent, expected_candidates, strict=True):
        scheme = provider
        event_id = webhooks.verify(
            scheme, dict(delivery.headers), delivery.body, SECRET, now=time.time()
        )
        # Workable names no delivery id (connectors.workable.webhooks)
        assert event_id == (None if provider == "workable" else delivery.event_id)
        notice = webhooks.parse_notice(scheme, delivery.body, topic="candidate")
        assert notice.candidate_ids == (candidate,)
        # Lever signs the body's token and time, not its bytes: change the time there.
        tampered = (
            delivery.body.replace(b'"triggeredAt":', b'"triggeredAt":1')
            if provider == "lever"
            else delivery.body + b" "
        )
        with pytest.raises(webhooks.SignatureError):
            webhooks.verify(scheme, dict(delivery.headers), tampered, SECRET, now=time.time())
    assert EVENTS.keys() == {"recruiterflow", "jobvite", "bpoc", "greenhouse"}


async def test_a_fake_of_a_provider_not_built_in_brings_its_own_format(
    receiver: Receiver, sender: httpx.AsyncClient
) -> None:
    def build(url, secret, event_id, event, data, now):  # type: ignore[no-untyped-def]
        body = json.dumps({"type": event, **data}).encode()
        return Outgoing(event_id, event, url, body, {"Content-Type": "application/json"})

    own = FunctionFormat({"thing.changed": ("thing_id",)}, build, lambda: "e-1")
    emitter = WebhookEmitter(own, "http://gateway/own", SECRET, sender)
    with pytest.raises(ValueError, match="sends no"):
        emitter.send("job.updated", job_id=1)
    delivery = await emitter.emit("thing.changed", thing_id=7)
    assert (delivery.event_id, delivery.status) == ("e-1", 202)
    assert json.loads(receiver.received[-1].body) == {"type": "thing.changed", "thing_id": 7}
