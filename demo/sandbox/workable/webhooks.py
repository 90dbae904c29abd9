"""What the Workable fake sends when a candidate changes: Workable's delivery, the
candidate's part the receiver reads (connectors.workable.webhooks)::

    {"event_type": "candidate_moved", "fired_at": "2026-01-15T08:00:00Z",
     "data": {"id": "ce4da98", "job": {"shortcode": "TG0001A0"}, "stage": "Interview"}}
    X-Workable-Signature: <hex HMAC-SHA256(secret, body)>
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.workable.webhooks import SIGNATURE, sign
from demo.sandbox.webhook_sender import FunctionFormat, Outgoing, id_text

_CANDIDATE = ("candidate_id", "job_shortcode", "stage")


def _delivery(
    url: str, secret: str | bytes, event_id: str, event: str, data: Mapping[str, Any], now: float
) -> Outgoing:
    candidate = {
        "id": id_text("candidate_id", data["candidate_id"]),
        "job": {"shortcode": id_text("job_shortcode", data["job_shortcode"])},
        "stage": id_text("stage", data["stage"]),
    }
    fired = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps(
        {"event_type": event, "fired_at": fired, "data": candidate}, separators=(",", ":")
    ).encode()
    headers = {"Content-Type": "application/json", SIGNATURE: sign(secret, body)}
    return Outgoing(event_id, event, url, body, headers)


WORKABLE_FORMAT = FunctionFormat(
    {"candidate_created": _CANDIDATE, "candidate_moved": _CANDIDATE}, _delivery
)
