"""Workable's webhook scheme (``X-Workable-Signature: <hex HMAC-SHA256(token, body)>``)
and what its deliveries ask the gateway to refetch, through the package's pure
functions and through ``connectors.webhooks``' dispatch."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from connectors import webhooks
from connectors.webhooks import Notice, NoticeError, SignatureError
from connectors.workable.webhooks import notice, verify

SECRET = "wk-account-token-5e2f9c71d3"
BODY = json.dumps(
    {
        "event_type": "candidate_moved",
        "fired_at": "2026-01-15T08:00:00Z",
        "data": {
            "id": "ce4da98",
            "name": "Lakita Marrero",
            "job": {"shortcode": "GROOV005", "title": "Sales Intern"},
            "stage": "Interview",
            "disqualified": False,
        },
    }
).encode()


def sign_workable(secret: str, body: bytes) -> str:
    """Computed here, not by the code under test: hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_delivery_signed_with_the_token_is_verified() -> None:
    headers = {"X-Workable-Signature": sign_workable(SECRET, BODY)}
    assert verify(headers, BODY, SECRET, now=0, tolerance=300) is None
    lower = {"x-workable-signature": sign_workable(SECRET, BODY).upper()}
    assert verify(lower, BODY, SECRET, now=0, tolerance=300) is None
    assert webhooks.verify("workable", headers, BODY, SECRET, now=0) is None
    with_id = json.dumps({"id": "d-17", "event_type": "candidate_created", "data": {}}).encode()
    signed = {"X-Workable-Signature": sign_workable(SECRET, with_id)}
    assert verify(signed, with_id, SECRET, now=0, tolerance=300) == "d-17"


def test_an_old_delivery_is_not_refused_for_its_age() -> None:
    """Workable signs no time: there is nothing stale to refuse (the notice only names
    records, which are refetched)."""
    headers = {"X-Workable-Signature": sign_workable(SECRET, BODY)}
    assert verify(headers, BODY, SECRET, now=4_000_000_000, tolerance=1) is None


@pytest.mark.parametrize(
    ("headers", "body", "secret"),
    [
        ({"X-Workable-Signature": sign_workable("another token", BODY)}, BODY, SECRET),
        ({"X-Workable-Signature": sign_workable(SECRET, BODY)}, BODY + b" ", SECRET),
        (
            {"X-Workable-Signature": sign_workable(SECRET, BODY)},
            BODY.replace(b"ce4", b"ce5"),
            SECRET,
        ),
        ({"X-Workable-Signature": "sha256=" + sign_workable(SECRET, BODY)}, BODY, SECRET),
        ({"X-Workable-Signature": ""}, BODY, SECRET),
        ({"Signature": sign_workable(SECRET, BODY)}, BODY, SECRET),
        ({"X-Workable-Signature": sign_workable("", BODY)}, BODY, ""),
        ({"X-Workable-Signature": "é" + sign_workable(SECRET, BODY)[1:]}, BODY, SECRET),
    ],
    ids=[
        "wrong-secret",
        "tampered-body",
        "changed-id",
        "prefixed",
        "empty",
        "other-header",
        "no-secret",
        "non-ascii",
    ],
)
def test_anything_else_is_refused(headers: dict[str, str], body: bytes, secret: str) -> None:
    with pytest.raises(SignatureError):
        verify(headers, body, secret, now=0, tolerance=300)
    with pytest.raises(SignatureError):
        webhooks.verify("workable", headers, body, secret, now=0)


def test_deliveries_name_the_candidate_and_its_job() -> None:
    expected = Notice("candidate_moved", job_ids=("GROOV005",), candidate_ids=("ce4da98",))
    assert notice(BODY) == expected
    assert webhooks.parse_notice("workable", BODY) == expected
    created = {"event_type": "candidate_created", "data": {"id": 17, "job": None}}
    assert notice(json.dumps(created).encode()) == Notice(
        "candidate_created", candidate_ids=("17",)
    )
    nested = {
        "event_type": "Candidate_Moved",
        "data": {"candidate": {"id": "a1", "job": {"shortcode": "J"}}},
    }
    assert notice(json.dumps(nested).encode()) == Notice(
        "candidate_moved", job_ids=("J",), candidate_ids=("a1",)
    )
    employee = {"event_type": "employee_created", "data": {"id": "e1"}}
    assert notice(json.dumps(employee).encode()).empty


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"data": {"id": "a1"}}',
        b'{"event_type": "", "data": {}}',
        b'{"event_type": "candidate_moved", "data": {"job": {"shortcode": "J"}}}',
        b'{"event_type": "candidate_moved", "data": {"id": true}}',
        json.dumps({"event_type": "candidate_moved", "data": {"id": "x" * 300}}).encode(),
        json.dumps({"event_type": "x" * 200, "data": {}}).encode(),
    ],
)
def test_a_body_that_names_nothing_readable_is_a_notice_error(body: bytes) -> None:
    with pytest.raises(NoticeError):
        notice(body)
