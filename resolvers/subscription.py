"""What every subscription shares: who may subscribe, and the bus events it follows.

    @strawberry.subscription
    async def pipeline_updates(self, info: Info, job_id: strawberry.ID) -> AsyncIterator[X]:
        tenant_id, job_pk = await subscribed_record(          # before the stream
            info, Permission.APPLICATIONS_READ, job_id, "Job", field="jobId", loader="job_by_id"
        )
        return tenant_stream(                                 # the stream itself
            info, tenant_id, EVENT_TYPES, pipeline_update, lambda update: update.job_pk == job_pk
        )

A subscription resolver is a coroutine that checks everything and then returns the
stream: a refusal (no token, a role without the permission, an unknown id) is the
operation's ``error`` message, before anything is streamed.

The context of a subscription lives as long as the operation, but DataLoaders cache
rows: ``tenant_events`` gives every event new loaders, so nested fields read the store
as it is when the event is delivered and nothing piles up over a long subscription.
Those loaders are shared by every subscriber of the event in this process (loaders
are scoped to a tenant, never to a user, and the event is the tenant's): a thousand
subscribers selecting ``application { ... }`` cost one batched read, not a thousand.
The bus subscription is closed (its queue freed) when the stream is closed or its task
cancelled, which is what happens when the client completes the operation or the
socket closes.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Collection
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

from graphql import GraphQLError
from graphql.execution.executor import Executor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway import tracing
from gateway.auth import Principal
from gateway.errors import NotFound
from gateway.events import EventName
from gateway.permissions import Permission, allows
from gateway.pubsub import Event
from resolvers.context import Context, Info
from resolvers.loaders import Loaders
from resolvers.permissions import Forbidden
from resolvers.relay import pk_of

ItemT = TypeVar("ItemT")
EnumT = TypeVar("EnumT", bound=Enum)


class SubscriberUnauthenticated(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "Authentication required: send "
            '{"authorization": "Bearer <token>"} as the connection_init payload',
            extensions={"code": "UNAUTHENTICATED"},
        )


def subscriber(info: Info, permission: Permission) -> Principal:
    """The connection's principal, if it is allowed ``permission``; raises otherwise."""
    principal = info.context.principal
    if principal is None:
        raise SubscriberUnauthenticated()
    if not allows(principal.role, permission):
        raise Forbidden(permission)
    return principal


async def subscribed_record(
    info: Info,
    permission: Permission,
    global_id: str,
    type_name: str,
    *,
    field: str,
    loader: str,
) -> tuple[int, int]:
    """Admission to the events of one record: the caller must be allowed ``permission``
    and ``global_id`` (the argument ``field``) must name a ``type_name`` that ``loader``
    finds in the caller's tenant. Returns the tenant's id and the record's key."""
    principal = subscriber(info, permission)
    pk = pk_of(global_id, type_name, field=field)
    if await getattr(info.context.loaders, loader).load(pk) is None:
        raise NotFound(type_name, global_id)
    return principal.tenant_id, pk


class EventLoaders:
    """The loaders of the last ``size`` events, one set per event and tenant (and
    database, for processes that hold several apps)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[str, int, int], Loaders] = OrderedDict()

    def __call__(self, event: Event, context: Context) -> Loaders:
        key = (event.id, event.tenant_id, id(context.engine))
        found = self.entries.get(key)
        if found is None:
            found = self.entries[key] = Loaders(context.reader, event.tenant_id)
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return found


event_loaders = EventLoaders()


async def tenant_events(
    info: Info, tenant_id: int, types: Collection[EventName]
) -> AsyncGenerator[Event, None]:
    """The tenant's bus events of the given ``types``, as they are published anywhere."""
    bus = info.context.bus
    if bus is None:
        raise RuntimeError("no event bus in this context")
    events = bus.subscribe(tenant_id)
    async with contextlib.aclosing(events):
        async for event in events:
            if event.type in types and event.tenant_id == tenant_id:
                info.context.loaders = event_loaders(event, info.context)
                yield event


async def tenant_stream(
    info: Info,
    tenant_id: int,
    types: Collection[EventName],
    shown: Callable[[Event], ItemT | None],
    wanted: Callable[[ItemT], bool] = lambda _: True,
) -> AsyncIterator[ItemT]:
    """The tenant's events of ``types`` as ``shown`` makes them GraphQL values, those
    ``wanted``: what ``shown`` maps to ``None`` (another event, a malformed one) is
    skipped. Ends, freeing the bus subscription, when the stream is closed."""
    events = tenant_events(info, tenant_id, types)
    async with contextlib.aclosing(events):
        async for event in events:
            item = shown(event)
            if item is not None and wanted(item):
                push = tracing.detached(event.trace, "subscription.push")
                try:
                    yield item
                finally:
                    push.end()


class EventExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with a fix for subscriptions that live long.

    graphql-core 3.3 runs each subscription event on a shallow copy of one executor, so
    the copies share its memo of collected sub-fields. The memo is keyed by the identity
    of field lists that are built anew for every event, and it keeps those lists alive:
    it never hits across events and grows by some twenty objects per event, for as long
    as the subscription lives (and makes every full garbage collection slower). Here
    each event gets a memo of its own, dropped with it.
    """

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor


def event_time(event: Event) -> datetime:
    """When the event was raised (its ``at``), timezone-aware."""
    try:
        moment = datetime.fromisoformat(event.at)
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def enum_or_none(kind: type[EnumT], value: Any) -> EnumT | None:
    """``value`` as a member of ``kind``; ``None`` for a value an event should not carry."""
    try:
        return kind(value)
    except ValueError:
        return None
