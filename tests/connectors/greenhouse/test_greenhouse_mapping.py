"""Greenhouse's mappers take whatever Harvest sends (v3's documented records, and v1's
names where they differ): every field of the documented
records set to null, deleted, or replaced by a value of another type, unicode or a huge
value, and whole records of arbitrary JSON, give the common model or a ``MappingError``
and nothing else; what they give keeps the store's bounds. A listing with one
unreadable record yields all the others and reports that one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
from hypothesis import given
from hypothesis import strategies as st

from connectors.greenhouse import GreenhouseConnector
from connectors.greenhouse.records import (
    JobContext,
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    note_from_raw,
    stages_from_raw,
    user_from_raw,
)
from connectors.models import (
    RecordFailure,
    RemoteActivity,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteStage,
    RemoteUser,
)
from demo.sandbox.greenhouse import FakeGreenhouse
from tests.support.mapping_properties import (
    FAST,
    MapperCase,
    MapperProperties,
    StageProperties,
    any_json,
    assert_history_ends_at_the_current_stage,
    check_bounds,
)

# The documented records: Harvest v3's list examples and schemas
# (harvestdocs.greenhouse.io/reference, get_v3-jobs, get_v3-candidates, get_v3-attachments,
# get_v3-applications, get_v3-interviews, get_v3-users, get_v3-notes), as v3 lists them.

JOB: dict[str, Any] = {
    "id": 107761,
    "name": "UX Designer - Boston",
    "requisition_id": "REQ-0042",
    "notes": "<p>Looking for a designer</p>",
    "confidential": False,
    "status": "open",
    "created_at": "2016-01-14T23:25:15.000Z",
    "opened_at": "2016-01-14T23:25:15.000Z",
    "closed_at": None,
    "updated_at": "2017-09-29T13:00:28.038Z",
    "is_template": False,
    "copied_from_id": None,
    "department_id": 237,
    "office_ids": [54],
    "custom_fields": {
        "employment_type": {
            "name": "Employment Type",
            "type": "single_select",
            "value": "Full-time",
        }
    },
}
JOB_CONTEXT = JobContext(
    departments={"237": "Design"}, offices={"54": "Boston"}, recruiters={"107761": "4080"}
)
CANDIDATE: dict[str, Any] = {
    "id": 57683957,
    "first_name": "John",
    "last_name": "Locke",
    "preferred_name": None,
    "company": "The Tustin Box Company",
    "title": "Customer Success Representative",
    "created_at": "2015-11-20T22:56:12.000Z",
    "updated_at": "2017-09-29T13:00:28.038Z",
    "last_activity_at": "2017-09-29T13:00:28.038Z",
    "private": False,
    "can_email": True,
    "time_zone": None,
    "tags": ["Walkabout", "Orientation"],
    "linked_user_ids": [],
    "phone_numbers": [{"value": "555-555-5555", "type": "mobile"}],
    "addresses": [{"value": "123 Fake St.", "type": "home"}],
    "email_addresses": [{"value": "john.locke@example.com", "type": "personal"}],
    "website_addresses": [{"value": "johnlocke.example.com", "type": "personal"}],
    "social_media_addresses": [{"value": "linkedin.example.com/john.locke"}],
    "custom_fields": {
        "desired_salary": {"name": "Desired Salary", "type": "short_text", "value": "1000000"}
    },
}
ATTACHMENTS: list[dict[str, Any]] = [
    {
        "id": 1,
        "candidate_id": 57683957,
        "application_id": 69306314,
        "type": "resume",
        "filename": "John_Locke_Resume.pdf",
        "url": "https://prod-heroku.s3.amazonaws.com/resume.pdf",
        "created_at": "2020-09-27T18:45:27.137Z",
        "updated_at": "2020-09-27T18:45:27.137Z",
    }
]
APPLICATION: dict[str, Any] = {
    "id": 69306314,
    "referrer_id": 1,
    "source_id": 1,
    "agency_note_id": None,
    "recruiter_id": 4080,
    "coordinator_id": None,
    "needs_decision": False,
    "prospect": False,
    "rejected_at": None,
    "created_at": "2017-09-29T12:56:05.244Z",
    "updated_at": "2017-09-29T13:00:28.038Z",
    "last_activity_at": "2017-09-29T13:00:28.038Z",
    "stage_id": 1,
    "candidate_id": 57683957,
    "job_id": 107761,
    "job_post_id": None,
    "status": "in_process",
    "stage_name": "Application Review",
    "custom_fields": {
        "custom_field_1": {"name": "Custom Field 1", "type": "short_text", "value": "some value"}
    },
    "location_address": "455 Broadway St., New York, NY",
    "answers": [{"question": "Simple question", "answer": "some answer"}],
    "prospective_job_ids": [],
}
INTERVIEW: dict[str, Any] = {
    "id": 9128481,
    "created_at": "2017-09-28T13:00:28.038Z",
    "updated_at": "2017-09-29T13:00:28.038Z",
    "job_id": 107761,
    "application_id": 69306314,
    "job_interview_id": 77,
    "starts_at": "2017-09-29T13:00:28.038Z",
    "ends_at": "2017-09-29T14:00:28.038Z",
    "location": "Room 1",
    "status": "scheduled",
    "organizer_id": 4080,
    "scheduled_at": "2017-09-28T13:00:28.038Z",
    "all_day_start_on": None,
    "all_day_end_on": None,
    "external_event_id": "evt-1",
    "video_conferencing_url": None,
}
INTERVIEW_NAMES = {"77": "Onsite"}
USER: dict[str, Any] = {
    "id": 4080,
    "first_name": "Kate",
    "last_name": "Austen",
    "job_title": None,
    "agency_id": None,
    "created_at": "2024-01-01T00:00:00.000Z",
    "updated_at": "2024-01-01T00:00:00.000Z",
    "primary_email": "kate@agency.example",
    "name": "Kate Austen",
    "deactivated": False,
    "site_admin": True,
    "employee_id": None,
    "linked_candidate_ids": [],
    "office_ids": [],
    "department_ids": [],
    "interviewer_tags": [],
    "custom_fields": {
        "select_custom_field": {
            "name": "Select custom field",
            "type": "single_select",
            "value": None,
        }
    },
}
NOTE: dict[str, Any] = {
    "id": 5,
    "created_at": "2024-01-01T00:00:00.000Z",
    "updated_at": "2024-01-01T00:00:00.000Z",
    "candidate_id": 57683957,
    "application_id": 69306314,
    "body": "Called; keen on the role",
    "subject": None,
    "type": "NOTE",
    "user_id": 4080,
    "email_from": None,
    "email_to": None,
    "email_cc": None,
    "import_hash": None,
    "body_with_tags": "Called; keen on the role",
    "visibility": "publicly_visible",
    "email_attachment_file_names": None,
}


def test_the_documented_records_map_as_documented() -> None:
    job = job_from_raw(JOB, JOB_CONTEXT)
    assert (job.remote_id, job.title, job.status, job.department, job.location) == (
        "107761",
        "UX Designer - Boston",
        "open",
        "Design",
        "Boston",
    )
    assert (job.recruiter_remote_id, job.employment_type) == ("4080", "Full-time")
    assert job.custom_fields == {"Employment Type": "Full-time"}
    candidate = candidate_from_raw(CANDIDATE, ATTACHMENTS)
    assert candidate.name == "John Locke"
    assert candidate.email == "john.locke@example.com"
    assert candidate.resume_url == "https://prod-heroku.s3.amazonaws.com/resume.pdf"
    assert [d.kind for d in candidate.documents] == ["resume"]
    assert candidate.tags == ("Walkabout", "Orientation")
    assert candidate.headline == "Customer Success Representative at The Tustin Box Company"
    assert candidate.custom_fields == {"Desired Salary": "1000000"}
    application = application_from_raw(APPLICATION)
    assert (application.job_remote_id, application.candidate_remote_id) == ("107761", "57683957")
    assert (application.status, application.current_stage) == ("active", "Application Review")
    assert application.applied_at == datetime(2017, 9, 29, 12, 56, 5, 244000, UTC)
    assert application.transitions[0].entered_at == datetime(2017, 9, 29, 13, 0, 28, 38000, UTC)
    interview = interview_from_raw(INTERVIEW, INTERVIEW_NAMES)
    assert (interview.application_remote_id, interview.interview_type) == ("69306314", "Onsite")
    assert interview.scheduled_at == datetime(2017, 9, 29, 13, 0, 28, 38000, UTC)
    assert interview.interviewer_remote_id is None, "v3 lists interviewers apart"
    user = user_from_raw(USER)
    assert (user.email, user.name, user.role) == (
        "kate@agency.example",
        "Kate Austen",
        "site_admin",
    )
    note = note_from_raw(NOTE, "57683957")
    assert (note.kind, note.description, note.candidate_remote_id) == (
        "note",
        "Called; keen on the role",
        "57683957",
    )


def test_the_retired_v1_names_are_still_read() -> None:
    job = job_from_raw(
        {
            "id": 107761,
            "name": "UX Designer",
            "departments": [{"id": 237, "name": "Design"}],
            "offices": [{"id": 54, "name": "Boston"}],
            "hiring_team": {"recruiters": [{"id": 4080, "email": "kate@agency.example"}]},
            "custom_fields": {"employment_type": "Full-time"},
        }
    )
    assert (job.department, job.location, job.recruiter_remote_id, job.recruiter_email) == (
        "Design",
        "Boston",
        "4080",
        "kate@agency.example",
    )
    assert job.employment_type == "Full-time"
    candidate = candidate_from_raw({"id": 1, "first_name": "J", "attachments": ATTACHMENTS})
    assert candidate.resume_url == ATTACHMENTS[0]["url"]
    application = application_from_raw(
        {
            "id": 2,
            "candidate_id": 1,
            "jobs": [{"id": 107761}],
            "status": "active",
            "applied_at": "2017-09-29T12:56:05.244Z",
            "current_stage": {"id": 767358, "name": "Offer"},
        }
    )
    assert (application.job_remote_id, application.current_stage) == ("107761", "Offer")
    interview = interview_from_raw(
        {
            "id": 3,
            "application_id": 2,
            "start": {"date_time": "2017-09-29T13:00:28.038Z"},
            "status": "complete",
            "interview": {"id": 77, "name": "Onsite"},
            "interviewers": [{"id": 4080, "name": "Kate Austen"}],
        }
    )
    assert (interview.interview_type, interview.status, interview.interviewer_remote_id) == (
        "Onsite",
        "completed",
        "4080",
    )
    assert user_from_raw({"id": 4, "primary_email_address": "k@a.example"}).email == "k@a.example"


def test_v3_statuses_map_to_the_common_model() -> None:
    def application(status: str) -> str:
        return application_from_raw({**APPLICATION, "status": status}).status

    assert [application(s) for s in ("in_process", "hired", "rejected", "active")] == [
        "active",
        "hired",
        "rejected",
        "active",
    ]

    def interview(status: str) -> str:
        return interview_from_raw({**INTERVIEW, "status": status}).status

    assert [
        interview(s)
        for s in ("to_be_scheduled", "awaiting_feedback", "collect_feedback", "skipped", "sent")
    ] == ["scheduled", "completed", "completed", "cancelled", "in_progress"]


def test_the_first_resume_listed_is_the_resume() -> None:
    """The connector lists a candidate's attachments newest first."""
    older = {**ATTACHMENTS[0], "url": "https://files.example/old.pdf"}
    letter = {**ATTACHMENTS[0], "type": "cover_letter", "url": "https://files.example/l.pdf"}
    candidate = candidate_from_raw(CANDIDATE, [letter, ATTACHMENTS[0], older])
    assert candidate.resume_url == ATTACHMENTS[0]["url"]
    assert [d.kind for d in candidate.documents] == ["cover_letter", "resume", "resume"]


def test_a_stage_given_only_as_an_id_is_named_from_the_job_interview_stages() -> None:
    raw = {**APPLICATION, "stage_name": None, "job_interview_stage_id": 767358}
    assert application_from_raw(raw, {"767358": "Recruiter Screen"}).current_stage == (
        "Recruiter Screen"
    )
    assert application_from_raw(raw).current_stage is None
    unnamed = {**APPLICATION, "stage_name": None}
    assert application_from_raw(unnamed, {"1": "Not the application's stage"}).current_stage is None


def test_the_stage_history_is_the_application_stages_entered() -> None:
    """get_v3-application-stages' example: stages never entered (``entered_at`` null)
    are left out; the history ends in the current stage."""
    stages = {"1": "Application Review", "2": "Recruiter Screen", "4": "Onsite"}
    rows = [
        {"id": 1, "application_id": 69306314, "job_interview_stage_id": 1, "entered_at": None},
        {
            "id": 5,
            "application_id": 69306314,
            "job_interview_stage_id": 4,
            "entered_at": "2024-01-03T00:00:00.000Z",
            "exited_at": None,
            "current": True,
        },
        {
            "id": 3,
            "application_id": 69306314,
            "job_interview_stage_id": "2",
            "entered_at": "2024-01-01T00:00:00.000Z",
            "exited_at": "2024-01-03T00:00:00.000Z",
            "current": False,
        },
        {"id": 9, "job_interview_stage_id": 77, "entered_at": "2024-01-02T00:00:00Z"},
        "not a row",
    ]
    raw = {**APPLICATION, "stage_name": "Onsite", "last_activity_at": "2024-01-03T00:00:00Z"}
    application = application_from_raw(raw, stages, rows)
    assert [(t.from_stage, t.to_stage, t.left_at) for t in application.transitions] == [
        (None, "Recruiter Screen", datetime(2024, 1, 3, tzinfo=UTC)),
        ("Recruiter Screen", "Onsite", None),
    ]
    behind = application_from_raw({**raw, "stage_name": "Offer"}, stages, rows)
    assert [t.to_stage for t in behind.transitions][-2:] == ["Onsite", "Offer"]
    assert behind.transitions[-1].entered_at >= behind.transitions[-2].entered_at


def test_a_rejection_reason_is_named_from_the_rejection_details() -> None:
    raw = {**APPLICATION, "status": "rejected", "rejected_at": "2017-10-01T10:00:00Z"}
    application = application_from_raw(raw, None, (), "Hired another candidate")
    assert (application.status, application.rejection_reason) == (
        "rejected",
        "Hired another candidate",
    )
    assert application_from_raw(APPLICATION, None, (), "Ignored").rejection_reason is None


def test_a_rejected_application_keeps_its_reason() -> None:
    raw = {
        **APPLICATION,
        "status": "rejected",
        "rejected_at": "2017-10-01T10:00:00Z",
        "rejection_reason": {"id": 8, "name": "Lacking skill(s)/qualification(s)"},
    }
    application = application_from_raw(raw)
    assert application.status == "rejected"
    assert application.rejection_reason == "Lacking skill(s)/qualification(s)"


def test_stages_come_in_sort_order_once_per_name() -> None:
    raws = [
        {"id": 3, "name": "Onsite", "sort_order": 2, "job_id": 1},
        {"id": 1, "name": "Application Review", "sort_order": 0, "job_id": 1},
        {"id": 2, "name": "Recruiter Screen", "priority": 1, "job_id": 1},
        {"id": 11, "name": "Application Review", "sort_order": 0, "job_id": 2},
        {"id": None, "name": "Nameless id"},
        "not a stage",
    ]
    stages = stages_from_raw(raws)
    assert [(s.name, s.position, s.kind) for s in stages] == [
        ("Application Review", 0, "applied"),
        ("Recruiter Screen", 1, "screen"),
        ("Onsite", 2, "interview"),
    ]


json_values = any_json("2024-01-20T10:30:00Z", "rejected", "resume", "https://x.example/r", "²")


class TestGreenhouseMappers(MapperProperties, StageProperties):
    mappers: ClassVar[dict[str, MapperCase]] = {
        "job": (lambda raw: job_from_raw(raw, JOB_CONTEXT), RemoteJob, JOB),
        "candidate": (lambda raw: candidate_from_raw(raw, ATTACHMENTS), RemoteCandidate, CANDIDATE),
        "application": (application_from_raw, RemoteApplication, APPLICATION),
        "interview": (
            lambda raw: interview_from_raw(raw, INTERVIEW_NAMES),
            RemoteInterview,
            INTERVIEW,
        ),
        "user": (user_from_raw, RemoteUser, USER),
        "note": (lambda raw: note_from_raw(raw, "57683957"), RemoteActivity, NOTE),
    }
    source_values = json_values
    stage_keys = ("id", "name")

    def stages(self, raws: list[Any]) -> list[RemoteStage]:
        return stages_from_raw(raws)

    def essential(self, name: str) -> set[str]:
        """Its id, an application's job and candidate."""
        return {"id", "job_id", "candidate_id"}

    def check(self, mapped: Any) -> None:
        if isinstance(mapped, RemoteApplication):
            assert_history_ends_at_the_current_stage(mapped)


async def test_one_broken_record_per_listing_fails_alone_through_the_fake() -> None:
    fake = FakeGreenhouse()
    fake.seed(jobs=5, candidates=4, applications=7)
    good_jobs = [str(job_id) for job_id in sorted(fake.jobs)]
    good_applications = [str(a) for a in sorted(fake.applications)]
    fake.jobs[100_003]["id"] = {"no": "id"}  # listed in the middle, without a usable id
    fake.applications[999_999] = {"id": 999_999, "candidate_id": 200_001, "job_id": None}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        credentials = {"clientId": fake.client_id, "clientSecret": fake.client_secret}
        connector = GreenhouseConnector.create(
            client, {**credentials, "userId": "4080"}, {"pageSize": 2}, integration="t:gh"
        )
        jobs = [job.remote_id async for job in connector.jobs()]
        applications = [a.remote_id async for a in connector.applications()]
    assert jobs == [j for j in good_jobs if j != "100003"]
    assert applications == good_applications
    assert connector.failures == [
        RecordFailure(entity="jobs", remote_id=None, reason="jobs without an id"),
        RecordFailure(
            entity="applications", remote_id="999999", reason="applications without a job"
        ),
    ]


@FAST
@given(
    rows=st.lists(
        json_values
        | st.fixed_dictionaries(
            {
                "job_interview_stage_id": json_values | st.sampled_from([1, "2", 4]),
                "entered_at": json_values,
                "exited_at": json_values,
            }
        ),
        max_size=6,
    ),
    reason=st.none() | st.text(max_size=300),
)
def test_stage_history_and_reason_of_any_json(rows: list[Any], reason: str | None) -> None:
    stages = {"1": "Application Review", "2": "Recruiter Screen", "4": "Onsite"}
    mapped = application_from_raw(APPLICATION, stages, rows, reason)
    check_bounds(mapped)
    entered = [t.entered_at for t in mapped.transitions]
    assert entered == sorted(entered)
    assert mapped.transitions[-1].to_stage == mapped.current_stage
