"""Ashby's mappers take whatever the API sends: every field of the documented records
set to null, deleted, or replaced by a value of another type, unicode or a huge value,
and whole records of arbitrary JSON, give the common model or a ``MappingError`` and
nothing else; what they give keeps the store's bounds. A listing with one unreadable
record yields all the others and reports that one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
from hypothesis import given

from connectors.ashby import (
    AshbyConnector,
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    stages_from_raw,
    user_from_raw,
)
from connectors.models import (
    RecordFailure,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteStage,
    RemoteUser,
)
from demo.sandbox.ashby import FakeAshby
from tests.support.mapping_properties import (
    FAST,
    MapperCase,
    MapperProperties,
    StageProperties,
    any_json,
    assert_history_ends_at_the_current_stage,
    check_bounds,
)

# The documented records (developers.ashbyhq.com/reference: job.info, candidate.info,
# application.info, interviewSchedule.list, user.info), as the API answers them.

JOB: dict[str, Any] = {
    "id": "1a2b3c4d-0000-4000-8000-000000000001",
    "title": "Software Engineer",
    "confidential": False,
    "status": "Open",
    "employmentType": "FullTime",
    "locationId": "e9bd2b2d-0000-4000-8000-000000000002",
    "departmentId": "a8b3fb6d-0000-4000-8000-000000000003",
    "defaultInterviewPlanId": "5f2d9bba-0000-4000-8000-000000000004",
    "interviewPlanIds": ["5f2d9bba-0000-4000-8000-000000000004"],
    "customFields": [{"id": "cf-1", "title": "Cost center", "value": "CC-7"}],
    "jobPostingIds": [],
    "customRequisitionId": "REQ-42",
    "hiringTeam": [
        {
            "userId": "3ae2b801-0000-4000-8000-000000000005",
            "firstName": "Kate",
            "lastName": "Austen",
            "email": "kate@agency.example",
            "role": "Recruiter",
        }
    ],
    "createdAt": "2022-07-21T17:32:28.000Z",
    "updatedAt": "2022-08-12T20:29:56.964Z",
    "openedAt": "2022-07-22T09:00:00.000Z",
    "closedAt": None,
    "location": {"id": "e9bd2b2d-0000-4000-8000-000000000002", "name": "San Francisco"},
}
CANDIDATE: dict[str, Any] = {
    "id": "f9e52a51-a075-4116-a7b8-484deba69004",
    "createdAt": "2022-07-21T17:32:28.000Z",
    "updatedAt": "2022-08-12T20:29:56.964Z",
    "name": "Adam Hart",
    "primaryEmailAddress": {"value": "test@ashbyhq.com", "type": "Personal", "isPrimary": True},
    "emailAddresses": [{"value": "test@ashbyhq.com", "type": "Personal", "isPrimary": True}],
    "primaryPhoneNumber": {"value": "555-555-5555", "type": "Personal", "isPrimary": True},
    "phoneNumbers": [{"value": "555-555-5555", "type": "Personal", "isPrimary": True}],
    "socialLinks": [{"type": "LinkedIn", "url": "https://linkedin.com/in/user"}],
    "tags": [{"id": "tag-1", "title": "Senior", "isArchived": False}],
    "position": "Software Engineer",
    "company": "Auction.com",
    "school": "Princeton University",
    "applicationIds": ["3ae2b801-19f6-41ef-ad28-214bd731948f"],
    "resumeFileHandle": {
        "id": "15d2624d-0a81-4f94-a2ed-94980f430b3f",
        "name": "resume.pdf",
        "handle": "eyJoYW5kbGUiOnsidHlwZSI6IkNhbmRpZGF0ZUZpbGUiLCJm",
    },
    "fileHandles": [],
    "customFields": [{"id": "cf-2", "title": "Visa", "value": True}],
    "profileUrl": "https://app.ashbyhq.com/candidates/f9e52a51",
    "source": {"id": "src-1", "title": "Referral", "isArchived": False},
    "location": {
        "id": "loc-1",
        "locationSummary": "United States, California, San Francisco",
        "locationComponents": [{"type": "Country", "name": "United States"}],
    },
}
APPLICATION: dict[str, Any] = {
    "id": "3ae2b801-19f6-41ef-ad28-214bd731948f",
    "createdAt": "2022-07-21T17:32:28.000Z",
    "updatedAt": "2022-08-12T20:29:56.964Z",
    "status": "Active",
    "customFields": [],
    "candidate": {"id": "f9e52a51-a075-4116-a7b8-484deba69004", "name": "Adam Hart"},
    "currentInterviewStage": {
        "id": "2c6991c5-c9e2-4af8-879e-29c5a9d26509",
        "title": "Offer",
        "type": "Offer",
        "orderInInterviewPlan": 3,
        "interviewStageGroupId": "group-1",
        "interviewPlanId": "5f2d9bba-0000-4000-8000-000000000004",
    },
    "source": {"id": "src-1", "title": "Referral"},
    "archiveReason": None,
    "archivedAt": None,
    "job": {"id": "1a2b3c4d-0000-4000-8000-000000000001", "title": "Software Engineer"},
    "creditedToUser": None,
    "hiringTeam": [],
    "applicationHistory": [
        {
            "id": "h-0",
            "stageId": "s-0",
            "title": "Application Review",
            "enteredStageAt": "2022-07-21T17:32:28.000Z",
            "leftStageAt": "2022-07-25T10:00:00.000Z",
            "stageNumber": 0,
            "allowedActions": ["set_entered_at"],
        },
        {
            "id": "h-1",
            "stageId": "2c6991c5-c9e2-4af8-879e-29c5a9d26509",
            "title": "Offer",
            "enteredStageAt": "2022-07-25T10:00:00.000Z",
            "leftStageAt": None,
            "stageNumber": 1,
            "allowedActions": ["delete", "set_entered_at"],
            "actorId": "3ae2b801-0000-4000-8000-000000000005",
        },
    ],
}
INTERVIEW: dict[str, Any] = {
    "id": "sched-1",
    "status": "Scheduled",
    "applicationId": "3ae2b801-19f6-41ef-ad28-214bd731948f",
    "interviewStageId": "2c6991c5-c9e2-4af8-879e-29c5a9d26509",
    "interviewEvents": [
        {
            "id": "event-1",
            "interviewId": "interview-1",
            "startTime": "2022-08-15T16:00:00.000Z",
            "endTime": "2022-08-15T17:00:00.000Z",
            "interview": {"id": "interview-1", "title": "Onsite"},
            "interviewers": [{"id": "3ae2b801-0000-4000-8000-000000000005"}],
        }
    ],
    "createdAt": "2022-08-12T20:29:56.964Z",
    "updatedAt": "2022-08-12T20:29:56.964Z",
}
USER: dict[str, Any] = {
    "id": "3ae2b801-0000-4000-8000-000000000005",
    "firstName": "Joey",
    "lastName": "Joe",
    "email": "test@ashbyhq.com",
    "globalRole": "Organization Admin",
    "isEnabled": True,
    "updatedAt": "2022-08-12T20:29:56.964Z",
}


def test_the_documented_records_map_as_documented() -> None:
    job = job_from_raw(JOB)
    assert (job.title, job.status, job.location, job.employment_type) == (
        "Software Engineer",
        "open",
        "San Francisco",
        "FullTime",
    )
    assert (job.recruiter_remote_id, job.recruiter_email) == (
        "3ae2b801-0000-4000-8000-000000000005",
        "kate@agency.example",
    )
    assert job.custom_fields == {"Cost center": "CC-7"}
    candidate = candidate_from_raw(CANDIDATE, "https://s3.example/resume.pdf?sig=1")
    assert (candidate.name, candidate.email, candidate.phone) == (
        "Adam Hart",
        "test@ashbyhq.com",
        "555-555-5555",
    )
    assert candidate.headline == "Software Engineer at Auction.com"
    assert candidate.location == "United States, California, San Francisco"
    assert candidate.tags == ("Senior",) and candidate.source == "Referral"
    assert candidate.resume_url == "https://s3.example/resume.pdf?sig=1"
    assert [(d.name, d.kind) for d in candidate.documents] == [("resume.pdf", "resume")]
    assert candidate.custom_fields == {"Visa": True}
    application = application_from_raw(APPLICATION)
    assert (application.job_remote_id, application.candidate_remote_id) == (
        "1a2b3c4d-0000-4000-8000-000000000001",
        "f9e52a51-a075-4116-a7b8-484deba69004",
    )
    assert application.current_stage == "Offer" and application.status == "active"
    assert [(t.from_stage, t.to_stage) for t in application.transitions] == [
        (None, "Application Review"),
        ("Application Review", "Offer"),
    ]
    assert application.transitions[0].left_at == datetime(2022, 7, 25, 10, 0, tzinfo=UTC)
    moved_by = application.transitions[1].moved_by
    assert moved_by is not None and moved_by.remote_id == "3ae2b801-0000-4000-8000-000000000005"
    interview = interview_from_raw(INTERVIEW)
    assert (interview.interview_type, interview.status) == ("Onsite", "scheduled")
    assert interview.scheduled_at == datetime(2022, 8, 15, 16, 0, tzinfo=UTC)
    user = user_from_raw(USER)
    assert (user.name, user.email, user.role) == (
        "Joey Joe",
        "test@ashbyhq.com",
        "Organization Admin",
    )


def test_an_archived_application_is_rejected_with_its_reason() -> None:
    raw = {
        **APPLICATION,
        "status": "Archived",
        "archivedAt": "2022-09-01T10:00:00Z",
        "archiveReason": {"id": "r-1", "text": "Hired another candidate", "reasonType": "x"},
    }
    application = application_from_raw(raw)
    assert application.status == "rejected"
    assert application.rejection_reason == "Hired another candidate"
    assert application.rejected_at == datetime(2022, 9, 1, 10, 0, tzinfo=UTC)


def test_a_history_that_lags_behind_ends_in_the_current_stage() -> None:
    raw = {**APPLICATION, "applicationHistory": APPLICATION["applicationHistory"][:1]}
    transitions = application_from_raw(raw).transitions
    assert [t.to_stage for t in transitions] == ["Application Review", "Offer"]
    assert transitions[-1].entered_at == datetime(2022, 8, 12, 20, 29, 56, 964000, UTC)
    bare = application_from_raw({**APPLICATION, "applicationHistory": None})
    assert [(t.from_stage, t.to_stage) for t in bare.transitions] == [(None, "Offer")]


def test_stages_come_in_plan_order_once_per_title_with_their_kind() -> None:
    raws = [
        {"id": "3", "title": "Onsite", "type": "Active", "orderInInterviewPlan": 2},
        {"id": "1", "title": "New Lead", "type": "Lead", "orderInInterviewPlan": 0},
        {
            "id": "2",
            "title": "Recruiter Screen",
            "type": "PreInterviewScreen",
            "orderInInterviewPlan": 1,
        },
        {"id": "11", "title": "New Lead", "type": "Lead", "orderInInterviewPlan": 0},
        {"id": "9", "title": "Archived", "type": "Archived", "orderInInterviewPlan": 9},
        {"id": "8", "title": "Hired", "type": "Hired", "orderInInterviewPlan": 8},
        {"id": None, "title": "Nameless id"},
        "not a stage",
    ]
    assert [(s.name, s.position, s.kind) for s in stages_from_raw(raws)] == [
        ("New Lead", 0, "applied"),
        ("Recruiter Screen", 1, "screen"),
        ("Onsite", 2, "interview"),
        ("Hired", 3, "hired"),
        ("Archived", 4, "rejected"),
    ]


json_values = any_json("2024-01-20T10:30:00Z", "Archived", "Offer", "https://x.example/r", "²")


class TestAshbyMappers(MapperProperties, StageProperties):
    mappers: ClassVar[dict[str, MapperCase]] = {
        "job": (job_from_raw, RemoteJob, JOB),
        "candidate": (candidate_from_raw, RemoteCandidate, CANDIDATE),
        "application": (application_from_raw, RemoteApplication, APPLICATION),
        "interview": (interview_from_raw, RemoteInterview, INTERVIEW),
        "user": (user_from_raw, RemoteUser, USER),
    }
    source_values = json_values
    stage_keys = ("id", "title")

    def stages(self, raws: list[Any]) -> list[RemoteStage]:
        return stages_from_raw(raws)

    def essential(self, name: str) -> set[str]:
        """Its id, an application's job and candidate."""
        return {"id", "job", "candidate"}

    def check(self, mapped: Any) -> None:
        if isinstance(mapped, RemoteCandidate):
            assert mapped.resume_url is None
        if isinstance(mapped, RemoteApplication):
            assert_history_ends_at_the_current_stage(mapped)


@FAST
@given(url=json_values)
def test_a_resume_url_of_any_json_is_an_http_url_or_none(url: Any) -> None:
    candidate = candidate_from_raw(CANDIDATE, url)
    assert candidate.resume_url is None or candidate.resume_url.startswith(("http://", "https://"))
    check_bounds(candidate)


async def test_one_broken_record_per_listing_fails_alone_through_the_fake() -> None:
    fake = FakeAshby()
    fake.seed(jobs=5, candidates=4, applications=7)
    jobs_in_order = list(fake.jobs)
    broken_job = jobs_in_order[2]
    good_applications = list(fake.applications)
    fake.jobs[broken_job]["id"] = {"no": "id"}  # listed in the middle, without a usable id
    fake.applications["jobless"] = {"id": "jobless", "candidate": {"id": "c"}, "job": None}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        connector = AshbyConnector.create(
            client, {"apiKey": fake.api_key}, {"pageSize": 2}, integration="t:ashby"
        )
        jobs = [job.remote_id async for job in connector.jobs()]
        applications = [a.remote_id async for a in connector.applications()]
    assert jobs == [j for j in jobs_in_order if j != broken_job]
    assert applications == good_applications
    assert connector.failures == [
        RecordFailure(entity="jobs", remote_id=None, reason="jobs without an id"),
        RecordFailure(
            entity="applications", remote_id="jobless", reason="applications without a job"
        ),
    ]
