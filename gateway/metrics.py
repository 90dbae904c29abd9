"""Prometheus metrics, on a registry of our own so tests can build many apps."""

from __future__ import annotations

from typing import Any

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)

from connectors.http import CALL_OBSERVERS

REGISTRY = CollectorRegistry(auto_describe=True)
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)

GRAPHQL_REQUESTS = Counter(
    "talentgraph_graphql_requests",
    "GraphQL operations served, by operation name, type and outcome",
    ["operation", "operation_type", "outcome"],
    registry=REGISTRY,
)
GRAPHQL_LATENCY = Histogram(
    "talentgraph_graphql_request_seconds",
    "Time to answer a GraphQL request, by operation name",
    ["operation", "operation_type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "talentgraph_http_requests",
    "HTTP requests by route and status code",
    ["route", "status"],
    registry=REGISTRY,
)
WEBHOOKS_RECEIVED = Counter(
    "talentgraph_webhooks_received",
    "Inbound webhook deliveries by sender scheme and outcome (accepted, duplicate, status)",
    ["scheme", "outcome"],
    registry=REGISTRY,
)
WEBHOOK_EVENTS_PROCESSED = Counter(
    "talentgraph_webhook_events_processed",
    "Inbound webhook events processed, by final status of the attempt",
    ["status"],
    registry=REGISTRY,
)
WEBHOOK_DELIVERY_ATTEMPTS = Counter(
    "talentgraph_webhook_delivery_attempts",
    "Outbound webhook delivery attempts, by the delivery's status after the attempt",
    ["status"],
    registry=REGISTRY,
)
COMPILED_READS = Counter(
    "talentgraph_compiled_reads",
    "Query requests by read path: compiled to SQL, or run on the resolvers because the "
    "document does not compile (not_compilable), its arguments need the resolvers' "
    "answer (arguments) or the statement failed (failed)",
    ["path"],
    registry=REGISTRY,
)
CONNECTOR_CALLS = Histogram(
    "talentgraph_connector_call_seconds",
    "Calls to source systems' APIs (each attempt), by provider and outcome (2xx, 4xx, 5xx, "
    "error when no answer came)",
    ["provider", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
CALL_OBSERVERS.append(
    lambda provider, outcome, seconds: CONNECTOR_CALLS.labels(provider, outcome).observe(seconds)
)
SYNC_RUNS = Histogram(
    "talentgraph_sync_run_seconds",
    "Sync runs by provider, kind and how they ended",
    ["provider", "kind", "status"],
    buckets=(1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0),
    registry=REGISTRY,
)
SYNC_RECORDS = Counter(
    "talentgraph_sync_records",
    "Records synced, by provider, kind of record and outcome (created, updated, failed...)",
    ["provider", "entity", "outcome"],
    registry=REGISTRY,
)
QUEUE_JOBS = Gauge(
    "talentgraph_queue_jobs",
    "Background jobs by status, all tenants (read from the store at each scrape)",
    ["status"],
    registry=REGISTRY,
)
QUEUE_OLDEST_PENDING = Gauge(
    "talentgraph_queue_oldest_pending_seconds",
    "Age of the oldest pending background job; 0 when none waits",
    registry=REGISTRY,
)
WEBHOOK_BACKLOG = Gauge(
    "talentgraph_webhook_backlog",
    "Inbound webhook events received and not yet processed, all tenants",
    registry=REGISTRY,
)
WEBHOOK_LAG = Gauge(
    "talentgraph_webhook_lag_seconds",
    "Age of the oldest inbound webhook event not yet processed; 0 when none waits",
    registry=REGISTRY,
)
EVENT_STREAMS = Gauge(
    "talentgraph_event_streams_open",
    "GraphQL Server-Sent Event streams open",
    registry=REGISTRY,
)
CACHE_HITS = Counter(
    "talentgraph_cache_hits", "Response cache hits by kind", ["kind"], registry=REGISTRY
)
CACHE_MISSES = Counter(
    "talentgraph_cache_misses", "Response cache misses by kind", ["kind"], registry=REGISTRY
)


class OperationLabels:
    """Operation names are chosen by clients: label at most ``limit`` distinct ones and
    count the rest as ``other``, so a hostile client cannot grow the registry."""

    def __init__(self, limit: int = 200) -> None:
        self.limit = limit
        self.seen: set[str] = set()

    def __call__(self, name: str) -> str:
        if name in self.seen:
            return name
        if len(name) > 64 or not name.replace("_", "a").isalnum() or len(self.seen) >= self.limit:
            return "other"
        self.seen.add(name)
        return name


operation_label = OperationLabels()


def observe_sync_run(
    provider: str, kind: str, status: str, seconds: float, counts: dict[str, Any]
) -> None:
    """A finished sync run: its duration, and its counts (``{"jobs": {"created": 3}}``)
    as records by entity and outcome."""
    SYNC_RUNS.labels(provider, kind, status).observe(seconds)
    for entity, outcomes in counts.items():
        if not isinstance(outcomes, dict):
            continue
        for outcome, number in outcomes.items():
            if isinstance(number, int) and number > 0:
                SYNC_RECORDS.labels(provider, str(entity)[:32], str(outcome)[:32]).inc(number)


_ROUTES = ("/graphql", "/webhooks/", "/interview/", "/board", "/static/", "/oauth/")
_EXACT = frozenset({"/", "/healthz", "/readyz", "/metrics", "/readme"})


def route_label(path: str) -> str:
    """A bounded label for a request path: the route family, never the path itself.

    >>> route_label("/webhooks/recruiterflow/12"), route_label("/wp-login.php")
    ('/webhooks/', 'other')
    """
    if path in _EXACT:
        return path
    for prefix in _ROUTES:
        if path == prefix.rstrip("/") or path.startswith(prefix):
            return prefix
    return "other"
