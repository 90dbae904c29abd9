"""``dashboard``: the design's metrics in one read. The figures match counts made row by
row in Python; the windows go by the applied date; a recruiter counts the requisitions
they own, `jobId` one requisition, another tenant never; the whole answer is one SQL
statement (besides the token's user), cached, and dropped from the cache by a write."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.store.base import utcnow
from gateway.store.enums import ApplicationStatus, Role
from gateway.store.models import Analysis, Application, Interview, Job
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

DASHBOARD = """query($jobId: ID) {
  dashboard(jobId: $jobId) {
    applications { total last24h last7d byStatus { status count } }
    interviews { total byStatus { status count } }
    lastProcessed
  }
}"""
JOB_UPDATE = """mutation($id: ID!, $active: Boolean!) {
  jobUpdate(input: {id: $id, isActive: $active}) { __typename }
}"""


@pytest.fixture(scope="module")
async def gateway(backend: Backend) -> AsyncIterator[Gateway]:
    async with running_gateway(backend.url) as running:
        demo = running.tenants["demo"]
        factory = running.app.state.session_factory
        now = utcnow()
        async with factory.begin() as session:
            ids = list(
                await session.scalars(
                    sa.select(Application.id)
                    .where(Application.tenant_id == demo.tenant_id)
                    .order_by(Application.id)
                )
            )
            ages = [timedelta(hours=2), timedelta(days=3), timedelta(days=30)]
            for index, ident in enumerate(ids):
                applied = now - ages[index % 3]
                await session.execute(
                    sa.update(Application)
                    .where(Application.id == ident)
                    .values(applied_at=None if index == 4 else applied, created_at=applied)
                )
            await session.execute(
                sa.update(Application).where(Application.id == ids[5]).values(remote_deleted_at=now)
            )
            session.add_all(
                [
                    Analysis(
                        tenant_id=demo.tenant_id,
                        application_id=ids[0],
                        created_at=now - timedelta(days=2),
                    ),
                    Analysis(
                        tenant_id=demo.tenant_id,
                        application_id=ids[1],
                        created_at=now - timedelta(hours=1),
                    ),
                ]
            )
        yield running


async def _dashboard(gateway: Gateway, role: Role = Role.ADMIN, **variables: Any) -> dict[str, Any]:
    data = await gateway.execute(DASHBOARD, variables, role=role)
    figures: dict[str, Any] = data["dashboard"]
    return figures


async def _expected(
    gateway: Gateway, *, tenant: str = "demo", recruiter: int | None = None, job: int | None = None
) -> dict[str, Any]:
    """The figures, counted row by row."""
    tenant_id = gateway.tenants[tenant].tenant_id
    now = utcnow()
    async with gateway.app.state.session_factory() as session:
        rows = (
            await session.execute(
                sa.select(Application, Job.recruiter_id)
                .join(Job, Job.id == Application.job_id)
                .where(Application.tenant_id == tenant_id)
            )
        ).all()
        applications = [
            app
            for app, owner in rows
            if app.remote_deleted_at is None
            and (recruiter is None or owner == recruiter)
            and (job is None or app.job_id == job)
        ]
        kept = {app.id for app in applications}
        interviews = [
            i
            for i in await session.scalars(
                sa.select(Interview).where(Interview.tenant_id == tenant_id)
            )
            if i.application_id in kept
        ]
        analyses: list[datetime] = [
            a.created_at
            for a in await session.scalars(
                sa.select(Analysis).where(Analysis.tenant_id == tenant_id)
            )
            if a.application_id in kept
        ]

    def received(app: Application) -> datetime:
        return app.applied_at or app.created_at

    by_status = Counter(app.status.value for app in applications)
    by_interview = Counter(i.status.value for i in interviews)
    return {
        "applications": {
            "total": len(applications),
            "last24h": sum(received(a) >= now - timedelta(hours=24) for a in applications),
            "last7d": sum(received(a) >= now - timedelta(days=7) for a in applications),
            "byStatus": by_status,
        },
        "interviews": {"total": len(interviews), "byStatus": by_interview},
        "lastProcessed": max(analyses) if analyses else None,
    }


def _compare(answer: dict[str, Any], expected: dict[str, Any]) -> None:
    applications, interviews = answer["applications"], answer["interviews"]
    want_apps = expected["applications"]
    assert (applications["total"], applications["last24h"], applications["last7d"]) == (
        want_apps["total"],
        want_apps["last24h"],
        want_apps["last7d"],
    )
    assert {
        e["status"].lower(): e["count"] for e in applications["byStatus"] if e["count"]
    } == dict(want_apps["byStatus"])
    assert len(applications["byStatus"]) == len(ApplicationStatus)
    assert interviews["total"] == expected["interviews"]["total"]
    assert {e["status"].lower(): e["count"] for e in interviews["byStatus"] if e["count"]} == dict(
        expected["interviews"]["byStatus"]
    )
    last = expected["lastProcessed"]
    if last is None:
        assert answer["lastProcessed"] is None
    else:
        assert datetime.fromisoformat(answer["lastProcessed"]) == last


async def test_the_figures_of_the_tenant(gateway: Gateway) -> None:
    await gateway.app.state.cache.invalidate(gateway.tenants["demo"].tenant_id)
    answer = await _dashboard(gateway)
    expected = await _expected(gateway)
    _compare(answer, expected)
    applications = answer["applications"]
    assert 0 < applications["last24h"] < applications["last7d"] < applications["total"]
    assert answer["interviews"]["total"] > 0
    assert answer["lastProcessed"] is not None


async def test_a_recruiter_counts_the_requisitions_they_own(gateway: Gateway) -> None:
    recruiter = gateway.tenants["demo"].recruiter_user_ids[0]
    mine = await _dashboard(gateway, Role.RECRUITER)
    _compare(mine, await _expected(gateway, recruiter=recruiter))
    everything = await _dashboard(gateway)
    assert 0 < mine["applications"]["total"] < everything["applications"]["total"]
    readonly = await _dashboard(gateway, Role.READONLY)
    assert readonly["applications"] == everything["applications"]


async def test_one_requisition(gateway: Gateway) -> None:
    async with gateway.app.state.session_factory() as session:
        job = await session.scalar(
            sa.select(Application.job_id)
            .where(Application.tenant_id == gateway.tenants["demo"].tenant_id)
            .order_by(Application.id)
            .limit(1)
        )
    assert job is not None
    answer = await _dashboard(gateway, jobId=to_global_id("Job", job))
    _compare(answer, await _expected(gateway, job=job))
    assert answer["applications"]["total"] > 0


async def test_another_tenants_requisition_counts_nothing(gateway: Gateway) -> None:
    async with gateway.app.state.session_factory() as session:
        theirs = await session.scalar(
            sa.select(Job.id).where(Job.tenant_id == gateway.tenants["other"].tenant_id).limit(1)
        )
    assert theirs is not None
    answer = await _dashboard(gateway, jobId=to_global_id("Job", theirs))
    assert answer["applications"]["total"] == 0
    assert answer["interviews"]["total"] == 0
    assert answer["lastProcessed"] is None
    other = await _dashboard_of(gateway, "other")
    _compare(other, await _expected(gateway, tenant="other"))


async def _dashboard_of(gateway: Gateway, tenant: str) -> dict[str, Any]:
    figures: dict[str, Any] = (await gateway.execute(DASHBOARD, {}, tenant=tenant))["dashboard"]
    return figures


async def test_a_malformed_job_id_is_a_clear_error(gateway: Gateway) -> None:
    errors = await gateway.errors(DASHBOARD, {"jobId": "not-an-id"})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not a valid id" in errors[0]["message"]


async def test_one_statement_whatever_the_size(gateway: Gateway) -> None:
    counts = []
    for tenant in ("demo", "other"):
        await gateway.app.state.cache.invalidate(gateway.tenants[tenant].tenant_id)
        gateway.statements.reset()
        await _dashboard_of(gateway, tenant)
        counts.append(gateway.statements.count)
    assert counts[0] == counts[1] <= 2, gateway.statements.statements


async def test_cached_until_a_write_to_the_tenant(gateway: Gateway) -> None:
    """A change no write announced stays unseen (the answer is cached); the next write to
    the tenant, any write, bumps its cache generation and the figures are fresh."""
    tenant_id = gateway.tenants["demo"].tenant_id
    await gateway.app.state.cache.invalidate(tenant_id)
    first = await gateway.post(DASHBOARD, {})
    second = await gateway.post(DASHBOARD, {})
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert first.json() == second.json()
    async with gateway.app.state.session_factory.begin() as session:
        active = await session.scalar(
            sa.select(Application.id).where(
                Application.tenant_id == tenant_id,
                Application.status == ApplicationStatus.ACTIVE,
                Application.remote_deleted_at.is_(None),
            )
        )
        job = await session.scalar(sa.select(Job).where(Job.tenant_id == tenant_id).limit(1))
        assert active is not None and job is not None
        await session.execute(
            sa.update(Application)
            .where(Application.id == active)
            .values(status=ApplicationStatus.HIRED)
        )
        job_id, active_flag = job.id, job.is_active
    assert (await gateway.post(DASHBOARD, {})).json() == first.json()
    result = await gateway.execute(
        JOB_UPDATE, {"id": to_global_id("Job", job_id), "active": active_flag}
    )
    assert result["jobUpdate"]["__typename"] == "JobUpdateSuccess"
    after = await gateway.post(DASHBOARD, {})
    assert after.headers["x-cache"] == "miss"
    _compare(after.json()["data"]["dashboard"], await _expected(gateway))

    def hired(response: Any) -> int:
        statuses = response.json()["data"]["dashboard"]["applications"]["byStatus"]
        return int(next(e["count"] for e in statuses if e["status"] == "HIRED"))

    assert hired(after) == hired(first) + 1
