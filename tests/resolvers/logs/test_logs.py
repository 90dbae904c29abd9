"""``logs``: the operational log with the design's filters (level, source, requisition,
application, date range, search), newest first, paged; recruiters see the requisitions
they own, another tenant's lines never show, bad filters are clear errors, and an entry
that cannot be stored goes to the process log instead of failing the work."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gateway.oplog import LogEntry, prune_logs, write_log
from gateway.permissions import Role
from gateway.store.base import utcnow
from gateway.store.enums import LogLevel
from gateway.store.models import Job, OperationalLog
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

LOGS = """query($filter: LogFilter, $first: Int, $after: String) {
  logs(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id level source message extra createdAt job { id } }
  }
}"""


@pytest.fixture(scope="module")
async def gateway(backend: Backend) -> AsyncIterator[Gateway]:
    async with running_gateway(backend.url) as running:
        state = running.app.state
        demo, other = running.tenants["demo"], running.tenants["other"]
        async with state.session_factory() as session:
            recruiter = demo.recruiter_user_ids[0]
            mine = await session.scalar(
                sa.select(Job.id).where(
                    Job.tenant_id == demo.tenant_id, Job.recruiter_id == recruiter
                )
            )
            theirs = await session.scalar(
                sa.select(Job.id).where(
                    Job.tenant_id == demo.tenant_id, Job.recruiter_id != recruiter
                )
            )
        assert mine is not None and theirs is not None
        running.jobs = (mine, theirs)  # type: ignore[attr-defined]
        async with state.session_factory.begin() as session:
            await session.execute(sa.delete(OperationalLog))
        await write_log(
            state.session_factory,
            LogEntry(demo.tenant_id, LogLevel.DEBUG, "sync", "Nothing changed"),
            LogEntry(demo.tenant_id, LogLevel.INFO, "automation", "Invited Ada", job_id=mine),
            LogEntry(demo.tenant_id, LogLevel.WARNING, "processing", "Retrying 50% of it"),
            LogEntry(
                demo.tenant_id,
                LogLevel.ERROR,
                "delivery",
                "Gave up on hooks.example",
                job_id=theirs,
                extra={"deliveryId": 7},
            ),
            LogEntry(other.tenant_id, LogLevel.ERROR, "delivery", "Other tenant's line"),
        )
        yield running


async def _logs(gateway: Gateway, role: Role = Role.ADMIN, **variables: object) -> dict:
    return (await gateway.execute(LOGS, dict(variables), role=role))["logs"]


async def test_newest_first_with_every_line_of_the_tenant(gateway: Gateway) -> None:
    logs = await _logs(gateway)
    assert logs["totalCount"] == 4
    assert [n["message"] for n in logs["nodes"]] == [
        "Gave up on hooks.example",
        "Retrying 50% of it",
        "Invited Ada",
        "Nothing changed",
    ]
    assert logs["nodes"][0]["extra"] == {"deliveryId": 7}
    assert logs["nodes"][0]["job"]["id"] == to_global_id("Job", gateway.jobs[1])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "filter, messages",
    [
        ({"level": ["ERROR", "DEBUG"]}, ["Gave up on hooks.example", "Nothing changed"]),
        ({"minLevel": "WARNING"}, ["Gave up on hooks.example", "Retrying 50% of it"]),
        ({"minLevel": "INFO", "level": ["INFO", "DEBUG"]}, ["Invited Ada"]),
        ({"source": ["automation"]}, ["Invited Ada"]),
        ({"search": "50%"}, ["Retrying 50% of it"]),
        ({"search": "%"}, ["Retrying 50% of it"]),
        ({"createdAt": {"to": "2000-01-01T00:00:00Z"}}, []),
    ],
)
async def test_filters_narrow(gateway: Gateway, filter: dict, messages: list[str]) -> None:
    logs = await _logs(gateway, filter=filter)
    assert [n["message"] for n in logs["nodes"]] == messages
    assert logs["totalCount"] == len(messages)


async def test_by_requisition_and_paged(gateway: Gateway) -> None:
    mine, _ = gateway.jobs  # type: ignore[attr-defined]
    logs = await _logs(gateway, filter={"jobId": to_global_id("Job", mine)})
    assert [n["message"] for n in logs["nodes"]] == ["Invited Ada"]
    first = await _logs(gateway, first=3)
    rest = await _logs(gateway, first=3, after=first["pageInfo"]["endCursor"])
    assert first["pageInfo"]["hasNextPage"] and not rest["pageInfo"]["hasNextPage"]
    assert [n["message"] for n in rest["nodes"]] == ["Nothing changed"]


async def test_a_recruiter_sees_the_lines_of_their_requisitions(gateway: Gateway) -> None:
    logs = await _logs(gateway, role=Role.RECRUITER)
    assert [n["message"] for n in logs["nodes"]] == ["Invited Ada"]
    readonly = await _logs(gateway, role=Role.READONLY)
    assert readonly["totalCount"] == 4, "read-only users see the whole log"


async def test_another_tenant_sees_only_its_own(gateway: Gateway) -> None:
    logs = (await gateway.execute(LOGS, {}, tenant="other"))["logs"]
    assert [n["message"] for n in logs["nodes"]] == ["Other tenant's line"]


async def test_a_line_is_a_node_for_those_who_may_see_it(gateway: Gateway) -> None:
    logs = await _logs(gateway)
    line = logs["nodes"][0]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on LogEntry { message } } }"
    assert (await gateway.execute(query, {"id": line}))["node"] == {
        "message": "Gave up on hooks.example"
    }
    assert (await gateway.execute(query, {"id": line}, role=Role.RECRUITER))["node"] is None
    assert (await gateway.execute(query, {"id": line}, tenant="other"))["node"] is None


@pytest.mark.parametrize(
    "variables, fragment",
    [
        ({"filter": {"level": ["LOUD"]}}, "LOUD"),
        ({"filter": {"jobId": "not-an-id"}}, "not a valid id"),
        ({"filter": {"jobId": to_global_id("Candidate", 1)}}, "not found"),
        ({"first": 100_000}, "first"),
        ({"after": "garbage"}, "invalid cursor"),
    ],
)
async def test_bad_filters_are_clear_errors(
    gateway: Gateway, variables: dict, fragment: str
) -> None:
    errors = await gateway.errors(LOGS, variables)
    assert fragment in errors[0]["message"]
    assert errors[0].get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR"


async def test_anonymous_callers_get_nothing(gateway: Gateway) -> None:
    errors = await gateway.errors(LOGS, {}, role=None)
    assert errors


async def test_an_entry_that_cannot_be_stored_goes_to_the_process_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Away:
        def begin(self) -> object:
            raise ConnectionError("database away")

    with caplog.at_level(logging.INFO, logger="talentgraph.oplog"):
        await write_log(Away(), LogEntry(1, LogLevel.WARNING, "sync", "kept somewhere"))  # type: ignore[arg-type]
    assert "kept somewhere" in caplog.text and "not stored: ConnectionError" in caplog.text


async def test_old_lines_are_pruned(gateway: Gateway) -> None:
    state = gateway.app.state
    tenant_id = gateway.tenants["demo"].tenant_id
    async with state.session_factory.begin() as session:
        session.add(
            OperationalLog(
                tenant_id=tenant_id,
                level=LogLevel.INFO,
                source="sync",
                message="ancient",
                extra={},
                created_at=utcnow() - timedelta(days=90),
            )
        )
    pruned = await prune_logs(state.session_factory, before=utcnow() - timedelta(days=30))
    assert pruned == 1
    assert (await _logs(gateway, filter={"search": "ancient"}))["totalCount"] == 0
