"""Signed webhooks from the sandbox fakes, in the wire format of each provider.

    emitter = fake.enable_webhooks("http://gateway/webhooks/recruiterflow/7", "s3cret", client)
    await connector.move_stage("154651:1001", "Offer", None)  # the fake answers, then notifies
    await emitter.drain()
    emitter.sent         # [("candidate.stage_changed", 202)]
    await fake.emit("job.archived", job_id=1001)   # after changing ``fake.jobs`` by hand

A fake hands each notification to ``WebhookEmitter.send``, which signs it at once and
posts it from a task of its own, so the fake's API answer never waits on the receiver.
Deliveries go out one at a time in the order they were sent (like a provider's
per-endpoint queue) and are kept in ``deliveries``; ``drain()`` waits for all of them.

Recruiterflow, Jobvite and BPOC document no webhook format, so these are the
gateway's own definitions; ``connectors/webhooks.py`` verifies the same ones.

Recruiterflow: ``POST <url>``, ``Content-Type: application/json``::

    {"id": "<uuid4 hex>", "event": "candidate.stage_changed",
     "created_at": "2026-01-15T08:00:00.000Z",
     "data": {"job_id": 1001, "candidate_id": 154651, "stage": "Offer"}}
    X-Recruiterflow-Signature: <hex HMAC-SHA256(secret, body)>

``candidate_id`` only in ``candidate.*`` events, ``stage`` only in ``candidate.stage_changed``.

Jobvite: ``POST <url>/candidate`` for ``candidate.*`` events, ``POST <url>/job`` for
``job.*``::

    {"eventId": "<uuid>", "eventType": "candidate.updated", "companyId": "demo-agency",
     "candidateId": "oAbc1234", "requisitionId": "oJob5678", "timestamp": 1768464000000}
    X-JVI-Signature: <base64 HMAC-SHA256(secret, body)>

``candidateId`` only in candidate events; ``timestamp`` is epoch milliseconds.

BPOC: ``POST <url>``::

    {"id": "<uuid>", "event": "application.released", "occurred_at": "2026-01-15T08:00:00.000Z",
     "data": {"job_id": "...", "application_id": "...", "candidate_id": "..."}}
    X-BPOC-Timestamp: <unix seconds>
    X-BPOC-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>

``job.*`` events carry ``job_id`` alone; application and interview events all three.

Greenhouse (its documented format, developers.greenhouse.io/webhooks.html)::

    {"action": "candidate_stage_change",
     "payload": {"application": {"id": 1, "candidate": {"id": 2}, "jobs": [{"id": 3}]}}}
    Greenhouse-Event-ID: <uuid>
    Signature: sha256 <hex HMAC-SHA256(secret, body)>

``job_*`` actions carry ``{"job": {"id": ...}}``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Protocol

import httpx

Provider = Literal["recruiterflow", "jobvite", "bpoc", "greenhouse"]

RECRUITERFLOW_SIGNATURE = "X-Recruiterflow-Signature"
JOBVITE_SIGNATURE = "X-JVI-Signature"
BPOC_TIMESTAMP = "X-BPOC-Timestamp"
BPOC_SIGNATURE = "X-BPOC-Signature"
GREENHOUSE_SIGNATURE = "Signature"
GREENHOUSE_EVENT_ID = "Greenhouse-Event-ID"

_RF_CANDIDATE = ("job_id", "candidate_id")
_JV_CANDIDATE = ("company_id", "candidate_id", "requisition_id")
_JV_JOB = ("company_id", "requisition_id")
_BPOC_APPLICATION = ("job_id", "application_id", "candidate_id")
_GH_APPLICATION = ("job_id", "application_id", "candidate_id")

EVENTS: Mapping[Provider, Mapping[str, tuple[str, ...]]] = {
    "recruiterflow": {
        "job.created": ("job_id",),
        "job.updated": ("job_id",),
        "job.archived": ("job_id",),
        "candidate.stage_changed": (*_RF_CANDIDATE, "stage"),
        "candidate.added_to_job": _RF_CANDIDATE,
    },
    "jobvite": {
        "candidate.updated": _JV_CANDIDATE,
        "candidate.stage_changed": _JV_CANDIDATE,
        "candidate.added_to_job": _JV_CANDIDATE,
        "job.created": _JV_JOB,
        "job.updated": _JV_JOB,
        "job.closed": _JV_JOB,
    },
    "bpoc": {
        "job.created": ("job_id",),
        "job.updated": ("job_id",),
        "job.approved": ("job_id",),
        "job.closed": ("job_id",),
        "application.created": _BPOC_APPLICATION,
        "application.stage_changed": _BPOC_APPLICATION,
        "application.released": _BPOC_APPLICATION,
        "application.rejected": _BPOC_APPLICATION,
        "interview.scheduled": _BPOC_APPLICATION,
    },
    "greenhouse": {
        "new_candidate_application": _GH_APPLICATION,
        "candidate_stage_change": _GH_APPLICATION,
        "reject_candidate": _GH_APPLICATION,
        "job_created": ("job_id",),
        "job_updated": ("job_id",),
    },
}
"""Each provider's events and the data (keyword arguments of ``send``) each needs."""


# -- signatures -------------------------------------------------------------------------


def _hmac(secret: str | bytes, message: bytes) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, hashlib.sha256).digest()


def sign_recruiterflow(secret: str | bytes, body: bytes) -> str:
    """``X-Recruiterflow-Signature``: hex HMAC-SHA256 of the raw body."""
    return _hmac(secret, body).hex()


def sign_jobvite(secret: str | bytes, body: bytes) -> str:
    """``X-JVI-Signature``: base64 HMAC-SHA256 of the raw body."""
    return base64.b64encode(_hmac(secret, body)).decode("ascii")


def sign_greenhouse(secret: str | bytes, body: bytes) -> str:
    """``Signature``: ``"sha256 " + hex HMAC-SHA256 of the raw body`` (Greenhouse's
    documented scheme)."""
    return "sha256 " + _hmac(secret, body).hex()


def sign_bpoc(secret: str | bytes, timestamp: int | str, body: bytes) -> str:
    """``X-BPOC-Signature``: ``"v1=" + hex HMAC-SHA256(f"{timestamp}." + body)``; the
    timestamp is the ``X-BPOC-Timestamp`` header (unix seconds), so a replay cannot
    change it without breaking the signature."""
    return "v1=" + _hmac(secret, f"{timestamp}.".encode() + body).hex()


# -- what goes out ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A signed notification, ready to post."""

    event_id: str
    event: str
    url: str
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Delivery:
    """A notification after its POST: ``status`` is the receiver's answer, ``None``
    (with ``error``) when no answer came."""

    event_id: str
    event: str
    url: str
    body: bytes = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    status: int | None
    error: str | None = None

    def json(self) -> Any:
        return json.loads(self.body)


def _encode(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _iso(moment: float) -> str:
    """``1768464000.0`` -> ``"2026-01-15T08:00:00.000Z"``."""
    when = datetime.fromtimestamp(moment, UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _number(name: str, value: Any) -> int:
    """Recruiterflow ids are numbers on the wire: ``"1001"`` and ``1001`` -> ``1001``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError(f"{name} must be a Recruiterflow id (a number), got {value!r}")


def id_text(name: str, value: Any) -> str:
    """An id as the string a delivery carries: ``"a1"`` and ``17`` -> ``"a1"``, ``"17"``;
    anything else (``True``, ``""``, ``None``, an object) is a ``ValueError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise ValueError(f"{name} must be a non-empty id, got {value!r}")
    return str(value)


def _recruiterflow(
    url: str, secret: str | bytes, event_id: str, event: str, data: Mapping[str, Any], now: float
) -> Outgoing:
    fields: dict[str, Any] = {
        key: (str(value) if key == "stage" else _number(key, value)) for key, value in data.items()
    }
    body = _encode(
        {"id": event_id, "event": event, "created_at": _iso(now), "data": fields},
    )
    headers = {
        "Content-Type": "application/json",
        RECRUITERFLOW_SIGNATURE: sign_recruiterflow(secret, body),
    }
    return Outgoing(event_id, event, url, body, headers)


def _jobvite(
    url: str, secret: str | bytes, event_id: str, event: str, data: Mapping[str, Any], now: float
) -> Outgoing:
    payload: dict[str, Any] = {
        "eventId": event_id,
        "eventType": event,
        "companyId": id_text("company_id", data["company_id"]),
    }
    if "candidate_id" in data:
        payload["candidateId"] = id_text("candidate_id", data["candidate_id"])
    payload["requisitionId"] = id_text("requisition_id", data["requisition_id"])
    payload["timestamp"] = int(now * 1000)
    body = _encode(payload)
    headers = {"Content-Type": "application/json", JOBVITE_SIGNATURE: sign_jobvite(secret, body)}
    kind = event.partition(".")[0]  # "candidate" or "job"
    return Outgoing(event_id, event, f"{url.rstrip('/')}/{kind}", body, headers)


def _bpoc(
    url: str, secret: str | bytes, event_id: str, event: str, data: Mapping[str, Any], now: float
) -> Outgoing:
    fields = {key: id_text(key, value) for key, value in data.items()}
    body = _encode({"id": event_id, "event": event, "occurred_at": _iso(now), "data": fields})
    timestamp = str(int(now))
    headers = {
        "Content-Type": "application/json",
        BPOC_TIMESTAMP: timestamp,
        BPOC_SIGNATURE: sign_bpoc(secret, timestamp, body),
    }
    return Outgoing(event_id, event, url, body, headers)


def _greenhouse(
    url: str, secret: str | bytes, event_id: str, event: str, data: Mapping[str, Any], now: float
) -> Outgoing:
    if "application_id" in data:
        payload: dict[str, Any] = {
            "application": {
                "id": _number("application_id", data["application_id"]),
                "candidate": {"id": _number("candidate_id", data["candidate_id"])},
                "jobs": [{"id": _number("job_id", data["job_id"])}],
            }
        }
    else:
        payload = {"job": {"id": _number("job_id", data["job_id"])}}
    body = _encode({"action": event, "payload": payload})
    headers = {
        "Content-Type": "application/json",
        GREENHOUSE_EVENT_ID: event_id,
        GREENHOUSE_SIGNATURE: sign_greenhouse(secret, body),
    }
    return Outgoing(event_id, event, url, body, headers)


class WebhookFormat(Protocol):
    """How one sender words and signs its notifications. A fake whose provider is not
    built in here declares its own (``WebhookSource.webhook_format``)."""

    @property
    def events(self) -> Mapping[str, tuple[str, ...]]:
        """Each event and the data (keyword arguments of ``send``) it needs."""
        ...

    def event_id(self) -> str: ...

    def build(
        self,
        url: str,
        secret: str | bytes,
        event_id: str,
        event: str,
        data: Mapping[str, Any],
        now: float,
    ) -> Outgoing: ...


@dataclass(frozen=True)
class FunctionFormat:
    """A ``WebhookFormat`` from its event list and two functions."""

    events: Mapping[str, tuple[str, ...]]
    build_outgoing: Callable[[str, str | bytes, str, str, Mapping[str, Any], float], Outgoing]
    new_event_id: Callable[[], str] = lambda: str(uuid.uuid4())

    def event_id(self) -> str:
        return self.new_event_id()

    def build(
        self,
        url: str,
        secret: str | bytes,
        event_id: str,
        event: str,
        data: Mapping[str, Any],
        now: float,
    ) -> Outgoing:
        return self.build_outgoing(url, secret, event_id, event, data, now)


FORMATS: Mapping[str, WebhookFormat] = {
    "recruiterflow": FunctionFormat(
        EVENTS["recruiterflow"], _recruiterflow, lambda: uuid.uuid4().hex
    ),
    "jobvite": FunctionFormat(EVENTS["jobvite"], _jobvite),
    "bpoc": FunctionFormat(EVENTS["bpoc"], _bpoc),
    "greenhouse": FunctionFormat(EVENTS["greenhouse"], _greenhouse),
}


# -- the emitter ------------------------------------------------------------------------


class WebhookEmitter:
    """Posts one provider's signed notifications to one URL over a real HTTP client.

        emitter = WebhookEmitter("bpoc", "http://gateway/webhooks/bpoc/9", "s3cret", client)
        emitter.send("job.approved", job_id=job_id)   # signed now, posted by a task
        await emitter.drain()                         # every scheduled POST answered
        emitter.sent                                  # [("job.approved", 202)]

    ``clock`` (unix seconds) stamps the payload and BPOC's signed timestamp; it is the
    emitter's own, not the fake's, so a fake living at a fixed date still sends
    notifications a receiver's replay window accepts.
    """

    def __init__(
        self,
        provider: str | WebhookFormat,
        url: str,
        secret: str | bytes,
        client: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        if isinstance(provider, str):
            if provider not in FORMATS:
                raise ValueError(f"no webhook format for {provider!r}")
            self.format = FORMATS[provider]
        else:
            self.format = provider
        self.provider = provider if isinstance(provider, str) else type(provider).__name__
        self.url = url
        self.client = client
        self.deliveries: list[Delivery] = []
        """Every finished POST, in delivery order."""
        self._secret = secret
        self._clock = clock
        self._timeout = timeout
        self._tasks: set[asyncio.Task[Delivery]] = set()
        self._one_at_a_time = asyncio.Lock()

    def __repr__(self) -> str:
        return f"WebhookEmitter({self.provider!r}, {self.url!r})"

    @property
    def sent(self) -> list[tuple[str, int | None]]:
        """``[(event, status), ...]`` of the finished deliveries, in order."""
        return [(delivery.event, delivery.status) for delivery in self.deliveries]

    @property
    def pending(self) -> int:
        """Notifications scheduled and not yet answered."""
        return sum(1 for task in self._tasks if not task.done())

    def build(self, event: str, **data: Any) -> Outgoing:
        """The signed request for ``event``, without sending it. The data must be
        exactly what ``EVENTS`` lists for it (``ValueError`` otherwise)."""
        wanted = self.format.events.get(event)
        if wanted is None:
            known = ", ".join(self.format.events)
            raise ValueError(f"{self.provider} sends no {event!r} event (it sends {known})")
        given = {key: value for key, value in data.items() if value is not None}
        if set(given) != set(wanted):
            raise ValueError(f"{self.provider} {event} needs {sorted(wanted)}, got {sorted(given)}")
        event_id = self.format.event_id()
        return self.format.build(self.url, self._secret, event_id, event, given, self._clock())

    def send(self, event: str, **data: Any) -> asyncio.Task[Delivery]:
        """Sign ``event`` now and post it from a task; returns at once. Bad event
        names or data raise here, in the caller."""
        outgoing = self.build(event, **data)
        task = asyncio.create_task(self._deliver(outgoing), name=f"webhook {event}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def emit(self, event: str, **data: Any) -> Delivery:
        """``send`` and wait for the receiver's answer."""
        return await self.send(event, **data)

    async def drain(self) -> list[Delivery]:
        """Wait until every scheduled notification is answered (or failed); returns
        all deliveries so far."""
        while pending := [task for task in self._tasks if not task.done()]:
            await asyncio.gather(*pending)
        return list(self.deliveries)

    async def _deliver(self, outgoing: Outgoing) -> Delivery:
        async with self._one_at_a_time:
            status: int | None = None
            error: str | None = None
            try:
                response = await self.client.post(
                    outgoing.url,
                    content=outgoing.body,
                    headers=dict(outgoing.headers),
                    timeout=self._timeout,
                )
                status = response.status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            delivery = Delivery(
                event_id=outgoing.event_id,
                event=outgoing.event,
                url=outgoing.url,
                body=outgoing.body,
                headers=outgoing.headers,
                status=status,
                error=error,
            )
            self.deliveries.append(delivery)
            return delivery


class WebhookSource:
    """What a fake mixes in to notify a receiver of its changes.

    The fake declares ``webhooks: WebhookEmitter | None = None`` and calls
    ``self.notify(event, ...)`` after each accepted write; nothing is sent until
    ``enable_webhooks`` (or assigning ``webhooks``)."""

    webhook_provider: ClassVar[str]
    webhook_format: ClassVar[WebhookFormat | None] = None
    """A fake's own format, for a provider not built in here (its package declares it)."""
    webhooks: WebhookEmitter | None

    def enable_webhooks(
        self,
        url: str,
        secret: str | bytes,
        client: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.time,
    ) -> WebhookEmitter:
        """Notify ``url``, signing with ``secret``, over ``client``; the emitter, which
        is also ``self.webhooks``."""
        sender = self.webhook_format or self.webhook_provider
        self.webhooks = WebhookEmitter(sender, url, secret, client, clock=clock)
        return self.webhooks

    def webhook_defaults(self) -> dict[str, Any]:
        """Data every event of this fake carries unless given (Jobvite's company id)."""
        return {}

    def notify(self, event: str, **data: Any) -> None:
        """Schedule ``event`` if webhooks are enabled; never waits for the receiver."""
        if self.webhooks is not None:
            self.webhooks.send(event, **{**self.webhook_defaults(), **data})

    async def emit(self, event: str, **data: Any) -> Delivery:
        """Send ``event`` now and wait for the answer: for tests and demos that change
        the fake's records directly, e.g. ``await fake.emit("job.updated", job_id=1001)``."""
        if self.webhooks is None:
            raise RuntimeError(
                "webhooks are not enabled: call enable_webhooks(url, secret, client)"
            )
        return await self.webhooks.emit(event, **{**self.webhook_defaults(), **data})


__all__ = [
    "BPOC_SIGNATURE",
    "BPOC_TIMESTAMP",
    "EVENTS",
    "FORMATS",
    "GREENHOUSE_EVENT_ID",
    "GREENHOUSE_SIGNATURE",
    "JOBVITE_SIGNATURE",
    "RECRUITERFLOW_SIGNATURE",
    "Delivery",
    "FunctionFormat",
    "Outgoing",
    "Provider",
    "WebhookEmitter",
    "WebhookFormat",
    "WebhookSource",
    "sign_bpoc",
    "sign_greenhouse",
    "sign_jobvite",
    "sign_recruiterflow",
]
