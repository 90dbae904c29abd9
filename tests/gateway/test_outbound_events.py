"""Outbound webhook events and signatures: which bus events fire which outbound events,
the payload they carry, Standard Webhooks signing checked against the specification's
test vector and the ``standardwebhooks`` package, and the integration framework's
``X-Webhook-Signature``/``X-Webhook-Id`` with plain secrets."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from gateway import events
from gateway.errors import ValidationFailed
from gateway.events import EventName
from gateway.outbound_events import OutboundEvent, names_for, payload, timestamp
from gateway.pubsub import Event
from gateway.store.enums import SignatureScheme
from gateway.webhook_signature import (
    check_secret,
    framework_headers,
    generate_plain_secret,
    generate_secret,
    generate_secret_for,
    headers_for,
    message_id,
    plain_secret_key,
    secret_key,
    sign,
    signature_headers,
)

E = OutboundEvent


def _moved(status: str) -> Event:
    return events.application_stage_changed(
        1,
        application_id=7,
        job_id=2,
        candidate_id=5,
        stage="Offer",
        previous_stage="Screen",
        status=status,
    )


def _application(build: Callable[..., Event], status: str) -> Event:
    return build(
        1,
        application_id=7,
        remote_id="A-7",
        job_id=2,
        candidate_id=5,
        stage="New",
        status=status,
    )


def _interview(status: str, previous: str | None = None) -> Event:
    return events.interview_updated(
        1,
        interview_id=4,
        remote_id="I-4",
        application_id=7,
        status=status,
        previous_status=previous,
    )


def _job_moved(status: str, previous: str) -> Event:
    return events.job_status_changed(1, job_id=3, status=status, previous_status=previous)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_application(events.application_created, "active"), [E.APPLICATION_CREATED]),
        (_application(events.application_updated, "rejected"), []),
        (_moved("active"), [E.APPLICATION_STAGE_CHANGED]),
        (_moved("rejected"), [E.APPLICATION_STAGE_CHANGED, E.APPLICATION_REJECTED]),
        (_moved("hired"), [E.APPLICATION_STAGE_CHANGED, E.APPLICATION_HIRED]),
        (
            events.job_created(1, job_id=3, remote_id="J-3", status="open"),
            [E.JOB_CREATED, E.JOB_OPENED],
        ),
        (events.job_created(1, job_id=3, remote_id="J-3", status="draft"), [E.JOB_CREATED]),
        (events.job_updated(1, job_id=3, remote_id="J-3", status="closed"), []),
        (_job_moved("open", "draft"), [E.JOB_OPENED]),
        (_job_moved("closed", "open"), [E.JOB_CLOSED]),
        (_job_moved("archived", "open"), [E.JOB_CLOSED]),
        (_job_moved("on_hold", "open"), []),
        (_job_moved("open", "open"), []),
        (events.candidate_created(1, candidate_id=5, remote_id="C-5"), [E.CANDIDATE_CREATED]),
        (events.candidate_updated(1, candidate_id=5, remote_id="C-5"), [E.CANDIDATE_UPDATED]),
        (
            events.interview_created(1, interview_id=4, application_id=7, status="scheduled"),
            [E.INTERVIEW_SCHEDULED],
        ),
        (
            events.interview_created(1, interview_id=4, application_id=7, status="in_progress"),
            [],
        ),
        (_interview("completed"), [E.INTERVIEW_COMPLETED]),
        (_interview("cancelled"), [E.INTERVIEW_CANCELLED]),
        (_interview("completed", "completed"), []),
        (_interview("in_progress"), []),
        (
            events.interview_completed(
                1,
                interview_id=4,
                application_id=7,
                job_id=2,
                candidate_id=5,
                kind="self_service",
                previous_status="in_progress",
            ),
            [E.INTERVIEW_COMPLETED],
        ),
        (
            events.offer_sent(
                1,
                offer_id=6,
                application_id=7,
                job_id=2,
                candidate_id=5,
                salary=None,
                currency=None,
                start_date=None,
                status="sent",
            ),
            [E.OFFER_SENT],
        ),
        (Event("offer.accepted", 1, {}), [E.OFFER_ACCEPTED]),
        (Event("interview.scheduled", 1, {}), [E.INTERVIEW_SCHEDULED]),
        (
            events.sync_progress(
                1, run_id=1, integration_id=2, phase="jobs", processed=3, counts={}
            ),
            [],
        ),
        (events.job_deleted(1, job_id=3), []),
        (Event(EventName.APPLICATION_STAGE_CHANGED, 1, {"status": "hired"}), []),
    ],
)
def test_bus_events_map_to_outbound_events(event: Event, expected: list[OutboundEvent]) -> None:
    assert names_for(event) == expected


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


def test_framework_signature_is_hex_hmac_sha256_of_the_body_with_the_plain_secret() -> None:
    body = b'{"event":"application.created"}'
    headers = framework_headers("a-plain-webhook-secret", "msg_p5jXN8AQM9LWM0D4loKWxJek", body)
    assert headers == {
        "X-Webhook-Signature": "3740d3c31cbb3738965585f9beea18b860b8c23cd765ae714c7ab651d82b9c60",
        "X-Webhook-Id": "603524a8-a470-591f-a098-c09afb590eed",
    }
    again = framework_headers("a-plain-webhook-secret", "msg_p5jXN8AQM9LWM0D4loKWxJek", body)
    assert again == headers, "no timestamp or nonce: the same message signs the same"


def test_headers_for_picks_the_scheme() -> None:
    body = b"{}"
    standard = headers_for(
        SignatureScheme.STANDARD_WEBHOOKS, generate_secret(), "m", body, timestamp=1
    )
    framework = headers_for(
        SignatureScheme.INTEGRATION_FRAMEWORK, generate_plain_secret(), "m", body, timestamp=1
    )
    assert set(standard) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert set(framework) == {"X-Webhook-Signature", "X-Webhook-Id"}


@pytest.mark.parametrize(
    "secret", ["short", "x" * 257, "sixteen chars\nwith a newline", "tab\tin a long secret"]
)
def test_bad_plain_secrets_are_refused(secret: str) -> None:
    with pytest.raises(ValidationFailed):
        plain_secret_key(secret)


def test_plain_secrets_are_their_utf8_bytes_whsec_strings_included() -> None:
    whsec = generate_secret()
    assert plain_secret_key(whsec) == whsec.encode()
    assert plain_secret_key("sixteen-chars-ok") == b"sixteen-chars-ok"
    assert plain_secret_key("clé secrète partagée") == "clé secrète partagée".encode()
    check_secret(SignatureScheme.INTEGRATION_FRAMEWORK, whsec)
    with pytest.raises(ValidationFailed):
        check_secret(SignatureScheme.STANDARD_WEBHOOKS, "a plain secret, long enough")


def test_generated_secrets_fit_their_scheme() -> None:
    plain = generate_secret_for(SignatureScheme.INTEGRATION_FRAMEWORK)
    assert len(plain) == 64 and int(plain, 16) >= 0 and plain != generate_plain_secret()
    check_secret(SignatureScheme.INTEGRATION_FRAMEWORK, plain)
    check_secret(
        SignatureScheme.STANDARD_WEBHOOKS, generate_secret_for(SignatureScheme.STANDARD_WEBHOOKS)
    )
