"""Recruiterflow's webhooks: ``X-Recruiterflow-Signature`` = hex HMAC-SHA256 of the body
with the integration's secret; the body's ``id`` (or ``event_id``) names the delivery;
events in the gateway's own wording (``{"event": "candidate.stage_changed", "data":
{"candidate_id": ..., "job_id": ...}}``)."""

from connectors.kit.webhooks import COMMON_EVENTS, HmacWebhook

RECRUITERFLOW_WEBHOOKS = HmacWebhook(
    signature_header="X-Recruiterflow-Signature",
    delivery_id_keys=("id", "event_id"),
    events=COMMON_EVENTS,
)
