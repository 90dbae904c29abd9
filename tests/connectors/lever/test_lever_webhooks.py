"""Lever's webhook scheme (``signature`` = hex HMAC-SHA256 of ``token + triggeredAt``
in the body, keyed with the webhook's signature token), its replay window, and what
its deliveries ask the gateway to refetch; through ``connectors.webhooks`` as the
ingress calls it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.webhooks import Notice, NoticeError, SignatureError, parse_notice, verify
from demo.sandbox.lever.webhooks import sign_lever

SECRET = "lever-signature-token-5d1e"
TOKEN = "3b7f5c1e2d4a4b6c8e9f0a1b2c3d4e5f"
NOW = 1_768_464_000.0
TRIGGERED = int(NOW * 1000)
CONTACT = "0b5e7bf1-3a4e-4c0d-9d64-1a7f5b7d0e21"
OPPORTUNITY = "250d8f03-738a-4bba-a671-8a3d73477145"
POSTING = "f2f01e16-27f8-4711-a728-7d49499795a0"


def delivery(**changes: Any) -> bytes:
    body: dict[str, Any] = {
        "token": TOKEN,
        "triggeredAt": TRIGGERED,
        "signature": sign_lever(SECRET, TOKEN, TRIGGERED),
        "event": "candidateStageChange",
        "data": {
            "opportunityId": OPPORTUNITY,
            "candidateId": OPPORTUNITY,
            "contactId": CONTACT,
            "postingId": POSTING,
            "fromStageId": "lead-new",
            "toStageId": "applicant-new",
        },
    }
    body.update(changes)
    return json.dumps(body).encode()


def test_a_signed_delivery_is_verified_and_named_by_its_token() -> None:
    assert verify("lever", {}, delivery(), SECRET, now=NOW) == TOKEN
    as_text = delivery(triggeredAt=str(TRIGGERED))
    assert verify("lever", {}, as_text, SECRET, now=NOW) == TOKEN
    upper = delivery(signature=sign_lever(SECRET, TOKEN, TRIGGERED).upper())
    assert verify("lever", {}, upper, SECRET, now=NOW + 299) == TOKEN


@pytest.mark.parametrize(
    "body",
    [
        delivery(signature=sign_lever("another signature token", TOKEN, TRIGGERED)),
        delivery(token="f" * 32),
        delivery(triggeredAt=TRIGGERED + 1),
        delivery(signature=""),
        delivery(signature=None),
        delivery(token=None),
        delivery(triggeredAt="yesterday"),
        delivery(triggeredAt=True),
        b"not json",
        b"[]",
    ],
    ids=[
        "wrong secret",
        "token changed",
        "time changed",
        "empty signature",
        "no signature",
        "no token",
        "unreadable time",
        "boolean time",
        "not json",
        "not an object",
    ],
)
def test_tampered_or_unsigned_deliveries_are_refused(body: bytes) -> None:
    with pytest.raises(SignatureError):
        verify("lever", {}, body, SECRET, now=NOW)


def test_a_stale_or_future_delivery_is_refused_as_a_replay() -> None:
    with pytest.raises(SignatureError, match="tolerance"):
        verify("lever", {}, delivery(), SECRET, now=NOW + 301)
    with pytest.raises(SignatureError, match="tolerance"):
        verify("lever", {}, delivery(), SECRET, now=NOW - 301)
    assert verify("lever", {}, delivery(), SECRET, now=NOW + 3000, tolerance=3600)


def test_lever_signs_token_and_time_only_so_data_is_never_trusted() -> None:
    """Lever's scheme leaves ``data`` unsigned: a changed ``data`` still verifies.
    What protects the gateway is that a notice only names records to refetch."""
    forged = delivery(data={"contactId": "someone-else"})
    assert verify("lever", {}, forged, SECRET, now=NOW) == TOKEN
    assert parse_notice("lever", forged) == Notice(
        "candidateStageChange", candidate_ids=("someone-else",)
    )


def test_deliveries_name_what_to_refetch() -> None:
    assert parse_notice("lever", delivery()) == Notice(
        "candidateStageChange", job_ids=(POSTING,), candidate_ids=(CONTACT,)
    )
    contact = delivery(event="contactUpdated", data={"contactId": CONTACT})
    assert parse_notice("lever", contact) == Notice("contactUpdated", candidate_ids=(CONTACT,))
    interview = delivery(event="interviewCreated", data={"opportunityId": OPPORTUNITY})
    assert parse_notice("lever", interview) == Notice("interviewCreated", full_sync=True)
    only_opportunity = delivery(event="candidateHired", data={"opportunityId": OPPORTUNITY})
    assert parse_notice("lever", only_opportunity).full_sync
    nothing = delivery(event="somethingNew", data={})
    assert parse_notice("lever", nothing).empty
    for bad in (delivery(event=None), delivery(event="x" * 200), b"[1]"):
        with pytest.raises(NoticeError):
            parse_notice("lever", bad)
    with pytest.raises(NoticeError):
        parse_notice("lever", delivery(data={"contactId": "c" * 300}))
