"""Stopping background loops: cancel them, then wait a bounded time.

    await stop_all(tasks)

A loop that does not end when cancelled must not hold up a shutdown (redis-py can
swallow a cancellation, see ``gateway.redis_clients.raise_if_cancelled``): after
``grace`` seconds it is left behind with a warning and the process goes on closing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

logger = logging.getLogger("talentgraph.background")

STOP_GRACE = 10.0


async def stop_all(tasks: Iterable[asyncio.Task[Any]], *, grace: float = STOP_GRACE) -> None:
    """Cancel ``tasks`` and wait up to ``grace`` seconds for them to end."""
    pending = [task for task in tasks if not task.done()]
    for task in pending:
        task.cancel()
    if not pending:
        return
    stopped, still_running = await asyncio.wait(pending, timeout=grace)
    for task in stopped:
        if not task.cancelled() and task.exception() is not None:
            logger.warning("%s ended with %r", task.get_name(), task.exception())
    for task in still_running:
        logger.warning("%s did not stop within %.0f s; left behind", task.get_name(), grace)
