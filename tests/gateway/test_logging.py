"""Log lines carry the request they were written for: its id and, when the caller sent a
W3C ``traceparent``, its trace id; as JSON objects with ``LOG_FORMAT=json``."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
import pytest

from gateway.logging import TEXT_FORMAT, JsonFormatter, RequestContextFilter, trace_id_of
from gateway.settings import Settings
from resolvers import http as http_module
from tests.support.gateway import Gateway, running_gateway

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture(scope="module")
async def gateway(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    path = tmp_path_factory.mktemp("logging") / "logging.db"
    async with running_gateway(f"sqlite+aiosqlite:///{path}") as running:
        yield running


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """Two handlers on the root logger, text and JSON, and a line logged while each
    GraphQL request is answered."""
    text, json = io.StringIO(), io.StringIO()
    handlers = []
    for stream, formatter in ((text, logging.Formatter(TEXT_FORMAT)), (json, JsonFormatter())):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        handler.addFilter(RequestContextFilter())
        handlers.append(handler)
        logging.getLogger().addHandler(handler)
    observe = http_module.GraphQLHTTP._observe

    def observing(*args: Any) -> None:
        logging.getLogger("talentgraph.test").warning("answered")
        observe(*args)

    monkeypatch.setattr(http_module.GraphQLHTTP, "_observe", staticmethod(observing))
    yield text, json
    for handler in handlers:
        logging.getLogger().removeHandler(handler)


async def test_a_line_written_during_a_request_names_it_and_its_trace(
    gateway: Gateway, lines: tuple[io.StringIO, io.StringIO]
) -> None:
    text, json = lines
    response = await gateway.client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"traceparent": TRACEPARENT, "x-request-id": "req-42"},
    )
    assert response.headers["x-request-id"] == "req-42"
    [record] = [orjson.loads(line) for line in json.getvalue().splitlines() if "answered" in line]
    assert record["request_id"] == "req-42"
    assert record["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert record["level"] == "WARNING" and record["logger"] == "talentgraph.test"
    assert record["time"].endswith("+00:00")
    assert "talentgraph.test [req-42] answered" in text.getvalue()


async def test_outside_a_request_the_fields_are_empty(
    lines: tuple[io.StringIO, io.StringIO],
) -> None:
    text, json = lines
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("talentgraph.test").exception("on its own")
    record = orjson.loads(json.getvalue().splitlines()[-1])
    assert record["request_id"] is None and record["trace_id"] is None
    assert "ValueError: boom" in record["exception"]
    assert "talentgraph.test on its own" in text.getvalue()


@pytest.mark.parametrize(
    "header",
    [None, "", "garbage", "00-" + "0" * 32 + "-00f067aa0ba902b7-01", TRACEPARENT.upper()],
)
def test_only_a_well_formed_traceparent_gives_a_trace_id(header: str | None) -> None:
    assert trace_id_of(header) is None


def test_the_setting_takes_text_or_json() -> None:
    assert Settings(log_format="json").log_format == "json"
    with pytest.raises(ValueError):
        Settings(log_format="xml")
