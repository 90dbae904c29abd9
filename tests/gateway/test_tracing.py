"""OpenTelemetry traces: off by default, on by the standard variables; one trace per
request continuing the caller's traceparent, through GraphQL, SQL and outbound calls.
Spans are read from the SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway import tracing
from tests.support.gateway import Gateway, running_gateway

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE}-00f067aa0ba902b7-01"


@pytest.fixture(scope="module")
def exported() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use(provider)
    yield exporter
    tracing.use(None)


@pytest.fixture(scope="module")
async def gateway(
    exported: InMemorySpanExporter, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    path: Path = tmp_path_factory.mktemp("tracing") / "tracing.db"
    async with running_gateway(f"sqlite+aiosqlite:///{path}") as running:
        yield running


def in_trace(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [
        span
        for span in exporter.get_finished_spans()
        if span.context is not None and format(span.context.trace_id, "032x") == TRACE
    ]


async def test_a_request_is_one_trace_through_graphql_and_sql(
    gateway: Gateway, exported: InMemorySpanExporter
) -> None:
    exported.clear()
    response = await gateway.client.post(
        "/graphql",
        json={"query": "query Me { me { email } }"},
        headers={**gateway.headers(), "traceparent": TRACEPARENT},
    )
    assert response.json()["data"]["me"]["email"]
    spans = in_trace(exported)
    server = [span for span in spans if span.kind is SpanKind.SERVER]
    assert server and server[0].parent is not None, "continues the caller's trace"
    names = {span.name for span in spans}
    assert any("GraphQL" in name or "Me" in name for name in names), names
    queries = [span for span in spans if span.name == "db.query"]
    assert queries and all(
        "SELECT" in str(span.attributes["db.statement"]).upper() for span in queries
    )
    assert all(span.attributes.get("db.system") == "sqlite" for span in queries)


async def test_a_compiled_read_has_its_span_and_its_statement(
    gateway: Gateway, exported: InMemorySpanExporter
) -> None:
    exported.clear()
    await gateway.client.post(
        "/graphql",
        json={"query": "{ jobs(first: 2) { nodes { title } } }"},
        headers={**gateway.headers(), "traceparent": TRACEPARENT},
    )
    names = [span.name for span in in_trace(exported)]
    assert "graphql.compiled_read" in names
    assert "db.query" in names


async def test_outbound_calls_carry_the_trace_onward(exported: InMemorySpanExporter) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("traceparent", ""))
        return httpx.Response(200, json={})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        tracing.trace_client(client)
        with tracing.tracer("test").start_as_current_span("work") as span:
            await client.get("https://ats.example.com/api/jobs")
            trace_id = format(span.get_span_context().trace_id, "032x")
    assert seen and seen[0].split("-")[1] == trace_id


@pytest.mark.parametrize(
    ("environ", "kind"),
    [
        ({}, None),
        ({"OTEL_TRACES_EXPORTER": "console"}, ConsoleSpanExporter),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, OTLPSpanExporter),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, OTLPSpanExporter),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c"}, None),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "console"}, None),
    ],
)
def test_the_standard_variables_decide(environ: dict[str, str], kind: type | None) -> None:
    exporter = tracing._exporter(environ)
    assert (exporter is None) if kind is None else isinstance(exporter, kind)


async def test_an_interview_links_token_never_reaches_a_span(
    gateway: Gateway, exported: InMemorySpanExporter
) -> None:
    token = "iv_" + "Q" * 43
    exported.clear()
    response = await gateway.client.get(f"/interview/{token}", headers={"traceparent": TRACEPARENT})
    assert response.status_code == 200, "the page itself saw the token (a 404 if not)"
    assert "<title>Your interview</title>" in response.text
    spans = in_trace(exported)
    assert spans, "the request was traced"
    for span in spans:
        assert token not in span.name, span.name
        assert token not in repr(dict(span.attributes or {})), span.name
    [server] = [span for span in spans if span.kind is SpanKind.SERVER]
    assert server.name == "GET /interview/[redacted]"
    assert (server.attributes or {})["http.target"] == "/interview/[redacted]"
