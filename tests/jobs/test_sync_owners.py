"""A sync links the tenant's recruiters to the source's users by email before it reads
jobs, so jobs come owned; it adds links, never removes one."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.store.enums import Role, SyncStatus
from gateway.store.models import Job, RecruiterLink, User
from tests.jobs.test_sync import JOBS, World, full, world

__all__ = ["world"]


async def test_jobs_come_owned_by_the_recruiter_their_source_names(world: World) -> None:
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
