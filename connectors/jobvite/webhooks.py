"""Jobvite's webhooks: ``X-JVI-Signature`` = base64 HMAC-SHA256 of the body; the body's
``eventId`` names the delivery. Jobvite posts candidate and job hooks to separate URLs
(``/webhooks/jobvite/<company id>/candidate`` and ``/job``) and its bodies carry the
record at the top level with an ``eventType`` that may be missing or unqualified, so
the route's topic completes the event name."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.kit.webhooks import COMMON_EVENTS, HmacWebhook, json_object
from connectors.webhooks import Notice


@dataclass(frozen=True)
class JobviteWebhooks(HmacWebhook):
    def notice(self, body: bytes, *, topic: str | None = None) -> Notice:
        value = json_object(body)
        event = str(value.get("eventType") or f"{topic or 'unknown'}.updated").strip().lower()
        if topic == "job" and event and not event.startswith("job."):
            event = f"job.{event.partition('.')[2] or event}"
        return self.events.notice({"event": event, "data": value})


JOBVITE_WEBHOOKS = JobviteWebhooks(
    signature_header="X-JVI-Signature",
    encoding="base64",
    delivery_id_keys=("eventId",),
    events=COMMON_EVENTS,
)
