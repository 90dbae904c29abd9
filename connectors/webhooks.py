"""Inbound webhooks as each sender signs and words them: verification and notices.

    delivery_id = verify(Scheme.BPOC, headers, body, secret, now=time.time())
    notice = parse_notice(Scheme.BPOC, body)
    notice.job_ids, notice.candidate_ids      # ("j-1",), ("c-7",): what to refetch

Schemes (the vendors document none beyond "HMAC-SHA256 of the body", so the exact
headers for Jobvite and BPOC are the gateway's definition; the sandbox fakes send the
same):

    recruiterflow  X-Recruiterflow-Signature: hex HMAC-SHA256(secret, body)
    jobvite        X-JVI-Signature: base64 HMAC-SHA256(secret, body)
    greenhouse     Signature: sha256 <hex HMAC-SHA256(secret, body)>
                   (Greenhouse's documented scheme; Greenhouse-Event-ID names the delivery)
    lever          body {"token", "triggeredAt", "signature", ...}: hex HMAC-SHA256(secret,
                   token + triggeredAt), stale triggeredAt refused (connectors.lever.webhooks)
    bpoc           X-BPOC-Timestamp: unix seconds
                   X-BPOC-Signature: v1=hex HMAC-SHA256(secret, timestamp + "." + body)
    standard       Standard Webhooks: webhook-id, webhook-timestamp,
                   webhook-signature: "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>"
                   (several space-separated); key = base64-decoded secret after
                   "whsec_", else the secret's bytes

Schemes with a timestamp refuse deliveries more than ``tolerance`` seconds away from
now (replays). Every comparison is constant-time. A notice names records, never
carries their state: processing refetches them from the source, so a notice that
arrives late or twice cannot write stale data.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

DEFAULT_TOLERANCE = 300
MAX_EVENT_CHARS = 128
"""Longest event name a notice may carry; a longer one is an error, never cut short."""


class Scheme(StrEnum):
    RECRUITERFLOW = "recruiterflow"
    JOBVITE = "jobvite"
    BPOC = "bpoc"
    GREENHOUSE = "greenhouse"
    LEVER = "lever"
    STANDARD = "standard"


class SignatureError(Exception):
    """Why a delivery was refused; for the log line only, never for the sender."""


class NoticeError(Exception):
    """A verified body that does not say what changed."""


def _hmac(secret: bytes, message: bytes) -> bytes:
    return hmac.new(secret, message, hashlib.sha256).digest()


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name) or headers.get(name.lower())
    if not value:
        raise SignatureError(f"missing {name}")
    return value.strip()


def _fresh(timestamp: str, now: float, tolerance: int) -> None:
    try:
        sent = int(timestamp)
    except ValueError:
        raise SignatureError("malformed timestamp") from None
    if abs(now - sent) > tolerance:
        raise SignatureError("timestamp outside the tolerance")


def _body_id(body: bytes, *keys: str) -> str | None:
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


def standard_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except binascii.Error:
            raise SignatureError("the configured whsec_ secret is not base64") from None
    return secret.encode()


def verify(
    scheme: Scheme,
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE,
) -> str | None:
    """Raise ``SignatureError`` unless ``body`` is signed with ``secret``; return the
    sender's delivery id as sent, whatever its length (None when the scheme has none)."""
    key = secret.encode()
    if scheme is Scheme.LEVER:
        from connectors.lever import webhooks as lever

        return lever.verify(headers, body, secret, now=now, tolerance=tolerance)
    if scheme is Scheme.RECRUITERFLOW:
        given = _header(headers, "X-Recruiterflow-Signature").lower()
        if not hmac.compare_digest(given.encode(), _hmac(key, body).hex().encode()):
            raise SignatureError("signature mismatch")
        return _body_id(body, "id", "event_id")
    if scheme is Scheme.JOBVITE:
        given = _header(headers, "X-JVI-Signature")
        expected = base64.b64encode(_hmac(key, body))
        if not hmac.compare_digest(given.encode(), expected):
            raise SignatureError("signature mismatch")
        return _body_id(body, "eventId")
    if scheme is Scheme.GREENHOUSE:
        algorithm, _, given = _header(headers, "Signature").partition(" ")
        if algorithm.lower() != "sha256":
            raise SignatureError("unsupported signature algorithm")
        expected = _hmac(key, body).hex().encode()
        if not hmac.compare_digest(given.strip().lower().encode(), expected):
            raise SignatureError("signature mismatch")
        event_id = headers.get("Greenhouse-Event-ID") or headers.get("greenhouse-event-id")
        return event_id.strip() if event_id and event_id.strip() else None
    if scheme is Scheme.BPOC:
        timestamp = _header(headers, "X-BPOC-Timestamp")
        given = _header(headers, "X-BPOC-Signature")
        _fresh(timestamp, now, tolerance)
        wanted = "v1=" + _hmac(key, timestamp.encode() + b"." + body).hex()
        if not hmac.compare_digest(given.encode(), wanted.encode()):
            raise SignatureError("signature mismatch")
        return _body_id(body, "id")
    message_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    _fresh(timestamp, now, tolerance)
    expected = base64.b64encode(
        _hmac(standard_key(secret), f"{message_id}.{timestamp}.".encode() + body)
    )
    if not _any_matches(_header(headers, "webhook-signature").split(), expected):
        raise SignatureError("signature mismatch")
    return message_id


def _any_matches(signatures: Iterable[str], expected: bytes) -> bool:
    matched = False
    for entry in signatures:
        version, _, signature = entry.partition(",")
        if version == "v1":
            matched |= hmac.compare_digest(signature.encode(), expected)
    return matched


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


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise NoticeError(f"the body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise NoticeError("the body is not a JSON object")
    return value


def _ids(*values: Any) -> tuple[str, ...]:
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


def _pick(data: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return None


def parse_notice(scheme: Scheme, body: bytes, *, topic: str | None = None) -> Notice:
    """The records a verified body names. ``topic`` is the route's ("candidate" or "job")
    where the sender splits its webhooks by URL (Jobvite)."""
    if scheme is Scheme.LEVER:
        from connectors.lever import webhooks as lever

        return lever.notice(body, topic=topic)
    value = _json(body)
    if scheme is Scheme.GREENHOUSE:
        return _greenhouse_notice(value)
    if scheme is Scheme.JOBVITE:
        event = str(value.get("eventType") or f"{topic or 'unknown'}.updated")
        data: Mapping[str, Any] = value
    else:
        event = str(_pick(value, "event", "type", "event_type") or "")
        raw = value.get("data")
        data = raw if isinstance(raw, dict) else {}
    if not event:
        raise NoticeError("the body names no event")
    event = event.strip().lower()
    if len(event) > MAX_EVENT_CHARS:
        raise NoticeError(f"the event name is longer than {MAX_EVENT_CHARS} characters")
    job = _pick(data, "job_id", "jobId", "requisitionId", "requisition_id", "job", "requisition")
    candidate = _pick(data, "candidate_id", "candidateId", "candidate")
    if scheme is Scheme.JOBVITE and topic == "job" and not event.startswith("job."):
        event = f"job.{event.partition('.')[2] or event}"
    if event in JOB_EVENTS:
        jobs = _ids(job)
        if not jobs:
            raise NoticeError(f"{event} names no job")
        return Notice(event, job_ids=jobs)
    if event in CANDIDATE_EVENTS:
        candidates = _ids(candidate)
        if not candidates:
            raise NoticeError(f"{event} names no candidate")
        return Notice(event, job_ids=_ids(job), candidate_ids=candidates)
    if event in SYNC_EVENTS:
        return Notice(event, full_sync=True)
    return Notice(event)


GREENHOUSE_SYNC_PREFIXES = ("interview_", "offer_", "scorecard_")


def _greenhouse_notice(value: Mapping[str, Any]) -> Notice:
    """``{"action": "candidate_stage_change", "payload": {"application": {"id": 1,
    "candidate": {"id": 2}, "jobs": [{"id": 3}]}}}`` names candidate 2 (and job 3);
    ``job_*`` actions name ``payload.job``; interviews, offers and scorecards ask for
    an incremental sync; ``ping`` (sent when the hook is saved) and the rest name
    nothing. Greenhouse's webhook docs: developers.greenhouse.io/webhooks.html."""
    action = value.get("action")
    if not isinstance(action, str) or not action.strip():
        raise NoticeError("the body names no action")
    event = action.strip().lower()
    if len(event) > MAX_EVENT_CHARS:
        raise NoticeError(f"the event name is longer than {MAX_EVENT_CHARS} characters")
    payload = value.get("payload")
    data: Mapping[str, Any] = payload if isinstance(payload, dict) else {}
    if event.startswith("job_"):
        job = data.get("job")
        return Notice(event, job_ids=_ids(job if isinstance(job, dict) else None))
    if event.startswith(GREENHOUSE_SYNC_PREFIXES):
        return Notice(event, full_sync=True)
    application = data.get("application")
    application = application if isinstance(application, dict) else {}
    candidate = (
        data.get("candidate") or application.get("candidate") or application.get("candidate_id")
    )
    jobs = application.get("jobs")
    job_ids = _ids(*jobs) if isinstance(jobs, list) else ()
    candidates = _ids(candidate)
    if not candidates:
        return Notice(event)
    return Notice(event, job_ids=job_ids, candidate_ids=candidates)
