"""Signing of the gateway's outbound webhooks, in the scheme each subscription chose.

    secret = generate_secret()                      # 'whsec_<base64 of 24 random bytes>'
    headers = signature_headers(secret, "msg_1f3a...", body, timestamp=1614265330)
    # {'webhook-id': 'msg_1f3a...', 'webhook-timestamp': '1614265330',
    #  'webhook-signature': 'v1,<base64 HMAC-SHA256(key, id.timestamp.body)>'}

    plain = generate_plain_secret()                 # 64 hex characters, used as they are
    framework_headers(plain, "msg_1f3a...", body)
    # {'X-Webhook-Signature': '<hex HMAC-SHA256(plain, body)>',
    #  'X-Webhook-Id': '<uuid of the message>'}

``SignatureScheme.STANDARD_WEBHOOKS`` (the default): a secret is ``whsec_`` + base64 of
24 to 64 random bytes, as the specification serializes it; the HMAC key is the decoded
bytes. Receivers verify with any Standard Webhooks library
(``Webhook(secret).verify(body, headers)``), which base64-decodes whatever follows
``whsec_``: so a plain passphrase is refused rather than stored, since no receiver
library could verify its signatures.

``SignatureScheme.INTEGRATION_FRAMEWORK``: what the integration framework's design
names, for receivers built to it. Its text gives the headers (``X-Webhook-Signature:
sha256_hmac_signature``, ``X-Webhook-Event``, ``X-Webhook-Id: webhook_uuid``), the
algorithm (HMAC with SHA-256), that the payload is what is verified
(``verifySignature(payload, signature, secret)``) and that the secret is a plain string
(``"secret": "webhook_secret"``). Where it is silent we follow the common convention,
so a receiver knows exactly what to compute:

- what is signed: the raw body, exactly the bytes sent (no timestamp, no id);
- the key: the secret's UTF-8 bytes as they are (a ``whsec_...`` string too: no decoding);
- the encoding: lowercase hex of the 32-byte digest, with no ``sha256=`` prefix (the
  design shows none);
- ``X-Webhook-Id``: a UUID, as the design's ``webhook_uuid`` says, naming the message
  (the same on every attempt, so a receiver can drop repeats, as the design's
  idempotency advice needs): ``framework_id(message_id)``, the UUIDv5 of the delivery's
  ``messageId`` in ``FRAMEWORK_ID_NAMESPACE``;
- a plain secret is 16 to 256 printable characters; a generated one is 64 hex digits.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid

from gateway.errors import ValidationFailed
from gateway.store.enums import SignatureScheme

PREFIX = "whsec_"
MIN_KEY_BYTES = 24
MAX_KEY_BYTES = 64

MIN_PLAIN_SECRET = 16
MAX_PLAIN_SECRET = 256
PLAIN_SECRET_BYTES = 32
FRAMEWORK_ID_NAMESPACE = uuid.UUID("6f1d3c2a-8b4e-5f07-9a61-2c5e8d7b4a90")
"""``X-Webhook-Id`` is ``uuid5(FRAMEWORK_ID_NAMESPACE, messageId)``."""


def generate_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode()


def generate_plain_secret() -> str:
    """A plain secret for the integration framework scheme: 64 hex digits (256 bits)."""
    return secrets.token_hex(PLAIN_SECRET_BYTES)


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


def plain_secret_key(secret: str, *, field: str = "secret") -> bytes:
    """The HMAC key of a plain secret: its UTF-8 bytes; ``ValidationFailed`` when it is
    shorter than 16 or longer than 256 characters, or holds a control character."""
    if not MIN_PLAIN_SECRET <= len(secret) <= MAX_PLAIN_SECRET:
        raise ValidationFailed(
            field,
            f"{field} must be {MIN_PLAIN_SECRET} to {MAX_PLAIN_SECRET} characters "
            "for INTEGRATION_FRAMEWORK signatures",
        )
    if not secret.isprintable():
        raise ValidationFailed(field, f"{field} must not hold control characters")
    return secret.encode()


def generate_secret_for(scheme: SignatureScheme) -> str:
    if scheme == SignatureScheme.INTEGRATION_FRAMEWORK:
        return generate_plain_secret()
    return generate_secret()


def check_secret(scheme: SignatureScheme, secret: str, *, field: str = "secret") -> None:
    """``ValidationFailed`` unless ``secret`` can sign in ``scheme``."""
    if scheme == SignatureScheme.INTEGRATION_FRAMEWORK:
        plain_secret_key(secret, field=field)
    else:
        secret_key(secret, field=field)


def sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_headers(
    secret: str, message_id: str, body: bytes, *, timestamp: int
) -> dict[str, str]:
    """Standard Webhooks: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret_key(secret), message_id, timestamp, body),
    }


def framework_signature(secret: str, body: bytes) -> str:
    """Lowercase hex of HMAC-SHA256 over the raw body, keyed with the plain secret."""
    return hmac.new(plain_secret_key(secret), body, hashlib.sha256).hexdigest()


def framework_id(message_id: str) -> str:
    """The ``X-Webhook-Id`` of a message: a UUID, the same for every attempt."""
    return str(uuid.uuid5(FRAMEWORK_ID_NAMESPACE, message_id))


def framework_headers(secret: str, message_id: str, body: bytes) -> dict[str, str]:
    """The integration framework's ``X-Webhook-Signature`` and ``X-Webhook-Id``."""
    return {
        "X-Webhook-Signature": framework_signature(secret, body),
        "X-Webhook-Id": framework_id(message_id),
    }


def headers_for(
    scheme: SignatureScheme, secret: str, message_id: str, body: bytes, *, timestamp: int
) -> dict[str, str]:
    """The signature headers of one attempt in ``scheme``."""
    if scheme == SignatureScheme.INTEGRATION_FRAMEWORK:
        return framework_headers(secret, message_id, body)
    return signature_headers(secret, message_id, body, timestamp=timestamp)


def message_id(*parts: object) -> str:
    """A ``webhook-id`` derived from what identifies the message, so every process that
    builds the same message gives it the same id (and the store keeps one)."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()
    return f"msg_{digest[:32]}"
