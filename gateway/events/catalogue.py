"""The catalogue: each event's payload type and builder, registered by name, and the
readers that turn an ``Event`` from the bus back into its typed payload."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from gateway.events.names import EventName
from gateway.events.payload import Malformed, Payload
from gateway.pubsub import Event

P = TypeVar("P", bound=Payload)

PAYLOADS: dict[str, type[Payload]] = {}
"""Each event's payload type, by name."""
BUILDERS: dict[str, Callable[..., Event]] = {}
"""Each event's builder, by name."""


def _payload(cls: type[P]) -> type[P]:
    if cls.NAME in PAYLOADS:
        raise TypeError(f"two payloads for {cls.NAME}")
    PAYLOADS[cls.NAME] = cls
    return cls


B = TypeVar("B", bound=Callable[..., Event])


def _builds(name: EventName) -> Callable[[B], B]:
    def register(builder: B) -> B:
        if name in BUILDERS:
            raise TypeError(f"two builders for {name}")
        BUILDERS[name] = builder
        return builder

    return register


def _event(tenant_id: int, payload: Payload) -> Event:
    return Event(payload.NAME, tenant_id, payload.data())


def parse(event: Event) -> Payload | None:
    """The event's payload, typed; ``None`` for an unknown or malformed event."""
    kind = PAYLOADS.get(event.type)
    if kind is None:
        return None
    try:
        return kind.from_data(event.data)
    except Malformed:
        return None


def read(event: Event, kind: type[P]) -> P | None:
    """The event's payload if it is a ``kind`` event and well formed, else ``None``."""
    if event.type != kind.NAME:
        return None
    try:
        return kind.from_data(event.data)
    except Malformed:
        return None
