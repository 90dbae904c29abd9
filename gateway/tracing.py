"""OpenTelemetry traces, off unless the standard ``OTEL_*`` variables turn them on.

On when ``OTEL_TRACES_EXPORTER`` is ``otlp`` or ``console``, or when it is unset and
``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is; off with
``OTEL_SDK_DISABLED=true``. The OTLP exporter (HTTP/protobuf) reads its own variables
(endpoint, headers, timeout); ``OTEL_SERVICE_NAME`` names the service (``talentgraph``
by default) and ``OTEL_RESOURCE_ATTRIBUTES`` adds to it.

What is traced, as one trace per request (continuing the caller's W3C ``traceparent``):
the HTTP request (``OpenTelemetryMiddleware``, outermost), the GraphQL operation with
its parse, validation and resolvers (Strawberry's ``OpenTelemetryExtension``) or the
compiled read (``resolvers.compiled``), each SQL statement (``db.query`` spans from
SQLAlchemy's cursor events, the statement cut to 1,000 characters, never its
parameters), and each outbound HTTP call: connectors to the source systems and
outbound webhooks, which carry ``traceparent`` onward. Work handed on keeps its trace:
a stored webhook event keeps the request's ``traceparent`` and its processing continues
it (``continued``); a queued background job keeps the trace of what queued it and each
attempt runs as a ``task <name>`` span of it, in whichever worker takes it; an outbound
webhook delivery keeps the trace of the event that fired it (``webhook.deliver``, the
receiver is sent ``traceparent``); and bus events carry theirs to a
``subscription.push`` span in every process with a subscriber (``detached``). Log lines
carry the trace id (``gateway.logging``). An interview link's token never reaches a
span: its path is traced as ``/interview/[redacted]``, as the access log writes it.
"""

from __future__ import annotations

import os
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.logging import redact_interview_links

_provider: TracerProvider | None = None
_STATEMENT_CHARS = 1000
_SPAN = "talentgraph.span"
_REQUEST_SCOPE = "talentgraph.request_scope"


def provider() -> TracerProvider | None:
    return _provider


def use(chosen: TracerProvider | None) -> None:
    """Trace to ``chosen`` from now on (None: stop); the apps and runtimes built after
    this are instrumented with it (tests pass one with an in-memory exporter)."""
    global _provider
    _provider = chosen


def configure_from_environment(service: str = "talentgraph") -> TracerProvider | None:
    """The provider the ``OTEL_*`` variables ask for, made once per process; None when
    tracing is off."""
    if _provider is not None:
        return _provider
    exporter = _exporter(os.environ)
    if exporter is None:
        return None
    name = os.environ.get("OTEL_SERVICE_NAME") or service
    made = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    made.add_span_processor(BatchSpanProcessor(exporter))
    use(made)
    return made


def _exporter(environ: Any) -> SpanExporter | None:
    if str(environ.get("OTEL_SDK_DISABLED", "")).lower() == "true":
        return None
    chosen = str(environ.get("OTEL_TRACES_EXPORTER", "")).strip().lower()
    endpoint = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    if chosen == "console":
        return ConsoleSpanExporter()
    if chosen == "otlp" or (not chosen and endpoint):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    return None


def traced_app(app: ASGIApp) -> ASGIApp:
    """``app`` inside a server span per request, when tracing is on.

    The span sees an interview link's path as ``/interview/[redacted]`` (its name, its
    ``http.target`` and ``http.url``), as the access log does: the token in the path is
    the candidate's only credential. ``app`` itself gets the request as it came."""
    if _provider is None:
        return app
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    async def as_it_came(scope: Scope, receive: Receive, send: Send) -> None:
        await app(scope.get(_REQUEST_SCOPE, scope), receive, send)

    traced = OpenTelemetryMiddleware(
        as_it_came, excluded_urls="healthz,readyz,metrics", tracer_provider=_provider
    )

    async def redacted(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path")
        if isinstance(path, str):
            shown = redact_interview_links(path)
            if shown != path:
                scope = {**scope, "path": shown, "raw_path": shown.encode(), _REQUEST_SCOPE: scope}
        await traced(scope, receive, send)

    return redacted


def trace_client(client: Any) -> None:
    """Spans for the calls of an ``httpx.AsyncClient``, with ``traceparent`` sent on."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=_provider)


def trace_engine(engine: AsyncEngine) -> None:
    """A ``db.query`` span around each statement the engine runs."""
    if _provider is None:
        return
    tracer = _provider.get_tracer("talentgraph.sql")
    system = engine.dialect.name

    def before(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        span = tracer.start_span(
            "db.query",
            kind=trace.SpanKind.CLIENT,
            attributes={
                "db.system": system,
                "db.statement": statement[:_STATEMENT_CHARS],
            },
        )
        _conn.info.setdefault(_SPAN, []).append(span)

    def after(_conn: Any, *_args: Any) -> None:
        spans = _conn.info.get(_SPAN)
        if spans:
            spans.pop().end()

    def failed(context: Any) -> None:
        spans = context.connection.info.get(_SPAN) if context.connection is not None else None
        if spans:
            span = spans.pop()
            span.set_status(trace.Status(trace.StatusCode.ERROR))
            span.end()

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)
    event.listen(engine.sync_engine, "handle_error", failed)


def graphql_extension() -> Any:
    """Strawberry's tracing extension for one request (the schema lists it only when
    tracing is on)."""
    from strawberry.extensions.tracing import OpenTelemetryExtension

    return OpenTelemetryExtension(tracer_provider=_provider)


_NO_TRACER = trace.NoOpTracer()


def tracer(name: str) -> trace.Tracer:
    """A tracer of the configured provider; with tracing off, one shared no-op tracer
    (nothing is made per call on the request path)."""
    if _provider is None:
        return _NO_TRACER
    return _provider.get_tracer(name)


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, to carry work on to another task or
    process (a stored webhook event, a bus event); None when nothing is traced."""
    if _provider is None:
        return None
    from opentelemetry import propagate

    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def _parent(traceparent: str | None) -> Any:
    from opentelemetry import propagate

    return propagate.extract({"traceparent": traceparent}) if traceparent else None


def continued(traceparent: str | None, name: str) -> Any:
    """A span made current, child of the work ``traceparent`` names (a new trace
    without one): ``with continued(stored, "webhook.process"): ...``."""
    return tracer("talentgraph").start_as_current_span(name, context=_parent(traceparent))


def detached(traceparent: str | None, name: str) -> Any:
    """A span that is not made current (for an async generator, which must not leave a
    context behind it when it yields): end it with ``.end()``."""
    return tracer("talentgraph").start_span(name, context=_parent(traceparent))
