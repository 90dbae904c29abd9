"""``/readyz`` says which version runs and whether a worker is alive: "in-process"
without Redis; on Redis "absent" until a worker beats, "running" once a real worker
started (its startup beats), "stale" when the newest beat is older than three beats;
the worker's state never makes the gateway unready."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from gateway.store.base import utcnow
from gateway.version import VERSION
from gateway.worker_heartbeat import STALE_AFTER
from tests.support.gateway import running_gateway
from tests.support.queue_harness import burst
from tests.support.services import Backend


async def test_without_redis_the_work_is_in_process(tmp_path: Path) -> None:
    async with running_gateway(f"sqlite+aiosqlite:///{tmp_path / 'hb.db'}") as gateway:
        body = (await gateway.client.get("/readyz")).json()
    assert body["version"] == VERSION
    assert body["worker"] == {"state": "in-process", "lastBeatAt": None}


async def test_absent_running_then_stale(
    backend: Backend, redis_url: str, redis_prefix: str
) -> None:
    prefix = f"{redis_prefix}hb{secrets.token_hex(4)}"
    async with running_gateway(backend.url, redis_url=redis_url, redis_prefix=prefix) as gateway:
        absent = await gateway.client.get("/readyz")
        assert absent.status_code == 200, absent.text
        assert absent.json()["worker"] == {"state": "absent", "lastBeatAt": None}

        before = utcnow()
        await burst(gateway.settings)  # a real worker: its startup starts the heartbeat
        running = (await gateway.client.get("/readyz")).json()["worker"]
        assert running["state"] == "running", running
        assert running["lastBeatAt"] >= before.isoformat()

        heartbeat = gateway.app.state.runtime.worker_heartbeat
        await heartbeat.beat(utcnow() - STALE_AFTER - timedelta(seconds=1))
        stale = await gateway.client.get("/readyz")
        assert stale.status_code == 200
        assert stale.json()["worker"]["state"] == "stale"
