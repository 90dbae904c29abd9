"""Greenhouse's webhook scheme (``Signature: sha256 <hex HMAC-SHA256(secret, body)>``)
and what its documented deliveries ask the gateway to refetch."""

from __future__ import annotations

import json

import pytest

from connectors.webhooks import Notice, NoticeError, SignatureError, parse_notice, verify
from demo.sandbox.webhook_sender import sign_greenhouse

SECRET = "gh-hook-secret"
BODY = json.dumps(
    {
        "action": "candidate_stage_change",
        "payload": {
            "application": {
                "id": 265277,
                "candidate": {"id": 265772, "first_name": "Hector"},
                "jobs": [{"id": 4561}],
                "current_stage": {"id": 71416, "name": "Assessment"},
            }
        },
    }
).encode()


def test_a_delivery_signed_with_the_secret_is_verified_and_named_by_its_event_id() -> None:
    headers = {"Signature": sign_greenhouse(SECRET, BODY), "Greenhouse-Event-ID": "e-17"}
    assert verify("greenhouse", headers, BODY, SECRET, now=0) == "e-17"
    upper = {"signature": sign_greenhouse(SECRET, BODY).upper().replace("SHA256", "sha256")}
    assert verify("greenhouse", upper, BODY, SECRET, now=0) is None


@pytest.mark.parametrize(
    "signature",
    [
        sign_greenhouse("another secret", BODY),
        sign_greenhouse(SECRET, BODY + b" "),
        sign_greenhouse(SECRET, BODY).replace("sha256 ", "sha1 "),
        sign_greenhouse(SECRET, BODY).removeprefix("sha256 "),
        "",
    ],
)
def test_anything_else_is_refused(signature: str) -> None:
    with pytest.raises(SignatureError):
        verify("greenhouse", {"Signature": signature}, BODY, SECRET, now=0)


def test_documented_deliveries_name_what_to_refetch() -> None:
    assert parse_notice("greenhouse", BODY) == Notice(
        "candidate_stage_change", job_ids=("4561",), candidate_ids=("265772",)
    )
    job = json.dumps({"action": "job_updated", "payload": {"job": {"id": 4561}}}).encode()
    assert parse_notice("greenhouse", job) == Notice("job_updated", job_ids=("4561",))
    interview = json.dumps({"action": "interview_deleted", "payload": {}}).encode()
    assert parse_notice("greenhouse", interview).full_sync
    ping = json.dumps({"action": "ping", "payload": {"web_hook_id": 1}}).encode()
    assert parse_notice("greenhouse", ping).empty
    with pytest.raises(NoticeError):
        parse_notice("greenhouse", b'{"payload": {}}')
