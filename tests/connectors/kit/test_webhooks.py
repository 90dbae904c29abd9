"""The kit's declared webhook schemes: signatures, replay windows, delivery ids and
event rules, checked on a declaration of their own rather than through a provider."""

from __future__ import annotations

import base64
import hashlib
import hmac

import orjson
import pytest

from connectors.kit.webhooks import EventRule, EventRules, HmacWebhook, WebhookFunctions, walk
from connectors.webhooks import Notice, NoticeError, SignatureError

SECRET = "s3cret"
RULES = EventRules(
    event=("event", "type"),
    data="data",
    syncs=EventRule(prefixes=("interview.",)),
    jobs=EventRule(names=frozenset({"job.updated"}), job=("job.id", "jobId")),
    candidates=EventRule(prefixes=("candidate.",), candidate="candidate", job="jobs[].id"),
)
PLAIN = HmacWebhook(signature_header="X-Sig", prefix="sha256=", events=RULES)
STAMPED = HmacWebhook(
    signature_header="X-Sig",
    encoding="base64",
    timestamp_header="X-Time",
    delivery_id_keys=("id",),
    events=RULES,
)
BODY = orjson.dumps(
    {
        "id": "evt-1",
        "event": "Candidate.Moved",
        "data": {"candidate": {"id": 7}, "jobs": [{"id": "a"}, {"id": "b"}, {"id": "a"}]},
    }
)


def test_a_hex_signature_with_its_prefix_verifies_and_anything_else_does_not() -> None:
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert PLAIN.signature(SECRET, BODY) == "sha256=" + digest
    assert (
        PLAIN.verify({"X-Sig": "SHA256=" + digest.upper()}, BODY, SECRET, now=0, tolerance=1)
        is None
    )
    for bad in ("sha256=" + "0" * 64, digest, "sha1=" + digest, "sha256="):
        with pytest.raises(SignatureError):
            PLAIN.verify({"X-Sig": bad}, BODY, SECRET, now=0, tolerance=1)
    with pytest.raises(SignatureError):
        PLAIN.verify({"X-Sig": "sha256=" + digest}, BODY + b" ", SECRET, now=0, tolerance=1)
    with pytest.raises(SignatureError, match="missing"):
        PLAIN.verify({}, BODY, SECRET, now=0, tolerance=1)


def test_a_timestamped_signature_covers_the_timestamp_and_expires() -> None:
    digest = hmac.new(SECRET.encode(), b"1000." + BODY, hashlib.sha256).digest()
    headers = {"X-Sig": base64.b64encode(digest).decode(), "X-Time": "1000"}
    assert STAMPED.verify(headers, BODY, SECRET, now=1100, tolerance=300) == "evt-1"
    with pytest.raises(SignatureError, match="tolerance"):
        STAMPED.verify(headers, BODY, SECRET, now=1301, tolerance=300)
    with pytest.raises(SignatureError, match="mismatch"):
        STAMPED.verify({**headers, "X-Time": "1001"}, BODY, SECRET, now=1100, tolerance=300)
    assert STAMPED.headers == frozenset({"x-sig", "x-time"})


def test_event_rules_follow_paths_into_lists_and_objects() -> None:
    assert PLAIN.notice(BODY) == Notice("candidate.moved", job_ids=("a", "b"), candidate_ids=("7",))
    job = orjson.dumps({"type": "job.updated", "data": {"jobId": 4}})
    assert PLAIN.notice(job) == Notice("job.updated", job_ids=("4",))
    interview = orjson.dumps({"event": "interview.created", "data": {"candidate": 1}})
    assert PLAIN.notice(interview) == Notice("interview.created", full_sync=True)
    assert PLAIN.notice(orjson.dumps({"event": "ping"})).empty
    with pytest.raises(NoticeError, match="names no candidate"):
        PLAIN.notice(orjson.dumps({"event": "candidate.created", "data": {}}))
    with pytest.raises(NoticeError, match="names no event"):
        PLAIN.notice(orjson.dumps({"data": {}}))
    with pytest.raises(NoticeError, match="not a JSON object"):
        PLAIN.notice(b"[1]")
    with pytest.raises(NoticeError, match="longer than"):
        PLAIN.notice(orjson.dumps({"event": "x" * 129}))


def test_hostile_shapes_name_nothing_rather_than_fail_unexpectedly() -> None:
    odd = [
        {"event": "candidate.x", "data": {"candidate": [1, 2]}},
        {"event": "candidate.x", "data": "text"},
        {"event": "candidate.x", "data": {"candidate": {"id": True}}},
        {"event": "candidate.x", "data": {"candidate": {"id": "x" * 300}}},
        {"event": 5, "data": {"jobs": {"id": 1}}},
    ]
    outcomes: list[object] = []
    for value in odd:
        try:
            outcomes.append(PLAIN.notice(orjson.dumps(value)))
        except NoticeError as refused:
            outcomes.append(refused)
    assert all(isinstance(outcome, NoticeError) for outcome in outcomes[:4])
    assert outcomes[4] == Notice("5")
    assert list(walk({"a": [{"b": 1}, 2, {"b": None}, {"b": 3}]}, "a[].b")) == [1, 3]


def test_functions_make_a_scheme_for_senders_no_declaration_fits() -> None:
    def verify(headers, body, secret, *, now, tolerance):  # type: ignore[no-untyped-def]
        if body != b"{}":
            raise SignatureError("no")
        return "d-1"

    scheme = WebhookFunctions(verify, lambda body, *, topic: Notice(topic or "?"))
    assert scheme.verify({}, b"{}", SECRET, now=0, tolerance=1) == "d-1"
    assert scheme.notice(b"{}", topic="job") == Notice("job")
