"""Lever webhook deliveries: their signature and what they name.

    token = verify(headers, body, signature_token, now=time.time(), tolerance=300)
    notice(body).candidate_ids          # ("<contact id>",): refetch that person

A delivery is a JSON body ``{"token": ..., "triggeredAt": <epoch ms>, "signature":
..., "event": "candidateStageChange", "data": {...}}``; ``signature`` is the hex
HMAC-SHA256 of ``token + triggeredAt`` (as text, nothing between) keyed with the
webhook's signature token. Lever signs those two fields, not the body: the ``data``
of a delivery is not covered, which is why a notice only names records to refetch
and never carries their state. ``token`` is unique per delivery (the delivery id);
a ``triggeredAt`` further than ``tolerance`` seconds from now is refused as a replay.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import orjson

from connectors.webhooks import MAX_EVENT_CHARS, Notice, NoticeError, SignatureError

JOB_EVENTS = frozenset({"postingcreated", "postingupdated", "postingdeleted"})
SYNC_EVENTS = frozenset({"interviewcreated", "interviewupdated", "interviewdeleted"})
MAX_ID_CHARS = 255


def _body(body: bytes) -> dict[str, Any] | None:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _triggered_text(value: object) -> str | None:
    """``triggeredAt`` as Lever writes it into the signed text: digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return value.strip()
    return None


def signature(signature_token: str, token: str, triggered_at: int | str) -> str:
    """The hex HMAC-SHA256 Lever puts in ``signature``."""
    message = f"{token}{triggered_at}".encode()
    return hmac.new(signature_token.encode(), message, hashlib.sha256).hexdigest()


def verify(
    headers: Mapping[str, str], body: bytes, secret: str, *, now: float, tolerance: int
) -> str | None:
    """The delivery's ``token`` when ``signature`` matches and ``triggeredAt`` is
    within ``tolerance`` seconds of ``now``; ``SignatureError`` otherwise. Headers
    carry nothing of Lever's scheme."""
    value = _body(body)
    if value is None:
        raise SignatureError("the body is not a JSON object")
    token = value.get("token")
    given = value.get("signature")
    triggered = _triggered_text(value.get("triggeredAt"))
    if not isinstance(token, str) or not token.strip():
        raise SignatureError("missing token")
    if not isinstance(given, str) or not given.strip():
        raise SignatureError("missing signature")
    if triggered is None:
        raise SignatureError("missing or malformed triggeredAt")
    expected = signature(secret, token, triggered)
    if not hmac.compare_digest(given.strip().lower().encode(), expected.encode()):
        raise SignatureError("signature mismatch")
    if abs(now - int(triggered) / 1000) > tolerance:
        raise SignatureError("triggeredAt outside the tolerance")
    return token.strip()[:MAX_ID_CHARS]


def _ids(*values: object) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        if isinstance(value, Mapping):
            value = value.get("id")
        if isinstance(value, bool) or not isinstance(value, str | int):
            continue
        text = str(value).strip()
        if not text:
            continue
        if len(text) > MAX_ID_CHARS:
            raise NoticeError(f"a record id is longer than {MAX_ID_CHARS} characters")
        if text not in found:
            found.append(text)
    return tuple(found)


def notice(body: bytes, *, topic: str | None = None) -> Notice:
    """What a verified delivery names. Opportunity events (``applicationCreated``,
    ``candidateStageChange``, ``candidateArchiveChange``, ``candidateHired``,
    ``candidateDeleted``) and ``contactCreated``/``contactUpdated`` name the contact
    (``data.contactId``; the candidate here) and the posting where given; one that
    names only an opportunity, and every interview event, asks for an incremental
    sync. Any other event names nothing."""
    value = _body(body)
    if value is None:
        raise NoticeError("the body is not a JSON object")
    event = value.get("event")
    if not isinstance(event, str) or not event.strip():
        raise NoticeError("the body names no event")
    name = event.strip()
    if len(name) > MAX_EVENT_CHARS:
        raise NoticeError(f"the event name is longer than {MAX_EVENT_CHARS} characters")
    data = value.get("data")
    data = data if isinstance(data, dict) else {}
    lowered = name.lower()
    if lowered in SYNC_EVENTS:
        return Notice(name, full_sync=True)
    if lowered in JOB_EVENTS:
        return Notice(name, job_ids=_ids(data.get("postingId"), data.get("posting")))
    contacts = _ids(data.get("contactId"), data.get("contact"))
    postings = _ids(data.get("postingId"), data.get("posting"))
    if contacts:
        return Notice(name, job_ids=postings, candidate_ids=contacts)
    if _ids(data.get("opportunityId"), data.get("candidateId")):
        return Notice(name, full_sync=True)
    return Notice(name)
