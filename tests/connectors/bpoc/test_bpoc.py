"""BPOC's quirks: mapping its payloads, page/limit paging, attributed writes, and the
two recruiter errors (another agency's recruiter; an unknown or inactive one)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx

from connectors.base import Capability
from connectors.bpoc.attribution import recruiter_id
from connectors.bpoc.connector import BpocConnector
from connectors.bpoc.fields import format_time, parse_time
from connectors.bpoc.mapping import (
    application_candidate,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    onboarding_task_from_raw,
    user_from_raw,
)
from connectors.bpoc.payloads import (
    RawApplication,
    RawInterview,
    RawJob,
    RawOnboardingTask,
    RawRecruiter,
)
from connectors.bpoc.pipeline import application_from_raw
from connectors.errors import (
    AuthError,
    ConfigurationError,
    InvalidRecruiterError,
    InvalidResponseError,
    NotFoundError,
    RecruiterNotInAgencyError,
    ServerError,
    UnprocessableError,
    UnsupportedOperationError,
)
from connectors.models import (
    Attribution,
    InterviewRequest,
    JobDraft,
    OnboardingTaskDraft,
    RemotePerson,
)
from demo.sandbox.bpoc import (
    ADMIN_ID,
    CLIENT_IDS,
    INACTIVE_RECRUITER_ID,
    MAIN_AGENCY_ID,
    MAIN_API_KEY,
    MANAGER_ID,
    OTHER_AGENCY_RECRUITER_ID,
    OTHER_API_KEY,
    RECRUITER_ID,
    STARTER_API_KEY,
    UNKNOWN_RECRUITER_ID,
    BpocFake,
    Write,
)

NOW = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
AS_RECRUITER = Attribution(remote_id=RECRUITER_ID)
AS_MANAGER = Attribution(remote_id=MANAGER_ID)


@dataclass
class Session:
    connector: BpocConnector
    sent: list[httpx.Request]
    sleeps: list[float] = field(default_factory=list)

    def pages(self, path: str) -> list[tuple[str | None, str | None]]:
        return [
            (r.url.params.get("page"), r.url.params.get("limit"))
            for r in self.sent
            if r.url.path == f"/api/v1{path}"
        ]


@asynccontextmanager
async def connected(
    fake: BpocFake,
    *,
    credentials: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
) -> AsyncIterator[Session]:
    sent: list[httpx.Request] = []
    sleeps: list[float] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake.app),
        base_url="http://fake",
        event_hooks={"request": [record]},
    ) as client:
        connector = BpocConnector.create(
            client,
            {"apiKey": MAIN_API_KEY} if credentials is None else credentials,
            {"pageSize": 5} if config is None else config,
            integration="test:bpoc",
            sleep=sleep,
        )
        yield Session(connector, sent, sleeps)


def seeded(*, jobs: int = 7, candidates: int = 5, applications: int = 12) -> BpocFake:
    fake = BpocFake(now=lambda: NOW)
    fake.seed(jobs=jobs, candidates=candidates, applications=applications)
    return fake


def application_in(fake: BpocFake, status: str) -> str:
    return next(str(a["id"]) for a in fake.applications.values() if a["status"] == status)


def pending_job(fake: BpocFake) -> str:
    return next(str(j["id"]) for j in fake.jobs.values() if j["status"] == "pending_approval")


def pending_task(fake: BpocFake) -> str:
    return next(str(t["id"]) for t in fake.tasks.values() if t["status"] == "pending")


# mapping ---------------------------------------------------------------------


def test_job_from_raw_maps_the_guides_create_job_payload() -> None:
    raw: RawJob = {  # the guide's "Complete Integration" job, as BPOC lists it back
        "id": "0b8f6a52-51c1-4d4e-9a57-3f1e2c7b9d10",
        "clientId": "client-uuid",
        "clientName": "Harbour Realty (AU)",
        "title": "Senior React Developer",
        "description": "...",
        "status": "pending_approval",
        "postedBy": "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        "createdAt": "2024-01-20T10:30:00Z",
        "updatedAt": "2024-01-20T18:45:00+08:00",
    }
    extra = {"requirements": ["React", "TypeScript"], "salary_min": 80000, "salary_max": 120000}
    job = job_from_raw({**raw, **extra})

    assert job.remote_id == raw["id"]
    assert job.title == "Senior React Developer"
    assert job.status == "draft"
    assert job.remote_status == "pending_approval"
    assert job.client_name == "Harbour Realty (AU)"
    assert job.recruiter_remote_id == "f47ac10b-58cc-4372-a567-0e02b2c3d479"
    assert job.opened_at == datetime(2024, 1, 20, 10, 30, tzinfo=UTC)
    assert job.remote_updated_at == datetime(2024, 1, 20, 10, 45, tzinfo=UTC)
    assert job.remote_updated_at.tzinfo is UTC
    assert job.raw["salary_max"] == 120000


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("draft", "draft"),
        ("pending_approval", "draft"),
        ("active", "open"),
        ("paused", "on_hold"),
        ("closed", "closed"),
        ("filled", "closed"),
        ("archived", "archived"),
        ("something_new", "open"),
    ],
)
def test_job_statuses(status: str, state: str) -> None:
    job = job_from_raw({"id": "j", "title": "t", "status": status})
    assert (job.status, job.remote_status) == (state, status)


def _application(**fields: Any) -> RawApplication:
    raw: dict[str, Any] = {
        "id": "app-uuid",
        "jobId": "job-uuid",
        "candidateId": "cand-uuid",
        "candidate": {"id": "cand-uuid", "firstName": "Maria", "lastName": "Santos"},
        "appliedAt": "2024-01-15T01:00:00Z",
        "updatedAt": "2024-01-20T10:30:00Z",
        **fields,
    }
    return raw  # type: ignore[return-value]


def test_a_released_application_records_who_released_it() -> None:
    application = application_from_raw(
        _application(
            status="released",
            releasedAt="2024-01-20T10:30:00Z",
            releasedBy=RECRUITER_ID,
            releaseNotes="Excellent candidate",
        )
    )
    assert application.status == "released"
    assert application.current_stage == "Released to Client"
    assert application.applied_at == datetime(2024, 1, 15, 1, tzinfo=UTC)
    submitted, released = application.transitions
    assert submitted.to_stage == "Submitted"
    assert submitted.left_at == released.entered_at == datetime(2024, 1, 20, 10, 30, tzinfo=UTC)
    assert released.from_stage == "Submitted"
    assert released.moved_by == RemotePerson(remote_id=RECRUITER_ID)
    assert released.left_at is None


def test_a_rejected_application_keeps_reason_and_rejecter() -> None:
    application = application_from_raw(
        _application(
            status="rejected",
            rejectedAt="2024-01-16T09:00:00+08:00",
            rejectedBy=MANAGER_ID,
            rejectionReason="Skills mismatch",
        )
    )
    assert application.status == "rejected"
    assert application.rejected_at == datetime(2024, 1, 16, 1, tzinfo=UTC)
    assert application.rejection_reason == "Skills mismatch"
    assert [t.to_stage for t in application.transitions] == ["Submitted", "Rejected"]
    assert application.transitions[-1].moved_by == RemotePerson(remote_id=MANAGER_ID)


def test_a_history_that_stops_early_gets_a_move_to_the_current_stage_at_updatedAt() -> None:
    application = application_from_raw(
        _application(
            status="shortlisted",
            statusHistory=[{"status": "submitted", "changedAt": "2024-01-15T01:00:00Z"}],
        )
    )
    assert application.current_stage == "Shortlisted"
    submitted, shortlisted = application.transitions
    assert (submitted.to_stage, submitted.left_at) == ("Submitted", shortlisted.entered_at)
    assert shortlisted.to_stage == "Shortlisted"
    assert shortlisted.from_stage == "Submitted"
    assert shortlisted.entered_at == datetime(2024, 1, 20, 10, 30, tzinfo=UTC)
    assert shortlisted.moved_by is None


def test_the_added_move_is_never_before_the_last_recorded_one() -> None:
    application = application_from_raw(
        _application(
            status="offered",
            updatedAt="2024-01-10T00:00:00Z",
            statusHistory=[{"status": "interviewing", "changedAt": "2024-01-25T00:00:00Z"}],
        )
    )
    assert [(t.to_stage, t.entered_at.day) for t in application.transitions] == [
        ("Submitted", 15),
        ("Client Interview", 25),
        ("Offer", 25),
    ]


def test_history_is_ordered_by_time_and_repeats_are_one_stay() -> None:
    application = application_from_raw(
        _application(
            status="Released to Client",
            statusHistory=[
                {"status": "released", "changedAt": "2024-01-20T10:30:00Z"},
                {"status": "Under Review", "changedAt": "2024-01-16T00:00:00Z"},
                {"status": "submitted", "changedAt": "2024-01-15T01:00:00Z"},
                {"status": "under_review", "changedAt": "2024-01-17T00:00:00Z", "changedBy": "r"},
                {"status": "shortlisted", "changedAt": None},
                "not an entry",
            ],
            releasedAt="2024-01-20T10:30:00Z",
            releasedBy={"id": RECRUITER_ID, "name": "John Recruiter"},
        )
    )
    transitions = application.transitions
    assert [(t.to_stage, t.entered_at.day) for t in transitions] == [
        ("Submitted", 15),
        ("Under Review", 16),
        ("Released to Client", 20),
    ]
    assert transitions[1].moved_by == RemotePerson(remote_id="r")
    assert transitions[1].left_at == transitions[2].entered_at
    assert transitions[2].moved_by == RemotePerson(remote_id=RECRUITER_ID, name="John Recruiter")
    assert application.status == "released"


def test_an_application_with_no_time_at_all_has_no_transitions() -> None:
    application = application_from_raw(
        _application(status="hired", appliedAt=None, updatedAt=None, createdAt=None)
    )
    assert (application.current_stage, application.transitions) == ("Hired", ())


def test_a_jobs_owner_is_the_recruiter_who_posted_it() -> None:
    for posted in (RECRUITER_ID, {"id": RECRUITER_ID, "email": "recruiter@agency.com"}):
        job = job_from_raw({"id": "j", "title": "t", "postedBy": posted})
        assert job.recruiter_remote_id == RECRUITER_ID
    assert job_from_raw({"id": "j", "title": "t", "posted_by": 7}).recruiter_remote_id == "7"
    assert job_from_raw({"id": "j", "title": "t", "postedBy": None}).recruiter_remote_id is None


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        ({"resumeUrl": "https://bpoc.io/resumes/c.pdf"}, "https://bpoc.io/resumes/c.pdf"),
        ({"resumeUrl": {"url": "https://cdn.bpoc.io/c.pdf"}}, "https://cdn.bpoc.io/c.pdf"),
        ({"resume": "https://bpoc.io/r/c.pdf"}, "https://bpoc.io/r/c.pdf"),
        ({"resume": {"fileUrl": "/resumes/c.pdf"}}, "https://bpoc.io/resumes/c.pdf"),
        ({"resumeUrl": None, "resume_url": "http://files.bpoc.io/c"}, "http://files.bpoc.io/c"),
        ({"resumeUrl": "javascript:alert(1)"}, None),
        ({"resumeUrl": "//evil.example/c.pdf"}, None),
        ({"resumeUrl": "https://bpoc.io/" + "x" * 3000}, None),
        ({"resumeUrl": 42}, None),
        ({}, None),
    ],
)
def test_the_resume_url_is_read_leniently(fields: dict[str, Any], url: str | None) -> None:
    raw = {"id": "c", "firstName": "Maria", **fields}
    assert candidate_from_raw(raw, "https://bpoc.io/api/v1").resume_url == url


async def test_candidates_carry_their_resume_url() -> None:
    fake = seeded(jobs=2, candidates=3, applications=3)
    async with connected(fake) as session:
        candidates = [c async for c in session.connector.candidates()]
    assert {c.remote_id: c.resume_url for c in candidates} == {
        remote_id: raw["resumeUrl"] for remote_id, raw in fake.candidates.items()
    }
    assert all(c.resume_url for c in candidates)


def test_an_application_without_its_candidate_record_names_it_by_id() -> None:
    bare = {**_application(), "candidate": None}
    candidate = application_candidate(bare)
    assert (candidate.remote_id, candidate.name) == ("cand-uuid", "cand-uuid")
    embedded_without_id = {**_application(), "candidate": {"firstName": "Maria"}}
    assert application_candidate(embedded_without_id).remote_id == "cand-uuid"


@respx.mock
async def test_a_candidate_known_only_by_id_gives_way_to_its_full_record() -> None:
    maria = {"id": "c1", "firstName": "Maria", "lastName": "Santos"}
    respx.get("https://bpoc.io/api/v1/applications").respond(
        json={
            "applications": [
                {"id": "a1", "jobId": "j", "candidateId": "c1", "candidate": None},
                {"id": "a2", "jobId": "j", "candidateId": "c2"},
                {"id": "a3", "jobId": "j", "candidateId": "c1", "candidate": maria},
            ],
            "pagination": {"page": 1, "limit": 50, "total": 3},
        }
    )
    async with httpx.AsyncClient() as client:
        connector = BpocConnector.create(
            client, {"apiKey": MAIN_API_KEY}, {}, integration="test:bpoc"
        )
        candidates = [(c.remote_id, c.name) async for c in connector.candidates()]
    assert candidates == [("c1", "Maria Santos"), ("c2", "c2")]
    assert connector.failures == []


@pytest.mark.parametrize(
    ("status", "state", "stage"),
    [
        ("submitted", "active", "Submitted"),
        ("interviewing", "released", "Client Interview"),
        ("hired", "hired", "Hired"),
        ("withdrawn", "withdrawn", "Withdrawn"),
        ("on_hold_by_client", "active", "on_hold_by_client"),
    ],
)
def test_application_statuses(status: str, state: str, stage: str) -> None:
    application = application_from_raw(_application(status=status))
    assert (application.status, application.current_stage) == (state, stage)


def test_interview_from_raw_maps_the_guides_schedule_payload() -> None:
    raw: RawInterview = {
        "id": "int-uuid",
        "applicationId": "app-uuid",
        "interviewType": "client_round_1",
        "scheduledAt": "2024-02-01T10:00:00Z",
        "interviewerId": "recruiter-uuid",
        "scheduledBy": "recruiter-uuid",
        "status": "no_show",
    }
    interview = interview_from_raw(raw)
    assert interview.application_remote_id == "app-uuid"
    assert interview.interview_type == "client_round_1"
    assert interview.scheduled_at == datetime(2024, 2, 1, 10, tzinfo=UTC)
    assert interview.interviewer_remote_id == "recruiter-uuid"
    assert interview.status == "abandoned"
    assert interview.remote_updated_at is None


def test_user_from_raw_keeps_the_recruiter_uuid() -> None:
    raw: RawRecruiter = {
        "id": "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        "email": "recruiter@agency.com",
        "firstName": "John",
        "lastName": "Recruiter",
        "role": "recruiter",
        "isActive": False,
        "updatedAt": "2024-01-15T00:00:00Z",
    }
    user = user_from_raw(raw)
    assert (user.remote_id, user.email, user.name, user.role) == (
        "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        "recruiter@agency.com",
        "John Recruiter",
        "recruiter",
    )
    assert user.raw["isActive"] is False


def test_onboarding_task_from_raw() -> None:
    raw: RawOnboardingTask = {
        "id": "task-uuid",
        "applicationId": "app-uuid",
        "candidateId": "cand-uuid",
        "title": "Submit NBI clearance",
        "taskType": "document",
        "status": "completed",
        "dueDate": "2024-02-15",
        "reviewedBy": "recruiter-uuid",
    }
    task = onboarding_task_from_raw(raw)
    assert task.status == "approved"
    assert task.due_date == date(2024, 2, 15)
    assert (task.application_remote_id, task.candidate_remote_id) == ("app-uuid", "cand-uuid")
    assert task.task_type == "document"


def test_times_are_utc_whatever_bpoc_sends() -> None:
    assert parse_time("2024-01-20T10:30:00") == datetime(2024, 1, 20, 10, 30, tzinfo=UTC)
    assert parse_time("2024-01-20T18:30:00.250+08:00") == datetime(
        2024, 1, 20, 10, 30, 0, 250000, tzinfo=UTC
    )
    assert parse_time(None) is None
    manila = timezone(timedelta(hours=8))
    assert format_time(datetime(2024, 2, 1, 18, tzinfo=manila)) == "2024-02-01T10:00:00Z"


def test_recruiter_ids_are_uuids() -> None:
    upper = Attribution(remote_id="F47AC10B-58CC-4372-A567-0E02B2C3D479")
    assert recruiter_id(upper) == "f47ac10b-58cc-4372-a567-0e02b2c3d479"
    with pytest.raises(InvalidRecruiterError, match="UUID"):
        recruiter_id(Attribution(remote_id="1042"))
    with pytest.raises(InvalidRecruiterError):
        recruiter_id(None)


# reads and paging ------------------------------------------------------------


async def test_jobs_page_with_page_and_limit_until_a_short_page() -> None:
    fake = seeded(jobs=12, candidates=0, applications=0)
    async with connected(fake) as session:
        jobs = [job async for job in session.connector.jobs()]
    assert [job.remote_id for job in jobs] == fake.job_ids()
    assert session.pages("/jobs") == [("1", "5"), ("2", "5"), ("3", "5")]
    assert all(r.headers["x-api-key"] == MAIN_API_KEY for r in session.sent)


async def test_a_full_last_page_costs_one_empty_page() -> None:
    fake = seeded(jobs=10, candidates=0, applications=0)
    async with connected(fake) as session:
        jobs = [job async for job in session.connector.jobs()]
    assert len(jobs) == 10
    assert session.pages("/jobs") == [("1", "5"), ("2", "5"), ("3", "5")]


async def test_page_size_above_bpocs_cap_is_lowered_to_100() -> None:
    fake = seeded(jobs=130, candidates=0, applications=0)
    async with connected(fake, config={"pageSize": 500}) as session:
        jobs = [job async for job in session.connector.jobs()]
    assert len(jobs) == 130  # asking 500 and getting 100 would have looked like the last page
    assert session.pages("/jobs") == [("1", "100"), ("2", "100")]


async def test_default_page_size_and_base_url() -> None:
    fake = seeded(jobs=1, candidates=0, applications=0)
    async with connected(fake, config={}) as session:
        [job async for job in session.connector.jobs()]
    assert str(session.sent[0].url) == "https://bpoc.io/api/v1/jobs?page=1&limit=50"


async def test_reads_stream_page_by_page() -> None:
    fake = seeded(jobs=12, candidates=0, applications=0)
    async with connected(fake) as session:
        jobs = session.connector.jobs()
        first = await anext(jobs)
        assert len(session.sent) == 1
        assert first.remote_id == fake.job_ids()[0]
        await jobs.aclose()  # type: ignore[attr-defined]


async def test_candidates_come_from_the_applications_once_each() -> None:
    fake = seeded(jobs=3, candidates=5, applications=12)
    async with connected(fake) as session:
        candidates = [c async for c in session.connector.candidates()]
    assert sorted(c.remote_id for c in candidates) == sorted(fake.candidates)
    assert {r.url.path for r in session.sent} == {"/api/v1/applications"}
    maria = next(c for c in candidates if c.first_name == "Maria")
    assert maria.email is not None and maria.email.endswith("@example.ph")
    assert maria.phone is not None and maria.phone.startswith("+63")
    assert maria.tags and maria.created_at is not None


async def test_applications_link_jobs_and_candidates() -> None:
    fake = seeded(jobs=3, candidates=5, applications=12)
    async with connected(fake) as session:
        applications = [a async for a in session.connector.applications()]
    assert [a.remote_id for a in applications] == list(fake.applications)
    assert {a.job_remote_id for a in applications} == set(fake.jobs)
    assert {a.status for a in applications} == {"active", "released", "hired", "rejected"}


async def test_get_applications_filters_the_whole_list_and_sees_a_release_at_once() -> None:
    fake = seeded(jobs=3, candidates=5, applications=12)
    application_id = application_in(fake, "submitted")
    candidate_id = str(fake.applications[application_id]["candidateId"])
    theirs = [a for a, raw in fake.applications.items() if raw["candidateId"] == candidate_id]
    assert len(theirs) >= 2
    async with connected(fake) as session:
        await session.connector.release_application(application_id, None, AS_RECRUITER)
        session.sent.clear()
        found = await session.connector.get_applications([candidate_id])
    assert [a.remote_id for a in found] == theirs
    assert session.pages("/applications") == [("1", "5"), ("2", "5"), ("3", "5")]
    released = next(a for a in found if a.remote_id == application_id)
    assert released.status == "released"
    assert released.transitions[-1].moved_by == RemotePerson(remote_id=RECRUITER_ID)


async def test_updated_since_is_applied_by_the_connector() -> None:
    fake = seeded(jobs=7, candidates=0, applications=0)
    touched = fake.job_ids()[4]
    fake.touch_job(touched)
    async with connected(fake) as session:
        jobs = [j async for j in session.connector.jobs(updated_since=NOW - timedelta(minutes=1))]
    assert [job.remote_id for job in jobs] == [touched]
    assert all(set(r.url.params) == {"page", "limit"} for r in session.sent)


async def test_users_are_the_agencys_recruiters_in_one_request() -> None:
    fake = seeded()
    async with connected(fake) as session:
        users = {user.remote_id: user async for user in session.connector.users()}
    assert set(users) == {ADMIN_ID, MANAGER_ID, RECRUITER_ID, INACTIVE_RECRUITER_ID}
    assert users[INACTIVE_RECRUITER_ID].raw["isActive"] is False
    assert users[MANAGER_ID].role == "manager"
    assert [str(r.url) for r in session.sent] == ["https://bpoc.io/api/v1/agency/recruiters"]


async def test_interviews_and_onboarding_tasks() -> None:
    fake = seeded(jobs=3, candidates=8, applications=16)
    async with connected(fake) as session:
        interviews = [i async for i in session.connector.interviews()]
        tasks = [t async for t in session.connector.onboarding_tasks()]
    assert [i.remote_id for i in interviews] == list(fake.interviews)
    assert {i.interview_type for i in interviews} == {"client_round_1"}
    assert {i.status for i in interviews} == {"scheduled", "completed"}
    assert [t.remote_id for t in tasks] == list(fake.tasks)
    assert {t.status for t in tasks} == {"approved", "submitted", "pending"}
    assert all(t.application_remote_id in fake.applications for t in tasks)


async def test_check_counts_recruiters() -> None:
    async with connected(seeded()) as session:
        result = await session.connector.check()
    assert result.ok
    assert result.detail == "4 recruiters, 3 active"


async def test_stages_are_bpocs_application_statuses_in_pipeline_order() -> None:
    async with connected(seeded()) as session:
        stages = await session.connector.stages()
    assert [(s.position, s.remote_id, s.name, s.kind) for s in stages] == [
        (0, "submitted", "Submitted", "applied"),
        (1, "under_review", "Under Review", "screen"),
        (2, "shortlisted", "Shortlisted", "screen"),
        (3, "released", "Released to Client", "screen"),
        (4, "interviewing", "Client Interview", "interview"),
        (5, "offered", "Offer", "offer"),
        (6, "hired", "Hired", "hired"),
        (7, "rejected", "Rejected", "rejected"),
        (8, "withdrawn", "Withdrawn", "other"),
    ]
    assert session.sent == []


async def test_every_seeded_application_has_a_history_ending_at_its_current_stage() -> None:
    fake = seeded(jobs=3, candidates=8, applications=16)
    for raw in fake.applications.values():
        assert raw["statusHistory"][-1]["status"] == raw["status"]
        assert raw["statusHistory"][-1]["changedAt"] < raw["updatedAt"]
    async with connected(fake) as session:
        applications = [a async for a in session.connector.applications()]
        stages = {s.name: s.position for s in await session.connector.stages()}
    assert {a.current_stage for a in applications} == set(stages) - {"Withdrawn"}
    for application in applications:
        names = [t.to_stage for t in application.transitions]
        assert names[-1] == application.current_stage
        assert len(set(names)) == len(names)
        if application.status != "rejected":
            assert [stages[name] for name in names] == list(range(len(names)))
    shortlisted = next(a for a in applications if a.current_stage == "Shortlisted")
    assert [t.to_stage for t in shortlisted.transitions] == [
        "Submitted",
        "Under Review",
        "Shortlisted",
    ]
    assert shortlisted.transitions[-1].moved_by == RemotePerson(remote_id=RECRUITER_ID)


async def test_a_release_the_history_does_not_record_still_ends_the_transitions() -> None:
    fake = seeded()
    application_id = application_in(fake, "shortlisted")
    async with connected(fake) as session:
        await session.connector.release_application(application_id, None, AS_RECRUITER)
        history = fake.applications[application_id]["statusHistory"]
        assert history[-1]["status"] == "released", "the fake records its writes"
        history.pop()
        [released] = [
            a async for a in session.connector.applications() if a.remote_id == application_id
        ]
    assert [t.to_stage for t in released.transitions] == [
        "Submitted",
        "Under Review",
        "Shortlisted",
        "Released to Client",
    ]
    assert released.transitions[-1].entered_at == NOW
    assert released.transitions[-2].left_at == NOW


# writes ----------------------------------------------------------------------


async def test_create_job_sends_postedBy() -> None:
    fake = seeded()
    draft = JobDraft(
        title="Senior React Developer",
        description="...",
        client_remote_id=CLIENT_IDS[1],
        location="Taguig (BGC)",
        employment_type="full_time",
        extra={"requirements": ["React"], "salary_min": 80000, "salary_max": 120000},
    )
    async with connected(fake) as session:
        result = await session.connector.create_job(draft, AS_RECRUITER)
        listed = {job.remote_id: job async for job in session.connector.jobs()}

    assert fake.writes == [
        Write(
            "POST",
            "/jobs/create",
            {
                "requirements": ["React"],
                "salary_min": 80000,
                "salary_max": 120000,
                "clientId": CLIENT_IDS[1],
                "description": "...",
                "location": "Taguig (BGC)",
                "employmentType": "full_time",
                "title": "Senior React Developer",
                "postedBy": RECRUITER_ID,
            },
            MAIN_AGENCY_ID,
        )
    ]
    assert result.remote_id is not None
    assert fake.jobs[result.remote_id]["postedBy"] == RECRUITER_ID
    created = listed[result.remote_id]
    assert (created.status, created.client_name) == ("draft", "Northwind Logistics (US)")
    assert created.recruiter_remote_id == RECRUITER_ID


async def test_create_job_sends_only_what_the_draft_has() -> None:
    fake = seeded()
    async with connected(fake) as session:
        await session.connector.create_job(JobDraft(title="QA Analyst"), AS_RECRUITER)
    assert fake.writes[-1].body == {"title": "QA Analyst", "postedBy": RECRUITER_ID}


async def test_approve_job_sends_approvedBy_and_opens_the_job() -> None:
    fake = seeded()
    job_id = pending_job(fake)
    async with connected(fake) as session:
        result = await session.connector.approve_job(job_id, AS_MANAGER)
        job = (await session.connector.get_jobs([job_id]))[0]
    assert fake.writes == [
        Write("POST", f"/jobs/{job_id}/approve", {"approvedBy": MANAGER_ID}, MAIN_AGENCY_ID)
    ]
    assert result.remote_id == job_id
    assert (job.status, job.remote_status) == ("open", "active")
    assert job.opened_at == NOW


async def test_release_sends_notes_and_releasedBy() -> None:
    fake = seeded()
    application_id = application_in(fake, "submitted")
    async with connected(fake) as session:
        result = await session.connector.release_application(
            application_id, "Excellent candidate", AS_RECRUITER
        )
        released = await anext(
            a async for a in session.connector.applications() if a.remote_id == application_id
        )
    assert fake.writes[-1] == Write(
        "POST",
        f"/applications/{application_id}/release",
        {"releasedBy": RECRUITER_ID, "notes": "Excellent candidate"},
        MAIN_AGENCY_ID,
    )
    assert result.remote_id == application_id
    assert result.raw["application"]["releaseNotes"] == "Excellent candidate"
    assert released.status == "released"
    assert released.transitions[-1].moved_by == RemotePerson(remote_id=RECRUITER_ID)
    assert released.transitions[-1].entered_at == NOW


async def test_release_without_notes_sends_no_notes() -> None:
    fake = seeded()
    application_id = application_in(fake, "shortlisted")
    async with connected(fake) as session:
        await session.connector.release_application(application_id, None, AS_RECRUITER)
    assert fake.writes[-1].body == {"releasedBy": RECRUITER_ID}


async def test_reject_sends_reason_and_rejectedBy() -> None:
    fake = seeded()
    application_id = application_in(fake, "under_review")
    async with connected(fake) as session:
        result = await session.connector.reject(application_id, "Skills mismatch", AS_MANAGER)
    assert fake.writes == [
        Write(
            "POST",
            f"/applications/{application_id}/reject",
            {"reason": "Skills mismatch", "rejectedBy": MANAGER_ID},
            MAIN_AGENCY_ID,
        )
    ]
    assert result.remote_id == application_id
    assert fake.applications[application_id]["status"] == "rejected"
    assert fake.applications[application_id]["rejectedBy"] == MANAGER_ID


async def test_schedule_interview_sends_interviewer_and_scheduler_in_utc() -> None:
    fake = seeded()
    application_id = application_in(fake, "released")
    manila = timezone(timedelta(hours=8))
    request = InterviewRequest(
        application_remote_id=application_id,
        interview_type="client_round_1",
        scheduled_at=datetime(2024, 2, 1, 18, 0, tzinfo=manila),
        interviewer=AS_MANAGER,
    )
    async with connected(fake) as session:
        result = await session.connector.schedule_interview(request, AS_RECRUITER)
        interviews = {i.remote_id: i async for i in session.connector.interviews()}
    assert fake.writes == [
        Write(
            "POST",
            "/interviews",
            {
                "applicationId": application_id,
                "interviewType": "client_round_1",
                "scheduledAt": "2024-02-01T10:00:00Z",
                "scheduledBy": RECRUITER_ID,
                "interviewerId": MANAGER_ID,
            },
            MAIN_AGENCY_ID,
        )
    ]
    assert result.remote_id is not None
    interview = interviews[result.remote_id]
    assert interview.scheduled_at == datetime(2024, 2, 1, 10, tzinfo=UTC)
    assert interview.interviewer_remote_id == MANAGER_ID
    assert fake.interviews[result.remote_id]["scheduledBy"] == RECRUITER_ID


async def test_schedule_interview_without_interviewer_sends_only_the_scheduler() -> None:
    fake = seeded()
    request = InterviewRequest(
        application_remote_id=application_in(fake, "released"),
        interview_type="client_round_2",
        scheduled_at=datetime(2024, 2, 3, 2, 30, tzinfo=UTC),
    )
    async with connected(fake) as session:
        await session.connector.schedule_interview(request, AS_RECRUITER)
    assert "interviewerId" not in fake.writes[-1].body
    assert fake.writes[-1].body["scheduledBy"] == RECRUITER_ID


async def test_create_onboarding_tasks_sends_createdBy_and_answers_one_result_per_task() -> None:
    fake = seeded()
    application_id = application_in(fake, "hired")
    drafts = [
        OnboardingTaskDraft(title="Submit NBI clearance", task_type="document"),
        OnboardingTaskDraft(
            title="Sign employment contract",
            description="Via the client's e-signature link",
            due_date=date(2026, 2, 1),
        ),
    ]
    async with connected(fake) as session:
        results = await session.connector.create_onboarding_tasks(
            application_id, drafts, AS_RECRUITER
        )
    assert fake.writes == [
        Write(
            "POST",
            "/onboarding",
            {
                "applicationId": application_id,
                "tasks": [
                    {"title": "Submit NBI clearance", "taskType": "document"},
                    {
                        "title": "Sign employment contract",
                        "description": "Via the client's e-signature link",
                        "dueDate": "2026-02-01",
                    },
                ],
                "createdBy": RECRUITER_ID,
            },
            MAIN_AGENCY_ID,
        )
    ]
    assert [fake.tasks[r.remote_id or ""]["title"] for r in results] == [
        "Submit NBI clearance",
        "Sign employment contract",
    ]
    assert all(fake.tasks[r.remote_id or ""]["createdBy"] == RECRUITER_ID for r in results)


@pytest.mark.parametrize(
    ("approve", "action", "status"), [(True, "approve", "approved"), (False, "reject", "rejected")]
)
async def test_review_onboarding_task_sends_action_and_reviewedBy(
    approve: bool, action: str, status: str
) -> None:
    fake = seeded()
    task_id = pending_task(fake)
    async with connected(fake) as session:
        result = await session.connector.review_onboarding_task(
            task_id, approve, AS_MANAGER, notes="Checked against the original"
        )
    assert fake.writes == [
        Write(
            "PUT",
            f"/onboarding/{task_id}",
            {"action": action, "reviewedBy": MANAGER_ID, "notes": "Checked against the original"},
            MAIN_AGENCY_ID,
        )
    ]
    assert result.remote_id == task_id
    assert (fake.tasks[task_id]["status"], fake.tasks[task_id]["reviewedBy"]) == (
        status,
        MANAGER_ID,
    )


async def test_review_without_notes_sends_no_notes() -> None:
    fake = seeded()
    async with connected(fake) as session:
        await session.connector.review_onboarding_task(pending_task(fake), True, AS_MANAGER)
    assert fake.writes[-1].body == {"action": "approve", "reviewedBy": MANAGER_ID}


async def test_create_recruiter_answers_the_new_uuid() -> None:
    fake = seeded()
    async with connected(fake) as session:
        result = await session.connector.create_recruiter(
            "recruiter@agency.com", "John", "Recruiter", "recruiter"
        )
        users = {u.remote_id: u async for u in session.connector.users()}
    assert fake.writes == [
        Write(
            "POST",
            "/recruiters/create",
            {
                "email": "recruiter@agency.com",
                "firstName": "John",
                "lastName": "Recruiter",
                "role": "recruiter",
            },
            MAIN_AGENCY_ID,
        )
    ]
    assert result.remote_id is not None
    assert recruiter_id(Attribution(remote_id=result.remote_id)) == result.remote_id
    assert users[result.remote_id].email == "recruiter@agency.com"


async def test_invite_recruiter_answers_the_invite_token() -> None:
    fake = seeded()
    async with connected(fake) as session:
        result = await session.connector.invite_recruiter(
            "newrecruiter@agency.com", "Jane Recruiter", "recruiter"
        )
    assert fake.writes == [
        Write(
            "POST",
            "/team/invite",
            {"email": "newrecruiter@agency.com", "name": "Jane Recruiter", "role": "recruiter"},
            MAIN_AGENCY_ID,
        )
    ]
    assert result.remote_id is None
    token = result.raw["inviteToken"]
    assert fake.invites[token]["email"] == "newrecruiter@agency.com"


async def test_a_duplicate_recruiter_is_refused() -> None:
    fake = seeded()
    taken = fake.recruiters[RECRUITER_ID]["email"]
    async with connected(fake) as session:
        with pytest.raises(UnprocessableError) as refused:
            await session.connector.create_recruiter(taken, "John", "Recruiter", "recruiter")
    assert refused.value.status == 409
    assert fake.writes == []


# the recruiter errors --------------------------------------------------------

Write_ = Callable[[BpocConnector, BpocFake, Attribution], Awaitable[Any]]

EVERY_ATTRIBUTED_WRITE: dict[str, Write_] = {
    "create_job": lambda c, f, a: c.create_job(JobDraft(title="QA Analyst"), a),
    "approve_job": lambda c, f, a: c.approve_job(pending_job(f), a),
    "release": lambda c, f, a: c.release_application(application_in(f, "submitted"), "ok", a),
    "reject": lambda c, f, a: c.reject(application_in(f, "submitted"), "Skills mismatch", a),
    "schedule_interview": lambda c, f, a: c.schedule_interview(
        InterviewRequest(
            application_remote_id=application_in(f, "released"),
            interview_type="client_round_1",
            scheduled_at=NOW,
        ),
        a,
    ),
    "interviewer": lambda c, f, a: c.schedule_interview(
        InterviewRequest(
            application_remote_id=application_in(f, "released"),
            interview_type="client_round_1",
            scheduled_at=NOW,
            interviewer=a,
        ),
        AS_RECRUITER,
    ),
    "create_onboarding_tasks": lambda c, f, a: c.create_onboarding_tasks(
        application_in(f, "hired"), [OnboardingTaskDraft(title="Sign contract")], a
    ),
    "review_onboarding_task": lambda c, f, a: c.review_onboarding_task(pending_task(f), True, a),
}


def _snapshot(fake: BpocFake) -> list[dict[str, Any]]:
    return [
        {k: dict(v) for k, v in records.items()}
        for records in (fake.jobs, fake.applications, fake.interviews, fake.tasks)
    ]


@pytest.mark.parametrize("write", EVERY_ATTRIBUTED_WRITE.values(), ids=EVERY_ATTRIBUTED_WRITE)
async def test_a_recruiter_of_another_agency_is_RecruiterNotInAgencyError(write: Write_) -> None:
    fake = seeded()
    before = _snapshot(fake)
    async with connected(fake) as session:
        with pytest.raises(RecruiterNotInAgencyError) as refused:
            await write(session.connector, fake, Attribution(remote_id=OTHER_AGENCY_RECRUITER_ID))
    assert refused.value.status == 403
    assert isinstance(refused.value, AuthError)
    assert "another agency" in refused.value.message
    assert fake.writes == []
    assert _snapshot(fake) == before


@pytest.mark.parametrize("write", EVERY_ATTRIBUTED_WRITE.values(), ids=EVERY_ATTRIBUTED_WRITE)
@pytest.mark.parametrize(
    "who", [UNKNOWN_RECRUITER_ID, INACTIVE_RECRUITER_ID], ids=["unknown", "inactive"]
)
async def test_an_unknown_or_inactive_recruiter_is_InvalidRecruiterError(
    write: Write_, who: str
) -> None:
    fake = seeded()
    before = _snapshot(fake)
    async with connected(fake) as session:
        with pytest.raises(InvalidRecruiterError) as refused:
            await write(session.connector, fake, Attribution(remote_id=who))
    assert refused.value.status == 400
    assert not isinstance(refused.value, AuthError)
    assert fake.writes == []
    assert _snapshot(fake) == before


async def test_a_recruiter_id_that_is_no_uuid_is_refused_before_sending() -> None:
    fake = seeded()
    async with connected(fake) as session:
        with pytest.raises(InvalidRecruiterError):
            await session.connector.create_job(JobDraft(title="QA"), Attribution(remote_id="1042"))
        with pytest.raises(InvalidRecruiterError):
            await session.connector.reject(application_in(fake, "submitted"), "No", None)
    assert session.sent == []


@respx.mock
async def test_the_message_decides_whatever_the_status() -> None:
    respx.post("https://bpoc.io/api/v1/applications/a1/reject").respond(
        422, json={"message": "Invalid recruiter: not found", "status": 422}
    )
    respx.post("https://bpoc.io/api/v1/applications/a2/reject").respond(
        403, json={"error": "Recruiter does not belong to your agency", "status": 403}
    )
    respx.post("https://bpoc.io/api/v1/applications/a3/reject").respond(
        422, json={"error": "reason is too long", "status": 422}
    )
    async with httpx.AsyncClient() as client:
        connector = BpocConnector.create(
            client, {"apiKey": MAIN_API_KEY}, {}, integration="test:bpoc"
        )
        with pytest.raises(InvalidRecruiterError) as invalid:
            await connector.reject("a1", "x", AS_RECRUITER)
        with pytest.raises(RecruiterNotInAgencyError):
            await connector.reject("a2", "x", AS_RECRUITER)
        with pytest.raises(UnprocessableError) as other:
            await connector.reject("a3", "x", AS_RECRUITER)
    assert invalid.value.status == 422
    assert not isinstance(other.value, InvalidRecruiterError)


# auth ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["bpoc_sk_live_revoked_000000000000", OTHER_API_KEY + "x"])
async def test_a_wrong_key_is_a_plain_AuthError(key: str, caplog: pytest.LogCaptureFixture) -> None:
    fake = seeded()
    caplog.set_level(logging.DEBUG)
    async with connected(fake, credentials={"apiKey": key}) as session:
        with pytest.raises(AuthError) as on_check:
            await session.connector.check()
        with pytest.raises(AuthError) as on_write:
            await session.connector.create_job(JobDraft(title="QA"), AS_RECRUITER)
    for refused in (on_check.value, on_write.value):
        assert type(refused) is AuthError
        assert refused.status == 401
        assert key not in str(refused)
    assert key not in caplog.text
    assert fake.writes == []


async def test_a_missing_key_is_refused_by_the_fake_and_by_create() -> None:
    fake = seeded()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        response = await client.get("http://fake/api/v1/jobs")
        assert response.status_code == 401
        assert response.json() == {
            "error": "Unauthorized",
            "message": "Missing API key",
            "status": 401,
        }
        with pytest.raises(ConfigurationError):
            BpocConnector.create(client, {}, {}, integration="test:bpoc")


async def test_a_403_that_is_not_about_the_recruiter_stays_a_plain_AuthError() -> None:
    fake = seeded()
    async with connected(fake, credentials={"apiKey": STARTER_API_KEY}) as session:
        with pytest.raises(AuthError) as on_read:
            [job async for job in session.connector.jobs()]
        with pytest.raises(AuthError) as on_write:
            await session.connector.create_job(JobDraft(title="QA"), AS_RECRUITER)
    assert type(on_read.value) is AuthError and on_read.value.status == 403
    assert type(on_write.value) is AuthError and on_write.value.status == 403


async def test_each_key_sees_its_own_agency() -> None:
    fake = seeded()
    async with connected(fake, credentials={"apiKey": OTHER_API_KEY}) as session:
        jobs = [job async for job in session.connector.jobs()]
        users = [user.remote_id async for user in session.connector.users()]
        with pytest.raises(NotFoundError):
            await session.connector.approve_job(
                pending_job(fake), Attribution(remote_id=OTHER_AGENCY_RECRUITER_ID)
            )
        # the main agency's recruiter is "another agency's" from here
        with pytest.raises(RecruiterNotInAgencyError):
            await session.connector.create_job(JobDraft(title="QA"), AS_RECRUITER)
    assert jobs == []
    assert users == [OTHER_AGENCY_RECRUITER_ID]


# other refusals, faults, configuration ----------------------------------------


async def test_unknown_records_are_NotFoundError() -> None:
    fake = seeded()
    async with connected(fake) as session:
        with pytest.raises(NotFoundError):
            await session.connector.release_application(UNKNOWN_RECRUITER_ID, None, AS_RECRUITER)
        with pytest.raises(NotFoundError):
            await session.connector.review_onboarding_task("no-such-task", True, AS_MANAGER)
        with pytest.raises(NotFoundError):
            await session.connector.create_job(
                JobDraft(title="QA", client_remote_id=UNKNOWN_RECRUITER_ID), AS_RECRUITER
            )
    assert fake.writes == []


async def test_releasing_a_rejected_application_is_refused() -> None:
    fake = seeded()
    async with connected(fake) as session:
        with pytest.raises(UnprocessableError) as refused:
            await session.connector.release_application(
                application_in(fake, "rejected"), None, AS_RECRUITER
            )
    assert refused.value.status == 409
    assert fake.writes == []


async def test_rate_limits_are_waited_out() -> None:
    fake = seeded(jobs=7, candidates=0, applications=0)
    fake.faults.rate_limit(times=2, retry_after=3)
    async with connected(fake) as session:
        jobs = [job async for job in session.connector.jobs()]
    assert len(jobs) == 7
    assert len(session.sleeps) == 2 and all(s >= 3 for s in session.sleeps)
    assert fake.faults.injected == 2


async def test_a_write_waits_out_rate_limits() -> None:
    fake = seeded()
    fake.faults.rate_limit(times=2, retry_after=1)
    async with connected(fake) as session:
        result = await session.connector.approve_job(pending_job(fake), AS_MANAGER)
    assert len(session.sleeps) == 2
    assert len(fake.writes) == 1
    assert fake.jobs[result.remote_id or ""]["approvedBy"] == MANAGER_ID


async def test_a_write_is_not_repeated_after_a_server_error() -> None:
    """The server may have acted before failing: the caller decides, with the error's
    ``retryable`` flag, whether to try again."""
    fake = seeded()
    fake.faults.server_errors(times=1)
    async with connected(fake) as session:
        with pytest.raises(ServerError) as raised:
            await session.connector.approve_job(pending_job(fake), AS_MANAGER)
    assert raised.value.retryable
    assert session.sleeps == []
    assert fake.faults.injected == 1


async def test_a_broken_body_is_InvalidResponseError() -> None:
    fake = seeded()
    fake.faults.malformed()
    async with connected(fake) as session:
        with pytest.raises(InvalidResponseError):
            [job async for job in session.connector.jobs()]


@respx.mock
async def test_a_record_without_an_id_is_skipped_and_reported_not_fatal() -> None:
    respx.get("https://bpoc.io/api/v1/jobs").respond(
        json={
            "jobs": [{"title": "no id"}, {"id": "j2", "title": "QA Analyst"}],
            "pagination": {"page": 1, "limit": 50, "total": 2},
        }
    )
    async with httpx.AsyncClient() as client:
        connector = BpocConnector.create(
            client, {"apiKey": MAIN_API_KEY}, {}, integration="test:bpoc"
        )
        jobs = [job.remote_id async for job in connector.jobs()]
    assert jobs == ["j2"]
    assert [(f.entity, f.remote_id, f.reason) for f in connector.failures] == [
        ("jobs", None, "jobs without an id")
    ]


@respx.mock
@pytest.mark.parametrize(
    ("body", "count"),
    [
        ({"recruiters": None}, 0),
        ([{"id": "r1", "email": "a@b.ph"}], 1),
        ({"recruiters": [{"id": "r1", "isActive": "false"}, {"id": "r2", "isActive": "yes"}]}, 2),
        ({"error": "Internal"}, None),
        ("recruiters", None),
    ],
)
async def test_the_recruiter_list_is_read_leniently_but_must_be_one(
    body: Any, count: int | None
) -> None:
    respx.get("https://bpoc.io/api/v1/agency/recruiters").respond(json=body)
    async with httpx.AsyncClient() as client:
        connector = BpocConnector.create(
            client, {"apiKey": MAIN_API_KEY}, {}, integration="test:bpoc"
        )
        if count is None:
            with pytest.raises(InvalidResponseError, match="recruiters"):
                await connector.check()
        else:
            assert len([user async for user in connector.users()]) == count
            inactive = 1 if count == 2 else 0
            assert (await connector.check()).detail == (
                f"{count} recruiters, {count - inactive} active"
            )


@respx.mock
async def test_base_url_comes_from_config() -> None:
    route = respx.get("https://staging.bpoc.io/api/v1/agency/recruiters").respond(
        json={"recruiters": []}
    )
    async with httpx.AsyncClient() as client:
        connector = BpocConnector.create(
            client,
            {"apiKey": MAIN_API_KEY},
            {"baseUrl": "https://staging.bpoc.io/api/v1/"},
            integration="test:bpoc",
        )
        result = await connector.check()
    assert result.detail == "0 recruiters, 0 active"
    assert route.calls.last.request.headers["X-API-Key"] == MAIN_API_KEY


async def test_page_size_must_be_a_number() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ConfigurationError):
            BpocConnector.create(
                client, {"apiKey": MAIN_API_KEY}, {"pageSize": "many"}, integration="t"
            )
        small = BpocConnector.create(
            client, {"apiKey": MAIN_API_KEY}, {"pageSize": 0}, integration="t"
        )
    assert small.page_size == 1
    assert "bpoc_sk" not in repr(small.http.auth)


async def test_capabilities_and_what_bpoc_cannot_do() -> None:
    caps = BpocConnector.capabilities
    assert Capability.ATTRIBUTION in caps and Capability.RECRUITER_MANAGEMENT in caps
    assert Capability.MOVE_STAGE not in caps
    assert Capability.INCREMENTAL not in caps
    assert Capability.APPLICATIONS_BY_CANDIDATE in caps
    assert BpocConnector.required_credentials == ("apiKey",)
    async with connected(seeded()) as session:
        with pytest.raises(UnsupportedOperationError):
            await session.connector.move_stage("a1", "Client Interview", AS_RECRUITER)
        with pytest.raises(UnsupportedOperationError):
            await session.connector.add_note("c1", "note", AS_RECRUITER)
