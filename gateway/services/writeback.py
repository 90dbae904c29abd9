"""Writes to a source system, done as the acting recruiter: source first, then the store.

    written = await write_back(
        deps, principal,
        integration_id=7, operation="applicationMoveStage", capability=Capability.MOVE_STAGE,
        request={"applicationId": 12, "stage": "Offer"}, idempotency_key="move-12-offer",
        remote=lambda connector, attribution: connector.move_stage("44:1001", "Offer", attribution),
        local=apply_move,          # (session, WriteResult, Actor) -> LocalChange
    )
    written.ids, written.replayed      # {"application": 12}, False

The order is the rule: nothing changes in the store until the source has said yes.

1. An idempotency key already done for this request returns its first result and
   writes nothing (``replayed``); one used for another request, or still running, is
   an ``IdempotencyConflict``.
2. The integration must be the caller's tenant's, enabled, and able to do the
   operation (``Unsupported`` otherwise, before any request is sent).
3. Where the source attributes writes, the caller's remote id comes from their
   recruiter link (``RecruiterLinkMissing`` names the fix).
4. The write waits for one of the integration's ``max_writes_in_flight`` slots (a burst
   queues) and goes out through the connector, under the provider's rate limit.
   A refusal of the recruiter id is ``RecruiterRejected``; any other failure is
   ``RemoteWriteFailed`` saying whether a retry can help. The store is untouched.
5. On success one transaction applies the change locally, records the activity,
   stages the bus events and completes the idempotency key; after the commit the
   events are published and the tenant's cached responses dropped.

If the process dies between 4 and 5 the source has the change and the store does not:
the next sync brings it, and the key stays "running" for ``PENDING_LEASE`` before a
retry may send the write again.

``acting_as`` and ``created_id`` are the checks the remote and local steps of the
write services share: the caller's attribution, and the id of what the source created.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

import httpx
import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability, ConnectorBase
from connectors.errors import (
    ConnectorError,
    InvalidRecruiterError,
    RecruiterNotInAgencyError,
    UnsupportedOperationError,
)
from connectors.models import Attribution, WriteResult
from connectors.registry import connector_class
from gateway.auth import Principal
from gateway.cache import ResponseCache
from gateway.crypto import CryptoError, Keyring
from gateway.errors import (
    IdempotencyConflict,
    NotFound,
    RecruiterLinkMissing,
    RecruiterRejected,
    RemoteWriteFailed,
    Unsupported,
    ValidationFailed,
)
from gateway.outbox import Outbox, stage
from gateway.ports import HasBus, HasCache, HasSessions
from gateway.pubsub import Event, EventBus
from gateway.services.activities import Actor
from gateway.services.connections import connector_for
from gateway.store.base import table_of, utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import IntegrationStatus
from gateway.store.models import IdempotencyKey, Integration, RecruiterLink
from gateway.write_limits import WriteLimits

KEY_TTL = timedelta(hours=24)
PENDING_LEASE = timedelta(minutes=5)
MAX_KEY_LENGTH = 255
_keys = table_of(IdempotencyKey)


class RecordsLocally(HasSessions, HasBus, HasCache, Protocol):
    """What ``local_write`` needs; ``WriteDeps`` and ``Runtime`` fit."""


@dataclass(frozen=True, slots=True)
class WriteDeps:
    session_factory: SessionFactory
    keyring: Keyring
    http: httpx.AsyncClient
    bus: EventBus
    cache: ResponseCache
    limits: WriteLimits


@dataclass(slots=True)
class LocalChange:
    """What the local half of a write changed: record ids by kind, and its events."""

    ids: dict[str, int]
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Written:
    ids: dict[str, int]
    replayed: bool = False
    """True when an idempotency key returned an earlier result: nothing was written."""


RemoteCall = Callable[[ConnectorBase, Attribution | None], Awaitable[WriteResult]]
LocalApply = Callable[[AsyncSession, WriteResult, Actor], Awaitable[LocalChange]]


async def write_back(
    deps: WriteDeps,
    principal: Principal,
    *,
    integration_id: int,
    operation: str,
    capability: Capability,
    request: dict[str, Any],
    idempotency_key: str | None,
    remote: RemoteCall,
    local: LocalApply,
) -> Written:
    key = checked_key(idempotency_key)
    digest = request_digest(operation, request)
    if key is not None:
        earlier = await claim_key(deps.session_factory, principal, key, operation, digest)
        if earlier is not None:
            return earlier
    try:
        integration, attribution = await _prepare(deps, principal, integration_id, capability)
        if capability not in connector_class(integration.provider.value).capabilities:
            raise Unsupported(integration.provider.value, operation)
        try:
            connector = connector_for(
                integration, deps.keyring, deps.http, session_factory=deps.session_factory
            )
        except (CryptoError, ConnectorError) as exc:
            raise RemoteWriteFailed(
                f"{integration.name} cannot be reached with its stored settings: {exc}",
                retryable=False,
            ) from None
        async with deps.limits.slot(integration.id):
            result = await _call(remote, connector, attribution, integration, operation)
    except BaseException:
        if key is not None:
            await release_key(deps.session_factory, principal, key)
        raise
    actor = Actor.from_principal(principal)
    async with deps.session_factory.begin() as session:
        change = await local(session, result, actor)
        staged = await stage(session, change.events)
        if key is not None:
            await complete_key(session, principal, key, change.ids)
    await deps.cache.invalidate(principal.tenant_id)
    await Outbox(deps.session_factory, deps.bus).release(staged)
    return Written(change.ids)


def request_digest(operation: str, request: dict[str, Any]) -> str:
    """What an idempotency key is held to: the same key sent with another request
    conflicts."""
    body = orjson.dumps({"operation": operation, "request": request}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()


LocalWrite = Callable[[AsyncSession, Actor], Awaitable[LocalChange]]


async def local_write(
    deps: RecordsLocally,
    principal: Principal,
    *,
    operation: str,
    request: dict[str, Any],
    idempotency_key: str | None,
    apply: LocalWrite,
) -> Written:
    """A write to records the gateway owns (no source to ask), with ``write_back``'s
    idempotency: ``apply`` runs in one transaction with its events staged and the key
    completed; the caches of the tenant are dropped and the events published after."""
    key = checked_key(idempotency_key)
    if key is not None:
        digest = request_digest(operation, request)
        earlier = await claim_key(deps.session_factory, principal, key, operation, digest)
        if earlier is not None:
            return earlier
    try:
        async with deps.session_factory.begin() as session:
            change = await apply(session, Actor.from_principal(principal))
            staged = await stage(session, change.events)
            if key is not None:
                await complete_key(session, principal, key, change.ids)
    except BaseException:
        if key is not None:
            await release_key(deps.session_factory, principal, key)
        raise
    await deps.cache.invalidate(principal.tenant_id)
    await Outbox(deps.session_factory, deps.bus).release(staged)
    return Written(change.ids)


def checked_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            "idempotencyKey", f"an idempotency key is 1 to {MAX_KEY_LENGTH} printable characters"
        )
    return key


async def claim_key(
    session_factory: SessionFactory, principal: Principal, key: str, operation: str, digest: str
) -> Written | None:
    """None when this request now owns ``key``; the earlier result when it is done."""
    now = utcnow()
    mine = (
        _keys.c.tenant_id == principal.tenant_id,
        _keys.c.user_id == principal.user_id,
        _keys.c.key == key,
    )
    async with session_factory.begin() as session:
        await session.execute(sa.delete(_keys).where(*mine, _keys.c.expires_at < now))
        dialect = session.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_keys)
        claimed = await session.scalar(
            insert.values(
                tenant_id=principal.tenant_id,
                user_id=principal.user_id,
                key=key,
                operation=operation,
                request_hash=digest,
                created_at=now,
                expires_at=now + KEY_TTL,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "user_id", "key"])
            .returning(_keys.c.id)
        )
        if claimed is not None:
            return None
        row = (await session.execute(sa.select(_keys).where(*mine))).one()
        if row.operation != operation or row.request_hash != digest:
            raise IdempotencyConflict(
                "this idempotency key was used for a different request; use a new key"
            )
        if row.result is not None:
            return Written({k: int(v) for k, v in row.result["ids"].items()}, replayed=True)
        if row.created_at > now - PENDING_LEASE:
            raise IdempotencyConflict(
                "a request with this idempotency key is still running; retry shortly"
            )
        taken = await session.execute(
            sa.update(_keys)
            .where(_keys.c.id == row.id, _keys.c.created_at == row.created_at)
            .values(created_at=now)
        )
        if getattr(taken, "rowcount", 0) != 1:
            raise IdempotencyConflict(
                "a request with this idempotency key is still running; retry shortly"
            )
    return None


async def complete_key(
    session: AsyncSession, principal: Principal, key: str, ids: dict[str, int]
) -> None:
    """Record what the write produced, in the transaction of its local change."""
    await session.execute(
        sa.update(_keys)
        .where(
            _keys.c.tenant_id == principal.tenant_id,
            _keys.c.user_id == principal.user_id,
            _keys.c.key == key,
        )
        .values(result={"ids": ids})
    )


async def release_key(session_factory: SessionFactory, principal: Principal, key: str) -> None:
    """A write that failed frees its key, so the client's retry tries it again."""
    async with session_factory.begin() as session:
        await session.execute(
            sa.delete(_keys).where(
                _keys.c.tenant_id == principal.tenant_id,
                _keys.c.user_id == principal.user_id,
                _keys.c.key == key,
                _keys.c.result.is_(None),
            )
        )


async def _prepare(
    deps: HasSessions, principal: Principal, integration_id: int, capability: Capability
) -> tuple[Integration, Attribution | None]:
    async with deps.session_factory() as session:
        integration = await session.get(Integration, integration_id)
        if integration is None or integration.tenant_id != principal.tenant_id:
            raise NotFound("Integration", integration_id)
        if integration.status is IntegrationStatus.INACTIVE:
            raise ValidationFailed("integrationId", f"{integration.name} is disabled")
        link = await session.scalar(
            sa.select(RecruiterLink).where(
                RecruiterLink.user_id == principal.user_id,
                RecruiterLink.integration_id == integration.id,
            )
        )
    attribution = (
        Attribution(remote_id=link.remote_id, email=link.remote_email or principal.email)
        if link is not None
        else None
    )
    return integration, attribution


async def _call(
    remote: RemoteCall,
    connector: ConnectorBase,
    attribution: Attribution | None,
    integration: Integration,
    operation: str,
) -> WriteResult:
    if attribution is None and Capability.ATTRIBUTION in connector.capabilities:
        raise RecruiterLinkMissing(integration.id, integration.name)
    try:
        return await remote(connector, attribution)
    except UnsupportedOperationError:
        raise Unsupported(integration.provider.value, operation) from None
    except RecruiterNotInAgencyError as exc:
        raise RecruiterRejected("not_in_agency", exc.message) from None
    except InvalidRecruiterError as exc:
        raise RecruiterRejected("unknown_recruiter", exc.message) from None
    except ConnectorError as exc:
        raise RemoteWriteFailed(
            f"{integration.name} refused the write: {exc.message}",
            retryable=exc.retryable,
            status_code=exc.status,
        ) from None


def acting_as(
    attribution: Attribution | None, integration_id: int, integration_name: str
) -> Attribution:
    """The caller's remote id for a write the source must attribute. ``write_back`` checks
    the link already where the provider declares ``ATTRIBUTION``; for the others (Jobvite
    onboarding) a missing link is refused here, before the request."""
    if attribution is None:
        raise RecruiterLinkMissing(integration_id, integration_name)
    return attribution


def created_id(result: WriteResult, what: str) -> str:
    """The remote id of what the source created; an answer without one cannot be stored."""
    if not result.remote_id:
        raise RemoteWriteFailed(
            f"the source created the {what} but did not say its id; the next sync brings it",
            retryable=False,
        )
    return result.remote_id
