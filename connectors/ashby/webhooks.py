"""Ashby's webhooks: the signature check and what a delivery names.

    delivery_id = verify(headers, body, secret, now=time.time(), tolerance=300)
    notice(body).candidate_ids        # ("5b591aed-...",): refetch that candidate

Signing (developers.ashbyhq.com/docs/authenticating-webhooks): with a secret token set
on the webhook, ``Ashby-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>``. The
scheme carries no timestamp, so there is no replay window to check (``now`` and
``tolerance`` are accepted for the common signature and unused); the delivery id is the
body's ``webhookActionId``, the same across retries of one event
(developers.ashbyhq.com/docs/common-payload-data), which is what deduplicates replays.

Payloads (developers.ashbyhq.com/reference/*webhook): ``{"webhookActionId", "action",
"data"}``. Application events (``applicationSubmit``, ``applicationUpdate``,
``candidateStageChange``, ``candidateHire``) carry ``data.application`` with its
``candidate`` and ``job``; job events (``jobCreate``, ``jobUpdate``) ``data.job``;
candidate events ``data.candidate``; interview schedules, interviews and offers ask for
an incremental sync; ``ping`` (sent when a webhook is saved) and anything else name
nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import orjson

from connectors.kit.webhooks import WebhookFunctions
from connectors.webhooks import MAX_EVENT_CHARS, Notice, NoticeError, SignatureError

SIGNATURE = "Ashby-Signature"
SYNC_PREFIXES = ("interview", "offer")


def sign(secret: str | bytes, body: bytes) -> str:
    """The ``Ashby-Signature`` value of ``body``: ``sha256=<hex>``."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name) or headers.get(name.lower())
    return value.strip() if value and value.strip() else None


def _body(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def verify(
    headers: Mapping[str, str], body: bytes, secret: str, *, now: float, tolerance: int
) -> str | None:
    """Raise ``SignatureError`` unless ``body`` is signed with ``secret``; the delivery's
    ``webhookActionId`` when it has one."""
    given = _header(headers, SIGNATURE)
    if given is None:
        raise SignatureError(f"missing {SIGNATURE}")
    algorithm, separator, digest = given.partition("=")
    if not separator or algorithm.strip().lower() != "sha256":
        raise SignatureError("unsupported signature algorithm")
    expected = sign(secret, body).removeprefix("sha256=").encode()
    if not hmac.compare_digest(digest.strip().lower().encode(), expected):
        raise SignatureError("signature mismatch")
    value = _body(body)
    action_id = value.get("webhookActionId") if isinstance(value, dict) else None
    if isinstance(action_id, str | int) and not isinstance(action_id, bool):
        text = str(action_id).strip()
        return text or None
    return None


def _ids(*values: Any) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        if isinstance(value, Mapping):
            value = value.get("id")
        if isinstance(value, bool) or not isinstance(value, int | str):
            continue
        text = str(value).strip()
        if not text:
            continue
        if len(text) > 255:
            raise NoticeError("a record id is longer than 255 characters")
        if text not in found:
            found.append(text)
    return tuple(found)


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def notice(body: bytes, *, topic: str | None = None) -> Notice:
    """What a verified delivery names: ``NoticeError`` for a body that is no JSON object
    or names no action."""
    value = _body(body)
    if not isinstance(value, dict):
        raise NoticeError("the body is not a JSON object")
    action = value.get("action")
    if not isinstance(action, str) or not action.strip():
        raise NoticeError("the body names no action")
    event = action.strip()
    if len(event) > MAX_EVENT_CHARS:
        raise NoticeError(f"the event name is longer than {MAX_EVENT_CHARS} characters")
    raw = value.get("data")
    data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    lowered = event.lower()
    if lowered.startswith(SYNC_PREFIXES):
        return Notice(event, full_sync=True)
    if lowered.startswith("job"):
        job = _object(data, "job")
        return Notice(event, job_ids=_ids(job or data.get("jobId")))
    application = _object(data, "application")
    candidate = (
        application.get("candidate")
        or application.get("candidateId")
        or data.get("candidate")
        or data.get("candidateId")
    )
    candidates = _ids(candidate)
    if not candidates:
        return Notice(event)
    job_ids = _ids(application.get("job") or application.get("jobId"))
    return Notice(event, job_ids=job_ids, candidate_ids=candidates)


ASHBY_WEBHOOKS = WebhookFunctions(verify, notice, headers=frozenset({SIGNATURE.lower()}))
"""The scheme as the registry takes it (``ProviderSpec.webhook``)."""
