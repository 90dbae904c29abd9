"""What callers of the sync need: its dependencies, modes, progress and outcome.

outcome = await sync_integration(deps, tenant_id, integration_id, mode=SyncMode.FULL,
                                 trigger="cli", progress=print_progress)
outcome.status, outcome.counts      # SyncStatus.SUCCEEDED, {"jobs": {"created": 12, ...}}
outcome.already_running             # True: another sync of it holds the lock; nothing ran
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.cache import ResponseCache
from gateway.crypto import Keyring
from gateway.locks import LockFactory
from gateway.pubsub import EventBus
from gateway.services.analysis import NewApplicationAnalyses
from gateway.store.engine import SessionFactory
from gateway.store.enums import SyncStatus
from gateway.sync_modes import SyncMode as SyncMode


@dataclass(frozen=True, slots=True)
class SyncDeps:
    session_factory: SessionFactory
    keyring: Keyring
    http: httpx.AsyncClient
    bus: EventBus
    cache: ResponseCache
    locks: LockFactory
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    new_applications: NewApplicationAnalyses | None = None
    """Queues the resume analyses of the applications a sync creates."""
    """How connectors wait between retries (tests pass one that does not)."""


@dataclass(frozen=True, slots=True)
class SyncProgress:
    run_id: int
    integration_id: int
    phase: str
    processed: int
    counts: dict[str, dict[str, int]]


ProgressCallback = Callable[[SyncProgress], None]


@dataclass(slots=True)
class SyncOutcome:
    run_id: int | None
    status: SyncStatus | None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    already_running: bool = False
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
