"""One deployment (private PostgreSQL and Redis, ``serve``, ``worker``, the Recruiterflow
fake) shared by every fault test here; each test starts from it healthy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.faults import Stack, healthy, running_stack


@pytest.fixture(scope="package")
async def deployment(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path_factory.mktemp("faults")) as stack:
        yield stack


@pytest.fixture
async def stack(deployment: Stack) -> Stack:
    return await healthy(deployment)
