"""What every subscription shares: who may subscribe, and the bus events it follows.

    @strawberry.subscription
    async def pipeline_updates(self, info: Info, job_id: strawberry.ID) -> AsyncIterator[X]:
        principal = subscriber(info, Permission.APPLICATIONS_READ)   # before the stream
        ...                                                           # checks, lookups
        return _updates(info, principal.tenant_id, job_pk)            # the stream itself

    async def _updates(...) -> AsyncIterator[X]:
        async for event in tenant_events(info, tenant_id, {EventName.APPLICATION_CREATED}):
            created = read(event, ApplicationCreated)     # typed, None if malformed
            yield ...

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
from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError
from graphql.execution.executor import Executor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.auth import Principal
from gateway.events import EventName
from gateway.permissions import Permission, allows
from gateway.pubsub import Event
from resolvers.context import Context, Info
from resolvers.loaders import Loaders
from resolvers.permissions import Forbidden


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
) -> AsyncIterator[Event]:
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
