"""Stage history that agrees with the current stage, stages in the source's order and
jobs owned by the recruiter their source names: the sync writer on SQLite and
PostgreSQL, with records as connectors hand them over."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.models import (
    RemoteApplication,
    RemoteCandidate,
    RemoteJob,
    RemoteStage,
    RemoteStageTransition,
)
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus, Role, StageKind, unlisted_position
from gateway.store.migrate import upgrade
from gateway.store.models import (
    Application,
    Integration,
    Job,
    PipelineStage,
    RecruiterLink,
    StageTransition,
    Tenant,
    User,
)
from jobs.stage_history import agreeing_history
from jobs.sync_stages import listed_stages, save_stage_order
from jobs.sync_writer import RecordWriter
from tests.support.services import Backend

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
_slugs = itertools.count()


def application(
    remote_id: str,
    stage: str | None,
    transitions: tuple[RemoteStageTransition, ...] = (),
    *,
    updated: datetime | None = None,
) -> RemoteApplication:
    return RemoteApplication(
        remote_id=remote_id,
        raw={"id": remote_id, "stage": stage, "updated": str(updated)},
        job_remote_id="J1",
        candidate_remote_id=f"C{remote_id}",
        current_stage=stage,
        applied_at=T0,
        remote_updated_at=updated,
        transitions=transitions,
    )


def test_history_that_stops_short_of_the_current_stage_is_completed() -> None:
    history = agreeing_history(
        application(
            "1",
            "Shortlisted",
            (RemoteStageTransition(to_stage="Submitted", entered_at=T0),),
            updated=T0 + timedelta(days=2),
        )
    )
    assert [(t.from_stage, t.to_stage, t.entered_at, t.left_at) for t in history] == [
        (None, "Submitted", T0, T0 + timedelta(days=2)),
        ("Submitted", "Shortlisted", T0 + timedelta(days=2), None),
    ]


def test_history_is_ordered_and_repeats_of_one_stage_are_one_stay() -> None:
    later = RemoteStageTransition(to_stage="Interview", entered_at=T0 + timedelta(days=3))
    again = RemoteStageTransition(to_stage="Interview", entered_at=T0 + timedelta(days=4))
    first = RemoteStageTransition(to_stage="Applied", entered_at=T0)
    history = agreeing_history(application("1", "Interview", (again, later, first)))
    assert [t.to_stage for t in history] == ["Applied", "Interview"]
    assert history[0].left_at == later.entered_at
    assert history[-1].left_at is None


def test_a_history_with_no_time_for_the_current_stage_starts_it_after_the_last_move() -> None:
    moved = RemoteStageTransition(to_stage="Screen", entered_at=T0 + timedelta(days=5))
    history = agreeing_history(application("1", "Offer", (moved,), updated=T0))
    assert history[-1].to_stage == "Offer"
    assert history[-1].entered_at == moved.entered_at


def test_stages_take_the_source_order_and_a_name_listed_twice_keeps_its_first_place() -> None:
    listed = listed_stages(
        [
            RemoteStage(remote_id="b", name="Screen", position=1),
            RemoteStage(remote_id="a", name="Applied", position=0),
            RemoteStage(remote_id="c", name="Offer", position=2, kind="offer"),
            RemoteStage(remote_id="d", name="Screen", position=3),
            RemoteStage(remote_id="e", name="  ", position=4),
        ]
    )
    assert listed == [
        ("Applied", 0, StageKind.APPLIED),
        ("Screen", 1, StageKind.SCREEN),
        ("Offer", 2, StageKind.OFFER),
    ]


def test_unlisted_stages_come_after_listed_ones_in_the_order_of_what_they_mean() -> None:
    order = [unlisted_position(kind) for kind in StageKind]
    assert order == sorted(order)
    assert min(order) > 100


@dataclass
class Tally:
    tenant_id: int
    integration_id: int
    failures: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, model: str, outcome: str, amount: int = 1) -> None:
        bucket = self.counts.setdefault(model, {})
        bucket[outcome] = bucket.get(outcome, 0) + amount

    def fail(self, entity: str, remote_id: str | None, reason: str) -> None:
        self.count(entity, "failed")
        self.failures.append(f"{entity} {remote_id}: {reason}")


@dataclass
class Store:
    factory: Any
    tenant_id: int
    integration_id: int
    users: dict[str, int]


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[Store]:
    engine = create_engine(backend.url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    async with factory.begin() as session:
        tenant = Tenant(slug=f"history-{next(_slugs)}-{backend.name}", name="History")
        session.add(tenant)
        await session.flush()
        integration = Integration(
            tenant_id=tenant.id,
            provider="jobvite",
            name="JV",
            status=IntegrationStatus.ACTIVE,
            config={},
        )
        users = [
            User(tenant_id=tenant.id, email="Ana@Agency.example", name="Ana", role=Role.RECRUITER),
            User(tenant_id=tenant.id, email="ben@agency.example", name="Ben", role=Role.RECRUITER),
        ]
        session.add_all([integration, *users])
        await session.flush()
        session.add(
            RecruiterLink(
                tenant_id=tenant.id,
                user_id=users[1].id,
                integration_id=integration.id,
                remote_id="u-77",
                remote_email="ben@agency.example",
            )
        )
        ids = (tenant.id, integration.id, {"ana": users[0].id, "ben": users[1].id})
    try:
        yield Store(factory, *ids)
    finally:
        await engine.dispose()


async def write(store: Store, jobs: list[RemoteJob], apps: list[RemoteApplication]) -> Tally:
    tally = Tally(store.tenant_id, store.integration_id)
    writer = RecordWriter(tally)
    candidates = [
        RemoteCandidate(remote_id=a.candidate_remote_id, raw={}, name=a.candidate_remote_id)
        for a in apps
    ]
    async with store.factory.begin() as session:
        await writer.write_jobs(session, jobs)
        await writer.write_candidates(session, candidates)
        await writer.write_applications(session, apps)
    return tally


async def history(store: Store, remote_id: str) -> list[tuple[str | None, str, bool]]:
    async with store.factory() as session:
        rows = await session.execute(
            sa.select(
                StageTransition.from_stage_name,
                StageTransition.to_stage_name,
                StageTransition.left_at,
            )
            .join(Application, Application.id == StageTransition.application_id)
            .where(
                Application.integration_id == store.integration_id,
                Application.remote_id == remote_id,
            )
            .order_by(StageTransition.entered_at, StageTransition.id)
        )
        return [(row[0], row[1], row[2] is None) for row in rows]


JOB = RemoteJob(remote_id="J1", raw={"id": "J1"}, title="Engineer")


async def test_a_source_without_history_gets_one_that_follows_every_synced_move(
    store: Store,
) -> None:
    await write(store, [JOB], [application("1", "Applied"), application("2", None)])
    assert await history(store, "1") == [(None, "Applied", True)]
    assert await history(store, "2") == []

    await write(store, [JOB], [application("1", "Applied", updated=T0)])
    assert await history(store, "1") == [(None, "Applied", True)], "no move, no new stay"

    await write(store, [JOB], [application("1", "Interview", updated=T0 + timedelta(days=1))])
    assert await history(store, "1") == [
        (None, "Applied", False),
        ("Applied", "Interview", True),
    ]
    async with store.factory() as session:
        current = await session.scalar(
            sa.select(PipelineStage.name)
            .join(Application, Application.current_stage_id == PipelineStage.id)
            .where(Application.remote_id == "1", Application.integration_id == store.integration_id)
        )
    assert current == "Interview"


async def test_a_source_history_short_of_the_current_stage_is_stored_completed(
    store: Store,
) -> None:
    submitted = RemoteStageTransition(to_stage="Submitted", entered_at=T0)
    await write(
        store,
        [JOB],
        [application("1", "Shortlisted", (submitted,), updated=T0 + timedelta(hours=5))],
    )
    assert await history(store, "1") == [
        (None, "Submitted", False),
        ("Submitted", "Shortlisted", True),
    ]


async def test_stage_order_is_saved_and_new_stages_nobody_placed_go_after_it(
    store: Store,
) -> None:
    async with store.factory.begin() as session:
        placed = await save_stage_order(
            session,
            tenant_id=store.tenant_id,
            integration_id=store.integration_id,
            stages=[
                RemoteStage(remote_id="x", name="Sourced", position=0),
                RemoteStage(remote_id="y", name="Client Interview", position=1),
            ],
        )
    assert placed == (2, 0)
    await write(store, [JOB], [application("1", "Hired"), application("2", "Client Interview")])
    async with store.factory.begin() as session:
        again = await save_stage_order(
            session,
            tenant_id=store.tenant_id,
            integration_id=store.integration_id,
            stages=[
                RemoteStage(remote_id="y", name="Client Interview", position=0),
                RemoteStage(remote_id="x", name="Sourced", position=1),
            ],
        )
        rows = await session.execute(
            sa.select(PipelineStage.name)
            .where(PipelineStage.integration_id == store.integration_id)
            .order_by(PipelineStage.position, PipelineStage.id)
        )
        names = [row[0] for row in rows]
    assert again == (0, 2)
    assert names == ["Client Interview", "Sourced", "Hired"]


async def test_jobs_are_owned_by_the_user_their_source_names(store: Store) -> None:
    jobs = [
        RemoteJob(remote_id="J1", raw={}, title="Linked by id", recruiter_remote_id="U-77"),
        RemoteJob(
            remote_id="J2", raw={}, title="By email", recruiter_remote_id="ana@agency.example"
        ),
        RemoteJob(remote_id="J3", raw={}, title="Nobody we know", recruiter_remote_id="u-1"),
        RemoteJob(remote_id="J4", raw={}, title="No owner"),
    ]
    tally = await write(store, jobs, [])
    assert tally.counts["job_owners"] == {"updated": 2}

    async def owners() -> dict[str, int | None]:
        async with store.factory() as session:
            rows = await session.execute(
                sa.select(Job.remote_id, Job.recruiter_id).where(
                    Job.integration_id == store.integration_id
                )
            )
            return {row[0]: row[1] for row in rows}

    assert await owners() == {
        "J1": store.users["ben"],
        "J2": store.users["ana"],
        "J3": None,
        "J4": None,
    }
    async with store.factory.begin() as session:
        await session.execute(
            sa.update(Job)
            .where(Job.integration_id == store.integration_id, Job.remote_id == "J4")
            .values(recruiter_id=store.users["ana"])
        )
    again = await write(store, jobs, [])
    assert again.counts.get("job_owners") in (None, {"updated": 0})
    assert (await owners())["J4"] == store.users["ana"], "an owner the source does not name stays"
