"""Queued work keeps its trace: a sync queued by a traced request runs, in an arq worker
that knows nothing of that request, as a ``task sync_integration`` span of the request's
trace, and the sync itself runs inside that span. Spans from the SDK's in-memory
exporter; the worker is a real arq worker on Redis, run in burst mode."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway import tracing
from gateway.store.enums import SyncStatus
from gateway.store.models import Integration
from jobs import sync_tasks
from jobs.queue_arq import ArqQueue
from jobs.sync_api import SyncDeps, SyncOutcome
from resolvers.relay import to_global_id
from tests.support.gateway import running_gateway
from tests.support.queue_harness import burst

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE}-00f067aa0ba902b7-01"
SYNC = """mutation($id: ID!) {
  integrationSync(input: { integrationId: $id }) {
    ... on IntegrationSyncSuccess { queued }
  }
}"""


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    tracing.use(provider)
    yield exported
    tracing.use(None)


async def test_a_queued_sync_runs_in_the_trace_of_the_request_that_queued_it(
    exporter: InMemorySpanExporter,
    tmp_path: Path,
    redis_url: str,
    redis_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []

    async def sync(deps: SyncDeps, tenant_id: int, integration_id: int, **_: Any) -> SyncOutcome:
        seen.append(format(trace.get_current_span().get_span_context().trace_id, "032x"))
        return SyncOutcome(run_id=None, status=SyncStatus.SUCCEEDED)

    monkeypatch.setattr(sync_tasks, "sync_integration", sync)
    async with running_gateway(
        f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        redis_url=redis_url,
        redis_prefix=f"{redis_prefix}t{secrets.token_hex(4)}",
    ) as gateway:
        assert isinstance(gateway.app.state.queue, ArqQueue)
        async with gateway.app.state.session_factory.begin() as session:
            await session.execute(sa.update(Integration).values(credentials_encrypted="sealed"))
        async with gateway.app.state.session_factory() as session:
            integration_id = await session.scalar(
                sa.select(sa.func.min(Integration.id)).where(
                    Integration.tenant_id == gateway.tenants["demo"].tenant_id
                )
            )
        response = await gateway.client.post(
            "/graphql",
            json={"query": SYNC, "variables": {"id": to_global_id("Integration", integration_id)}},
            headers={**gateway.headers(), "traceparent": TRACEPARENT},
        )
        assert response.json()["data"]["integrationSync"]["queued"] is True, response.json()
        assert trace.get_current_span().get_span_context().trace_id == 0, "nothing current here"

        assert await burst(gateway.settings) == {"complete": 1, "retried": 0, "failed": 0}

    assert seen == [TRACE]
    [task] = [span for span in exporter.get_finished_spans() if span.name.startswith("task ")]
    assert task.name == "task sync_integration"
    assert task.context is not None and format(task.context.trace_id, "032x") == TRACE
    assert task.attributes is not None and task.attributes["task.attempt"] == 1
