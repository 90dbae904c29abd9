"""Inbound webhook schemes, declared: how a sender signs, and what its events name.

Most vendors sign the raw body with HMAC-SHA256 and put the digest in a header, with a
prefix and an encoding of their own; some add a timestamp to the signed message. That
is a declaration, not code:

    GREENHOUSE = HmacWebhook(
        signature_header="Signature", prefix="sha256 ",          # "sha256 <hex>"
        delivery_id_header="Greenhouse-Event-ID",
        events=EventRules(
            event="action", data="payload",
            jobs=EventRule(prefixes=("job_",), job="job.id"),
            syncs=EventRule(prefixes=("interview_", "offer_", "scorecard_")),
            candidates=EventRule(
                candidate=("candidate.id", "application.candidate.id"),
                job=("application.jobs[].id",),
            ),
        ),
    )

A sender whose scheme is not a header HMAC (Lever signs ``token + triggeredAt`` and
puts the signature in the body) implements ``WebhookScheme`` itself: the two methods
and the headers worth keeping.

Paths are dotted keys; ``[]`` walks every item of a list (``application.jobs[].id``);
a path ending on an object takes its ``id``. Every comparison is constant-time and a
notice names records, never carries their state (``connectors.webhooks``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import orjson

from connectors.webhooks import (
    CANDIDATE_EVENTS,
    JOB_EVENTS,
    MAX_EVENT_CHARS,
    SYNC_EVENTS,
    Notice,
    NoticeError,
    SignatureError,
    body_id,
    fresh,
    header,
    record_ids,
)


class WebhookScheme(Protocol):
    @property
    def headers(self) -> frozenset[str]:
        """Lower-case names of the headers kept with a stored delivery (its signature
        and delivery id), so processing and audits can see how it came."""
        ...

    def verify(
        self, headers: Mapping[str, str], body: bytes, secret: str, *, now: float, tolerance: int
    ) -> str | None:
        """Raise ``SignatureError`` unless ``body`` is signed with ``secret``; the
        sender's delivery id, or None when it sends none."""
        ...

    def notice(self, body: bytes, *, topic: str | None = None) -> Notice:
        """What a verified body says changed; ``NoticeError`` when it says nothing
        readable. ``topic`` is the route's, for senders that split hooks by URL."""
        ...


Paths = tuple[str, ...]


def _paths(value: str | Paths) -> Paths:
    return (value,) if isinstance(value, str) else value


def walk(value: Any, path: str) -> Iterator[Any]:
    """Every value at ``path`` (``a.b``, ``a[].b``) inside ``value``."""
    found: list[Any] = [value]
    for part in path.split("."):
        each = part.endswith("[]")
        key = part.removesuffix("[]")
        step: list[Any] = []
        for item in found:
            if not isinstance(item, Mapping):
                continue
            child = item.get(key)
            if each:
                step.extend(child if isinstance(child, list) else [])
            elif child is not None:
                step.append(child)
        found = step
    yield from found


def ids_at(value: Any, paths: Paths) -> tuple[str, ...]:
    return record_ids(*(found for path in paths for found in walk(value, path)))


@dataclass(frozen=True)
class EventRule:
    """Which events a rule covers (exact names or prefixes, compared lower-case) and
    where their job and candidate ids are, relative to the event's data."""

    names: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    job: str | Paths = ()
    candidate: str | Paths = ()
    any_event: bool = False
    """Covers every event no earlier rule took (the last rule's fallback)."""

    def covers(self, event: str) -> bool:
        return self.any_event or event in self.names or event.startswith(self.prefixes or ("\0",))


@dataclass(frozen=True)
class EventRules:
    """How a sender words its events: where the event name and the record are, and
    which events name jobs, which name candidates, and which only an incremental sync
    can follow (interviews, offers: nothing to refetch by id)."""

    event: str | Paths = ("event", "type", "event_type")
    data: str | None = "data"
    jobs: EventRule = EventRule()
    candidates: EventRule = EventRule()
    syncs: EventRule = EventRule()
    require_ids: bool = True
    """A job or candidate event naming no record is an error (and, if False, a notice
    naming nothing: for senders that also send such events as pings)."""

    def notice(self, value: Mapping[str, Any]) -> Notice:
        event = next(
            (str(v).strip().lower() for p in _paths(self.event) for v in walk(value, p) if v),
            "",
        )
        if not event:
            raise NoticeError("the body names no event")
        if len(event) > MAX_EVENT_CHARS:
            raise NoticeError(f"the event name is longer than {MAX_EVENT_CHARS} characters")
        data = next(walk(value, self.data), None) if self.data else value
        data = data if isinstance(data, Mapping) else {}
        if self.syncs.covers(event):
            return Notice(event, full_sync=True)
        if self.jobs.covers(event):
            jobs = ids_at(data, _paths(self.jobs.job))
            if not jobs and self.require_ids:
                raise NoticeError(f"{event} names no job")
            return Notice(event, job_ids=jobs)
        if self.candidates.covers(event):
            candidates = ids_at(data, _paths(self.candidates.candidate))
            if not candidates:
                if self.require_ids:
                    raise NoticeError(f"{event} names no candidate")
                return Notice(event)
            jobs = ids_at(data, _paths(self.candidates.job))
            return Notice(event, job_ids=jobs, candidate_ids=candidates)
        return Notice(event)


def json_object(body: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise NoticeError(f"the body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise NoticeError("the body is not a JSON object")
    return value


@dataclass(frozen=True)
class HmacWebhook:
    """HMAC-SHA256 of the raw body (or of ``timestamp + "." + body``), keyed with the
    integration's webhook secret, in ``signature_header`` as ``prefix`` + hex or
    base64. With ``timestamp_header``, deliveries further than the tolerance from now
    are refused as replays."""

    signature_header: str
    events: EventRules
    encoding: Literal["hex", "base64"] = "hex"
    prefix: str = ""
    timestamp_header: str | None = None
    delivery_id_header: str | None = None
    delivery_id_keys: tuple[str, ...] = ()
    """Where the body carries the delivery id, when no header does."""
    headers: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        names = {self.signature_header, self.timestamp_header, self.delivery_id_header}
        object.__setattr__(self, "headers", frozenset(n.lower() for n in names if n))

    def signature(self, secret: str, body: bytes, timestamp: str | None = None) -> str:
        """The header value a sender puts on ``body``; fakes sign with it too."""
        message = body if timestamp is None else timestamp.encode() + b"." + body
        digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
        encoded = digest.hex() if self.encoding == "hex" else base64.b64encode(digest).decode()
        return self.prefix + encoded

    def verify(
        self, headers: Mapping[str, str], body: bytes, secret: str, *, now: float, tolerance: int
    ) -> str | None:
        timestamp = None
        if self.timestamp_header is not None:
            timestamp = header(headers, self.timestamp_header)
            fresh(timestamp, now, tolerance)
        given = header(headers, self.signature_header)
        if self.prefix and not given.lower().startswith(self.prefix.lower()):
            raise SignatureError("unsupported signature algorithm")
        given = given[len(self.prefix) :].strip()
        if self.encoding == "hex":
            given = given.lower()
        expected = self.signature(secret, body, timestamp)[len(self.prefix) :]
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise SignatureError("signature mismatch")
        if self.delivery_id_header is not None:
            sent = headers.get(self.delivery_id_header) or headers.get(
                self.delivery_id_header.lower()
            )
            if sent and sent.strip():
                return sent.strip()
        return body_id(body, *self.delivery_id_keys) if self.delivery_id_keys else None

    def notice(self, body: bytes, *, topic: str | None = None) -> Notice:
        return self.events.notice(json_object(body))


COMMON_JOB_PATHS: Paths = (
    "job_id",
    "jobId",
    "requisitionId",
    "requisition_id",
    "job",
    "requisition",
)
COMMON_EVENTS = EventRules(
    jobs=EventRule(names=JOB_EVENTS, job=COMMON_JOB_PATHS),
    candidates=EventRule(
        names=CANDIDATE_EVENTS,
        candidate=("candidate_id", "candidateId", "candidate"),
        job=COMMON_JOB_PATHS,
    ),
    syncs=EventRule(names=SYNC_EVENTS),
)
"""The gateway's own wording (``{"event": "candidate.stage_changed", "data":
{"candidate_id": ..., "job_id": ...}}``): Recruiterflow's, BPOC's and what a Standard
Webhooks sender is expected to send."""


@dataclass(frozen=True)
class WebhookFunctions:
    """A scheme written as two functions, for a sender no declaration fits."""

    verify_body: Callable[..., str | None]
    read_notice: Callable[..., Notice]
    headers: frozenset[str] = frozenset()

    def verify(
        self, headers: Mapping[str, str], body: bytes, secret: str, *, now: float, tolerance: int
    ) -> str | None:
        return self.verify_body(headers, body, secret, now=now, tolerance=tolerance)

    def notice(self, body: bytes, *, topic: str | None = None) -> Notice:
        return self.read_notice(body, topic=topic)
