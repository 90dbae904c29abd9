"""The in-process periodic runner keeps its schedule through failures and stops cleanly."""

from __future__ import annotations

import asyncio

from jobs.runner import PeriodicRunner


async def test_runs_repeatedly_survives_failures_and_stops() -> None:
    runs = 0
    ticked = asyncio.Event()

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs == 2:
            raise RuntimeError("one bad run")
        if runs >= 4:
            ticked.set()

    runner = PeriodicRunner()
    runner.every(0.01, "flaky", flaky, delay=0)
    await asyncio.wait_for(ticked.wait(), timeout=5)
    await runner.stop()
    assert runs >= 4
    assert runner.tasks == []
    stopped_at = runs
    await asyncio.sleep(0.05)
    assert runs == stopped_at
