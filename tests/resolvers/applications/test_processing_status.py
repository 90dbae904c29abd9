"""Processing status and triage: the status through its transitions (queued, stored,
failed, evaluated, closed), the filters against the store's own answer, ``pendingCount``
in one statement whatever the number of requisitions, and
``applicationResolveHumanRequest`` with its refusals and its event."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.ai.provider import ProviderError
from gateway.auth import issue_token
from gateway.services import processing
from gateway.store.base import utcnow
from gateway.store.enums import ApplicationStatus, InterviewStatus, ProcessingStatus, Role
from gateway.store.models import Activity, Analysis, Application, Evaluation, Interview, Job
from jobs import analysis_tasks
from jobs.queue_local import InProcessQueue
from resolvers.relay import to_global_id
from tests.support.gateway import JWT_SECRET, Gateway, running_gateway
from tests.support.services import Backend

STATUS = """
query($id: ID!) {
  node(id: $id) {
    ... on Application { processingStatus hasAnalysis hasInterview hasReport humanRequested }
  }
}
"""
REPROCESS = """
mutation($id: ID!) {
  applicationReprocess(input: {applicationId: $id}) { __typename }
}
"""
FILTERED = """
query($filter: ApplicationFilter) {
  applications(first: 100, filter: $filter) { totalCount nodes { id } }
}
"""
PENDING = """
query($first: Int!) { jobs(first: $first) { nodes { id pendingCount } } }
"""
RESOLVE = """
mutation($input: ApplicationResolveHumanRequestInput!) {
  applicationResolveHumanRequest(input: $input) {
    __typename
    ... on ApplicationResolveHumanRequestSuccess { application { id humanRequested } }
    ... on NotFoundError { entity }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission message }
  }
}
"""


@pytest.fixture(scope="module")
async def gateway(backend: Backend) -> AsyncIterator[Gateway]:
    async with running_gateway(backend.url, task_retry_base_seconds=0.01) as running:
        yield running


def _tenant(gateway: Gateway, slug: str = "demo") -> int:
    return gateway.tenants[slug].tenant_id


async def _scalars(gateway: Gateway, query: Any) -> list[Any]:
    async with gateway.app.state.session_factory() as session:
        return list(await session.scalars(query))


async def _status(gateway: Gateway, application_id: int) -> dict[str, Any]:
    data = await gateway.execute(STATUS, {"id": to_global_id("Application", application_id)})
    node: dict[str, Any] = data["node"]
    return node


async def _untouched(gateway: Gateway, count: int) -> list[int]:
    """Active applications of the demo tenant without analysis or interview."""
    ids = await _scalars(
        gateway,
        sa.select(Application.id)
        .where(
            Application.tenant_id == _tenant(gateway),
            Application.status == ApplicationStatus.ACTIVE,
            ~processing.has_analysis(Application.id),
            ~sa.exists().where(Interview.application_id == Application.id),
        )
        .order_by(Application.id.desc())
        .limit(count + 5),
    )
    used: set[int] = gateway.__dict__.setdefault("_used", set())
    free = [i for i in ids if i not in used][:count]
    used.update(free)
    assert len(free) == count
    return free


async def _drain(gateway: Gateway) -> None:
    queue = gateway.app.state.queue
    assert isinstance(queue, InProcessQueue)
    await asyncio.wait_for(queue.drain(), timeout=20)


async def test_status_follows_queue_analysis_failure_and_evaluation(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysed, failing = await _untouched(gateway, 2)
    assert (await _status(gateway, analysed))["processingStatus"] == "NEW"

    gate = asyncio.Event()
    analyze = analysis_tasks.analyze_application

    async def held(deps: Any, tenant_id: int, application_id: int, **kwargs: Any) -> Any:
        if application_id == failing:
            raise ProviderError("refused", retryable=False)
        await gate.wait()
        return await analyze(deps, tenant_id, application_id, **kwargs)

    monkeypatch.setattr(analysis_tasks, "analyze_application", held)
    for application_id in (analysed, failing):
        queued = await gateway.execute(
            REPROCESS, {"id": to_global_id("Application", application_id)}
        )
        assert queued["applicationReprocess"]["__typename"] == "ApplicationReprocessSuccess"
    waiting = await _status(gateway, analysed)
    assert (waiting["processingStatus"], waiting["hasAnalysis"]) == ("ANALYZING", False)
    gate.set()
    await _drain(gateway)

    done = await _status(gateway, analysed)
    assert (done["processingStatus"], done["hasAnalysis"], done["hasReport"]) == (
        "ANALYZED",
        True,
        False,
    )
    assert (await _status(gateway, failing))["processingStatus"] == "NEW"  # failed: not stuck

    tenant_id = _tenant(gateway)
    async with gateway.app.state.session_factory.begin() as session:
        interview = Interview(
            tenant_id=tenant_id,
            application_id=analysed,
            status=InterviewStatus.COMPLETED,
            completed_at=utcnow(),
        )
        session.add(interview)
        await session.flush()
        session.add(Evaluation(tenant_id=tenant_id, interview_id=interview.id, overall_score=80))
        await session.flush()
        await processing.settle(session, tenant_id, [analysed])
    reported = await _status(gateway, analysed)
    assert (reported["processingStatus"], reported["hasInterview"], reported["hasReport"]) == (
        "COMPLETE",
        True,
        True,
    )

    async with gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Application)
            .where(Application.id == failing)
            .values(status=ApplicationStatus.REJECTED)
        )
    assert (await _status(gateway, failing))["processingStatus"] == "COMPLETE"  # closed


async def _ids(gateway: Gateway, filter: dict[str, Any]) -> set[int]:
    data = await gateway.execute(FILTERED, {"filter": filter})
    listing = data["applications"]
    assert listing["totalCount"] <= 100, "the demo tenant is small enough to list whole"
    from tests.resolvers.jobs.test_queries_jobs import pk

    return {pk(node["id"]) for node in listing["nodes"]}


async def test_filters_match_the_store(gateway: Gateway) -> None:
    tenant_id = _tenant(gateway)
    async with gateway.app.state.session_factory() as session:
        found = (
            await session.execute(
                sa.select(
                    Application.id,
                    Application.human_requested,
                    Application.compliance_review,
                    processing.has_analysis(Application.id).label("analysed"),
                    processing.effective_status().label("status"),
                ).where(Application.tenant_id == tenant_id)
            )
        ).all()
    assert any(r.human_requested for r in found) and any(r.compliance_review for r in found)
    cases: list[tuple[dict[str, Any], set[int]]] = [
        ({"humanRequested": True}, {r.id for r in found if r.human_requested}),
        ({"humanRequested": False}, {r.id for r in found if not r.human_requested}),
        ({"complianceReview": True}, {r.id for r in found if r.compliance_review}),
        ({"hasAnalysis": True}, {r.id for r in found if r.analysed}),
        ({"hasAnalysis": False}, {r.id for r in found if not r.analysed}),
        ({"processingStatus": ["COMPLETE"]}, {r.id for r in found if r.status == "complete"}),
        (
            {"processingStatus": ["NEW", "ANALYZED"]},
            {r.id for r in found if r.status in ("new", "analyzed")},
        ),
        (
            {"humanRequested": True, "processingStatus": ["COMPLETE"]},
            {r.id for r in found if r.human_requested and r.status == "complete"},
        ),
    ]
    for filter, expected in cases:
        assert expected, filter
        assert await _ids(gateway, filter) == expected, filter
    assert {r.status for r in found} >= {"new", "analyzed", "complete"}


async def test_pending_count_is_batched_and_right(gateway: Gateway) -> None:
    tenant_id = _tenant(gateway)
    jobs = await _scalars(gateway, sa.select(Job.id).where(Job.tenant_id == tenant_id))
    assert len(jobs) >= 4
    counts = []
    for first in (2, len(jobs)):
        gateway.statements.reset()
        data = await gateway.execute(PENDING, {"first": first})
        counts.append(gateway.statements.count)
    assert counts[0] == counts[1], gateway.statements.statements
    from tests.resolvers.jobs.test_queries_jobs import pk

    async with gateway.app.state.session_factory() as session:
        expected = dict(
            (
                await session.execute(
                    sa.select(Application.job_id, sa.func.count())
                    .where(Application.tenant_id == tenant_id, processing.pending())
                    .group_by(Application.job_id)
                )
            ).all()
        )
    got = {pk(node["id"]): node["pendingCount"] for node in data["jobs"]["nodes"]}
    assert got == {job: expected.get(job, 0) for job in got}
    assert any(got.values())


def _token(gateway: Gateway, user_id: int, role: Role, slug: str = "demo") -> dict[str, str]:
    token = issue_token(
        JWT_SECRET, tenant_id=_tenant(gateway, slug), tenant_slug=slug, user_id=user_id, role=role
    )
    return {"authorization": f"Bearer {token}"}


async def _resolve(
    gateway: Gateway, input: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await gateway.post(
        RESOLVE, {"input": input}, role=None if headers else Role.ADMIN, headers=headers
    )
    body = response.json()
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["applicationResolveHumanRequest"]
    return result


async def test_resolving_a_request_for_a_person(gateway: Gateway) -> None:
    demo = gateway.tenants["demo"]
    owner, other = demo.recruiter_user_ids[:2]
    (application_id,) = await _untouched(gateway, 1)
    async with gateway.app.state.session_factory.begin() as session:
        application = await session.get(Application, application_id)
        assert application is not None
        application.human_requested = True
        await session.execute(
            sa.update(Job).where(Job.id == application.job_id).values(recruiter_id=owner)
        )
    gid = to_global_id("Application", application_id)

    refused = await _resolve(
        gateway, {"applicationId": gid}, _token(gateway, other, Role.RECRUITER)
    )
    assert refused["__typename"] == "PermissionDeniedError"
    elsewhere = await gateway.post(RESOLVE, {"input": {"applicationId": gid}}, tenant="other")
    assert elsewhere.json()["data"]["applicationResolveHumanRequest"]["__typename"] == (
        "NotFoundError"
    )
    bad = await _resolve(gateway, {"applicationId": "not-an-id"})
    assert bad["__typename"] in {"ValidationError", "NotFoundError"}
    assert (await _status(gateway, application_id))["humanRequested"] is True

    events = []
    bus = gateway.app.state.bus

    async def listen() -> None:
        async for event in bus.subscribe(demo.tenant_id):
            events.append(event)

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.01)
    resolved = await _resolve(
        gateway,
        {"applicationId": gid, "note": "Called her back"},
        _token(gateway, owner, Role.RECRUITER),
    )
    await asyncio.sleep(0.01)
    listener.cancel()
    assert resolved == {
        "__typename": "ApplicationResolveHumanRequestSuccess",
        "application": {"id": gid, "humanRequested": False},
    }
    published = [e.data for e in events if e.type == "application.human_request_resolved"]
    assert published and published[0]["id"] == application_id
    assert published[0]["resolvedBy"] == owner and published[0]["note"] == "Called her back"
    notes = await _scalars(
        gateway,
        sa.select(Activity.details).where(
            Activity.application_id == application_id,
            Activity.action == "application.human_request_resolved",
        ),
    )
    assert notes == [{"note": "Called her back"}]
    again = await _resolve(gateway, {"applicationId": gid})
    assert again["__typename"] == "ValidationError"  # nothing open any more


async def test_migration_backfill_agrees_with_settle(gateway: Gateway) -> None:
    """What ``settle`` computes for every application equals the stored status: the
    seed and every transition above kept the column true."""
    tenant_id = _tenant(gateway)
    ids = await _scalars(
        gateway, sa.select(Application.id).where(Application.tenant_id == tenant_id)
    )
    before = dict(await _rows(gateway, sa.select(Application.id, Application.processing_status)))
    async with gateway.app.state.session_factory.begin() as session:
        await processing.settle(session, tenant_id, ids)
    after = dict(await _rows(gateway, sa.select(Application.id, Application.processing_status)))
    assert before == after
    assert ProcessingStatus.ANALYZED in after.values()
    assert await _scalars(gateway, sa.select(sa.func.count()).select_from(Analysis))


async def _rows(gateway: Gateway, query: Any) -> list[Any]:
    async with gateway.app.state.session_factory() as session:
        return list((await session.execute(query)).all())
