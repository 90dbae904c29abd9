"""Prometheus metrics, on a registry of our own so tests can build many apps."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

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
