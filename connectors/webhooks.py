"""Inbound webhooks: the notice a delivery makes, and verification by scheme.

    delivery_id = verify("bpoc", headers, body, secret, now=time.time())
    notice = parse_notice("bpoc", body)
    notice.job_ids, notice.candidate_ids      # ("j-1",), ("c-7",): what to refetch

A scheme is a provider's slug, or ``standard`` for any sender using Standard Webhooks
(``connectors.kit.standard``). Each provider declares its own in its package
(``ProviderSpec.webhook``, see ``connectors.kit``); the gateway's built-in ones:

    recruiterflow  X-Recruiterflow-Signature: hex HMAC-SHA256(secret, body)
    jobvite        X-JVI-Signature: base64 HMAC-SHA256(secret, body)
    greenhouse     Signature: sha256 <hex HMAC-SHA256(secret, body)>
                   (Greenhouse's documented scheme; Greenhouse-Event-ID names the delivery)
    bpoc           X-BPOC-Timestamp: unix seconds
                   X-BPOC-Signature: v1=hex HMAC-SHA256(secret, timestamp + "." + body)
    standard       Standard Webhooks: webhook-id, webhook-timestamp,
                   webhook-signature: "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>"
                   (several space-separated); key = base64-decoded secret after
                   "whsec_", else the secret's bytes

(the vendors of Jobvite and BPOC document nothing beyond "HMAC-SHA256 of the body", so
their exact headers are the gateway's definition; the sandbox fakes send the same).

Schemes with a timestamp refuse deliveries more than ``tolerance`` seconds away from
now (replays). Every comparison is constant-time. A notice names records, never
carries their state: processing refetches them from the source, so a notice that
arrives late or twice cannot write stale data.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from connectors.kit.webhooks import WebhookScheme

DEFAULT_TOLERANCE = 300
MAX_EVENT_CHARS = 128
"""Longest event name a notice may carry; a longer one is an error, never cut short."""


class SignatureError(Exception):
    """Why a delivery was refused; for the log line only, never for the sender."""


class NoticeError(Exception):
    """A verified body that does not say what changed."""


def hmac_sha256(secret: bytes, message: bytes) -> bytes:
    return hmac.new(secret, message, hashlib.sha256).digest()


def header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name) or headers.get(name.lower())
    if not value:
        raise SignatureError(f"missing {name}")
    return value.strip()


def fresh(timestamp: str, now: float, tolerance: int) -> None:
    try:
        sent = int(timestamp)
    except ValueError:
        raise SignatureError("malformed timestamp") from None
    if abs(now - sent) > tolerance:
        raise SignatureError("timestamp outside the tolerance")


def body_id(body: bytes, *keys: str) -> str | None:
    """The sender's delivery id from the (verified) JSON body, if it has one."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict):
        return None
    for key in keys:
        found = value.get(key)
        if isinstance(found, str | int) and str(found).strip():
            return str(found).strip()
    return None


def verify(
    scheme: str,
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE,
) -> str | None:
    """Raise ``SignatureError`` unless ``body`` is signed with ``secret`` the way
    ``scheme`` signs; return the sender's delivery id as sent, whatever its length
    (None when the scheme has none)."""
    return webhook_scheme(scheme).verify(headers, body, secret, now=now, tolerance=tolerance)


def parse_notice(scheme: str, body: bytes, *, topic: str | None = None) -> Notice:
    """The records a verified body names. ``topic`` is the route's ("candidate" or "job")
    where the sender splits its webhooks by URL (Jobvite)."""
    return webhook_scheme(scheme).notice(body, topic=topic)


def webhook_scheme(scheme: str) -> WebhookScheme:
    """``standard`` or a provider's declared scheme (``ProviderSpec.webhook``)."""
    from connectors.kit.standard import STANDARD
    from connectors.registry import provider_spec

    if scheme == STANDARD_SCHEME:
        return STANDARD
    spec = provider_spec(str(scheme))
    if spec.webhook is None:
        raise SignatureError(f"{scheme} sends no webhooks")
    return spec.webhook


STANDARD_SCHEME = "standard"


@dataclass(frozen=True, slots=True)
class Notice:
    """What a verified delivery says changed, as remote ids to refetch."""

    event: str
    job_ids: tuple[str, ...] = ()
    candidate_ids: tuple[str, ...] = ()
    full_sync: bool = False
    """The change is of a kind no targeted refetch covers (e.g. an interview): the
    integration's incremental sync picks it up."""

    @property
    def empty(self) -> bool:
        return not (self.job_ids or self.candidate_ids or self.full_sync)


JOB_EVENTS = frozenset(
    {
        "job.created",
        "job.updated",
        "job.archived",
        "job.approved",
        "job.closed",
        "job.opened",
        "job.deleted",
    }
)
CANDIDATE_EVENTS = frozenset(
    {
        "candidate.created",
        "candidate.updated",
        "candidate.stage_changed",
        "candidate.added_to_job",
        "application.created",
        "application.updated",
        "application.stage_changed",
        "application.released",
        "application.rejected",
        "application.hired",
    }
)
SYNC_EVENTS = frozenset(
    {
        "interview.scheduled",
        "interview.updated",
        "interview.completed",
        "interview.cancelled",
        "onboarding.updated",
        "onboarding_task.updated",
    }
)
"""The gateway's own event names: what Recruiterflow and BPOC send, and what a
Standard Webhooks sender is expected to."""


def record_ids(*values: Any) -> tuple[str, ...]:
    """Distinct ids of ``values`` (ids, or objects with an ``id``/``eId``), in order."""
    found: list[str] = []
    for value in values:
        if isinstance(value, dict):
            value = value.get("id") or value.get("eId")
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | str) and str(value).strip():
            text = str(value).strip()
            if len(text) > 255:
                raise NoticeError("a record id is longer than 255 characters")
            if text not in found:
                found.append(text)
    return tuple(found)
