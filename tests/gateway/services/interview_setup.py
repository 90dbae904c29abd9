"""Self-service interviews for the direct service tests: the dependencies the interview
services run with (the gateway's store, bus and locks, an AI provider of the test's
choice), a fresh interview on an application nobody used yet, and messages written
into its chat.

    deps = interview_deps(world, OfflineProvider())
    issued = await new_interview(world, deps)              # scheduled, with its token
    await add_chat(world, issued.interview_id, ["Hello", "Hi, I am Ana"])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from gateway.ai.offline import OfflineProvider
from gateway.services.interview_deps import InterviewConfig, InterviewDeps
from gateway.services.interview_lifecycle import Issued, create_self_service
from gateway.store.base import utcnow
from gateway.store.enums import ApplicationStatus, InterviewStatus, MessageRole
from gateway.store.models import Application, Interview, InterviewMessage
from tests.gateway.services.service_world import World

ROLES = (MessageRole.ASSISTANT, MessageRole.CANDIDATE)


def interview_deps(world: World, provider: Any = None, **config: Any) -> InterviewDeps:
    runtime = world.runtime
    return InterviewDeps(
        runtime.session_factory,
        runtime.bus,
        runtime.locks,
        InterviewConfig(public_url="https://jobs.example", **config),
        OfflineProvider() if provider is None else provider,
    )


async def fresh_application(world: World, tenant: str = "demo") -> int:
    """An active application of ``tenant`` no earlier call returned (so none of these
    tests' interviews is open on it)."""
    used: set[int] = world.gateway.__dict__.setdefault("_service_test_applications", set())
    rows = await world.rows(
        sa.select(Application.id)
        .outerjoin(Interview, Interview.application_id == Application.id)
        .where(
            Application.tenant_id == world.tenant_id(tenant),
            Application.status == ApplicationStatus.ACTIVE,
            Interview.id.is_(None),
        )
        .order_by(Application.id)
    )
    pk = next(int(row.id) for row in rows if int(row.id) not in used)
    used.add(pk)
    return pk


async def new_interview(world: World, deps: InterviewDeps, tenant: str = "demo") -> Issued:
    return await create_self_service(
        deps,
        world.actor(tenant),
        application_id=await fresh_application(world, tenant),
        persona_id=None,
    )


async def add_chat(
    world: World,
    interview_id: int,
    contents: Sequence[str],
    *,
    status: InterviewStatus | None = InterviewStatus.IN_PROGRESS,
) -> None:
    """Messages alternating interviewer, candidate (from sequence 1), and the status."""
    async with world.session_factory.begin() as session:
        interview = await session.get(Interview, interview_id)
        assert interview is not None
        now = utcnow()
        for number, content in enumerate(contents, start=1):
            session.add(
                InterviewMessage(
                    tenant_id=interview.tenant_id,
                    interview_id=interview_id,
                    sequence=number,
                    role=ROLES[(number - 1) % 2],
                    content=content,
                    created_at=now,
                )
            )
        if status is not None:
            interview.status = status
            interview.started_at = interview.started_at or now
