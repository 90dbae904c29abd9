"""Job scores on known data, against the Recruiterflow fake served over real HTTP: the
documented score and breakdown (worked out by hand below), ranks following scores, a new
weight reordering the jobs and the moved ranks (and the scores) written back, bad
weights refused, and recruiters unable to change them."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors.base import ConnectorBase
from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.services.connections import connector_for
from gateway.services.ranking import recompute_ranks, write_back_ranks
from gateway.services.scoring import recompute_scores
from gateway.store.base import utcnow
from gateway.store.enums import ApplicationStatus, JobStatus, Role
from gateway.store.models import Application, Integration, Job, StageTransition
from tests.gateway.services.service_world import World, listening, vendor_integration
from tests.support.gateway import Gateway

RANK_FIELD, SCORE_FIELD, SCORE_FIELD_ID = "Current Rank", "Gateway Score", 72
NOW = utcnow()

SETTINGS_UPDATE = """
mutation($input: SettingsUpdateInput!) {
  settingsUpdate(input: $input) {
    __typename
    ... on SettingsUpdateSuccess {
      settings { scoreWeightFee scoreWeightPipeline scoreWeightTimeOpen scoreWeightAnalysis }
    }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
WEIGHTS = (
    "{ settings { scoreWeightFee scoreWeightPipeline scoreWeightTimeOpen scoreWeightAnalysis } }"
)
JOB_SCORE = """
query($id: ID!) {
  node(id: $id) {
    ... on Job { rank score scoreBreakdown {
      fee { value weight points } pipeline { value weight points }
      timeOpen { value weight points } analysis { value weight points } } }
  }
}
"""
DEFAULTS = {
    "scoreWeightFee": 40,
    "scoreWeightPipeline": 25,
    "scoreWeightTimeOpen": 15,
    "scoreWeightAnalysis": 20,
}


@dataclass
class Scoring:
    world: World
    fake: FakeRecruiterflow
    integration_id: int
    connector: ConnectorBase
    jobs: dict[str, int]
    """The synced jobs by letter: A, B, C open, D closed."""

    async def rescore(self, tenant: str = "demo") -> list[int]:
        async with self.world.session_factory.begin() as session:
            changed = await recompute_scores(session, self.world.tenant_id(tenant), now=NOW)
            await recompute_ranks(session, self.world.tenant_id(tenant))
        return changed

    async def scored(self) -> dict[str, tuple[float | None, int | None]]:
        rows = await self.world.rows(
            sa.select(Job.id, Job.score, Job.rank).where(Job.id.in_(self.jobs.values()))
        )
        by_id = {row.id: (row.score, row.rank) for row in rows}
        return {letter: by_id[pk] for letter, pk in self.jobs.items()}

    async def write_back(self) -> Any:
        return await write_back_ranks(
            self.connector,
            self.world.session_factory,
            self.world.tenant_id(),
            self.integration_id,
            field_name=RANK_FIELD,
            score_field=SCORE_FIELD,
        )

    def writes(self, field_id: int) -> dict[str, Any]:
        """The last value written to ``field_id`` per remote job id."""
        return {
            str(w.body["job_id"]): w.body["custom_fields"][0]["value"]
            for w in self.fake.writes
            if w.path.endswith("/job/update") and w.body["custom_fields"][0]["id"] == field_id
        }


async def arrange(world: World, integration_id: int) -> dict[str, int]:
    """The known data: the tenant's only open jobs are A, B and C.

    ====  ======  ===========  ==========================================  ==========
    job   fee     opened       active applications (open stay entered)     risk
    ====  ======  ===========  ==========================================  ==========
    A     10000   9 days ago   a1 20 days ago (stale), a2 2 days ago       0.2, 0.4
    B     5000    45 days ago  b1 1 day ago; b2 rejected                   0.1, 0.5
    C     2000    180 days     none (c1 deleted at the source, risk 1.0)   -
    D     closed
    ====  ======  ===========  ==========================================  ==========
    """
    tenant_id = world.tenant_id()
    rows = await world.rows(
        sa.select(Job.id).where(Job.integration_id == integration_id).order_by(Job.id)
    )
    a, b, c, d = (int(row.id) for row in rows[:4])
    apps = [
        int(row.id)
        for row in await world.rows(
            sa.select(Application.id)
            .where(Application.tenant_id == tenant_id, Application.remote_deleted_at.is_(None))
            .order_by(Application.id)
            .limit(6)
        )
    ]
    a1, a2, a3, b1, b2, c1 = apps
    days = timedelta(days=1)
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.update(Job).where(Job.tenant_id == tenant_id).values(status=JobStatus.CLOSED)
        )
        for pk, fee, opened in ((a, 10000, 9), (b, 5000, 45), (c, 2000, 180)):
            await session.execute(
                sa.update(Job)
                .where(Job.id == pk)
                .values(
                    status=JobStatus.OPEN,
                    is_active=True,
                    remote_deleted_at=None,
                    estimated_fee=Decimal(fee),
                    opened_at=NOW - opened * days,
                    rank_written=None,
                    score_written=None,
                )
            )
        await session.execute(
            sa.update(Application)
            .where(Application.job_id.in_([a, b, c]), Application.id.not_in(apps))
            .values(remote_deleted_at=NOW)
        )
        for pk, job, status, risk, deleted in (
            (a1, a, ApplicationStatus.ACTIVE, 0.2, None),
            (a2, a, ApplicationStatus.ACTIVE, 0.4, None),
            (a3, a, ApplicationStatus.ACTIVE, 1.0, NOW),
            (b1, b, ApplicationStatus.ACTIVE, 0.1, None),
            (b2, b, ApplicationStatus.REJECTED, 0.5, None),
            (c1, c, ApplicationStatus.ACTIVE, 1.0, NOW),
        ):
            await session.execute(
                sa.update(Application)
                .where(Application.id == pk)
                .values(job_id=job, status=status, risk_score=risk, remote_deleted_at=deleted)
            )
        await session.execute(
            sa.delete(StageTransition).where(StageTransition.application_id.in_(apps))
        )
        for pk, entered, left in (
            (a1, 30, 20),  # a closed stay before the current one does not count
            (a1, 20, None),
            (a2, 2, None),
            (a3, 40, None),
            (b1, 1, None),
            (b2, 60, None),
        ):
            session.add(
                StageTransition(
                    tenant_id=tenant_id,
                    application_id=pk,
                    to_stage_name="Screen",
                    entered_at=NOW - entered * days,
                    left_at=None if left is None else NOW - left * days,
                )
            )
    return {"A": a, "B": b, "C": c, "D": d}


@pytest.fixture(scope="module")
async def scoring(gateway: Gateway) -> AsyncIterator[Scoring]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=4, candidates=4, applications=6)
    fake.job_custom_fields.append({"id": SCORE_FIELD_ID, "name": SCORE_FIELD, "type": "number"})
    admin = gateway.tenants["demo"].admin_user_id
    async with (
        listening(gateway) as world,
        vendor_integration(
            world,
            "recruiterflow",
            fake.app,
            credentials={"apiKey": fake.api_key},
            links={admin: "10447"},
        ) as integration_id,
        httpx.AsyncClient() as http,
    ):
        integration = await world.get(Integration, integration_id)
        connector = connector_for(integration, world.runtime.keyring, http)
        jobs = await arrange(world, integration_id)
        yield Scoring(world, fake, integration_id, connector, jobs)


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


async def test_known_data_gives_the_documented_score(scoring: Scoring, gateway: Gateway) -> None:
    assert (await gateway.execute(WEIGHTS))["settings"] == DEFAULTS
    other_before = await scoring.world.rows(
        sa.select(Job.id, Job.score).where(Job.tenant_id == scoring.world.tenant_id("other"))
    )

    await scoring.rescore()

    # A: fee 1, pipeline 1/2, time open 1 - 9/90 = 0.9, analysis 1 - (0.2+0.4)/2 = 0.7
    #    40*1 + 25*0.5 + 15*0.9 + 20*0.7 = 40 + 12.5 + 13.5 + 14 = 80
    # B: fee (5000-2000)/(10000-2000) = 0.375, pipeline 1, time open 0.5,
    #    analysis 1 - (0.1+0.5)/2 = 0.7: 15 + 25 + 7.5 + 14 = 61.5
    # C: fee 0, pipeline and analysis without data (0.5), time open 0: 0 + 12.5 + 0 + 10
    assert await scoring.scored() == {
        "A": (80.0, 1),
        "B": (61.5, 2),
        "C": (22.5, 3),
        "D": (None, None),
    }
    data = await gateway.execute(JOB_SCORE, {"id": gid("Job", scoring.jobs["B"])})
    assert data["node"]["scoreBreakdown"] == {
        "fee": {"value": 0.375, "weight": 40, "points": 15.0},
        "pipeline": {"value": 1.0, "weight": 25, "points": 25.0},
        "timeOpen": {"value": 0.5, "weight": 15, "points": 7.5},
        "analysis": {"value": 0.7, "weight": 20, "points": 14.0},
    }
    c = await gateway.execute(JOB_SCORE, {"id": gid("Job", scoring.jobs["C"])})
    assert c["node"]["scoreBreakdown"]["pipeline"] == {"value": None, "weight": 25, "points": 12.5}
    closed = await gateway.execute(JOB_SCORE, {"id": gid("Job", scoring.jobs["D"])})
    assert closed["node"] == {"rank": None, "score": None, "scoreBreakdown": None}
    assert await scoring.rescore() == [], "an unchanged tenant rewrites nothing"
    assert (
        await scoring.world.rows(
            sa.select(Job.id, Job.score).where(Job.tenant_id == scoring.world.tenant_id("other"))
        )
        == other_before
    )


async def test_a_new_weight_reorders_and_the_moved_ranks_are_written_back(
    scoring: Scoring, gateway: Gateway
) -> None:
    await scoring.rescore()
    first = await scoring.write_back()
    remote = {
        letter: str(row.remote_id)
        for letter, row in zip(
            scoring.jobs,
            [await scoring.world.get(Job, pk) for pk in scoring.jobs.values()],
            strict=True,
        )
    }
    assert first.failed == 0
    assert {remote[x]: scoring.writes(71)[remote[x]] for x in "ABC"} == {
        remote["A"]: 1,
        remote["B"]: 2,
        remote["C"]: 3,
    }
    assert {remote[x]: scoring.writes(SCORE_FIELD_ID)[remote[x]] for x in "ABC"} == {
        remote["A"]: 80,
        remote["B"]: 61.5,
        remote["C"]: 22.5,
    }
    before = len(scoring.fake.writes)

    weights = {
        "scoreWeightFee": 0,
        "scoreWeightPipeline": 100,
        "scoreWeightTimeOpen": 0,
        "scoreWeightAnalysis": 0,
    }
    try:
        data = await gateway.execute(SETTINGS_UPDATE, {"input": weights})
        assert data["settingsUpdate"]["settings"] == weights

        # pipeline only: A 1/2 -> 50, B 1 -> 100, C no data -> 50; A's fee breaks the tie
        assert await scoring.scored() == {
            "A": (50.0, 2),
            "B": (100.0, 1),
            "C": (50.0, 3),
            "D": (None, None),
        }
        report = await scoring.write_back()
        sent = scoring.fake.writes[before:]
        ranks = {
            str(w.body["job_id"]): w.body["custom_fields"][0]["value"]
            for w in sent
            if w.body["custom_fields"][0]["id"] == 71
        }
        scores = {
            str(w.body["job_id"]): w.body["custom_fields"][0]["value"]
            for w in sent
            if w.body["custom_fields"][0]["id"] == SCORE_FIELD_ID
        }
        assert ranks == {remote["A"]: 2, remote["B"]: 1}, "C kept its rank: not sent"
        assert scores == {remote["A"]: 50, remote["B"]: 100, remote["C"]: 50}
        assert (report.written, report.failed) == (5, 0)
    finally:
        await gateway.execute(SETTINGS_UPDATE, {"input": DEFAULTS})
    assert (await scoring.scored())["A"] == (80.0, 1), "back to the defaults"


@pytest.mark.parametrize(
    ("weights", "field", "message"),
    [
        ({"scoreWeightFee": 101}, "scoreWeightFee", "between 0 and 100"),
        ({"scoreWeightAnalysis": -1}, "scoreWeightAnalysis", "between 0 and 100"),
        (
            {
                "scoreWeightFee": 0,
                "scoreWeightPipeline": 0,
                "scoreWeightTimeOpen": 0,
                "scoreWeightAnalysis": 0,
            },
            "scoreWeightFee",
            "cannot all be 0",
        ),
        ({"scoreWeightPipeline": None}, "scoreWeightPipeline", "null"),
    ],
)
async def test_invalid_weights_are_refused(
    scoring: Scoring, gateway: Gateway, weights: dict[str, Any], field: str, message: str
) -> None:
    await scoring.rescore()
    before = await scoring.scored()

    data = await gateway.execute(SETTINGS_UPDATE, {"input": weights})

    error = data["settingsUpdate"]
    assert error["__typename"] == "ValidationError"
    assert error["field"] == field and message in error["message"]
    assert (await gateway.execute(WEIGHTS))["settings"] == DEFAULTS
    assert await scoring.scored() == before


async def test_a_recruiter_cannot_change_the_weights(scoring: Scoring, gateway: Gateway) -> None:
    data = await gateway.execute(
        SETTINGS_UPDATE, {"input": {"scoreWeightFee": 90}}, role=Role.RECRUITER
    )

    assert data["settingsUpdate"]["__typename"] == "PermissionDeniedError"
    assert (await gateway.execute(WEIGHTS))["settings"] == DEFAULTS
    assert (await gateway.execute(WEIGHTS, role=Role.RECRUITER))["settings"] == DEFAULTS
