"""A sync links the tenant's recruiters to the source's users by email before it reads
jobs, so jobs come owned; it adds links, never removes one."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import sqlalchemy as sa
from starlette.responses import JSONResponse

from gateway.store.enums import Role, SyncStatus
from gateway.store.models import Job, RecruiterLink, SyncRun, User
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from tests.support.worlds import JOBS, SyncWorld, full
from tests.support.worlds import sync_world as world

__all__ = ["world"]


async def test_jobs_come_owned_by_the_recruiter_their_source_names(world: SyncWorld) -> None:
    remote = world.fake.users[10447]
    async with world.deps.session_factory.begin() as session:
        owner = User(
            tenant_id=world.tenant_id,
            email=str(remote["email"]).upper(),
            name="Owner",
            role=Role.RECRUITER,
        )
        kept = User(
            tenant_id=world.tenant_id, email="gone@agency.example", name="K", role=Role.RECRUITER
        )
        session.add_all([owner, kept])
        await session.flush()
        session.add(
            RecruiterLink(
                tenant_id=world.tenant_id,
                user_id=kept.id,
                integration_id=world.integration_id,
                remote_id="99999",
            )
        )
        owner_id, kept_id = owner.id, kept.id

    outcome = await full(world)
    assert outcome.status is SyncStatus.SUCCEEDED, outcome.error

    async with world.deps.session_factory() as session:
        links = dict(
            (
                await session.execute(
                    sa.select(RecruiterLink.user_id, RecruiterLink.remote_id).where(
                        RecruiterLink.integration_id == world.integration_id
                    )
                )
            ).all()
        )
        mine = Job.tenant_id == world.tenant_id
        owners = list(await session.scalars(sa.select(Job.recruiter_id).where(mine)))
    assert links == {owner_id: "10447", kept_id: "99999"}, "linked by email, nothing removed"
    assert owners == [owner_id] * JOBS


async def test_a_user_list_the_key_may_not_read_is_a_warning_not_a_failure(
    world: SyncWorld,
) -> None:
    inner = world.fake.app

    async def forbidden_users(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/user/list"):
            response = JSONResponse({"message": "forbidden"}, status_code=403)
            await response(scope, receive, send)
            return
        await inner(scope, receive, send)

    client = httpx.AsyncClient(
        mounts={"https://api.recruiterflow.com": httpx.ASGITransport(app=forbidden_users)}
    )
    try:
        outcome = await sync_integration(
            replace(world.deps, http=client),
            world.tenant_id,
            world.integration_id,
            mode=SyncMode.FULL,
        )
    finally:
        await client.aclose()
    assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
    async with world.deps.session_factory() as session:
        run = await session.get(SyncRun, outcome.run_id)
    assert run is not None and run.error_details is not None
    assert run.error_details["warnings"][0].startswith("recruiters not linked by email")
    assert "records" not in run.error_details
