"""Ashby's webhook scheme (``Ashby-Signature: sha256=<hex HMAC-SHA256(secret, body)>``,
``webhookActionId`` naming the event) and what its documented deliveries ask the
gateway to refetch. The scheme has no timestamp, so nothing is stale by age: a replay
is caught by its ``webhookActionId``, which the ingress deduplicates."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from connectors.ashby import webhooks as ashby
from connectors.registry import provider_spec
from connectors.webhooks import Notice, NoticeError, SignatureError, parse_notice, verify
from demo.sandbox.ashby import FakeAshby
from demo.sandbox.ashby.webhooks import sign_ashby

SECRET = "8b943c474f5d1e1712f13e1a870b485c9b6b2b57"
BODY = json.dumps(
    {
        "webhookActionId": "75395d87-4044-4dc4-bc29-0cec185e5f06",
        "action": "candidateStageChange",
        "data": {
            "application": {
                "id": "3ae2b801-19f6-41ef-ad28-214bd731948f",
                "candidate": {"id": "f9e52a51-a075-4116-a7b8-484deba69004", "name": "Adam"},
                "job": {"id": "1a2b3c4d-0000-4000-8000-000000000001"},
                "currentInterviewStage": {"id": "s-1", "title": "Onsite"},
            }
        },
    }
).encode()


def test_the_signature_is_the_documented_hex_digest() -> None:
    expected = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert ashby.sign(SECRET, BODY) == expected == sign_ashby(SECRET, BODY)


def test_a_delivery_signed_with_the_secret_is_verified_and_named_by_its_action_id() -> None:
    headers = {"Ashby-Signature": sign_ashby(SECRET, BODY)}
    event_id = verify("ashby", headers, BODY, SECRET, now=0)
    assert event_id == "75395d87-4044-4dc4-bc29-0cec185e5f06"
    lower = {"ashby-signature": sign_ashby(SECRET, BODY).upper().replace("SHA256=", "sha256=")}
    assert ashby.verify(lower, BODY, SECRET, now=10**10, tolerance=1) == event_id
    bare = b'{"action": "ping"}'
    assert (
        verify("ashby", {"Ashby-Signature": sign_ashby(SECRET, bare)}, bare, SECRET, now=0) is None
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Ashby-Signature": sign_ashby("another secret", BODY)},
        {"Ashby-Signature": sign_ashby(SECRET, BODY + b" ")},
        {"Ashby-Signature": sign_ashby(SECRET, BODY).replace("sha256=", "sha1=")},
        {"Ashby-Signature": sign_ashby(SECRET, BODY).removeprefix("sha256=")},
        {"Ashby-Signature": "sha256="},
        {"Signature": sign_ashby(SECRET, BODY)},
        {},
    ],
    ids=["wrong secret", "other body", "sha1", "no algorithm", "empty", "other header", "none"],
)
def test_anything_else_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(SignatureError):
        verify("ashby", headers, BODY, SECRET, now=0)


def test_a_tampered_body_is_refused() -> None:
    headers = {"Ashby-Signature": sign_ashby(SECRET, BODY)}
    tampered = BODY.replace(b"f9e52a51", b"00000000")
    with pytest.raises(SignatureError):
        verify("ashby", headers, tampered, SECRET, now=0)


def test_an_application_event_names_its_candidate_and_job() -> None:
    notice = parse_notice("ashby", BODY)
    assert notice == Notice(
        "candidateStageChange",
        job_ids=("1a2b3c4d-0000-4000-8000-000000000001",),
        candidate_ids=("f9e52a51-a075-4116-a7b8-484deba69004",),
    )


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"action": "jobUpdate", "data": {"job": {"id": "j-1"}}},
            Notice("jobUpdate", job_ids=("j-1",)),
        ),
        (
            {"action": "candidateHire", "data": {"application": {"candidate": {"id": "c-1"}}}},
            Notice("candidateHire", candidate_ids=("c-1",)),
        ),
        (
            {"action": "candidateMerge", "data": {"candidate": {"id": "c-2"}}},
            Notice("candidateMerge", candidate_ids=("c-2",)),
        ),
        (
            {"action": "interviewScheduleCreate", "data": {"interviewSchedule": {"id": "s"}}},
            Notice("interviewScheduleCreate", full_sync=True),
        ),
        ({"action": "offerCreate", "data": {}}, Notice("offerCreate", full_sync=True)),
        ({"action": "ping"}, Notice("ping")),
        ({"action": "applicationUpdate", "data": "not an object"}, Notice("applicationUpdate")),
    ],
)
def test_what_each_kind_of_delivery_names(payload: dict[str, object], expected: Notice) -> None:
    assert parse_notice("ashby", json.dumps(payload).encode()) == expected


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"data": {}}',
        b'{"action": ""}',
        b'{"action": 7}',
        json.dumps({"action": "x" * 200}).encode(),
        json.dumps({"action": "jobUpdate", "data": {"job": {"id": "j" * 300}}}).encode(),
    ],
)
def test_a_body_that_names_nothing_parseable_is_a_notice_error(body: bytes) -> None:
    with pytest.raises(NoticeError):
        parse_notice("ashby", body)


def test_the_registry_serves_this_scheme_and_keeps_its_header() -> None:
    scheme = provider_spec("ashby").webhook
    assert scheme is ashby.ASHBY_WEBHOOKS
    assert scheme.headers == frozenset({"ashby-signature"})


async def test_what_the_fake_sends_is_verified_and_read() -> None:
    import httpx

    received: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(202)

    fake = FakeAshby()
    fake.seed(jobs=1, candidates=1, applications=1)
    [application] = fake.applications.values()
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as sender:
        fake.enable_webhooks("https://gw.example/webhooks/ashby/1", SECRET, sender)
        delivery = await fake.emit(
            "candidateStageChange",
            job_id=application["job"]["id"],
            application_id=application["id"],
            candidate_id=application["candidate"]["id"],
        )
    assert delivery.status == 202 and len(received) == 1
    headers = dict(delivery.headers)
    assert verify("ashby", headers, delivery.body, SECRET, now=0) == delivery.event_id
    assert parse_notice("ashby", delivery.body).candidate_ids == (application["candidate"]["id"],)
    with pytest.raises(SignatureError):
        verify("ashby", headers, delivery.body + b" ", SECRET, now=0)
