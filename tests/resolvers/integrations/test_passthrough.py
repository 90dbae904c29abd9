"""``integrationPassthrough`` against the Recruiterflow fake over real HTTP: an admin's
GET answers with the fake's data through the stored API key; every refusal (a path that
climbs, leaves the host, is encoded, or is outside the allow-list; a bad method; a
non-admin; another tenant's integration) is a clear typed error and reaches no server;
every call is audited without its body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.store.enums import Role
from gateway.store.models import Activity, OperationalLog
from resolvers.relay import to_global_id
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world

PASSTHROUGH = """mutation($input: IntegrationPassthroughInput!) {
  integrationPassthrough(input: $input) {
    __typename
    ... on IntegrationPassthroughSuccess { status headers body truncated }
    ... on UserError { message code }
    ... on ValidationError { field }
    ... on PermissionDeniedError { permission }
    ... on NotFoundError { entity }
  }
}"""
JOB_LIST = "/api/external/job/list"


@dataclass
class Recorded:
    """An ASGI app that notes every HTTP request before handing it on."""

    app: ASGIApp
    requests: list[tuple[str, str]] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)


async def anywhere(scope: Scope, receive: Receive, send: Send) -> None:
    await JSONResponse({"secret": "elsewhere"})(scope, receive, send)


@dataclass
class Passthrough:
    world: GatewayWorld
    fake: FakeRecruiterflow
    source: Recorded
    elsewhere: Recorded
    integration_id: int

    def sent(self) -> list[tuple[str, str]]:
        return [*self.source.requests, *self.elsewhere.requests]

    async def call(self, role: Role = Role.ADMIN, **given: Any) -> dict[str, Any]:
        given.setdefault("integrationId", to_global_id("Integration", self.integration_id))
        given.setdefault("method", "GET")
        return await self.world.mutate(PASSTHROUGH, "integrationPassthrough", given, role=role)


@pytest.fixture(scope="module")
async def pt(backend: Backend) -> AsyncIterator[Passthrough]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=3, candidates=4, applications=5)
    source, elsewhere = Recorded(fake.app), Recorded(anywhere)
    mounts = {"https://api.recruiterflow.com": source, "all://": elsewhere}
    async with gateway_world(backend, mounts) as world:
        integration_id = await world.add_integration(
            "recruiterflow", "RF passthrough", {"apiKey": fake.api_key}
        )
        yield Passthrough(world, fake, source, elsewhere, integration_id)


async def test_an_admin_get_answers_with_the_sources_data(pt: Passthrough) -> None:
    before = len(pt.sent())
    result = await pt.call(path=JOB_LIST, query={"items_per_page": 2, "current_page": 1})
    assert result["__typename"] == "IntegrationPassthroughSuccess", result
    assert result["status"] == 200
    assert result["headers"]["content-type"].startswith("application/json")
    assert [job["id"] for job in result["body"]] == sorted(pt.fake.jobs)[:2]
    assert result["truncated"] is False
    assert pt.sent()[before:] == [("GET", JOB_LIST)]


async def test_the_sources_error_answers_are_relayed(pt: Passthrough) -> None:
    result = await pt.call(path="/api/external/job", query={"job_id": 1})
    assert result["__typename"] == "IntegrationPassthroughSuccess", result
    assert result["status"] == 404


async def test_a_post_carries_its_body_and_is_audited_without_it(pt: Passthrough) -> None:
    world = pt.world
    candidate = sorted(pt.fake.candidates)[0]
    note = {"id": candidate, "value": "passthrough-secret-note"}
    result = await pt.call(method="post", path="/api/external/candidate/notes/add", body=note)
    assert result["__typename"] == "IntegrationPassthroughSuccess", result
    assert result["status"] == 200, result
    assert any(n["value"] == note["value"] for n in pt.fake.notes.get(candidate, []))
    rows = await world.rows(
        sa.select(Activity.description, Activity.details).where(
            Activity.action == "integration.passthrough",
            Activity.subject_id == pt.integration_id,
        )
    )
    [mine] = [row for row in rows if row.details["method"] == "POST"]
    assert mine.details["path"] == "/api/external/candidate/notes/add"
    assert mine.details["status"] == 200
    logs = await world.rows(
        sa.select(OperationalLog.message, OperationalLog.extra).where(
            OperationalLog.source == "passthrough"
        )
    )
    assert any("POST /api/external/candidate/notes/add" in log.message for log in logs)
    for text in [str(row) for row in rows] + [str(log) for log in logs]:
        assert "passthrough-secret-note" not in text
        assert pt.fake.api_key not in text


REFUSED_PATHS = [
    "../api/external/job/list",
    "/api/external/job/../../admin",
    "//evil.com/api/external/job/list",
    "https://evil.com/x",
    "%2e%2e/api/external/job/list",
    "/api/external/job/%2e%2e/%2e%2e/admin",
    "/api/external/job/%252e%252e/x",
    "%2f%2fevil.com/api/external/job",
    "/api/external/job@evil.com",
    "/api/external/job\\..\\x",
    "/api/external/job/list?x=1",
    "/api/external/info",
    "/api/external/jobx",
    "/documents/1/cv.pdf",
    "",
]


@pytest.mark.parametrize("path", REFUSED_PATHS)
async def test_paths_off_the_allow_list_or_host_are_refused_unsent(
    pt: Passthrough, path: str
) -> None:
    before = len(pt.sent())
    result = await pt.call(path=path)
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "path"
    assert result["message"].startswith("path ") or "passthrough" in result["message"]
    assert pt.sent()[before:] == []


@pytest.mark.parametrize(
    ("given", "part"),
    [
        ({"method": "TRACE"}, "method"),
        ({"method": "CONNECT"}, "method"),
        ({"method": "GET", "body": {"a": 1}}, "body"),
        ({"method": "POST", "body": {"big": "x" * 70_000}}, "body"),
        ({"query": {"nested": {"a": 1}}}, "query"),
        ({"query": [1, 2]}, "query"),
    ],
)
async def test_bad_methods_bodies_and_queries_are_refused_unsent(
    pt: Passthrough, given: dict[str, Any], part: str
) -> None:
    before = len(pt.sent())
    result = await pt.call(path=JOB_LIST, **given)
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == part
    assert pt.sent()[before:] == []


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.READONLY])
async def test_only_admins_may_send(pt: Passthrough, role: Role) -> None:
    before = len(pt.sent())
    result = await pt.call(role=role, path=JOB_LIST)
    assert result["__typename"] == "PermissionDeniedError", result
    assert result["permission"] == "integrations:passthrough"
    assert pt.sent()[before:] == []


async def test_another_tenants_integration_is_not_found(pt: Passthrough) -> None:
    theirs = await pt.world.integration_of("recruiterflow", tenant="other")
    before = len(pt.sent())
    audited = await pt.world.count(Activity, Activity.action == "integration.passthrough")
    result = await pt.call(integrationId=to_global_id("Integration", theirs), path=JOB_LIST)
    assert result["__typename"] == "NotFoundError", result
    assert pt.sent()[before:] == []
    after = await pt.world.count(Activity, Activity.action == "integration.passthrough")
    assert after == audited


async def test_refusals_are_audited_too(pt: Passthrough) -> None:
    await pt.call(path="../etc/passwd")
    rows = await pt.world.rows(
        sa.select(Activity.details).where(Activity.action == "integration.passthrough")
    )
    refused = [row.details for row in rows if row.details["path"] == "../etc/passwd"]
    assert refused and refused[-1]["status"] is None
    assert refused[-1]["outcome"].startswith("refused: ")
