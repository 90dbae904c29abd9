"""What the Lever fake sends (connectors/lever/webhooks.py verifies it): the signature
is in the body, no header::

    {"token": "<uuid4 hex>", "triggeredAt": 1768464000000, "event": "candidateStageChange",
     "signature": "<hex HMAC-SHA256(secret, token + str(triggeredAt))>",
     "data": {"opportunityId": "...", "contactId": "...", "postingId": "...",
              "fromStageId": "...", "toStageId": "..."}}

``fromStageId``/``toStageId`` only in ``candidateStageChange``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from typing import Any

from demo.sandbox.webhook_sender import FunctionFormat, Outgoing, id_text

_OPPORTUNITY = ("opportunity_id", "contact_id", "posting_id")
_KEYS = {
    "opportunity_id": "opportunityId",
    "contact_id": "contactId",
    "posting_id": "postingId",
    "from_stage_id": "fromStageId",
    "to_stage_id": "toStageId",
    "interview_id": "interviewId",
}


def sign_lever(secret: str | bytes, token: str, triggered_at: int) -> str:
    """The body's ``signature``: hex HMAC-SHA256 of ``token + str(triggeredAt)``
    (Lever signs those two fields, not the body)."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"{token}{triggered_at}".encode(), hashlib.sha256).hexdigest()


def _delivery(
    url: str, secret: str | bytes, event_id: str, event: str, data: Mapping[str, Any], now: float
) -> Outgoing:
    triggered = int(now * 1000)
    fields = {_KEYS[key]: id_text(key, value) for key, value in data.items()}
    body = json.dumps(
        {
            "token": event_id,
            "triggeredAt": triggered,
            "signature": sign_lever(secret, event_id, triggered),
            "event": event,
            "data": fields,
        },
        separators=(",", ":"),
    ).encode()
    return Outgoing(event_id, event, url, body, {"Content-Type": "application/json"})


LEVER_FORMAT = FunctionFormat(
    {
        "applicationCreated": _OPPORTUNITY,
        "candidateStageChange": (*_OPPORTUNITY, "from_stage_id", "to_stage_id"),
        "candidateArchiveChange": _OPPORTUNITY,
        "candidateHired": _OPPORTUNITY,
        "interviewCreated": (*_OPPORTUNITY, "interview_id"),
        "contactUpdated": ("contact_id",),
    },
    _delivery,
    lambda: uuid.uuid4().hex,
)
