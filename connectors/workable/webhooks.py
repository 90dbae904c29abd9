"""Workable's webhook deliveries: their signature and what they name.

    delivery_id = verify(headers, body, token, now=time.time(), tolerance=300)
    notice(body)   # Notice("candidate_moved", job_ids=("GROOV005",), candidate_ids=("ce4da98",))

A delivery is ``POST <target>`` with the subscribed event and its resource::

    {"event_type": "candidate_moved", "fired_at": "...", "data": {"id": "ce4da98",
     "job": {"shortcode": "GROOV005"}, "stage": "Interview", ...}}
    X-Workable-Signature: <hex HMAC-SHA256(key, raw body)>

The key is the token the subscription was made with (the account's access token, or
the OAuth application's secret for partner apps): the integration's webhook secret.
Workable signs no timestamp, so ``tolerance`` has nothing to check and a replayed
delivery is only as harmful as a repeated one: a notice names records, the gateway
refetches them. Sources: the package docstring.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import orjson

from connectors.webhooks import MAX_EVENT_CHARS, Notice, NoticeError, SignatureError

SIGNATURE = "X-Workable-Signature"
CANDIDATE_EVENTS = frozenset({"candidate_created", "candidate_moved", "candidate_deleted"})
MAX_ID_CHARS = 255


def sign(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(
    headers: Mapping[str, str], body: bytes, secret: str, *, now: float, tolerance: int
) -> str | None:
    """Raise ``SignatureError`` unless ``body`` carries ``secret``'s signature; return
    the delivery's id where the body has one (Workable documents none)."""
    given = headers.get(SIGNATURE) or headers.get(SIGNATURE.lower())
    if not given or not given.strip():
        raise SignatureError(f"missing {SIGNATURE}")
    if not secret:
        raise SignatureError("no secret to verify with")
    expected = sign(secret, body).encode()
    if not hmac.compare_digest(given.strip().lower().encode("utf-8", "replace"), expected):
        raise SignatureError("signature mismatch")
    value = _object(body, SignatureError)
    found = value.get("id") if value is not None else None
    if isinstance(found, str | int) and not isinstance(found, bool) and str(found).strip():
        return str(found).strip()
    return None


def _object(body: bytes, error: type[Exception]) -> dict[str, Any] | None:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        if error is NoticeError:
            raise NoticeError("the body is not JSON") from None
        return None
    if not isinstance(value, dict):
        if error is NoticeError:
            raise NoticeError("the body is not a JSON object")
        return None
    return value


def _id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    if len(text) > MAX_ID_CHARS:
        raise NoticeError(f"a record id is longer than {MAX_ID_CHARS} characters")
    return text or None


def notice(body: bytes, *, topic: str | None = None) -> Notice:
    """The records a verified delivery names: a candidate event names the candidate
    (``data.id``) and its job (``data.job.shortcode``); employee events and events
    this gateway does not know name nothing. A body without ``event_type`` is a
    ``NoticeError``."""
    value = _object(body, NoticeError)
    assert value is not None
    event = value.get("event_type") or value.get("event")
    if not isinstance(event, str) or not event.strip():
        raise NoticeError("the body names no event_type")
    event = event.strip().lower()
    if len(event) > MAX_EVENT_CHARS:
        raise NoticeError(f"the event name is longer than {MAX_EVENT_CHARS} characters")
    if event not in CANDIDATE_EVENTS:
        return Notice(event)
    raw_data = value.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    nested = data.get("candidate")
    candidate: dict[str, Any] = nested if isinstance(nested, dict) else data
    candidate_id = _id(candidate.get("id"))
    if candidate_id is None:
        raise NoticeError(f"{event} names no candidate")
    job = candidate.get("job") if isinstance(candidate.get("job"), dict) else data.get("job")
    shortcode = _id(job.get("shortcode")) if isinstance(job, dict) else None
    return Notice(event, job_ids=(shortcode,) if shortcode else (), candidate_ids=(candidate_id,))
