"""Standard Webhooks (standardwebhooks.com), for any sender that speaks it.

    webhook-id: msg_2KWPBgLlAfxdpx2AI54pPJ85f4W
    webhook-timestamp: 1674087231
    webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1,...

The signature is base64 HMAC-SHA256 of ``id.timestamp.body``, keyed with the
base64-decoded secret after ``whsec_`` (else the secret's bytes); any of the
space-separated ``v1`` signatures may match (key rotation). Events use the gateway's
own wording (``connectors.kit.webhooks.COMMON_EVENTS``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Iterable, Mapping

from connectors.kit.webhooks import COMMON_EVENTS, json_object
from connectors.webhooks import Notice, SignatureError, fresh, header, hmac_sha256


def standard_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except binascii.Error:
            raise SignatureError("the configured whsec_ secret is not base64") from None
    return secret.encode()


def _any_matches(signatures: Iterable[str], expected: bytes) -> bool:
    matched = False
    for entry in signatures:
        version, _, signature = entry.partition(",")
        if version == "v1":
            matched |= hmac.compare_digest(signature.encode(), expected)
    return matched


class StandardWebhooks:
    headers = frozenset({"webhook-id", "webhook-timestamp", "webhook-signature"})

    def verify(
        self, headers: Mapping[str, str], body: bytes, secret: str, *, now: float, tolerance: int
    ) -> str | None:
        message_id = header(headers, "webhook-id")
        timestamp = header(headers, "webhook-timestamp")
        fresh(timestamp, now, tolerance)
        expected = base64.b64encode(
            hmac_sha256(standard_key(secret), f"{message_id}.{timestamp}.".encode() + body)
        )
        if not _any_matches(header(headers, "webhook-signature").split(), expected):
            raise SignatureError("signature mismatch")
        return message_id

    def notice(self, body: bytes, *, topic: str | None = None) -> Notice:
        return COMMON_EVENTS.notice(json_object(body))


STANDARD = StandardWebhooks()
