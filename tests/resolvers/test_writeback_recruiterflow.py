"""Recruiterflow write-back through GraphQL, on SQLite and PostgreSQL, against the
Recruiterflow fake: a rejection is a disqualification as the caller's Recruiterflow user,
add-to-job creates the application in "Sourced"; what Recruiterflow cannot do (release,
interviews, onboarding, requisitions) is refused before any request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.outbound_events import OutboundEvent, names_for
from gateway.store.enums import ApplicationStatus, JobStatus, Role
from gateway.store.models import Activity, Application, Candidate, Job, StageTransition
from resolvers.relay import to_global_id
from tests.support.graphql_fragments import WRITE_ERRORS
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world, new_key

REJECT = f"""mutation($input: ApplicationRejectInput!) {{
  applicationReject(input: $input) {{
    __typename
    ... on ApplicationWriteSuccess {{
      replayed application {{ id status rejectionReason currentStage {{ name }} }}
    }}
    {WRITE_ERRORS}
  }}
}}"""
ADD = f"""mutation($input: CandidateAddToJobInput!) {{
  candidateAddToJob(input: $input) {{
    __typename
    ... on CandidateAddToJobSuccess {{
      replayed
      application {{
        id remoteId status currentStage {{ name }} job {{ id }} candidate {{ id }}
        stageHistory {{ fromStageName toStageName movedByName }}
      }}
    }}
    {WRITE_ERRORS}
  }}
}}"""
MOVE = f"""mutation($input: ApplicationMoveStageInput!) {{
  applicationMoveStage(input: $input) {{
    __typename
    ... on ApplicationWriteSuccess {{ application {{ status hiredAt }} }}
    {WRITE_ERRORS}
  }}
}}"""
RELEASE = f"""mutation($input: ApplicationReleaseInput!) {{
  applicationRelease(input: $input) {{ __typename {WRITE_ERRORS} }}
}}"""
SCHEDULE = f"""mutation($input: InterviewScheduleInput!) {{
  interviewSchedule(input: $input) {{ __typename {WRITE_ERRORS} }}
}}"""
ONBOARD = f"""mutation($input: OnboardingTaskCreateInput!) {{
  onboardingTaskCreate(input: $input) {{ __typename {WRITE_ERRORS} }}
}}"""
APPROVE = f"""mutation($input: JobApproveInput!) {{
  jobApprove(input: $input) {{ __typename {WRITE_ERRORS} }}
}}"""


class Rf:
    def __init__(self, world: GatewayWorld, fake: FakeRecruiterflow, integration_id: int) -> None:
        self.world = world
        self.fake = fake
        self.integration_id = integration_id

    async def applications(self, status: ApplicationStatus = ApplicationStatus.ACTIVE) -> list[int]:
        rows = await self.world.rows(
            sa.select(Application.id)
            .where(Application.integration_id == self.integration_id, Application.status == status)
            .order_by(Application.id)
        )
        return [int(row.id) for row in rows]

    async def application(self, pk: int) -> Application:
        async with self.world.gateway.app.state.session_factory() as session:
            found: Application | None = await session.get(Application, pk)
        assert found is not None
        return found

    async def free_pair(self, offset: int = 0) -> tuple[int, int]:
        """A (candidate, open job) of the integration not in an application yet."""
        mine = (Candidate.integration_id == self.integration_id,)
        candidates = [r.id for r in await self.world.rows(sa.select(Candidate.id).where(*mine))]
        jobs = [
            r.id
            for r in await self.world.rows(
                sa.select(Job.id).where(
                    Job.integration_id == self.integration_id, Job.status == JobStatus.OPEN
                )
            )
        ]
        taken = {
            (r.candidate_id, r.job_id)
            for r in await self.world.rows(
                sa.select(Application.candidate_id, Application.job_id).where(
                    Application.integration_id == self.integration_id
                )
            )
        }
        free = [(c, j) for c in sorted(candidates) for j in sorted(jobs) if (c, j) not in taken]
        return free[offset]

    async def add(self, candidate: int, job: int, **extra: object) -> dict[str, object]:
        role = extra.pop("role", None)
        assert role is None or isinstance(role, Role)
        return await self.world.mutate(
            ADD,
            "candidateAddToJob",
            {
                "candidateId": to_global_id("Candidate", candidate),
                "jobId": to_global_id("Job", job),
                **extra,
            },
            role=role,
        )


@pytest.fixture(scope="module")
async def rf(backend: Backend) -> AsyncIterator[Rf]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=4, candidates=6, applications=10)
    async with gateway_world(backend, {"https://api.recruiterflow.com": fake.app}) as world:
        integration_id = await world.add_integration(
            "recruiterflow", "RF writes", {"apiKey": fake.api_key}
        )
        await world.link(world.demo.admin_user_id, integration_id, "10447")
        await world.sync(integration_id)
        yield Rf(world, fake, integration_id)


def app_id(pk: int) -> str:
    return to_global_id("Application", pk)


async def test_a_rejection_is_a_disqualification_as_the_recruiter(rf: Rf) -> None:
    world = rf.world
    pk = (await rf.applications())[0]
    before = await rf.application(pk)
    candidate, job = (int(part) for part in (before.remote_id or "").split(":"))
    writes, seen = len(rf.fake.writes), len(world.events)

    result = await world.mutate(
        REJECT, "applicationReject", {"applicationId": app_id(pk), "reason": "Salary too high"}
    )

    assert result["__typename"] == "ApplicationWriteSuccess", result
    application = result["application"]
    assert (application["status"], application["rejectionReason"]) == (
        "REJECTED",
        "Salary too high",
    )
    assert application["currentStage"]["name"] == "Disqualified"
    [write] = rf.fake.writes[writes:]
    assert write.path.endswith("/candidate/disqualify")
    assert write.body == {
        "id": candidate,
        "job_id": job,
        "reason": "Salary too high",
        "user_id": 10447,
    }
    remote = rf.fake.applications[candidate, job]
    assert (remote.stage, remote.disqualification_reason) == ("Disqualified", "Salary too high")
    await world.settle()
    [event] = world.published(seen, "application.stage_changed")
    assert (event.data["stage"], event.data["status"]) == ("Disqualified", "rejected")
    assert OutboundEvent.APPLICATION_REJECTED in names_for(event)
    assert (
        await world.count(
            Activity, Activity.application_id == pk, Activity.action == "application.rejected"
        )
        == 1
    )

    await world.sync(rf.integration_id)
    after = await rf.application(pk)
    assert (after.status, after.rejection_reason) == (ApplicationStatus.REJECTED, "Salary too high")


async def test_a_move_to_hired_fires_application_hired(rf: Rf) -> None:
    world = rf.world
    pk = (await rf.applications())[-1]
    seen = len(world.events)
    result = await world.mutate(
        MOVE, "applicationMoveStage", {"applicationId": app_id(pk), "stage": "Hired"}
    )
    assert result["__typename"] == "ApplicationWriteSuccess", result
    assert result["application"]["status"] == "HIRED" and result["application"]["hiredAt"]
    await world.settle()
    [event] = world.published(seen, "application.stage_changed")
    assert names_for(event) == [
        OutboundEvent.APPLICATION_STAGE_CHANGED,
        OutboundEvent.APPLICATION_HIRED,
    ]


async def test_a_failed_disqualification_changes_nothing(rf: Rf) -> None:
    pk = (await rf.applications())[0]
    transitions = await rf.world.count(StageTransition, StageTransition.application_id == pk)
    rf.fake.faults.server_errors(times=1, status=502)
    try:
        result = await rf.world.mutate(
            REJECT, "applicationReject", {"applicationId": app_id(pk), "reason": "No"}
        )
    finally:
        rf.fake.faults.reset()
    assert result["__typename"] == "ConnectorError", result
    assert result["retryable"] is True
    after = await rf.application(pk)
    assert (after.status, after.rejected_at) == (ApplicationStatus.ACTIVE, None)
    assert await rf.world.count(StageTransition, StageTransition.application_id == pk) == (
        transitions
    )


async def test_an_unknown_recruiterflow_user_is_refused(rf: Rf) -> None:
    pk = (await rf.applications())[0]
    recruiter = rf.world.demo.recruiter_user_ids[0]
    await rf.world.link(recruiter, rf.integration_id, "424242")
    result = await rf.world.mutate(
        REJECT, "applicationReject", {"applicationId": app_id(pk), "reason": "No"}, user=recruiter
    )
    assert result["__typename"] == "RecruiterRejectedError", result
    assert result["reason"] == "unknown_recruiter"
    assert (await rf.application(pk)).status is ApplicationStatus.ACTIVE


async def test_a_candidate_is_added_to_a_job_and_starts_in_sourced(rf: Rf) -> None:
    world = rf.world
    candidate, job = await rf.free_pair()
    async with world.gateway.app.state.session_factory() as session:
        remote_candidate = await session.scalar(
            sa.select(Candidate.remote_id).where(Candidate.id == candidate)
        )
        remote_job = await session.scalar(sa.select(Job.remote_id).where(Job.id == job))
    writes, seen = len(rf.fake.writes), len(world.events)
    key = new_key("add")

    result = await rf.add(candidate, job, idempotencyKey=key)
    again = await rf.add(candidate, job, idempotencyKey=key)

    assert result["__typename"] == "CandidateAddToJobSuccess", result
    application = result["application"]
    assert isinstance(application, dict)
    assert application["remoteId"] == f"{remote_candidate}:{remote_job}"
    assert (application["status"], application["currentStage"]["name"]) == ("ACTIVE", "Sourced")
    assert application["job"]["id"] == to_global_id("Job", job)
    assert application["candidate"]["id"] == to_global_id("Candidate", candidate)
    assert [t["toStageName"] for t in application["stageHistory"]] == ["Sourced"]
    [write] = rf.fake.writes[writes:]
    assert write.path.endswith("/candidate/add-to-job")
    assert write.body == {"id": int(remote_candidate or 0), "job_id": int(remote_job or 0)}
    assert rf.fake.applications[int(remote_candidate or 0), int(remote_job or 0)].stage == "Sourced"
    assert again["__typename"] == "CandidateAddToJobSuccess" and again["replayed"] is True
    assert again["application"] == application
    await world.settle()
    [event] = world.published(seen, "application.created")
    assert event.data["stage"] == "Sourced" and event.data["status"] == "active"
    assert (event.data["jobId"], event.data["candidateId"]) == (job, candidate)
    assert names_for(event) == [OutboundEvent.APPLICATION_CREATED]

    await world.sync(rf.integration_id)
    assert await world.count(Application, Application.remote_id == application["remoteId"]) == 1

    twice = await rf.add(candidate, job)
    assert twice["__typename"] == "ValidationError", twice
    assert len(rf.fake.writes) == writes + 1


async def test_candidate_and_job_of_different_sources_are_refused(rf: Rf) -> None:
    candidate, _ = await rf.free_pair()
    other_job = await rf.world.scalar(
        sa.select(Job.id)
        .where(Job.tenant_id == rf.world.tenant_id, Job.integration_id != rf.integration_id)
        .limit(1)
    )
    requests = rf.fake.faults.requests
    result = await rf.add(candidate, int(other_job))
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "jobId"
    assert rf.fake.faults.requests == requests


async def test_add_to_job_is_refused_where_unsupported_unpermitted_or_foreign(rf: Rf) -> None:
    world = rf.world
    bpoc = await world.integration_of("bpoc")
    row = (
        await world.rows(
            sa.select(Application.candidate_id, Application.job_id)
            .where(Application.integration_id == bpoc)
            .limit(1)
        )
    )[0]
    other = world.gateway.tenants["other"].tenant_id
    foreign = await world.scalar(
        sa.select(Candidate.id).where(Candidate.tenant_id == other).limit(1)
    )
    candidate, job = await rf.free_pair()

    unsupported = await rf.add(row.candidate_id, row.job_id)
    readonly = await rf.add(candidate, job, role=Role.READONLY)
    not_found = await rf.add(int(foreign), job)

    assert unsupported["__typename"] == "UnsupportedOperationError", unsupported
    assert (unsupported["provider"], unsupported["operation"]) == ("bpoc", "candidateAddToJob")
    assert readonly["__typename"] == "PermissionDeniedError"
    assert not_found["__typename"] == "NotFoundError"


async def test_what_recruiterflow_cannot_do_is_refused_before_any_request(rf: Rf) -> None:
    world = rf.world
    pk = (await rf.applications())[0]
    job = await world.scalar(
        sa.select(Job.id).where(Job.integration_id == rf.integration_id).limit(1)
    )
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(sa.update(Job).where(Job.id == job).values(status=JobStatus.DRAFT))
    requests = rf.fake.faults.requests
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    results = {
        "applicationRelease": await world.mutate(
            RELEASE, "applicationRelease", {"applicationId": app_id(pk)}
        ),
        "interviewSchedule": await world.mutate(
            SCHEDULE,
            "interviewSchedule",
            {"applicationId": app_id(pk), "interviewType": "phone", "scheduledAt": tomorrow},
        ),
        "onboardingTaskCreate": await world.mutate(
            ONBOARD,
            "onboardingTaskCreate",
            {"applicationId": app_id(pk), "tasks": [{"title": "Sign contract"}]},
        ),
        "jobApprove": await world.mutate(
            APPROVE, "jobApprove", {"jobId": to_global_id("Job", job)}
        ),
    }
    for operation, result in results.items():
        assert result["__typename"] == "UnsupportedOperationError", (operation, result)
        assert (result["provider"], result["operation"]) == ("recruiterflow", operation)
    assert rf.fake.faults.requests == requests
