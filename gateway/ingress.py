"""Webhook routes: verify, persist, hand off, acknowledge.

    POST /webhooks/recruiterflow/{integration_id}
    POST /webhooks/jobvite/{company_id}/candidate      (and /job; tenant and integration
                                                        from the Jobvite company id)
    POST /webhooks/bpoc/{integration_id}
    POST /webhooks/greenhouse/{integration_id}
    POST /webhooks/lever/{integration_id}
    POST /webhooks/standard/{integration_id}           (any sender using Standard Webhooks)

    202 {"status": "accepted", "id": 17}    stored; processing follows in the background
    202 {"status": "duplicate", "id": 17}   seen before (same delivery id, or where the
                                            sender gives none, the same body within a day)
    400 a delivery id longer than the store keeps (255 characters): refused whole, never
        cut short, so two ids sharing a prefix can never be taken for one another
    401 bad or missing signature, or no webhook secret configured; nothing is stored,
        one log line says why (never the body)
    404 no such integration for this route     409 the integration is disabled
    413 body over ``webhook_max_body_bytes``
    415 a Content-Type other than ``application/json`` (parameters allowed, a charset
        only if UTF-8), or none
    503 the store cannot be reached: not acknowledged, so the sender sends it again
        (``Retry-After: 5``; ``{"error": ..., "requestId": ...}``). A delivery whose
        commit was under way when the connection failed may be stored all the same;
        sent again, it is answered ``duplicate``

The route reads the store twice at most (the integration; the insert) and puts the new
row's id in the ``webhook-events`` inbox; it never waits on an ATS. The row is the
record: if the hand-off is lost the sweep finds the row (``jobs.ingest``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.webhooks import NoticeError, Scheme, SignatureError, parse_notice, verify
from gateway import tracing
from gateway.crypto import CryptoError, webhook_secret_context
from gateway.metrics import WEBHOOKS_RECEIVED
from gateway.runtime import runtime_of
from gateway.store.base import table_of, utcnow
from gateway.store.enums import IntegrationStatus, Provider, WebhookEventStatus
from gateway.store.models import Integration, WebhookEvent
from gateway.unavailable import (
    RETRY_AFTER_SECONDS,
    is_infrastructure_failure,
    request_id,
    unavailable_headers,
)

logger = logging.getLogger("talentgraph.ingress")

DUPLICATE_WINDOW = timedelta(days=1)
KEPT_HEADERS = frozenset(
    {
        "content-type",
        "user-agent",
        "x-recruiterflow-signature",
        "x-jvi-signature",
        "x-bpoc-signature",
        "x-bpoc-timestamp",
        "signature",
        "greenhouse-event-id",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "x-request-id",
        "x-forwarded-for",
    }
)

_events = table_of(WebhookEvent)
_integrations = table_of(Integration)


def _length(column: sa.ColumnElement[Any]) -> int:
    assert isinstance(column.type, sa.String) and column.type.length is not None
    return column.type.length


DELIVERY_ID_MAX = _length(_events.c.delivery_id)
ACCOUNT_ID_MAX = _length(_integrations.c.external_account_id)


class Refused(Exception):
    def __init__(self, status: int, message: str, log: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.log = log


@dataclass(frozen=True, slots=True)
class Target:
    id: int
    tenant_id: int
    provider: Provider
    status: IntegrationStatus
    secret_encrypted: str | None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise Refused(413, f"the body is larger than {limit} bytes")
        except ValueError:
            raise Refused(400, "malformed Content-Length") from None
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Refused(413, f"the body is larger than {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise Refused(400, "the client disconnected") from None
    return b"".join(chunks)


def _is_json(content_type: str) -> bool:
    """Whether a Content-Type is JSON: ``application/json`` exactly, with parameters at
    most; a charset must be UTF-8 (the only encoding JSON between systems may use).

    >>> _is_json("application/json; charset=UTF-8"), _is_json("Application/JSON")
    (True, True)
    >>> _is_json("text/plain; x=json"), _is_json("application/json-seq")
    (False, False)
    """
    media_type, *parameters = content_type.split(";")
    if media_type.strip().lower() != "application/json":
        return False
    for parameter in parameters:
        if not parameter.strip():
            continue
        name, equals, value = parameter.partition("=")
        if not equals:
            return False
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            return False
    return True


def _integration_id(request: Request) -> int:
    raw = request.path_params.get("integration_id", "")
    if not raw.isdigit() or len(raw) > 18:
        raise Refused(404, "no such integration")
    return int(raw)


_TARGET_COLUMNS = (
    _integrations.c.id,
    _integrations.c.tenant_id,
    _integrations.c.provider,
    _integrations.c.status,
    _integrations.c.webhook_secret_encrypted,
)
_TARGET_BY_ID = sa.select(*_TARGET_COLUMNS).where(_integrations.c.id == sa.bindparam("id"))
_TARGET_BY_ID_AND_PROVIDER = _TARGET_BY_ID.where(
    _integrations.c.provider == sa.bindparam("provider")
)
_TARGETS_BY_ACCOUNT = (
    sa.select(*_TARGET_COLUMNS)
    .where(
        _integrations.c.provider == sa.bindparam("provider"),
        _integrations.c.external_account_id == sa.bindparam("account"),
    )
    .order_by(_integrations.c.id)
)
"""Statements built once: the route runs them with parameters only (measurably cheaper
than building and cache-keying a new statement per delivery)."""


async def _targets(conn: AsyncConnection, scheme: Scheme, request: Request) -> list[Target]:
    params: dict[str, Any]
    if scheme is Scheme.JOBVITE:
        company = str(request.path_params.get("company_id", ""))
        if len(company) > ACCOUNT_ID_MAX:
            raise Refused(404, "no such integration")
        query, params = _TARGETS_BY_ACCOUNT, {"provider": Provider.JOBVITE, "account": company}
    elif scheme is Scheme.STANDARD:
        query, params = _TARGET_BY_ID, {"id": _integration_id(request)}
    else:
        query = _TARGET_BY_ID_AND_PROVIDER
        params = {"id": _integration_id(request), "provider": Provider(scheme.value)}
    rows = (await conn.execute(query, params)).all()
    return [
        Target(r.id, r.tenant_id, Provider(r.provider), IntegrationStatus(r.status), r[4])
        for r in rows
    ]


def _verified(
    request: Request, scheme: Scheme, targets: list[Target], body: bytes, now: float
) -> tuple[Target, str | None]:
    """The target whose secret signed ``body`` and the sender's delivery id. Every
    enabled candidate is tried (a Jobvite company can have a stage and a prod one)."""
    runtime = runtime_of(request)
    enabled = [t for t in targets if t.status is not IntegrationStatus.INACTIVE]
    if not enabled:
        raise Refused(409, "the integration is disabled")
    reasons: list[str] = []
    for target in enabled:
        if target.secret_encrypted is None:
            reasons.append(f"integration {target.id} has no webhook secret")
            continue
        try:
            secret = runtime.keyring.decrypt(
                target.secret_encrypted, context=webhook_secret_context(target.tenant_id)
            ).decode()
            delivery_id = verify(
                scheme,
                request.headers,
                body,
                secret,
                now=now,
                tolerance=runtime.settings.webhook_tolerance_seconds,
            )
        except (SignatureError, CryptoError, UnicodeDecodeError) as exc:
            reasons.append(f"integration {target.id}: {exc}")
            continue
        return target, delivery_id
    raise Refused(401, "invalid signature", "; ".join(reasons))


_INSERTS = {
    name: dialect_insert(_events)
    .on_conflict_do_nothing(index_elements=["integration_id", "delivery_id"])
    .returning(_events.c.id)
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
"""Without a delivery id (NULL) nothing conflicts: the body-hash check came first."""


async def _store(
    conn: AsyncConnection,
    target: Target,
    scheme: Scheme,
    request: Request,
    body: bytes,
    delivery_id: str | None,
    handoff_grace: timedelta,
) -> tuple[int, bool]:
    """Insert the event unless it is a duplicate; (row id, duplicate)."""
    digest = hashlib.sha256(body).hexdigest()
    now = utcnow()
    if delivery_id is None:
        if conn.dialect.name == "postgresql":
            await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(digest))))
        seen = await conn.scalar(
            sa.select(_events.c.id)
            .where(
                _events.c.integration_id == target.id,
                _events.c.body_sha256 == digest,
                _events.c.received_at > now - DUPLICATE_WINDOW,
            )
            .limit(1)
        )
        if seen is not None:
            return int(seen), True
    try:
        event_type: str | None = parse_notice(
            scheme, body, topic=request.path_params.get("topic")
        ).event
    except NoticeError:
        event_type = None  # stored all the same; processing records why it failed
    values: dict[str, Any] = {
        "tenant_id": target.tenant_id,
        "integration_id": target.id,
        "provider": target.provider,
        "delivery_id": delivery_id,
        "body_sha256": digest,
        "event_type": event_type,
        "headers": _kept_headers(request),
        "body": body,
        "status": WebhookEventStatus.RECEIVED,
        "attempts": 0,
        "received_at": now,
        "next_attempt_at": now + handoff_grace,
    }
    inserted = await conn.scalar(_INSERTS[conn.dialect.name], values)
    if inserted is not None:
        return int(inserted), False
    existing = await conn.scalar(
        sa.select(_events.c.id).where(
            _events.c.integration_id == target.id, _events.c.delivery_id == delivery_id
        )
    )
    return int(existing or 0), True


def _receiver(scheme: Scheme) -> Any:
    async def receive(request: Request) -> Response:
        runtime = runtime_of(request)
        try:
            content_types = request.headers.getlist("content-type")
            if len(content_types) != 1 or not _is_json(content_types[0]):
                raise Refused(415, "send the webhook as application/json")
            body = await _read_body(request, runtime.settings.webhook_max_body_bytes)
            async with runtime.engine.begin() as conn:
                targets = await _targets(conn, scheme, request)
                if not targets:
                    raise Refused(404, "no such integration")
                target, delivery_id = _verified(request, scheme, targets, body, time.time())
                if delivery_id is not None and len(delivery_id) > DELIVERY_ID_MAX:
                    raise Refused(
                        400, f"the delivery id is longer than {DELIVERY_ID_MAX} characters"
                    )
                grace = timedelta(seconds=runtime.settings.webhook_handoff_grace_seconds)
                event_id, duplicate = await _store(
                    conn, target, scheme, request, body, delivery_id, grace
                )
        except Refused as refused:
            if refused.status == 401:
                logger.warning(
                    "webhook refused: %s %s from %s: %s",
                    scheme.value,
                    request.url.path,
                    request.client.host if request.client else "?",
                    refused.log,
                )
            WEBHOOKS_RECEIVED.labels(scheme.value, str(refused.status)).inc()
            return JSONResponse({"error": refused.message}, status_code=refused.status)
        except Exception as exc:
            if not is_infrastructure_failure(exc):
                raise
            return _not_acknowledged(request, scheme, exc)
        if not duplicate:
            try:
                await runtime.webhook_inbox.put([event_id])
            except Exception as exc:  # stored: the sweep hands it on
                logger.warning("webhook event %s stored, hand-off failed: %s", event_id, exc)
        WEBHOOKS_RECEIVED.labels(scheme.value, "duplicate" if duplicate else "accepted").inc()
        return JSONResponse(
            {"status": "duplicate" if duplicate else "accepted", "id": event_id},
            status_code=202,
        )

    receive.__name__ = f"receive_{scheme.value}"
    return receive


def _not_acknowledged(request: Request, scheme: Scheme, error: Exception) -> Response:
    rid = request_id(request.scope)
    logger.warning(
        "webhook not acknowledged, the store is unavailable: %s %s (request %s): %r",
        scheme.value,
        request.url.path,
        rid,
        error,
    )
    WEBHOOKS_RECEIVED.labels(scheme.value, "503").inc()
    message = (
        "The service is temporarily unavailable and did not take this webhook; "
        f"send it again in {RETRY_AFTER_SECONDS} s"
    )
    return JSONResponse(
        {"error": message, "requestId": rid},
        status_code=503,
        headers=unavailable_headers(rid),
    )


def routes() -> list[Route]:
    return [
        Route(
            "/webhooks/recruiterflow/{integration_id}",
            _receiver(Scheme.RECRUITERFLOW),
            methods=["POST"],
        ),
        Route(
            "/webhooks/jobvite/{company_id}/{topic:str}",
            _jobvite_topics(_receiver(Scheme.JOBVITE)),
            methods=["POST"],
        ),
        Route("/webhooks/bpoc/{integration_id}", _receiver(Scheme.BPOC), methods=["POST"]),
        Route(
            "/webhooks/greenhouse/{integration_id}",
            _receiver(Scheme.GREENHOUSE),
            methods=["POST"],
        ),
        Route("/webhooks/lever/{integration_id}", _receiver(Scheme.LEVER), methods=["POST"]),
        Route("/webhooks/standard/{integration_id}", _receiver(Scheme.STANDARD), methods=["POST"]),
    ]


def _jobvite_topics(receive: Any) -> Any:
    async def jobvite(request: Request) -> Response:
        if request.path_params.get("topic") not in ("candidate", "job"):
            return JSONResponse({"error": "not found"}, status_code=404)
        response: Response = await receive(request)
        return response

    return jobvite


def _kept_headers(request: Request) -> dict[str, str]:
    """The sender's headers processing reads, and the trace the request is part of
    (``traceparent``, when traced), which processing continues."""
    kept = {k: v for k, v in request.headers.items() if k.lower() in KEPT_HEADERS}
    traceparent = tracing.current_traceparent()
    if traceparent is not None:
        kept["traceparent"] = traceparent
    return kept
