"""Session fixtures for real PostgreSQL and Redis; the logic lives in tests/support/services.py.

Tests needing a server are skipped when there is none, and fail when ``CI`` is set.
"""

from __future__ import annotations

import gc
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import services as svc
from tests.support.gateway import STANDARD_STORE, Gateway, running_gateway
from tests.support.services import Backend

GC_THRESHOLDS = (700, 10, 100)
"""Python's default (700, 10, 10) suits a gateway process; the suite allocates far more
per second and keeps far more alive (test items, reports, Hypothesis), and with the
default it spends a good part of its time in full collections walking over a million
objects. Collected less often, the same garbage still goes."""


def pytest_configure(config: pytest.Config) -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    config.add_cleanup(svc.shutdown_session_services)
    config.add_cleanup(STANDARD_STORE.close)


def pytest_sessionstart(session: pytest.Session) -> None:
    svc.require_services_in_ci()


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """``postgresql://`` URL of the server (maintenance database); for admin use only."""
    services = svc.session_services()
    return services.require(services.postgres)


@pytest.fixture(scope="session")
async def postgres_url(postgres_server_url: str) -> AsyncIterator[str]:
    """``postgresql+asyncpg://`` URL of this run's own empty database, dropped at the end."""
    async with svc.fresh_postgres_database(server_url=postgres_server_url) as url:
        yield url


@pytest.fixture
async def private_postgres_url(postgres_server_url: str) -> AsyncIterator[str]:
    """A database of the test's own, for tests whose subprocesses migrate and write it."""
    async with svc.fresh_postgres_database(server_url=postgres_server_url) as url:
        yield url


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    services = svc.session_services()
    return services.require(services.redis)


@pytest.fixture(scope="session")
async def redis_prefix(redis_server_url: str) -> AsyncIterator[str]:
    """This run's key prefix, ``tgtest:<pid>:<random>:``; its keys are deleted at the end."""
    async with svc.redis_prefix_scope(redis_server_url) as prefix:
        yield prefix


@pytest.fixture(scope="session")
def redis_url(redis_server_url: str, redis_prefix: str) -> str:
    """``redis://host:port/db``; keep every key under ``redis_prefix``."""
    return redis_server_url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
async def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Backend]:
    """An empty database per test module and backend; the postgresql one skips like
    ``postgres_url`` when there is no server."""
    if request.param == "sqlite":
        name = re.sub(r"\W+", "_", Path(request.node.name).stem)
        path = tmp_path_factory.mktemp("sqlite") / f"test-{name}.db"
        yield Backend("sqlite", f"sqlite+aiosqlite:///{path}")
        return
    server_url: str = request.getfixturevalue("postgres_server_url")
    async with svc.fresh_postgres_database(server_url=server_url) as url:
        yield Backend("postgresql", url)


@pytest.fixture(scope="module")
async def gateway(backend: Backend) -> AsyncIterator[Gateway]:
    """The gateway over this module's database (SQLite and PostgreSQL), two tenants
    seeded, in-memory cache."""
    async with running_gateway(backend.url) as running:
        yield running
