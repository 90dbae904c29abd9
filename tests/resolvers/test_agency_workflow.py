"""The whole agency workflow through GraphQL against the BPOC fake, on SQLite and
PostgreSQL: a recruiter posts a requisition, an admin approves it, a candidate applies
in BPOC and arrives by sync, the recruiter releases them to the client, books a client
round, makes an offer and sets up onboarding, and the admin approves a task. Every step
lands in BPOC under the acting recruiter's id and leaves an activity here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from demo.sandbox.bpoc import ADMIN_ID, MAIN_API_KEY, RECRUITER_ID, BpocFake
from gateway.store.enums import ActorType
from gateway.store.models import Activity, Application
from resolvers.relay import from_global_id, to_global_id
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world

STEP = """
  __typename
  ... on UserError { message code }
"""
DOCUMENTS = {
    "jobCreate": f"""mutation($input: JobCreateInput!) {{ jobCreate(input: $input) {{
        {STEP} ... on JobWriteSuccess {{ job {{ id remoteId status }} }} }} }}""",
    "jobApprove": f"""mutation($input: JobApproveInput!) {{ jobApprove(input: $input) {{
        {STEP} ... on JobWriteSuccess {{ job {{ id status }} }} }} }}""",
    "applicationRelease": f"""mutation($input: ApplicationReleaseInput!) {{
        applicationRelease(input: $input) {{
        {STEP} ... on ApplicationWriteSuccess {{ application {{ id status }} }} }} }}""",
    "interviewSchedule": f"""mutation($input: InterviewScheduleInput!) {{
        interviewSchedule(input: $input) {{
        {STEP} ... on InterviewWriteSuccess {{ interview {{ id status }} }} }} }}""",
    "offerCreate": f"""mutation($input: OfferCreateInput!) {{ offerCreate(input: $input) {{
        {STEP} ... on OfferWriteSuccess {{ writtenToSource offer {{ id status }} }} }} }}""",
    "onboardingTaskCreate": f"""mutation($input: OnboardingTaskCreateInput!) {{
        onboardingTaskCreate(input: $input) {{
        {STEP} ... on OnboardingTaskCreateSuccess {{ tasks {{ id status }} }} }} }}""",
    "onboardingTaskReview": f"""mutation($input: OnboardingTaskReviewInput!) {{
        onboardingTaskReview(input: $input) {{
        {STEP} ... on OnboardingTaskReviewSuccess {{ task {{ id status }} }} }} }}""",
}


@pytest.fixture(scope="module")
async def agency(backend: Backend) -> AsyncIterator[tuple[GatewayWorld, BpocFake, int]]:
    fake = BpocFake()
    fake.seed(jobs=2, candidates=3, applications=3)
    async with gateway_world(backend, {"https://bpoc.io": fake.app}) as world:
        integration_id = await world.add_integration("bpoc", "BPOC", {"apiKey": MAIN_API_KEY})
        await world.link(world.demo.admin_user_id, integration_id, ADMIN_ID)
        await world.link(world.demo.recruiter_user_ids[0], integration_id, RECRUITER_ID)
        await world.sync(integration_id)
        yield world, fake, integration_id


async def apply_in_bpoc(fake: BpocFake, job_remote_id: str) -> None:
    """A candidate applies to the new requisition in BPOC: a fresh, submitted application."""
    now = datetime.now(UTC).replace(microsecond=0)
    fake._seed_application(job_remote_id, next(iter(fake.candidates)), now - timedelta(minutes=5))
    application = next(a for a in fake.applications.values() if a["jobId"] == job_remote_id)
    for interview in [
        i for i, v in fake.interviews.items() if v["applicationId"] == application["id"]
    ]:
        del fake.interviews[interview]
    for task in [t for t, v in fake.tasks.items() if v["applicationId"] == application["id"]]:
        del fake.tasks[task]
    stamp = now.isoformat().replace("+00:00", "Z")
    application.update(
        status="submitted",
        reviewedBy=None,
        releasedAt=None,
        releasedBy=None,
        releaseNotes=None,
        rejectedAt=None,
        rejectedBy=None,
        rejectionReason=None,
        updatedAt=stamp,
    )


async def step(
    world: GatewayWorld, field: str, values: dict[str, Any], user: int
) -> dict[str, Any]:
    result = await world.mutate(DOCUMENTS[field], field, values, user=user)
    assert not result["__typename"].endswith("Error"), (field, result)
    return result


async def test_a_recruiter_runs_the_whole_workflow_attributed_in_bpoc(
    agency: tuple[GatewayWorld, BpocFake, int],
) -> None:
    world, fake, integration_id = agency
    recruiter, admin = world.demo.recruiter_user_ids[0], world.demo.admin_user_id
    started = datetime.now(UTC)

    posted = await step(
        world,
        "jobCreate",
        {
            "integrationId": to_global_id("Integration", integration_id),
            "title": "Night Shift Team Lead",
            "description": "Leads a team of twelve.",
            "location": "Cebu",
            "employmentType": "full_time",
        },
        recruiter,
    )
    job = posted["job"]
    assert fake.jobs[job["remoteId"]]["postedBy"] == RECRUITER_ID
    approved = await step(world, "jobApprove", {"jobId": job["id"]}, admin)
    assert approved["job"]["status"] == "OPEN"
    assert fake.jobs[job["remoteId"]]["approvedBy"] == ADMIN_ID

    await apply_in_bpoc(fake, job["remoteId"])
    await world.sync(integration_id)
    application_pk = await world.scalar(
        sa.select(Application.id).where(Application.job_id == from_global_id(job["id"])[1])
    )
    application = to_global_id("Application", int(application_pk))

    released = await step(
        world, "applicationRelease", {"applicationId": application, "notes": "Strong"}, recruiter
    )
    assert released["application"]["status"] == "RELEASED"
    booked = await step(
        world,
        "interviewSchedule",
        {
            "applicationId": application,
            "interviewType": "client_round_1",
            "scheduledAt": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            "interviewerId": to_global_id("Recruiter", recruiter),
        },
        recruiter,
    )
    assert booked["interview"]["status"] == "SCHEDULED"
    offered = await step(
        world,
        "offerCreate",
        {"applicationId": application, "salary": "42000", "currency": "PHP"},
        recruiter,
    )
    assert offered["writtenToSource"] is False
    onboarding = await step(
        world,
        "onboardingTaskCreate",
        {"applicationId": application, "tasks": [{"title": "Submit NBI clearance"}]},
        recruiter,
    )
    [task] = onboarding["tasks"]
    reviewed = await step(
        world, "onboardingTaskReview", {"taskId": task["id"], "decision": "APPROVE"}, admin
    )
    assert reviewed["task"]["status"] == "APPROVED"

    remote_application = next(
        a for a in fake.applications.values() if a["jobId"] == job["remoteId"]
    )
    assert remote_application.get("releasedBy") == RECRUITER_ID
    interviews = [
        i for i in fake.interviews.values() if i["applicationId"] == remote_application["id"]
    ]
    assert [(i["scheduledBy"], i["interviewerId"]) for i in interviews] == [
        (RECRUITER_ID, RECRUITER_ID)
    ]
    tasks = [t for t in fake.tasks.values() if t["applicationId"] == remote_application["id"]]
    assert [(t["createdBy"], t.get("reviewedBy")) for t in tasks] == [(RECRUITER_ID, ADMIN_ID)]

    actions = await world.rows(
        sa.select(Activity.action, Activity.actor_type, Activity.actor_id)
        .where(
            Activity.tenant_id == world.tenant_id,
            Activity.created_at >= started,
            Activity.actor_type == ActorType.USER,
        )
        .order_by(Activity.id)
    )
    assert [(a.action, a.actor_id) for a in actions] == [
        ("job.created", str(recruiter)),
        ("job.approved", str(admin)),
        ("application.released", str(recruiter)),
        ("interview.scheduled", str(recruiter)),
        ("offer.created", str(recruiter)),
        ("onboarding_task.created", str(recruiter)),
        ("onboarding_task.approved", str(admin)),
    ]
