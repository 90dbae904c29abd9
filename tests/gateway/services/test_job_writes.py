"""Requisitions posted and approved directly, against the BPOC fake over real HTTP: the
draft stored with BPOC's id and owned by the caller, a repeated key answered without a
second post, only a draft approved, another tenant's job not found, and providers that
cannot post refused before any request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from demo.sandbox.bpoc import ADMIN_ID, CLIENT_IDS, RECRUITER_ID, BpocFake
from gateway.auth import Principal
from gateway.errors import NotFound, RecruiterLinkMissing, Unsupported, ValidationFailed
from gateway.services.job_writes import NewJob, approve_job, create_job
from gateway.store.enums import JobStatus, Role
from gateway.store.models import Integration, Job
from tests.gateway.services.service_world import World, bpoc_agency
from tests.support.gateway import Gateway


@dataclass
class Bpoc:
    world: World
    fake: BpocFake
    integration_id: int


@pytest.fixture(scope="module")
async def bpoc(gateway: Gateway) -> AsyncIterator[Bpoc]:
    async with bpoc_agency(gateway, jobs=2, candidates=2, applications=2) as agency:
        yield Bpoc(agency.world, agency.fake, agency.integration_id)


async def post(
    bpoc: Bpoc, title: str, key: str | None = None, caller: Principal | None = None
) -> int:
    written = await create_job(
        bpoc.world.write_deps,
        caller or bpoc.world.principal(),
        integration_id=bpoc.integration_id,
        draft=NewJob(title=title, client_remote_id=CLIENT_IDS[0], location="Pasig City"),
        idempotency_key=key,
    )
    return written.ids["job"]


async def test_a_posted_requisition_is_stored_as_the_callers_draft(bpoc: Bpoc) -> None:
    world = bpoc.world
    recruiter = world.principal(role=Role.RECRUITER)
    writes, seen = len(bpoc.fake.writes), len(world.events)

    written = await create_job(
        world.write_deps,
        recruiter,
        integration_id=bpoc.integration_id,
        draft=NewJob(title="  Night Shift Lead ", client_remote_id=CLIENT_IDS[1]),
        idempotency_key=None,
    )

    [write] = bpoc.fake.writes[writes:]
    assert (write.path, write.body["title"], write.body["postedBy"]) == (
        "/jobs/create",
        "Night Shift Lead",
        RECRUITER_ID,
    )
    job: Job = await world.get(Job, written.ids["job"])
    assert (job.tenant_id, job.integration_id, job.recruiter_id) == (
        world.tenant_id("demo"),
        bpoc.integration_id,
        recruiter.user_id,
    )
    assert (job.title, job.status, job.remote_status) == (
        "Night Shift Lead",
        JobStatus.DRAFT,
        "pending_approval",
    )
    assert job.remote_id in bpoc.fake.jobs
    [event] = await world.published(seen, "job.created")
    assert (event.tenant_id, event.data["id"], event.data["status"]) == (
        world.tenant_id("demo"),
        job.id,
        "draft",
    )


async def test_a_repeated_key_answers_the_first_post_without_a_second(bpoc: Bpoc) -> None:
    writes = len(bpoc.fake.writes)
    jobs = await bpoc.world.count(Job, Job.integration_id == bpoc.integration_id)

    first = await post(bpoc, "Payroll Specialist", key="post-payroll")
    again = await post(bpoc, "Payroll Specialist", key="post-payroll")

    assert again == first
    assert len(bpoc.fake.writes) == writes + 1
    assert await bpoc.world.count(Job, Job.integration_id == bpoc.integration_id) == jobs + 1


async def test_a_blank_title_is_refused_before_anything_is_sent(bpoc: Bpoc) -> None:
    writes = len(bpoc.fake.writes)
    with pytest.raises(ValidationFailed) as refused:
        await post(bpoc, "   ")
    assert refused.value.field == "title"
    assert len(bpoc.fake.writes) == writes


async def test_a_caller_without_a_recruiter_link_is_told_to_make_one(bpoc: Bpoc) -> None:
    unlinked = bpoc.world.gateway.tenants["demo"].recruiter_user_ids[1]
    writes = len(bpoc.fake.writes)
    with pytest.raises(RecruiterLinkMissing):
        await post(bpoc, "Data Analyst", caller=bpoc.world.principal(user_id=unlinked))
    assert len(bpoc.fake.writes) == writes


async def test_only_a_draft_is_approved_and_it_opens(bpoc: Bpoc) -> None:
    world = bpoc.world
    job_id = await post(bpoc, "Team Lead")
    writes, seen = len(bpoc.fake.writes), len(world.events)

    await approve_job(world.write_deps, world.principal(), job_id=job_id, idempotency_key=None)

    job: Job = await world.get(Job, job_id)
    [write] = bpoc.fake.writes[writes:]
    assert (write.path, write.body) == (f"/jobs/{job.remote_id}/approve", {"approvedBy": ADMIN_ID})
    assert job.status is JobStatus.OPEN and job.opened_at is not None
    [event] = await world.published(seen, "job.status_changed")
    assert (event.data["status"], event.data["previousStatus"]) == ("open", "draft")

    with pytest.raises(ValidationFailed, match="only a draft requisition"):
        await approve_job(world.write_deps, world.principal(), job_id=job_id, idempotency_key=None)
    assert len(bpoc.fake.writes) == writes + 1


async def test_another_tenants_job_is_not_found_and_nothing_is_sent(bpoc: Bpoc) -> None:
    world = bpoc.world
    job_id = await post(bpoc, "Their Draft")
    writes = len(bpoc.fake.writes)

    with pytest.raises(NotFound):
        await approve_job(
            world.write_deps, world.principal("other"), job_id=job_id, idempotency_key=None
        )

    assert len(bpoc.fake.writes) == writes
    assert (await world.get(Job, job_id)).status is JobStatus.DRAFT


async def test_another_tenants_integration_cannot_be_posted_to(bpoc: Bpoc) -> None:
    world = bpoc.world
    writes = len(bpoc.fake.writes)
    with pytest.raises(NotFound):
        await create_job(
            world.write_deps,
            world.principal("other"),
            integration_id=bpoc.integration_id,
            draft=NewJob(title="Not theirs"),
            idempotency_key=None,
        )
    assert len(bpoc.fake.writes) == writes


async def test_a_provider_that_cannot_post_requisitions_is_refused(bpoc: Bpoc) -> None:
    world = bpoc.world
    recruiterflow = await world.scalar(
        sa.select(Integration.id).where(
            Integration.tenant_id == world.tenant_id("demo"),
            Integration.provider == "recruiterflow",
        )
    )
    assert recruiterflow is not None, "the demo tenant has a Recruiterflow integration"
    with pytest.raises(Unsupported):
        await create_job(
            world.write_deps,
            world.principal(),
            integration_id=recruiterflow,
            draft=NewJob(title="Anything"),
            idempotency_key=None,
        )
