"""Integration health checks, every few minutes and on demand.

await check_health(deps)   # checks what is due, records status, lastHealthCheckAt, lastError
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import httpx

from gateway.crypto import Keyring
from gateway.services.integrations import check_due_integrations
from gateway.store.engine import SessionFactory

logger = logging.getLogger("talentgraph.jobs.health")


@dataclass(frozen=True, slots=True)
class HealthDeps:
    session_factory: SessionFactory
    keyring: Keyring
    http: httpx.AsyncClient
    interval: timedelta


async def check_health(deps: HealthDeps) -> dict[int, bool]:
    results = await check_due_integrations(
        deps.session_factory, deps.keyring, deps.http, interval=deps.interval
    )
    failing = sorted(i for i, ok in results.items() if not ok)
    if results:
        logger.info("health: %d checked, failing: %s", len(results), failing or "none")
    return results
