"""Standard Webhooks signing for the gateway's outbound webhooks.

    secret = generate_secret()                      # 'whsec_<base64 of 24 random bytes>'
    headers = signature_headers(secret, "msg_1f3a...", body, timestamp=1614265330)
    # {'webhook-id': 'msg_1f3a...', 'webhook-timestamp': '1614265330',
    #  'webhook-signature': 'v1,<base64 HMAC-SHA256(key, id.timestamp.body)>'}

A secret is ``whsec_`` + base64 of 24 to 64 random bytes, as the specification
serializes it; the HMAC key is the decoded bytes. Receivers verify with any Standard
Webhooks library (``Webhook(secret).verify(body, headers)``), which base64-decodes
whatever follows ``whsec_``: so a plain passphrase is refused rather than stored,
since no receiver library could verify its signatures.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from gateway.errors import ValidationFailed

PREFIX = "whsec_"
MIN_KEY_BYTES = 24
MAX_KEY_BYTES = 64


def generate_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode()


def secret_key(secret: str, *, field: str = "secret") -> bytes:
    """The HMAC key inside a ``whsec_`` secret; ``ValidationFailed`` for anything else."""
    if not secret.startswith(PREFIX):
        raise ValidationFailed(field, f"{field} must look like whsec_<base64>")
    encoded = secret[len(PREFIX) :]
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(field, f"{field} must be base64 after whsec_") from exc
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValidationFailed(
            field, f"{field} must hold {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes, got {len(key)}"
        )
    return key


def sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_headers(
    secret: str, message_id: str, body: bytes, *, timestamp: int
) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret_key(secret), message_id, timestamp, body),
    }


def message_id(*parts: object) -> str:
    """A ``webhook-id`` derived from what identifies the message, so every process that
    builds the same message gives it the same id (and the store keeps one)."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()
    return f"msg_{digest[:32]}"
