"""How the fake Ashby words and signs its webhooks (its documented format,
developers.ashbyhq.com/docs/authenticating-webhooks and /docs/common-payload-data)::

    {"webhookActionId": "<uuid>", "action": "candidateStageChange",
     "data": {"application": {"id": "...", "candidate": {"id": "..."}, "job": {"id": "..."}}}}
    Ashby-Signature: sha256=<hex HMAC-SHA256(secret, body)>

``jobCreate``/``jobUpdate`` carry ``{"job": {"id"}}``, ``interviewScheduleCreate``
``{"interviewSchedule": {"id", "applicationId"}}``, ``ping`` nothing. Signed here on its
own, not with ``connectors.ashby.webhooks``, so a test of one checks the other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from demo.sandbox.webhook_sender import FunctionFormat, Outgoing, id_text

ASHBY_SIGNATURE = "Ashby-Signature"
_APPLICATION = ("job_id", "application_id", "candidate_id")
ASHBY_EVENTS: Mapping[str, tuple[str, ...]] = {
    "applicationSubmit": _APPLICATION,
    "applicationUpdate": _APPLICATION,
    "candidateStageChange": _APPLICATION,
    "candidateHire": _APPLICATION,
    "jobCreate": ("job_id",),
    "jobUpdate": ("job_id",),
    "interviewScheduleCreate": ("application_id", "interview_schedule_id"),
    "ping": (),
}


def sign_ashby(secret: str | bytes, body: bytes) -> str:
    """``Ashby-Signature``: ``"sha256=" + hex HMAC-SHA256 of the raw body``."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def _ashby(
    url: str, secret: str | bytes, event_id: str, event: str, data: Mapping[str, Any], now: float
) -> Outgoing:
    payload: dict[str, Any] = {}
    if "interview_schedule_id" in data:
        payload["interviewSchedule"] = {
            "id": id_text("interview_schedule_id", data["interview_schedule_id"]),
            "applicationId": id_text("application_id", data["application_id"]),
        }
    elif "application_id" in data:
        payload["application"] = {
            "id": id_text("application_id", data["application_id"]),
            "candidate": {"id": id_text("candidate_id", data["candidate_id"])},
            "job": {"id": id_text("job_id", data["job_id"])},
        }
    elif "job_id" in data:
        payload["job"] = {"id": id_text("job_id", data["job_id"])}
    body = json.dumps(
        {"webhookActionId": event_id, "action": event, "data": payload}, separators=(",", ":")
    ).encode()
    headers = {"Content-Type": "application/json", ASHBY_SIGNATURE: sign_ashby(secret, body)}
    return Outgoing(event_id, event, url, body, headers)


ASHBY_FORMAT = FunctionFormat(ASHBY_EVENTS, _ashby)
"""The fake's ``WebhookSource.webhook_format``."""
