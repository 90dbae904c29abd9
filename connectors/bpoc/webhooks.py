"""BPOC's webhooks: ``X-BPOC-Timestamp`` (unix seconds) and ``X-BPOC-Signature`` =
``v1=`` + hex HMAC-SHA256 of ``timestamp + "." + body``; deliveries outside the
tolerance are replays. The body's ``id`` names the delivery; events in the gateway's own
wording."""

from connectors.kit.webhooks import COMMON_EVENTS, HmacWebhook

BPOC_WEBHOOKS = HmacWebhook(
    signature_header="X-BPOC-Signature",
    prefix="v1=",
    timestamp_header="X-BPOC-Timestamp",
    delivery_id_keys=("id",),
    events=COMMON_EVENTS,
)
