"""Self-service interviews on a requisition and a candidate the test writes itself, so
the prompts, names and recruiter its services read are the test's alone; rows added or
changed in one transaction each.

    issued = await interview_on(world, deps, job={"title": "Dispatcher"})
    subject = await subject_of(world, issued.interview_id)
    [prompt_id] = await add(world, Prompt(...))
    await change(world, Interview, issued.interview_id, status=InterviewStatus.CANCELLED)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.services.interview_deps import InterviewDeps
from gateway.services.interview_lifecycle import Issued, create_self_service
from gateway.services.interview_prompts import InterviewSubject, load_subject
from gateway.store.base import Base
from gateway.store.enums import ApplicationStatus
from gateway.store.models import Application, Candidate, Interview, Job
from tests.gateway.services.service_world import World


async def add(world: World, *rows: Any) -> list[int]:
    async with world.session_factory.begin() as session:
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


async def change(world: World, model: type[Base], pk: int, **values: Any) -> None:
    async with world.session_factory.begin() as session:
        row = await session.get(model, pk)
        assert row is not None, f"no {model.__name__} {pk}"
        for name, value in values.items():
            setattr(row, name, value)


async def interview_on(
    world: World,
    deps: InterviewDeps,
    *,
    tenant: str = "demo",
    job: Mapping[str, Any] | None = None,
    candidate: Mapping[str, Any] | None = None,
) -> Issued:
    """A scheduled interview on an application of a new job and a new candidate."""
    tenant_id = world.tenant_id(tenant)
    job_id, candidate_id = await add(
        world,
        Job(tenant_id=tenant_id, **{"title": "Dispatcher", **(job or {})}),
        Candidate(tenant_id=tenant_id, **{"name": "Ana Lima", **(candidate or {})}),
    )
    [application_id] = await add(
        world,
        Application(
            tenant_id=tenant_id,
            job_id=job_id,
            candidate_id=candidate_id,
            status=ApplicationStatus.ACTIVE,
        ),
    )
    return await create_self_service(
        deps, world.actor(tenant), application_id=application_id, persona_id=None
    )


async def subject_of(world: World, interview_id: int) -> InterviewSubject:
    async with world.session_factory() as session:
        interview = await session.get(Interview, interview_id)
        assert interview is not None
        return await load_subject(session, interview)
