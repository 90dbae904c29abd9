"""seed_demo: the sizes asked for, consistent pipelines, idempotent, deterministic, on
SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from demo.seed import BASE_TIME, seed_demo
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import ApplicationStatus, InterviewStatus, MessageRole, Role
from gateway.store.migrate import upgrade
from gateway.store.models import (
    Activity,
    Analysis,
    Application,
    Candidate,
    Evaluation,
    Integration,
    Interview,
    InterviewMessage,
    Job,
    Offer,
    OnboardingTask,
    Persona,
    PipelineStage,
    Prompt,
    RecruiterLink,
    StageTransition,
    Tenant,
    TenantSettings,
    User,
)
from tests.support import services as svc

TENANT_OWNED: tuple[Any, ...] = (
    User,
    Integration,
    RecruiterLink,
    PipelineStage,
    Job,
    Candidate,
    Application,
    StageTransition,
    Analysis,
    Interview,
    InterviewMessage,
    Evaluation,
    Offer,
    OnboardingTask,
    Prompt,
    Persona,
    Activity,
)


@asynccontextmanager
async def migrated(url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh migrated database per test: a SQLite file, or a PostgreSQL database of
    its own (skipped when there is no server, failing under CI)."""
    if request.param == "sqlite":
        async with migrated(sqlite_url(tmp_path / "demo.db")) as engine:
            yield engine
        return
    server_url: str = request.getfixturevalue("postgres_server_url")
    async with (
        svc.fresh_postgres_database("tg_demo_test", server_url=server_url) as url,
        migrated(url) as engine,
    ):
        yield engine


async def counts(session: AsyncSession, tenant_id: int) -> dict[str, int]:
    """Rows per table for one tenant, in one query."""
    columns = [
        select(func.count())
        .select_from(model)
        .where(model.tenant_id == tenant_id)
        .scalar_subquery()
        .label(model.__tablename__)
        for model in TENANT_OWNED
    ]
    columns.append(
        select(func.count())
        .select_from(TenantSettings)
        .where(TenantSettings.tenant_id == tenant_id)
        .scalar_subquery()
        .label("settings")
    )
    row = (await session.execute(select(*columns))).one()
    return dict(row._mapping)


async def check_pipelines(session: AsyncSession, tenant_id: int) -> None:
    """Every application has a stage history that is one unbroken chain in stage order,
    ending where the application says it is."""
    position = dict(
        (
            await session.execute(
                select(PipelineStage.id, PipelineStage.position).where(
                    PipelineStage.tenant_id == tenant_id
                )
            )
        ).all()
    )
    apps = {
        app.id: app
        for app in (
            await session.execute(
                select(
                    Application.id,
                    Application.status,
                    Application.current_stage_id,
                    Application.stage_entered_at,
                    Application.applied_at,
                    Application.integration_id,
                    Job.integration_id.label("job_integration_id"),
                    Job.opened_at,
                )
                .join(Job, Job.id == Application.job_id)
                .where(Application.tenant_id == tenant_id)
            )
        ).all()
    }
    moves = (
        await session.execute(
            select(StageTransition)
            .where(StageTransition.tenant_id == tenant_id)
            .order_by(StageTransition.application_id, StageTransition.entered_at)
        )
    ).scalars()
    histories = {
        app_id: list(history)
        for app_id, history in itertools.groupby(moves, key=lambda move: move.application_id)
    }
    assert histories.keys() == apps.keys()
    for app_id, app in apps.items():
        history = histories[app_id]
        assert 1 <= len(history) <= 5
        assert app.integration_id == app.job_integration_id
        first, last = history[0], history[-1]
        assert first.from_stage_id is None
        assert first.to_stage_name == "Applied"
        assert first.entered_at == app.applied_at
        assert app.opened_at <= app.applied_at
        for before, after in itertools.pairwise(history):
            assert before.left_at == after.entered_at
            assert after.from_stage_id == before.to_stage_id
            assert after.from_stage_name == before.to_stage_name
            assert after.to_stage_id is not None and before.to_stage_id is not None
            assert position[after.to_stage_id] > position[before.to_stage_id]
        assert last.left_at is None
        assert last.entered_at < BASE_TIME
        assert app.current_stage_id == last.to_stage_id
        assert app.stage_entered_at == last.entered_at
        assert (last.to_stage_name == "Hired") == (app.status is ApplicationStatus.HIRED)
        assert (last.to_stage_name == "Rejected") == (app.status is ApplicationStatus.REJECTED)


async def check_interviews(session: AsyncSession, tenant_id: int) -> None:
    """Every interview has an alternating chat; exactly the completed ones are evaluated."""
    statuses = dict(
        (
            await session.execute(
                select(Interview.id, Interview.status).where(Interview.tenant_id == tenant_id)
            )
        ).all()
    )
    messages = (
        await session.execute(
            select(
                InterviewMessage.interview_id,
                InterviewMessage.sequence,
                InterviewMessage.role,
                InterviewMessage.created_at,
            )
            .where(InterviewMessage.tenant_id == tenant_id)
            .order_by(InterviewMessage.interview_id, InterviewMessage.sequence)
        )
    ).all()
    chats = {
        interview_id: list(chat)
        for interview_id, chat in itertools.groupby(messages, key=lambda m: m.interview_id)
    }
    assert chats.keys() == statuses.keys()
    for chat in chats.values():
        assert 2 <= len(chat) <= 12
        assert [m.role for m in chat] == [
            MessageRole.ASSISTANT if i % 2 == 0 else MessageRole.CANDIDATE for i in range(len(chat))
        ]
        assert all(a.sequence < b.sequence for a, b in itertools.pairwise(chat))
        assert all(a.created_at < b.created_at for a, b in itertools.pairwise(chat))
        assert chat[-1].created_at < BASE_TIME
    evaluated = set(
        (
            await session.scalars(
                select(Evaluation.interview_id).where(Evaluation.tenant_id == tenant_id)
            )
        ).all()
    )
    completed = {i for i, status in statuses.items() if status is InterviewStatus.COMPLETED}
    assert evaluated == completed


async def test_seed_creates_the_demo_tenant_once(engine: AsyncEngine) -> None:
    factory = create_session_factory(engine)
    demo = await seed_demo(factory)

    async with factory() as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == "demo"))
        assert tenant is not None
        assert (tenant.id, tenant.name) == (demo.tenant_id, "Demo Agency")
        users = {
            user.email: user
            for user in await session.scalars(select(User).where(User.tenant_id == tenant.id))
        }
        assert users["admin@demo.example"].id == demo.admin_user_id
        assert users["admin@demo.example"].role is Role.ADMIN
        assert users["viewer@demo.example"].id == demo.readonly_user_id
        assert users["viewer@demo.example"].role is Role.READONLY
        recruiters = [users[f"recruiter{n}@demo.example"] for n in range(1, 5)]
        assert [r.id for r in recruiters] == demo.recruiter_user_ids
        assert all(r.role is Role.RECRUITER and r.phone and r.title for r in recruiters)

        seeded = await counts(session, demo.tenant_id)
        assert seeded["users"] == 6
        assert seeded["settings"] == 1
        assert seeded["integrations"] >= 3
        assert seeded["jobs"] == 50
        assert seeded["candidates"] == 1000
        assert seeded["applications"] == 2000
        assert seeded["stage_transitions"] >= 2000
        assert 0.25 * 2000 <= seeded["analyses"] <= 0.35 * 2000
        assert 0.10 * 2000 <= seeded["interviews"] <= 0.20 * 2000
        assert seeded["interview_messages"] >= 2 * seeded["interviews"]
        assert seeded["offers"] > 0
        assert seeded["onboarding_tasks"] > 0
        assert seeded["personas"] == 2
        assert seeded["prompts"] >= 4
        assert seeded["activities"] == 200
        pairs = select(Application.job_id, Application.candidate_id).distinct().subquery()
        assert await session.scalar(select(func.count()).select_from(pairs)) == 2000
        await check_pipelines(session, demo.tenant_id)
        await check_interviews(session, demo.tenant_id)
        statuses = await session.scalars(
            select(Interview.status).where(Interview.tenant_id == demo.tenant_id).distinct()
        )
        assert set(statuses) == set(InterviewStatus) - {InterviewStatus.CANCELLED}

    assert await seed_demo(factory) == demo
    async with factory() as session:
        assert await counts(session, demo.tenant_id) == seeded
        assert await session.scalar(select(func.count()).select_from(Tenant)) == 1

        # An ordinary insert after the explicitly numbered rows gets a fresh id: on
        # PostgreSQL the sequences were advanced past the seeded rows.
        last_seeded = await session.scalar(select(func.max(Job.id)))
        job = Job(tenant_id=demo.tenant_id, title="Opened after seeding")
        session.add(job)
        await session.commit()
        assert last_seeded is not None
        assert job.id > last_seeded


async def test_seed_next_to_another_tenant_allocates_ids_above_it(engine: AsyncEngine) -> None:
    factory = create_session_factory(engine)
    first = await seed_demo(factory, jobs=6, candidates=20, applications=30, slug="first")
    second = await seed_demo(factory, jobs=6, candidates=20, applications=30, slug="second")

    assert second.tenant_id > first.tenant_id
    assert second.admin_user_id > first.readonly_user_id
    async with factory() as session:
        assert await counts(session, first.tenant_id) == await counts(session, second.tenant_id)
        await check_pipelines(session, second.tenant_id)
        await check_interviews(session, second.tenant_id)
        tenant = Tenant(slug="after", name="After")
        session.add(tenant)
        await session.flush()
        user = User(tenant_id=tenant.id, email="a@after.example", name="A")
        session.add(user)
        await session.commit()
        assert tenant.id > second.tenant_id
        assert user.id > second.readonly_user_id


async def snapshot(url: str, seed: int) -> dict[str, Sequence[Any]]:
    async with migrated(url) as engine:
        factory = create_session_factory(engine)
        await seed_demo(factory, jobs=12, candidates=150, applications=300, seed=seed)
        async with factory() as session:
            return {
                "titles": (await session.scalars(select(Job.title).order_by(Job.id))).all(),
                "emails": (
                    await session.scalars(select(Candidate.email).order_by(Candidate.id))
                ).all(),
                "moves": (
                    await session.execute(
                        select(StageTransition.to_stage_name, StageTransition.entered_at).order_by(
                            StageTransition.id
                        )
                    )
                ).all(),
                "chat": (
                    await session.scalars(
                        select(InterviewMessage.content).order_by(InterviewMessage.id)
                    )
                ).all(),
                "feed": (
                    await session.scalars(select(Activity.description).order_by(Activity.id))
                ).all(),
            }


async def test_seed_is_deterministic(tmp_path: Path) -> None:
    one = await snapshot(sqlite_url(tmp_path / "one.db"), seed=7)
    two = await snapshot(sqlite_url(tmp_path / "two.db"), seed=7)
    other = await snapshot(sqlite_url(tmp_path / "other.db"), seed=8)

    assert one == two
    assert len(one["titles"]) == 12
    assert one["titles"] != other["titles"]


async def test_impossible_requests_change_nothing(tmp_path: Path) -> None:
    async with migrated(sqlite_url(tmp_path / "demo.db")) as engine:
        factory: async_sessionmaker[AsyncSession] = create_session_factory(engine)
        with pytest.raises(ValueError, match="applications"):
            await seed_demo(factory, jobs=4, candidates=4, applications=10)
        with pytest.raises(ValueError, match="jobs must be >= 0"):
            await seed_demo(factory, jobs=-1)
        async with factory() as session:
            assert await session.scalar(select(func.count()).select_from(Tenant)) == 0
            session.add(Tenant(slug="demo", name="Someone else"))
            await session.commit()
        with pytest.raises(ValueError, match="not created by seed_demo"):
            await seed_demo(factory)
        async with factory() as session:
            assert await session.scalar(select(func.count()).select_from(Job)) == 0
