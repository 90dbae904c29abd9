"""The event bus: in-process by default, Redis pub/sub when configured.

    bus = EventBus.create(settings)
    await bus.publish(Event("application.stage_changed", tenant_id=1, data={...}))
    async for event in bus.subscribe(tenant_id=1):
        ...

Events carry the tenant; a subscriber only ever asks for one tenant's events.
Publishing never waits on subscribers: each has a bounded queue, and one that falls
behind loses its oldest events rather than slowing the others.

A Redis bus can lose Redis; events published meanwhile are lost (pub/sub keeps none).
While it is away the bus says so (``connected`` false, ``interrupted_since``), and
``await bus.wait_interrupted()`` returns the moment it goes, however soon it is back:

    if not bus.connected: ...                  # e.g. /readyz answers 503
    await bus.wait_interrupted()               # then tell clients to come back

Subscriptions themselves go on across an interruption (a queue is never told), and get
events again once the bus is back; whoever cannot afford the gap watches the bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson
import redis.asyncio as aioredis
from prometheus_client import Counter, Gauge
from redis.exceptions import RedisError

from gateway import tracing
from gateway.background_tasks import stop_all
from gateway.metrics import REGISTRY
from gateway.redis_clients import raise_if_cancelled, redis_client
from gateway.settings import Settings

logger = logging.getLogger("talentgraph.pubsub")

QUEUE_SIZE = 1000

SUBSCRIBERS = Gauge(
    "talentgraph_event_bus_subscribers",
    "Subscribers to the event bus in this process, each with its own bounded queue",
    registry=REGISTRY,
)
SUBSCRIPTIONS_OPENED = Counter(
    "talentgraph_event_bus_subscriptions_opened",
    "Subscriptions that started listening on the event bus in this process; with the "
    "subscriber gauge it tells a reconnect (opened rises, gauge holds) from a leak",
    registry=REGISTRY,
)
DROPPED = Counter(
    "talentgraph_event_bus_dropped",
    "Events a subscriber lost because it fell QUEUE_SIZE events behind",
    registry=REGISTRY,
)


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    tenant_id: int
    data: dict[str, Any] = field(default_factory=dict)
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    """Unique per event, the same in every process that receives it: consumers that
    act once per event (outbound webhook deliveries) deduplicate on it."""
    trace: str | None = None
    """The W3C ``traceparent`` of the work that published it (when traced): subscribers
    continue that trace."""

    def encode(self) -> bytes:
        value: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "tenant_id": self.tenant_id,
            "data": self.data,
            "at": self.at,
        }
        if self.trace is not None:
            value["trace"] = self.trace
        return orjson.dumps(value)

    def traced(self) -> Event:
        """This event carrying the current trace, unless it carries one already."""
        if self.trace is not None:
            return self
        traceparent = tracing.current_traceparent()
        return self if traceparent is None else replace(self, trace=traceparent)

    @classmethod
    def decode(cls, raw: bytes | str) -> Event:
        value = orjson.loads(raw)
        return cls(
            value["type"],
            int(value["tenant_id"]),
            value.get("data") or {},
            value["at"],
            value.get("id") or uuid.uuid4().hex,
            value.get("trace") if isinstance(value.get("trace"), str) else None,
        )


ALL_TENANTS = 0
"""The fan-out key of process-wide listeners (outbound webhooks): every tenant's events."""


class _Fanout:
    """Local subscribers and their bounded queues."""

    def __init__(self) -> None:
        self.queues: dict[int, set[asyncio.Queue[Event]]] = {}

    def deliver(self, event: Event) -> None:
        for key in (event.tenant_id, ALL_TENANTS):
            for queue in self.queues.get(key, ()):
                if queue.full():
                    with contextlib.suppress(asyncio.QueueEmpty):
                        queue.get_nowait()
                        DROPPED.inc()
                queue.put_nowait(event)

    def count(self) -> int:
        return sum(len(queues) for queues in self.queues.values())

    @contextlib.asynccontextmanager
    async def queue(self, tenant_id: int) -> AsyncIterator[asyncio.Queue[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        self.queues.setdefault(tenant_id, set()).add(queue)
        SUBSCRIBERS.inc()
        SUBSCRIPTIONS_OPENED.inc()
        try:
            yield queue
        finally:
            SUBSCRIBERS.dec()
            self.queues[tenant_id].discard(queue)
            if not self.queues[tenant_id]:
                del self.queues[tenant_id]


class EventBus:
    """In-process bus; ``RedisEventBus`` adds delivery across processes. The in-process
    bus is never interrupted."""

    def __init__(self) -> None:
        self.fanout = _Fanout()
        self.published = 0
        self.interrupted_since: datetime | None = None
        """When the bus lost its source of events, ``None`` while it has it."""
        self._interrupted = asyncio.Event()

    @property
    def connected(self) -> bool:
        return self.interrupted_since is None

    async def wait_interrupted(self) -> None:
        """Return at once while the bus is interrupted, else at its next interruption
        (even one over before the caller runs again)."""
        if self.connected:
            await self._interrupted.wait()

    def _lost(self) -> None:
        if self.interrupted_since is None:
            self.interrupted_since = datetime.now(UTC)
            self._interrupted.set()

    def _regained(self) -> None:
        self.interrupted_since = None
        self._interrupted.clear()

    @staticmethod
    def create(settings: Settings) -> EventBus:
        if settings.redis_url:
            return RedisEventBus(settings.redis_url, f"{settings.redis_prefix}:events")
        return EventBus()

    async def publish(self, event: Event) -> None:
        self.published += 1
        self.fanout.deliver(event.traced())

    async def publish_many(self, events: list[Event]) -> None:
        for event in events:
            await self.publish(event)

    async def subscribe(self, tenant_id: int) -> AsyncGenerator[Event, None]:
        async with self.fanout.queue(tenant_id) as queue:
            while True:
                yield await queue.get()

    async def subscribe_all(self) -> AsyncGenerator[Event, None]:
        """Every tenant's events, for process-wide consumers; never for a client."""
        async with self.fanout.queue(ALL_TENANTS) as queue:
            while True:
                yield await queue.get()

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


RECONNECT_FIRST = 0.1
RECONNECT_MAX = 5.0
POLL_SECONDS = 1.0
"""How long one read of the listener waits for a message."""
QUIET_SECONDS = 10.0
"""Silence after which the listener pings Redis, and how long it waits for the answer."""


async def _confirmed(pubsub: Any) -> bool:
    """Whether the next message is Redis confirming the subscription: only then is the
    bus listening (a paused Redis takes the command and never answers)."""
    message = await pubsub.get_message(timeout=POLL_SECONDS)
    return message is not None and message.get("type") == "subscribe"


class RedisEventBus(EventBus):
    """Publishes to one Redis channel; a listener task feeds the local subscribers, so
    an event raised in any process reaches subscribers in every process. Interrupted
    until ``start`` has subscribed, and whenever the listener has lost Redis."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__()
        self.channel = channel
        self.redis: aioredis.Redis = redis_client(url)
        self.listener: asyncio.Task[None] | None = None
        self._lost()

    async def publish(self, event: Event) -> None:
        self.published += 1
        await self.redis.publish(self.channel, event.traced().encode())

    async def publish_many(self, events: list[Event]) -> None:
        if not events:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for event in events:
                pipe.publish(self.channel, event.traced().encode())
            await pipe.execute()
        self.published += len(events)

    async def start(self) -> None:
        if self.listener is None:
            pubsub = await self._subscribed()
            self._regained()
            self.listener = asyncio.create_task(self._listen_forever(pubsub), name="event-bus")

    async def _subscribed(self) -> Any:
        pubsub: Any = self.redis.pubsub()
        try:
            async with asyncio.timeout(QUIET_SECONDS):
                await pubsub.subscribe(self.channel)
                while not await _confirmed(pubsub):
                    pass
        except BaseException:
            await pubsub.aclose()
            raise
        return pubsub

    async def _listen_forever(self, pubsub: Any) -> None:
        """Listen; when the connection to Redis is lost, subscribe again (waiting 0.1 s,
        doubling to 5 s, while Redis stays away), so subscribers of this process get
        events again as soon as Redis is back. Events published while the listener was
        away are not replayed: Redis pub/sub keeps none, so the bus is interrupted from
        the moment the connection is lost until the subscription is back."""
        delay = RECONNECT_FIRST
        while True:
            try:
                await self._listen(pubsub)
                logger.warning("event bus subscription ended; subscribing again")
            except (OSError, ConnectionError, TimeoutError, RedisError) as exc:
                logger.warning("event bus lost Redis (%s); subscribing again", exc)
            raise_if_cancelled()
            self._lost()
            while True:
                await asyncio.sleep(delay)
                try:
                    pubsub = await self._subscribed()
                except (OSError, ConnectionError, TimeoutError, RedisError):
                    raise_if_cancelled()
                    delay = min(delay * 2, RECONNECT_MAX)
                    continue
                logger.info("event bus listening to %s again", self.channel)
                self._regained()
                delay = RECONNECT_FIRST
                break

    async def _listen(self, pubsub: Any) -> None:
        """Deliver what arrives; after ``QUIET_SECONDS`` without a word from Redis, ask
        (PING) and give up on the connection if the answer does not come within as long:
        a paused or partitioned Redis keeps the socket open and would leave the bus
        silently deaf."""
        loop = asyncio.get_running_loop()
        heard = loop.time()
        asked: float | None = None
        try:
            while True:
                message = await pubsub.get_message(timeout=POLL_SECONDS)
                raise_if_cancelled()
                now = loop.time()
                if message is None:
                    if asked is None and now - heard > QUIET_SECONDS:
                        await pubsub.ping()
                        asked = now
                    elif asked is not None and now - asked > QUIET_SECONDS:
                        raise TimeoutError(f"Redis did not answer a ping in {QUIET_SECONDS:g} s")
                    continue
                heard, asked = now, None
                if message.get("type") != "message":
                    continue
                try:
                    self.fanout.deliver(Event.decode(message["data"]))
                except (ValueError, KeyError, TypeError):
                    logger.warning("dropped a malformed event from %s", self.channel)
        finally:
            with contextlib.suppress(OSError, ConnectionError, TimeoutError, RedisError):
                await pubsub.aclose()

    async def close(self) -> None:
        if self.listener is not None:
            await stop_all([self.listener])
            self.listener = None
        self._lost()
        await self.redis.aclose()
