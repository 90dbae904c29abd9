"""Outbound webhook events and signatures: which bus events fire which outbound events,
the payload they carry, and Standard Webhooks signing checked against the
specification's test vector and the ``standardwebhooks`` package."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from gateway.errors import ValidationFailed
from gateway.outbound_events import OutboundEvent, names_for, payload, timestamp
from gateway.pubsub import Event
from gateway.webhook_signature import (
    generate_secret,
    message_id,
    secret_key,
    sign,
    signature_headers,
)

E = OutboundEvent


@pytest.mark.parametrize(
    ("event_type", "data", "expected"),
    [
        ("application.created", {"status": "active"}, [E.APPLICATION_CREATED]),
        ("application.updated", {"status": "rejected"}, []),
        (
            "application.stage_changed",
            {"status": "active"},
            [E.APPLICATION_STAGE_CHANGED],
        ),
        (
            "application.stage_changed",
            {"status": "rejected"},
            [E.APPLICATION_STAGE_CHANGED, E.APPLICATION_REJECTED],
        ),
        (
            "application.stage_changed",
            {"status": "hired"},
            [E.APPLICATION_STAGE_CHANGED, E.APPLICATION_HIRED],
        ),
        ("job.created", {"status": "open"}, [E.JOB_CREATED, E.JOB_OPENED]),
        ("job.created", {"status": "draft"}, [E.JOB_CREATED]),
        ("job.updated", {"status": "closed"}, []),
        ("job.status_changed", {"status": "open", "previousStatus": "draft"}, [E.JOB_OPENED]),
        ("job.status_changed", {"status": "closed", "previousStatus": "open"}, [E.JOB_CLOSED]),
        ("job.status_changed", {"status": "archived", "previousStatus": "open"}, [E.JOB_CLOSED]),
        ("job.status_changed", {"status": "on_hold", "previousStatus": "open"}, []),
        ("candidate.created", {}, [E.CANDIDATE_CREATED]),
        ("candidate.updated", {}, [E.CANDIDATE_UPDATED]),
        ("interview.created", {"status": "scheduled"}, [E.INTERVIEW_SCHEDULED]),
        ("interview.created", {"status": "in_progress"}, []),
        ("interview.updated", {"status": "completed"}, [E.INTERVIEW_COMPLETED]),
        ("interview.updated", {"status": "cancelled"}, [E.INTERVIEW_CANCELLED]),
        (
            "interview.updated",
            {"status": "completed", "previousStatus": "completed"},
            [],
        ),
        ("interview.updated", {"status": "in_progress"}, []),
        ("offer.sent", {}, [E.OFFER_SENT]),
        ("offer.accepted", {}, [E.OFFER_ACCEPTED]),
        ("interview.scheduled", {}, [E.INTERVIEW_SCHEDULED]),
        ("sync.progress", {}, []),
        ("job.deleted", {}, []),
    ],
)
def test_bus_events_map_to_outbound_events(
    event_type: str, data: dict[str, object], expected: list[OutboundEvent]
) -> None:
    assert names_for(Event(event_type, 1, data)) == expected


def test_payload_carries_global_ids_and_the_organization() -> None:
    event = Event(
        "application.stage_changed",
        3,
        {
            "id": 7,
            "remoteId": "A-7",
            "jobId": 2,
            "candidateId": 5,
            "stage": "Offer",
            "previousStage": "Screen",
            "status": "active",
        },
        at="2026-10-01T09:30:00+00:00",
    )
    assert payload("application.stage_changed", "acme", event) == {
        "event": "application.stage_changed",
        "timestamp": "2026-10-01T09:30:00.000Z",
        "organizationId": "acme",
        "data": {
            "applicationId": base64.b64encode(b"Application:7").decode(),
            "remoteId": "A-7",
            "jobId": base64.b64encode(b"Job:2").decode(),
            "candidateId": base64.b64encode(b"Candidate:5").decode(),
            "stage": "Offer",
            "previousStage": "Screen",
            "status": "active",
        },
    }


def test_timestamps_are_utc_with_a_z() -> None:
    assert timestamp("2026-10-01T11:30:00.123456+02:00") == "2026-10-01T09:30:00.123Z"
    assert timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000Z"


def test_signature_matches_the_specification_test_vector() -> None:
    key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    signature = sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signed_headers_verify_with_the_standardwebhooks_package() -> None:
    secret = generate_secret()
    body = b'{"event":"job.opened","data":{"jobId":"Sm9iOjE="}}'
    headers = signature_headers(
        secret, "msg_abc", body, timestamp=int(datetime.now(UTC).timestamp())
    )
    assert Webhook(secret).verify(body, headers)["event"] == "job.opened"


@pytest.mark.parametrize(
    "secret",
    [
        "hunter2",
        "whsec_",
        "whsec_not base64!",
        "whsec_" + base64.b64encode(b"x" * 8).decode(),
        "whsec_" + base64.b64encode(b"x" * 65).decode(),
        "whsec_a long pass phrase that is not base64 at all, honestly",
    ],
)
def test_bad_secrets_are_refused(secret: str) -> None:
    with pytest.raises(ValidationFailed):
        secret_key(secret)


def test_secrets_of_24_to_64_bytes_are_taken_padded_or_not() -> None:
    for size in (24, 40, 64):
        encoded = base64.b64encode(bytes(range(size))).decode()
        assert secret_key("whsec_" + encoded) == bytes(range(size))
        assert secret_key("whsec_" + encoded.rstrip("=")) == bytes(range(size))


def test_generated_secrets_are_24_random_bytes() -> None:
    first, second = generate_secret(), generate_secret()
    assert first != second
    assert len(secret_key(first)) == 24


def test_message_ids_are_deterministic_and_short() -> None:
    assert message_id("evt", "job.opened", 1) == message_id("evt", "job.opened", 1)
    assert message_id("evt", "job.opened", 1) != message_id("evt", "job.opened", 2)
    assert len(message_id("x")) <= 64
