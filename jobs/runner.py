"""The in-process runner for periodic tasks when no worker is configured.

    runner = PeriodicRunner()
    runner.every(300, "health", lambda: check_health(deps))
    ...
    await runner.stop()

A failing run is logged and the schedule goes on; stopping cancels and waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from gateway.background_tasks import stop_all

logger = logging.getLogger("talentgraph.jobs.runner")


class PeriodicRunner:
    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[None]] = []

    def every(
        self, seconds: float, name: str, run: Callable[[], Awaitable[Any]], *, delay: float = 5.0
    ) -> None:
        async def loop() -> None:
            await asyncio.sleep(delay)
            while True:
                try:
                    await run()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("periodic task %s failed", name)
                await asyncio.sleep(seconds)

        self.tasks.append(asyncio.create_task(loop(), name=f"periodic:{name}"))

    async def stop(self) -> None:
        await stop_all(self.tasks)
        self.tasks.clear()
