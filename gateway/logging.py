"""Stdlib logging, one line per record, configured once per process: plain text, or JSON
objects with ``LOG_FORMAT=json`` (``time``, ``level``, ``logger``, ``message``,
``request_id``, ``trace_id``, ``exception``), for log pipelines that parse lines.

Every line written while a request is handled carries its request id (the
``X-Request-Id`` the gateway answers with) and, when the caller sent a W3C
``traceparent``, its trace id: ``Unavailable``, the outermost middleware, sets them in
``REQUEST_CONTEXT`` for the request's whole life, and ``RequestContextFilter`` copies
them onto each record (text lines show ``[request id]`` after the logger's name).

Interview links carry their secret in the path (``/interview/<token>``), and uvicorn's
access log prints request paths: ``InterviewLinkRedaction`` on the ``uvicorn.access``
logger rewrites them to ``/interview/[redacted]``. It sits on the logger itself, not
on a handler, so it holds whichever handlers uvicorn's own logging config installs
(``talentgraph serve`` lets uvicorn configure logging, then builds the app, which calls
``configure_logging``; ``dictConfig`` adds filters to a logger but never removes them).
"""

from __future__ import annotations

import logging
import re
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
from opentelemetry import trace

ACCESS_LOGGER = "uvicorn.access"
_INTERVIEW_PATH = re.compile(r"/interview/[^\s\"']+")
REDACTED_INTERVIEW_PATH = "/interview/[redacted]"

_configured = False


def redact_interview_links(text: str) -> str:
    return _INTERVIEW_PATH.sub(REDACTED_INTERVIEW_PATH, text)


def _redacted(value: Any) -> Any:
    return redact_interview_links(value) if isinstance(value, str) else value


class InterviewLinkRedaction(logging.Filter):
    """Rewrites ``/interview/<anything>`` in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redacted(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(arg) for key, arg in record.args.items()}
        return True


def redact_access_log() -> None:
    """Install ``InterviewLinkRedaction`` on uvicorn's access logger, once."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, InterviewLinkRedaction) for f in access.filters):
        access.addFilter(InterviewLinkRedaction())


REQUEST_CONTEXT: ContextVar[tuple[str, str | None] | None] = ContextVar(
    "talentgraph_request_context", default=None
)
"""(request id, trace id or None) of the request being handled."""

_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id of a W3C ``traceparent`` header, or None for anything else.

    >>> trace_id_of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    '4bf92f3577b34da6a3ce929d0e0e4736'
    """
    if traceparent is None:
        return None
    match = _TRACEPARENT.fullmatch(traceparent.strip())
    if match is None or match[1] == "0" * 32:
        return None
    return match[1]


class RequestContextFilter(logging.Filter):
    """Puts ``request_id`` and ``trace_id`` on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id, trace_id = REQUEST_CONTEXT.get() or (None, None)
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            trace_id = format(span.trace_id, "032x")
        record.request_id = request_id
        record.trace_id = trace_id
        record.request = f" [{request_id}]" if request_id else ""
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "trace_id": getattr(record, "trace_id", None),
        }
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return orjson.dumps(line, default=str).decode()


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request)s %(message)s"


def _formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(level: str = "INFO", log_format: str = "text") -> None:
    """Once per process: the root handler with the chosen format and the request context
    on every record; uvicorn's own handlers (which do not propagate) get the same."""
    global _configured
    redact_access_log()
    if _configured:
        return
    root = logging.getLogger()
    if not root.handlers:
        stream = logging.StreamHandler()
        stream.setFormatter(_formatter(log_format))
        root.addHandler(stream)
    root.setLevel(level.upper())
    # httpx logs every request's full URL at INFO, query string (API keys some vendors
    # take there) included; connectors log their calls themselves, without it
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            if log_format == "json":
                handler.setFormatter(_formatter(log_format))
            if not any(isinstance(f, RequestContextFilter) for f in handler.filters):
                handler.addFilter(RequestContextFilter())
    _configured = True
