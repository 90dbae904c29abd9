"""BPOC write-back through GraphQL, on SQLite and PostgreSQL, against the BPOC fake:
requisitions posted and approved, applications released and rejected, interview rounds
booked, each with the acting recruiter in BPOC's own attribution field; the store, the
activity and the event follow only a write BPOC accepted."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from demo.sandbox.bpoc import (
    ADMIN_ID,
    CLIENT_IDS,
    MAIN_API_KEY,
    OTHER_AGENCY_RECRUITER_ID,
    RECRUITER_ID,
    BpocFake,
)
from gateway.outbound_events import OutboundEvent, names_for
from gateway.store.enums import ApplicationStatus, InterviewKind, InterviewStatus, Role
from gateway.store.models import Activity, Application, Interview, Job
from resolvers.relay import from_global_id, to_global_id
from tests.support.graphql_fragments import WRITE_ERRORS
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world, new_key

JOB_CREATE = f"""mutation($input: JobCreateInput!) {{
  jobCreate(input: $input) {{
    __typename
    ... on JobWriteSuccess {{ replayed job {{ id remoteId title status remoteStatus clientName }} }}
    {WRITE_ERRORS}
  }}
}}"""
JOB_APPROVE = f"""mutation($input: JobApproveInput!) {{
  jobApprove(input: $input) {{
    __typename
    ... on JobWriteSuccess {{ replayed job {{ id status remoteStatus openedAt }} }}
    {WRITE_ERRORS}
  }}
}}"""
RELEASE = f"""mutation($input: ApplicationReleaseInput!) {{
  applicationRelease(input: $input) {{
    __typename
    ... on ApplicationWriteSuccess {{
      replayed application {{ id status releasedAt currentStage {{ name }} }}
    }}
    {WRITE_ERRORS}
  }}
}}"""
REJECT = f"""mutation($input: ApplicationRejectInput!) {{
  applicationReject(input: $input) {{
    __typename
    ... on ApplicationWriteSuccess {{
      replayed application {{ id status rejectedAt rejectionReason currentStage {{ name }} }}
    }}
    {WRITE_ERRORS}
  }}
}}"""
SCHEDULE = f"""mutation($input: InterviewScheduleInput!) {{
  interviewSchedule(input: $input) {{
    __typename
    ... on InterviewWriteSuccess {{
      replayed interview {{ id kind interviewType status scheduledAt application {{ id }} }}
    }}
    {WRITE_ERRORS}
  }}
}}"""


class Bpoc:
    def __init__(self, world: GatewayWorld, fake: BpocFake, integration_id: int) -> None:
        self.world = world
        self.fake = fake
        self.integration_id = integration_id
        recruiters = world.demo.recruiter_user_ids
        self.linked = recruiters[0]
        """A recruiter linked to BPOC's RECRUITER_ID."""
        self.unlinked = recruiters[1]
        self.other_agency = recruiters[2]
        """Linked to a recruiter of another BPOC agency."""

    @property
    def global_id(self) -> str:
        return to_global_id("Integration", self.integration_id)

    async def applications(self, status: ApplicationStatus) -> list[int]:
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

    async def remote_id(self, pk: int) -> str:
        return (await self.application(pk)).remote_id or ""


@pytest.fixture(scope="module")
async def bpoc(backend: Backend) -> AsyncIterator[Bpoc]:
    fake = BpocFake()
    fake.seed(jobs=6, candidates=12, applications=24)
    async with gateway_world(backend, {"https://bpoc.io": fake.app}) as world:
        integration_id = await world.add_integration(
            "bpoc", "BPOC writes", {"apiKey": MAIN_API_KEY}
        )
        bpoc = Bpoc(world, fake, integration_id)
        await world.link(world.demo.admin_user_id, integration_id, ADMIN_ID)
        await world.link(bpoc.linked, integration_id, RECRUITER_ID)
        await world.link(bpoc.other_agency, integration_id, OTHER_AGENCY_RECRUITER_ID)
        await world.sync(integration_id)
        yield bpoc


def app_id(pk: int) -> str:
    return to_global_id("Application", pk)


def in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


# requisitions ----------------------------------------------------------------------------


async def test_a_job_is_posted_in_bpoc_as_the_recruiter_then_stored_as_a_draft(
    bpoc: Bpoc,
) -> None:
    world = bpoc.world
    writes, seen = len(bpoc.fake.writes), len(world.events)
    before = await world.activities("job.created")

    result = await world.mutate(
        JOB_CREATE,
        "jobCreate",
        {
            "integrationId": bpoc.global_id,
            "title": "  Night Shift Team Lead ",
            "description": "Leads a team of ten.\nNight shift.",
            "clientRemoteId": CLIENT_IDS[1],
            "location": "Pasig City",
            "employmentType": "full_time",
        },
        user=bpoc.linked,
    )

    assert result["__typename"] == "JobWriteSuccess", result
    job = result["job"]
    assert (job["title"], job["status"], job["remoteStatus"]) == (
        "Night Shift Team Lead",
        "DRAFT",
        "pending_approval",
    )
    assert job["clientName"] == "Northwind Logistics (US)"
    [write] = bpoc.fake.writes[writes:]
    assert (write.method, write.path) == ("POST", "/jobs/create")
    assert write.body == {
        "title": "Night Shift Team Lead",
        "description": "Leads a team of ten.\nNight shift.",
        "clientId": CLIENT_IDS[1],
        "location": "Pasig City",
        "employmentType": "full_time",
        "postedBy": RECRUITER_ID,
    }
    assert bpoc.fake.jobs[job["remoteId"]]["postedBy"] == RECRUITER_ID
    owner = await world.scalar(sa.select(Job.recruiter_id).where(Job.remote_id == job["remoteId"]))
    assert owner == bpoc.linked
    assert await world.activities("job.created") == before + 1
    await world.settle()
    [event] = world.published(seen, "job.created")
    assert event.data["remoteId"] == job["remoteId"]
    assert (event.data["status"], event.data["isActive"]) == ("draft", True)
    assert names_for(event) == [OutboundEvent.JOB_CREATED]

    await world.sync(bpoc.integration_id)
    assert await world.count(Job, Job.remote_id == job["remoteId"]) == 1


async def test_a_job_is_posted_with_requirements_and_a_salary_range(bpoc: Bpoc) -> None:
    world = bpoc.world
    writes = len(bpoc.fake.writes)
    result = await world.mutate(
        JOB_CREATE,
        "jobCreate",
        {
            "integrationId": bpoc.global_id,
            "title": "Senior React Developer",
            "requirements": [" 5+ years React ", "Night shift"],
            "salaryMin": "80000",
            "salaryMax": "120000.50",
            "currency": "php",
        },
        user=bpoc.linked,
    )
    assert result["__typename"] == "JobWriteSuccess", result
    [write] = bpoc.fake.writes[writes:]
    assert write.body == {
        "title": "Senior React Developer",
        "requirements": ["5+ years React", "Night shift"],
        "salary_min": 80000,
        "salary_max": 120000.5,
        "currency": "PHP",
        "postedBy": RECRUITER_ID,
    }
    stored = bpoc.fake.jobs[result["job"]["remoteId"]]
    assert (stored["salary_min"], stored["salary_max"]) == (80000, 120000.5)
    currency = await world.scalar(
        sa.select(Job.currency).where(Job.remote_id == result["job"]["remoteId"])
    )
    assert currency == "PHP"


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"salaryMin": "120000", "salaryMax": "80000", "currency": "PHP"}, "salaryMin"),
        ({"salaryMin": "-1", "currency": "PHP"}, "salaryMin"),
        ({"salaryMax": "-5", "currency": "PHP"}, "salaryMax"),
        ({"salaryMax": "NaN", "currency": "PHP"}, "salaryMax"),
        ({"salaryMin": "1.001", "currency": "PHP"}, "salaryMin"),
        ({"salaryMin": "1000"}, "currency"),
        ({"salaryMin": "1000", "currency": "PESO"}, "currency"),
        ({"currency": "P1P"}, "currency"),
        ({"requirements": ["ok", "  "]}, "requirements"),
        ({"requirements": ["two\nlines"]}, "requirements"),
        ({"requirements": ["x"] * 51}, "requirements"),
    ],
)
async def test_bad_job_terms_are_refused_before_bpoc_hears_of_them(
    bpoc: Bpoc, terms: dict[str, Any], field: str
) -> None:
    writes = len(bpoc.fake.writes)
    result = await bpoc.world.mutate(
        JOB_CREATE,
        "jobCreate",
        {"integrationId": bpoc.global_id, "title": "Refused", **terms},
        user=bpoc.linked,
    )
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field
    assert len(bpoc.fake.writes) == writes


async def test_an_admin_approves_a_draft_and_it_opens(bpoc: Bpoc) -> None:
    world = bpoc.world
    created = await world.mutate(
        JOB_CREATE, "jobCreate", {"integrationId": bpoc.global_id, "title": "Payroll Specialist"}
    )
    job_id = created["job"]["id"]
    writes, seen = len(bpoc.fake.writes), len(world.events)

    refused = await world.mutate(JOB_APPROVE, "jobApprove", {"jobId": job_id}, role=Role.RECRUITER)
    result = await world.mutate(JOB_APPROVE, "jobApprove", {"jobId": job_id})
    again = await world.mutate(JOB_APPROVE, "jobApprove", {"jobId": job_id})

    assert refused["__typename"] == "PermissionDeniedError"
    assert result["__typename"] == "JobWriteSuccess", result
    assert (result["job"]["status"], result["job"]["remoteStatus"]) == ("OPEN", "active")
    assert result["job"]["openedAt"] is not None
    [write] = bpoc.fake.writes[writes:]
    remote = created["job"]["remoteId"]
    assert (write.path, write.body) == (f"/jobs/{remote}/approve", {"approvedBy": ADMIN_ID})
    assert again["__typename"] == "ValidationError" and again["field"] == "jobId"
    await world.settle()
    [event] = world.published(seen, "job.status_changed")
    assert (event.data["status"], event.data["previousStatus"]) == ("open", "draft")
    assert names_for(event) == [OutboundEvent.JOB_OPENED]
    assert await world.activities("job.approved") >= 1


async def test_job_create_replays_its_idempotency_key(bpoc: Bpoc) -> None:
    key = new_key("job")
    writes = len(bpoc.fake.writes)
    first_input = {"integrationId": bpoc.global_id, "title": "Bookkeeper", "idempotencyKey": key}
    first = await bpoc.world.mutate(JOB_CREATE, "jobCreate", first_input)
    again = await bpoc.world.mutate(JOB_CREATE, "jobCreate", first_input)
    other = await bpoc.world.mutate(JOB_CREATE, "jobCreate", {**first_input, "title": "Cashier"})

    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["job"]["id"] == first["job"]["id"]
    assert other["__typename"] == "IdempotencyConflictError"
    assert len(bpoc.fake.writes) == writes + 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 513),
        ("title", "Team\nLead"),
        ("title", "Lead\u202egnp.exe"),
        ("description", "y" * 20_001),
        ("location", "z" * 256),
        ("employmentType", "e" * 65),
        ("clientRemoteId", "client\r\nid"),
        ("idempotencyKey", "k" * 256),
    ],
)
async def test_hostile_job_input_is_refused_before_any_request(
    bpoc: Bpoc, field: str, value: str
) -> None:
    writes, requests = len(bpoc.fake.writes), bpoc.fake.faults.requests
    base = {"integrationId": bpoc.global_id, "title": "QA Analyst"}
    result = await bpoc.world.mutate(JOB_CREATE, "jobCreate", {**base, field: value})
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field
    assert (len(bpoc.fake.writes), bpoc.fake.faults.requests) == (writes, requests)


@pytest.mark.parametrize(
    ("document", "field", "extra", "path"),
    [
        (JOB_CREATE, "jobCreate", {"title": "Lead\x00"}, "jobCreate.input.title"),
        (JOB_CREATE, "jobCreate", {"description": "bell\x07"}, "jobCreate.input.description"),
        (RELEASE, "applicationRelease", {"notes": "esc\x1b[2J"}, "applicationRelease.input.notes"),
    ],
)
async def test_control_characters_are_refused_before_any_request(
    bpoc: Bpoc, document: str, field: str, extra: dict[str, Any], path: str
) -> None:
    """Refused for the whole request (``BAD_USER_INPUT`` naming the input), before the
    mutation runs: nothing reaches BPOC."""
    writes, requests = len(bpoc.fake.writes), bpoc.fake.faults.requests
    if field == "jobCreate":
        base = {"integrationId": bpoc.global_id, "title": "QA Analyst"}
    else:
        pk = (await bpoc.applications(ApplicationStatus.ACTIVE))[0]
        base = {"applicationId": app_id(pk)}
    response = await bpoc.world.post(document, {"input": {**base, **extra}}, None)
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == path
    assert (len(bpoc.fake.writes), bpoc.fake.faults.requests) == (writes, requests)


async def test_a_client_bpoc_does_not_know_is_a_final_connector_error(bpoc: Bpoc) -> None:
    before = await bpoc.world.count(Job, Job.integration_id == bpoc.integration_id)
    result = await bpoc.world.mutate(
        JOB_CREATE,
        "jobCreate",
        {
            "integrationId": bpoc.global_id,
            "title": "QA Analyst",
            "clientRemoteId": "0b5a3c3e-6f1d-4e8a-9c27-3d1f0e6b9a44",
        },
    )
    assert result["__typename"] == "ConnectorError", result
    assert (result["retryable"], result["statusCode"]) == (False, 404)
    assert await bpoc.world.count(Job, Job.integration_id == bpoc.integration_id) == before


async def test_providers_without_job_writes_answer_unsupported(bpoc: Bpoc) -> None:
    requests = bpoc.fake.faults.requests
    recruiterflow = await bpoc.world.integration_of("recruiterflow")
    result = await bpoc.world.mutate(
        JOB_CREATE,
        "jobCreate",
        {"integrationId": to_global_id("Integration", recruiterflow), "title": "QA Analyst"},
    )
    assert result["__typename"] == "UnsupportedOperationError", result
    assert (result["provider"], result["operation"]) == ("recruiterflow", "jobCreate")
    assert bpoc.fake.faults.requests == requests


async def test_another_tenants_integration_and_job_are_not_found(bpoc: Bpoc) -> None:
    other = await bpoc.world.integration_of("bpoc", tenant="other")
    created = await bpoc.world.mutate(
        JOB_CREATE,
        "jobCreate",
        {"integrationId": to_global_id("Integration", other), "title": "QA Analyst"},
    )
    other_job = await bpoc.world.scalar(
        sa.select(Job.id)
        .where(Job.tenant_id == bpoc.world.gateway.tenants["other"].tenant_id)
        .limit(1)
    )
    approved = await bpoc.world.mutate(
        JOB_APPROVE, "jobApprove", {"jobId": to_global_id("Job", other_job)}
    )
    assert created["__typename"] == approved["__typename"] == "NotFoundError"


async def test_readonly_users_create_no_jobs(bpoc: Bpoc) -> None:
    result = await bpoc.world.mutate(
        JOB_CREATE,
        "jobCreate",
        {"integrationId": bpoc.global_id, "title": "QA Analyst"},
        role=Role.READONLY,
    )
    assert result["__typename"] == "PermissionDeniedError"


# applications ----------------------------------------------------------------------------


async def test_a_release_lands_in_bpoc_then_the_application_is_released_here(
    bpoc: Bpoc,
) -> None:
    world = bpoc.world
    pk = (await bpoc.applications(ApplicationStatus.ACTIVE))[0]
    remote = await bpoc.remote_id(pk)
    writes, seen = len(bpoc.fake.writes), len(world.events)

    result = await world.mutate(
        RELEASE,
        "applicationRelease",
        {"applicationId": app_id(pk), "notes": "Excellent candidate"},
        user=bpoc.linked,
    )

    assert result["__typename"] == "ApplicationWriteSuccess", result
    application = result["application"]
    assert application["status"] == "RELEASED" and application["releasedAt"]
    assert application["currentStage"]["name"] == "Released to Client"
    [write] = bpoc.fake.writes[writes:]
    assert (write.path, write.body) == (
        f"/applications/{remote}/release",
        {"notes": "Excellent candidate", "releasedBy": RECRUITER_ID},
    )
    assert bpoc.fake.applications[remote]["status"] == "released"
    await world.settle()
    [event] = world.published(seen, "application.stage_changed")
    assert (event.data["id"], event.data["status"]) == (pk, "released")
    assert (
        await world.count(
            Activity, Activity.application_id == pk, Activity.action == "application.released"
        )
        == 1
    )

    again = await world.mutate(RELEASE, "applicationRelease", {"applicationId": app_id(pk)})
    assert again["__typename"] == "ValidationError", again
    assert "already released" in again["message"]
    assert len(bpoc.fake.writes) == writes + 1


async def test_a_rejection_carries_its_reason_and_fires_application_rejected(
    bpoc: Bpoc,
) -> None:
    world = bpoc.world
    pk = (await bpoc.applications(ApplicationStatus.ACTIVE))[0]
    remote = await bpoc.remote_id(pk)
    writes, seen = len(bpoc.fake.writes), len(world.events)

    result = await world.mutate(
        REJECT,
        "applicationReject",
        {"applicationId": app_id(pk), "reason": "Skills mismatch", "idempotencyKey": new_key()},
    )

    assert result["__typename"] == "ApplicationWriteSuccess", result
    application = result["application"]
    assert (application["status"], application["rejectionReason"]) == (
        "REJECTED",
        "Skills mismatch",
    )
    assert application["rejectedAt"] and application["currentStage"]["name"] == "Rejected"
    [write] = bpoc.fake.writes[writes:]
    assert (write.path, write.body) == (
        f"/applications/{remote}/reject",
        {"reason": "Skills mismatch", "rejectedBy": ADMIN_ID},
    )
    await world.settle()
    [event] = world.published(seen, "application.stage_changed")
    assert names_for(event) == [
        OutboundEvent.APPLICATION_STAGE_CHANGED,
        OutboundEvent.APPLICATION_REJECTED,
    ]


async def test_a_failing_bpoc_changes_nothing_here_and_says_retry(bpoc: Bpoc) -> None:
    world = bpoc.world
    pk = (await bpoc.applications(ApplicationStatus.ACTIVE))[0]
    before = await bpoc.application(pk)
    activities = await world.count(Activity, Activity.application_id == pk)
    bpoc.fake.faults.server_errors(times=1, status=503)
    try:
        result = await world.mutate(RELEASE, "applicationRelease", {"applicationId": app_id(pk)})
    finally:
        bpoc.fake.faults.reset()
    assert result["__typename"] == "ConnectorError", result
    assert (result["retryable"], result["statusCode"]) == (True, 503)
    after = await bpoc.application(pk)
    assert (after.status, after.current_stage_id, after.released_at) == (
        before.status,
        before.current_stage_id,
        None,
    )
    assert await world.count(Activity, Activity.application_id == pk) == activities


async def test_a_recruiter_of_another_agency_is_refused_as_not_in_agency(bpoc: Bpoc) -> None:
    pk = (await bpoc.applications(ApplicationStatus.ACTIVE))[0]
    writes = len(bpoc.fake.writes)
    result = await bpoc.world.mutate(
        REJECT,
        "applicationReject",
        {"applicationId": app_id(pk), "reason": "No"},
        user=bpoc.other_agency,
    )
    assert result["__typename"] == "RecruiterRejectedError", result
    assert result["reason"] == "not_in_agency"
    assert len(bpoc.fake.writes) == writes
    assert (await bpoc.application(pk)).status is ApplicationStatus.ACTIVE


async def test_without_a_recruiter_link_nothing_is_sent(bpoc: Bpoc) -> None:
    pk = (await bpoc.applications(ApplicationStatus.ACTIVE))[0]
    requests = bpoc.fake.faults.requests
    result = await bpoc.world.mutate(
        RELEASE, "applicationRelease", {"applicationId": app_id(pk)}, user=bpoc.unlinked
    )
    assert result["__typename"] == "RecruiterLinkMissingError", result
    assert result["integrationId"] == bpoc.global_id
    assert bpoc.fake.faults.requests == requests


@pytest.mark.parametrize(
    ("document", "field", "extra"),
    [
        (REJECT, "applicationReject", {"reason": ""}),
        (REJECT, "applicationReject", {"reason": "r" * 1001}),
        (REJECT, "applicationReject", {"reason": "\u2066hidden\u2069"}),
        (RELEASE, "applicationRelease", {"notes": "n" * 2001}),
    ],
)
async def test_hostile_application_input_sends_nothing(
    bpoc: Bpoc, document: str, field: str, extra: dict[str, Any]
) -> None:
    pk = (await bpoc.applications(ApplicationStatus.ACTIVE))[0]
    requests = bpoc.fake.faults.requests
    result = await bpoc.world.mutate(document, field, {"applicationId": app_id(pk), **extra})
    assert result["__typename"] == "ValidationError", result
    assert bpoc.fake.faults.requests == requests


async def test_a_lone_surrogate_is_refused_not_sent(bpoc: Bpoc) -> None:
    """JSON may escape half a surrogate pair; such text could never be sent on as JSON.
    The HTTP layer refuses the body (the services refuse such text too)."""
    pk = (await bpoc.applications(ApplicationStatus.ACTIVE))[0]
    requests = bpoc.fake.faults.requests
    body = json.dumps({"query": REJECT, "variables": {"input": {"applicationId": app_id(pk)}}})
    body = body.replace('"}}}', '", "reason": "no \\ud800 way"}}}')
    response = await bpoc.world.gateway.client.post(
        "/graphql",
        content=body.encode(),
        headers={**bpoc.world.gateway.headers(), "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert bpoc.fake.faults.requests == requests
    assert (await bpoc.application(pk)).status is ApplicationStatus.ACTIVE


# interviews ------------------------------------------------------------------------------


async def test_an_interview_round_is_booked_with_interviewer_and_scheduler(bpoc: Bpoc) -> None:
    world = bpoc.world
    pk = (await bpoc.applications(ApplicationStatus.RELEASED))[0]
    remote = await bpoc.remote_id(pk)
    when = in_days(3)
    writes, seen = len(bpoc.fake.writes), len(world.events)
    activities = await world.activities("interview.scheduled")
    key = new_key("interview")
    request = {
        "applicationId": app_id(pk),
        "interviewType": "client_round_1",
        "scheduledAt": when,
        "interviewerId": to_global_id("Recruiter", bpoc.linked),
        "idempotencyKey": key,
    }

    result = await world.mutate(SCHEDULE, "interviewSchedule", request)
    again = await world.mutate(SCHEDULE, "interviewSchedule", request)

    assert result["__typename"] == "InterviewWriteSuccess", result
    interview = result["interview"]
    assert (interview["kind"], interview["status"], interview["interviewType"]) == (
        "SCHEDULED",
        "SCHEDULED",
        "client_round_1",
    )
    assert interview["application"]["id"] == app_id(pk)
    assert datetime.fromisoformat(interview["scheduledAt"]) == datetime.fromisoformat(when)
    [write] = bpoc.fake.writes[writes:]
    assert (write.path, write.body) == (
        "/interviews",
        {
            "applicationId": remote,
            "interviewType": "client_round_1",
            "scheduledAt": when.replace("+00:00", "Z"),
            "interviewerId": RECRUITER_ID,
            "scheduledBy": ADMIN_ID,
        },
    )
    async with world.gateway.app.state.session_factory() as session:
        row = await session.get(Interview, from_global_id(interview["id"])[1])
    assert row is not None and row.remote_id in bpoc.fake.interviews
    assert (row.kind, row.status) == (InterviewKind.SCHEDULED, InterviewStatus.SCHEDULED)
    assert (row.interviewer_user_id, row.scheduled_by_user_id) == (
        bpoc.linked,
        world.demo.admin_user_id,
    )
    assert (again["replayed"], again["interview"]["id"]) == (True, interview["id"])
    await world.settle()
    [event] = world.published(seen, "interview.created")
    assert names_for(event) == [OutboundEvent.INTERVIEW_SCHEDULED]
    assert await world.activities("interview.scheduled") == activities + 1


async def test_an_interviewer_without_a_link_is_named_and_nothing_is_sent(bpoc: Bpoc) -> None:
    pk = (await bpoc.applications(ApplicationStatus.RELEASED))[0]
    requests = bpoc.fake.faults.requests
    interviewer = to_global_id("Recruiter", bpoc.unlinked)
    result = await bpoc.world.mutate(
        SCHEDULE,
        "interviewSchedule",
        {
            "applicationId": app_id(pk),
            "interviewType": "client_round_2",
            "scheduledAt": in_days(2),
            "interviewerId": interviewer,
        },
    )
    assert result["__typename"] == "RecruiterLinkMissingError", result
    assert result["message"].startswith("the interviewer ")
    assert bpoc.fake.faults.requests == requests


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("interviewType", "Client Round 1"),
        ("interviewType", ""),
        ("interviewType", "client_round_1; drop"),
        ("scheduledAt", "2031-02-01T10:00:00"),
        ("scheduledAt", "2020-02-01T10:00:00+00:00"),
        ("scheduledAt", "2999-02-01T10:00:00+00:00"),
    ],
)
async def test_bad_interview_input_sends_nothing(bpoc: Bpoc, field: str, value: str) -> None:
    pk = (await bpoc.applications(ApplicationStatus.RELEASED))[0]
    requests = bpoc.fake.faults.requests
    base = {"applicationId": app_id(pk), "interviewType": "client_round_1"}
    result = await bpoc.world.mutate(
        SCHEDULE, "interviewSchedule", {**base, "scheduledAt": in_days(1), field: value}
    )
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field
    assert bpoc.fake.faults.requests == requests


async def test_no_interview_for_a_rejected_application(bpoc: Bpoc) -> None:
    pk = (await bpoc.applications(ApplicationStatus.REJECTED))[0]
    result = await bpoc.world.mutate(
        SCHEDULE,
        "interviewSchedule",
        {"applicationId": app_id(pk), "interviewType": "client_round_1", "scheduledAt": in_days(1)},
    )
    assert result["__typename"] == "ValidationError", result
