"""A source that refuses a read which only enriches records (names, owners, resumes,
stage history, a record's extras), as a key without that endpoint's permission does
(403; Greenhouse, Lever and Ashby grant reads per endpoint) or as a path that is not
there does (404): the run stores every record without what it could not read, succeeds,
and says what it could not read. Before, one such answer ended the whole run."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.responses import JSONResponse

from gateway.store.models import Application, Candidate, Job, SyncRun
from jobs.sync_api import SyncMode
from tests.connectors.harness.greenhouse import make_harness as greenhouse
from tests.connectors.harness.lever import make_harness as lever
from tests.connectors.harness.workable import make_harness as workable
from tests.support.services import Backend
from tests.support.synced_provider import provider_sync

HARNESSES = {"greenhouse": greenhouse, "lever": lever, "workable": workable}

CASES = [
    ("greenhouse", r"/v3/job_owners", 403),
    ("greenhouse", r"/v3/departments", 403),
    ("greenhouse", r"/v3/attachments", 404),
    ("greenhouse", r"/v3/application_stages", 403),
    ("greenhouse", r"/v3/interviewers", 404),
    ("lever", r"/v1/stages", 403),
    ("lever", r"/v1/archive_reasons", 404),
    ("lever", r"/v1/opportunities/[^/]+/resumes", 403),
    ("lever", r"/v1/opportunities/[^/]+/interviews", 404),
    ("workable", r"/spi/v3/jobs/[^/]+/members", 403),
    ("workable", r"/spi/v3/candidates/[^/]+/activities", 403),
]


def refusing(app: Any, pattern: str, status: int) -> Any:
    """``app``, answering ``status`` to every request whose path matches ``pattern``."""
    matches = re.compile(f"^{pattern}$").match

    async def refused(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and matches(scope["path"]):
            answer = JSONResponse({"error": "refused by the test"}, status_code=status)
            await answer(scope, receive, send)
            return
        await app(scope, receive, send)

    return refused


@pytest.mark.parametrize(
    ("provider", "pattern", "status"), CASES, ids=[f"{p}-{s}-{r}" for p, r, s in CASES]
)
async def test_a_refused_enrichment_read_costs_only_what_it_would_have_added(
    backend: Backend, provider: str, pattern: str, status: int
) -> None:
    harness = HARNESSES[provider]()
    harness.seed(jobs=3, candidates=4, applications=6)
    harness.app = refusing(harness.app, pattern, status)
    async with provider_sync(backend, harness, config=harness.config(3)) as world:
        outcome = await world.sync(SyncMode.FULL)  # asserts SUCCEEDED
        refused = [path for path, _query in world.seen if re.match(f"^{pattern}$", path)]
        assert refused, "the refused path was asked"
        assert await world.count(Job) == 3
        assert await world.count(Candidate) >= 4
        assert await world.count(Application) == 6
        async with world.engine.connect() as conn:
            details = await conn.scalar(
                sa.select(SyncRun.error_details).where(SyncRun.id == outcome.run_id)
            )
    warnings = (details or {}).get("warnings", [])
    assert any(f"HTTP {status}" in warning for warning in warnings), warnings
    assert len(warnings) == len(set(warnings)), "each refusal is said once"
