"""The small slices of a process's parts that services ask for.

A service says what it needs by the type of its ``deps``: ``load_application`` takes
``HasSessions``, closing a sync run takes sessions and the cache. The assembly's bundles
(``WriteDeps``, ``InterviewDeps``, ``SyncDeps``, ...) and the ``Runtime`` satisfy these
protocols structurally, without naming them, so call sites pass what they have while a
test can pass the smallest object that has the members.

Members are read-only properties so that frozen dataclasses fit. ``Runtime``
(``gateway.runtime``) fits ``HasSessions``, ``HasBus``, ``HasCache``, ``HasLocks`` and
``HasConnectorClient``.
"""

from __future__ import annotations

from typing import Protocol

import httpx

from gateway.cache import ResponseCache
from gateway.crypto import Keyring
from gateway.locks import LockFactory
from gateway.outbox import Outbox
from gateway.pubsub import EventBus
from gateway.store.engine import SessionFactory


class HasSessions(Protocol):
    @property
    def session_factory(self) -> SessionFactory: ...


class HasBus(Protocol):
    @property
    def bus(self) -> EventBus: ...


class HasCache(Protocol):
    """The tenants' cached responses, which a change must drop."""

    @property
    def cache(self) -> ResponseCache: ...


class HasLocks(Protocol):
    @property
    def locks(self) -> LockFactory: ...


class HasOutbox(Protocol):
    """Events staged in a transaction and published after its commit; ``InterviewDeps``
    fits."""

    @property
    def outbox(self) -> Outbox: ...


class HasConnectorClient(Protocol):
    """What reaching a source system takes: the keyring that opens its credentials and
    the HTTP client connectors talk through."""

    @property
    def keyring(self) -> Keyring: ...

    @property
    def http(self) -> httpx.AsyncClient: ...
