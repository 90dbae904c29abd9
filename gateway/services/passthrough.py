"""An admin's request to a source system's own API, through the integration, audited.

    answer = await run_passthrough(deps, actor, integration_id, request)
    answer.status, answer.headers, answer.body

The integration must be the caller's tenant's (``NotFound`` otherwise, before anything
else). Its connector is built from the stored credentials (``connector_for``: its base
URL, its auth with OAuth refresh, its rate limit), and ``connectors.passthrough`` decides
what may be sent: a request it refuses is a ``ValidationFailed`` naming the part at
fault, and nothing reaches any server. Every attempt on an integration of the tenant,
sent or refused, leaves an activity (``integration.passthrough``) and an operational-log
line (source ``passthrough``) with the method, the path and the status or the refusal:
never the query, the body, the answer or the credentials.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from connectors.errors import ConnectorError, PassthroughRefusedError
from connectors.passthrough import PassthroughAnswer, PassthroughRequest
from gateway.crypto import CryptoError, Keyring
from gateway.errors import RemoteWriteFailed, ValidationFailed
from gateway.oplog import LogEntry, stage_logs
from gateway.services.activities import Actor, record_activity
from gateway.services.connections import connector_for
from gateway.services.validation import tenant_row
from gateway.store.engine import SessionFactory
from gateway.store.enums import LogLevel
from gateway.store.models import Integration

__all__ = ["PassthroughDeps", "PassthroughRequest", "run_passthrough"]

ACTION = "integration.passthrough"
SOURCE = "passthrough"
_SHOWN_PATH = 300


@dataclass(frozen=True, slots=True)
class PassthroughDeps:
    session_factory: SessionFactory
    keyring: Keyring
    http: httpx.AsyncClient


async def run_passthrough(
    deps: PassthroughDeps, actor: Actor, integration_id: int, request: PassthroughRequest
) -> PassthroughAnswer:
    async with deps.session_factory() as session:
        integration: Integration = await tenant_row(
            session, Integration, actor.tenant_id, integration_id, "Integration"
        )
    try:
        connector = connector_for(
            integration, deps.keyring, deps.http, session_factory=deps.session_factory
        )
        answer = await connector.passthrough(request)
    except PassthroughRefusedError as refused:
        await _record(deps, actor, integration, request, f"refused: {refused.message}")
        raise ValidationFailed(refused.field, refused.message) from refused
    except ConnectorError as error:
        await _record(deps, actor, integration, request, f"failed: {error.message}")
        raise RemoteWriteFailed(
            f"{integration.name}: {error.message}",
            retryable=error.retryable,
            status_code=error.status,
        ) from error
    except CryptoError as error:
        await _record(deps, actor, integration, request, "failed: credentials do not decrypt")
        raise RemoteWriteFailed(
            f"{integration.name}: stored credentials do not decrypt with the configured keys",
            retryable=False,
        ) from error
    await _record(deps, actor, integration, request, f"HTTP {answer.status}", answer.status)
    return answer


async def _record(
    deps: PassthroughDeps,
    actor: Actor,
    integration: Integration,
    request: PassthroughRequest,
    outcome: str,
    status: int | None = None,
) -> None:
    method = request.method.strip().upper()[:10]
    path = request.path[:_SHOWN_PATH]
    said = f"{method} {path} on {integration.name}: {outcome}"
    details = {"method": method, "path": path, "status": status, "outcome": outcome[:300]}
    async with deps.session_factory.begin() as session:
        record_activity(
            session,
            actor,
            action=ACTION,
            subject_type="Integration",
            subject_id=integration.id,
            description=f"Passthrough {said}",
            details=details,
        )
        level = LogLevel.INFO if status is not None and status < 400 else LogLevel.WARNING
        await stage_logs(
            session,
            [
                LogEntry(
                    actor.tenant_id,
                    level,
                    SOURCE,
                    f"{actor.name or 'An admin'} sent {said}",
                    extra={**details, "integrationId": integration.id},
                )
            ],
        )
