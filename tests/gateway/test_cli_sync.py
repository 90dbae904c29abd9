"""``talentgraph sync INTEGRATION_ID [--full]``: one sync in the foreground, its progress
reported to the engine's callback, the outcome printed, the exit code telling how it went.
The engine is replaced by a fake through ``jobs.tasks``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import Provider, SyncStatus
from gateway.store.migrate import upgrade
from gateway.store.models import Integration, Tenant
from jobs import tasks
from jobs.sync_api import SyncDeps, SyncMode, SyncOutcome, SyncProgress
from tests.support.gateway import ENCRYPTION_KEYS


@pytest.fixture
def integration_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TALENTGRAPH_DATABASE_URL", url)
    monkeypatch.setenv("TALENTGRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TALENTGRAPH_ENCRYPTION_KEYS", ENCRYPTION_KEYS)
    monkeypatch.delenv("TALENTGRAPH_REDIS_URL", raising=False)

    async def seed() -> int:
        engine = create_engine(url)
        try:
            await upgrade(engine)
            async with create_session_factory(engine).begin() as session:
                tenant = Tenant(slug="acme", name="Acme")
                session.add(tenant)
                await session.flush()
                integration = Integration(
                    tenant_id=tenant.id, provider=Provider.RECRUITERFLOW, name="RF"
                )
                session.add(integration)
                await session.flush()
                return integration.id
        finally:
            await engine.dispose()

    return asyncio.run(seed())


def _fake(outcome: SyncOutcome, seen: list[tuple[int, SyncMode, str]]) -> Any:
    async def fake(
        deps: SyncDeps,
        tenant_id: int,
        integration_id: int,
        *,
        mode: SyncMode = SyncMode.INCREMENTAL,
        trigger: str = "manual",
        progress: Any = None,
    ) -> SyncOutcome:
        seen.append((integration_id, mode, trigger))
        for processed, phase in ((5, "jobs"), (12, "candidates")):
            progress(SyncProgress(1, integration_id, phase, processed, {}))
        return outcome

    return fake


def test_sync_runs_in_the_foreground_and_prints_the_outcome(
    integration_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, SyncMode, str]] = []
    outcome = SyncOutcome(
        run_id=1,
        status=SyncStatus.SUCCEEDED,
        counts={"jobs": {"created": 4, "unchanged": 1}, "candidates": {"created": 8}},
    )
    monkeypatch.setattr(tasks, "sync_integration", _fake(outcome, seen))
    result = CliRunner().invoke(app, ["sync", str(integration_id), "--full"])
    assert result.exit_code == 0, result.output
    assert seen == [(integration_id, SyncMode.FULL, "cli")]
    assert "succeeded" in result.stdout
    assert "jobs" in result.stdout and "candidates" in result.stdout


def test_sync_exit_codes_say_how_it_went(
    integration_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, SyncMode, str]] = []
    failed = SyncOutcome(run_id=2, status=SyncStatus.FAILED, error="ReadTimeout")
    monkeypatch.setattr(tasks, "sync_integration", _fake(failed, seen))
    result = CliRunner().invoke(app, ["sync", str(integration_id)])
    assert result.exit_code == 1
    assert "ReadTimeout" in result.stdout
    assert seen == [(integration_id, SyncMode.INCREMENTAL, "cli")]

    running = SyncOutcome(run_id=3, status=SyncStatus.RUNNING, already_running=True)
    monkeypatch.setattr(tasks, "sync_integration", _fake(running, seen))
    assert CliRunner().invoke(app, ["sync", str(integration_id)]).exit_code == 1

    missing = CliRunner().invoke(app, ["sync", str(integration_id + 1000)])
    assert missing.exit_code == 2
    assert "no integration" in missing.output
