"""Operator endpoints: ``/healthz``, ``/readyz`` (database and Redis) and ``/metrics``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.version import VERSION
from tests.support.gateway import SIZES, Gateway, running_gateway

JOBS = "query Jobs { jobs(first: 5) { totalCount } }"
CLOSED_REDIS = "redis://127.0.0.1:1/0"


async def _metrics(gateway: Gateway) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of ``/metrics``, keyed by name and label set."""
    response = await gateway.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def _total(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    """The sum of the samples called ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(
        value
        for (sample_name, sample_labels), value in samples.items()
        if sample_name == name and wanted <= sample_labels
    )


# --- /healthz and /readyz ---------------------------------------------------------------------


async def test_healthz_is_ok(gateway: Gateway) -> None:
    response = await gateway.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": VERSION}


async def test_readyz_checks_the_database(gateway: Gateway) -> None:
    response = await gateway.client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == "ok"
    assert "redis" not in body["checks"], "no Redis is configured for this gateway"


async def test_health_endpoints_need_no_token_and_refuse_post(gateway: Gateway) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await gateway.client.get(path)).status_code == 200, path
        assert (await gateway.client.post(path)).status_code == 405, path


@pytest.fixture(scope="module")
async def closed_redis(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    """A gateway whose Redis URL points at a port nobody listens on."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('closed-redis') / 'gateway.db'}"
    async with running_gateway(url, redis_url=CLOSED_REDIS) as running:
        yield running


async def test_readyz_is_503_when_redis_is_down(closed_redis: Gateway) -> None:
    response = await closed_redis.client.get("/readyz")
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")
    assert body["checks"]["events"].startswith("error: disconnected since"), "never subscribed"


async def test_healthz_stays_ok_when_redis_is_down(closed_redis: Gateway) -> None:
    """Liveness does not depend on dependencies: a restart would not bring Redis back."""
    response = await closed_redis.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": VERSION}


async def test_readyz_with_a_live_redis(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, redis_prefix: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('live-redis') / 'gateway.db'}"
    async with running_gateway(url, redis_url=redis_url, redis_prefix=redis_prefix) as running:
        response = await running.client.get("/readyz")
        assert response.status_code == 200, response.text
        assert response.json()["checks"] == {"database": "ok", "redis": "ok", "events": "ok"}


# --- /metrics ---------------------------------------------------------------------------------


def _delta(
    before: dict[tuple[str, frozenset[tuple[str, str]]], float],
    after: dict[tuple[str, frozenset[tuple[str, str]]], float],
    name: str,
    **labels: str,
) -> float:
    return _total(after, name, **labels) - _total(before, name, **labels)


async def test_metrics_count_requests_by_operation_name(gateway: Gateway) -> None:
    # A fixed name: the registry labels a bounded number of distinct operation names.
    operation = "HealthProbe"
    before = await _metrics(gateway)
    data = await gateway.execute(f"query {operation} {{ __typename }}")
    assert data == {"__typename": "Query"}
    after = await _metrics(gateway)

    requests = "talentgraph_graphql_requests_total"
    labels = {"operation": operation, "operation_type": "query"}
    assert _delta(before, after, requests, outcome="ok", **labels) == 1
    assert _delta(before, after, requests, **labels) == 1
    assert _delta(before, after, "talentgraph_graphql_request_seconds_count", **labels) == 1
    assert _delta(before, after, "talentgraph_graphql_request_seconds_sum", **labels) > 0
    buckets = {
        dict(sample_labels)["le"]
        for (name, sample_labels), _value in after.items()
        if name == "talentgraph_graphql_request_seconds_bucket"
        and dict(sample_labels).get("operation") == operation
    }
    assert "+Inf" in buckets
    assert len(buckets) > 2, "a histogram with buckets, not a bare counter"
    inf = _delta(before, after, "talentgraph_graphql_request_seconds_bucket", le="+Inf", **labels)
    assert inf == 1


async def test_metrics_count_request_errors(gateway: Gateway) -> None:
    operation = "HealthBroken"
    before = await _metrics(gateway)
    response = await gateway.post(f"query {operation} {{ noSuchField }}")
    assert response.json()["errors"]
    after = await _metrics(gateway)
    requests = "talentgraph_graphql_requests_total"
    assert _delta(before, after, requests, operation=operation, outcome="request_error") == 1
    assert _delta(before, after, requests, operation=operation, outcome="ok") == 0


async def test_metrics_expose_families_with_help(gateway: Gateway) -> None:
    response = await gateway.client.get("/metrics")
    text = response.text
    for family in (
        "talentgraph_graphql_requests",
        "talentgraph_graphql_request_seconds",
        "talentgraph_cache_hits",
        "talentgraph_cache_misses",
    ):
        assert f"# HELP {family}" in text, family
    assert "# TYPE talentgraph_graphql_request_seconds histogram" in text
    assert "# TYPE talentgraph_graphql_requests_total counter" in text


async def test_cache_hits_and_misses_are_counted(gateway: Gateway) -> None:
    before = await _metrics(gateway)

    first = await gateway.post(JOBS)
    second = await gateway.post(JOBS)
    assert first.status_code == second.status_code == 200
    assert first.headers["x-cache"] == "miss"
    assert second.headers["x-cache"] == "hit"
    expected = {"data": {"jobs": {"totalCount": SIZES["demo"]["jobs"]}}}
    assert first.json() == second.json() == expected

    after = await _metrics(gateway)
    assert _delta(before, after, "talentgraph_cache_misses_total", kind="job_list") == 1
    assert _delta(before, after, "talentgraph_cache_hits_total", kind="job_list") == 1
    requests = "talentgraph_graphql_requests_total"
    assert _delta(before, after, requests, operation="Jobs", outcome="cache_hit") == 1
    assert _delta(before, after, requests, operation="Jobs", outcome="ok") == 1


async def test_http_requests_are_counted_by_route_family_and_status(gateway: Gateway) -> None:
    before = await _metrics(gateway)
    await gateway.client.get("/healthz")
    await gateway.client.get("/wp-login.php")
    await gateway.post("{ __typename }")
    after = await _metrics(gateway)
    requests = "talentgraph_http_requests_total"
    assert _delta(before, after, requests, route="/healthz", status="200") == 1
    assert _delta(before, after, requests, route="other", status="404") == 1
    assert _delta(before, after, requests, route="/graphql", status="200") >= 1
    assert not any(
        "wp-login" in value for (_name, labels), _v in after.items() for _k, value in labels
    ), "a path never becomes a label"


async def test_waiting_work_is_read_at_each_scrape(gateway: Gateway) -> None:
    import sqlalchemy as sa

    from gateway.store.base import utcnow
    from gateway.store.enums import BackgroundJobStatus
    from gateway.store.models import BackgroundJob

    tenant_id = gateway.tenants["demo"].tenant_id
    async with gateway.app.state.session_factory.begin() as session:
        session.add(
            BackgroundJob(
                tenant_id=tenant_id,
                job_type="sync_integration",
                status=BackgroundJobStatus.PENDING,
                created_at=utcnow().replace(year=utcnow().year - 1),
            )
        )
    try:
        metrics = await _metrics(gateway)
        assert _total(metrics, "talentgraph_queue_jobs", status="pending") >= 1
        assert _total(metrics, "talentgraph_queue_oldest_pending_seconds") > 300 * 24 * 3600
        assert ("talentgraph_webhook_lag_seconds", frozenset()) in metrics
        assert ("talentgraph_webhook_backlog", frozenset()) in metrics
    finally:
        async with gateway.app.state.session_factory.begin() as session:
            await session.execute(
                sa.delete(BackgroundJob).where(
                    BackgroundJob.tenant_id == tenant_id,
                    BackgroundJob.status == BackgroundJobStatus.PENDING,
                )
            )


async def test_process_metrics_are_exposed(gateway: Gateway) -> None:
    text = (await gateway.client.get("/metrics")).text
    for family in ("process_resident_memory_bytes", "process_cpu_seconds", "python_info"):
        assert f"# HELP {family}" in text, family
    for family in (
        "talentgraph_connector_call_seconds",
        "talentgraph_sync_run_seconds",
        "talentgraph_sync_records",
        "talentgraph_event_streams_open",
    ):
        assert f"# HELP {family}" in text, family
