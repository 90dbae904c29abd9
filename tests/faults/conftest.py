"""One deployment (private PostgreSQL and Redis, ``serve``, ``worker``, the Recruiterflow
fake) shared by every fault test here; each test starts from it healthy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.faults import TEST_TIMEOUT_SECONDS, Stack, healthy, running_stack

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The rows wait on processes, outages and leases for longer than the suite's
    default per-test timeout allows when run as filed (30 s outages)."""
    for item in items:
        if item.path.parent == HERE:
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT_SECONDS))


@pytest.fixture(scope="package")
async def deployment(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path_factory.mktemp("faults")) as stack:
        yield stack


@pytest.fixture
async def stack(deployment: Stack) -> Stack:
    return await healthy(deployment)
