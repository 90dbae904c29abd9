"""``GET /interview/<token>`` over the real app, and the access log's redaction of
interview links: a malformed token is a 404 that reads nothing from the store, every
answer is private (no-store, no-referrer, the CSP), and the token never reaches a
log line, with the logging ``configure_logging`` sets up or with uvicorn's own."""

from __future__ import annotations

import copy
import io
import logging
import logging.config
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from uvicorn.config import LOGGING_CONFIG

from gateway.interview_tokens import new_token
from gateway.logging import ACCESS_LOGGER, configure_logging
from tests.support.gateway import Gateway, running_gateway

MALFORMED = [
    "x",
    "iv_short",
    "iv_" + "a" * 200,
    "iv_" + "a" * 20 + "!",
    "iv_" + "a" * 20 + "%20b",
    "xx_" + "a" * 43,
    "%F0%9F%98%80" * 8,
]


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    async with running_gateway(f"sqlite+aiosqlite:///{tmp_path / 'page.db'}") as running:
        yield running


def assert_private(headers: httpx.Headers) -> None:
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "connect-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("token", MALFORMED)
async def test_a_malformed_token_is_a_404_without_a_store_read(
    gateway: Gateway, token: str
) -> None:
    gateway.statements.reset()
    response = await gateway.client.get(f"/interview/{token}")
    assert response.status_code == 404
    assert gateway.statements.count == 0, gateway.statements.statements
    assert response.headers["content-type"].startswith("text/html")
    assert "We couldn't find this interview" in response.text
    assert_private(response.headers)


async def test_the_page_of_a_well_formed_token_is_private_and_echoes_nothing(
    gateway: Gateway,
) -> None:
    token = new_token()
    gateway.statements.reset()
    response = await gateway.client.get(f"/interview/{token}")
    assert response.status_code == 200
    assert gateway.statements.count == 0, "the page asks the API; the route reads nothing"
    assert_private(response.headers)
    assert token not in response.text
    assert '<script type="module" src="/static/js/interview.js"></script>' in response.text
    assert '"maxMessageChars":4000' in response.text
    assert '"maxNoteChars":1000' in response.text


async def test_the_page_scripts_and_styles_are_served(gateway: Gateway) -> None:
    for path in (
        "/static/js/interview.js",
        "/static/js/interview-api.js",
        "/static/js/interview-chat.js",
        "/static/js/interview-words.js",
        "/static/css/interview.css",
    ):
        response = await gateway.client.get(path)
        assert response.status_code == 200, path


@pytest.fixture
def uvicorn_loggers() -> Iterator[None]:
    """The uvicorn loggers as they were, whatever the test configures."""
    names = ["uvicorn", "uvicorn.error", ACCESS_LOGGER]
    saved = {
        name: (
            list(logging.getLogger(name).handlers),
            logging.getLogger(name).level,
            logging.getLogger(name).propagate,
            list(logging.getLogger(name).filters),
        )
        for name in names
    }
    yield
    for name, (handlers, level, propagate, filters) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate
        logger.filters[:] = filters


def access_line(path: str) -> str:
    """What uvicorn's access log prints for a GET of ``path``, as it logs it."""
    stream = io.StringIO()
    handler = logging.getLogger(ACCESS_LOGGER).handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    logging.getLogger(ACCESS_LOGGER).info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200
    )
    return stream.getvalue()


@pytest.mark.usefixtures("uvicorn_loggers")
def test_uvicorn_s_own_logging_config_keeps_the_redaction() -> None:
    token = new_token()
    configure_logging("INFO")
    logging.config.dictConfig(copy.deepcopy(LOGGING_CONFIG))
    line = access_line(f"/interview/{token}?utm=x")
    assert token not in line
    assert '"GET /interview/[redacted] HTTP/1.1" 200' in line
    assert '"GET /graphql HTTP/1.1" 200' in access_line("/graphql")


@pytest.mark.usefixtures("uvicorn_loggers")
def test_the_redaction_is_installed_once() -> None:
    configure_logging("INFO")
    configure_logging("INFO")
    access = logging.getLogger(ACCESS_LOGGER)
    assert sum(type(f).__name__ == "InterviewLinkRedaction" for f in access.filters) == 1
