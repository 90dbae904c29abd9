"""Workable's mappers take whatever SPI v3 sends: every field of the documented
records set to null, deleted, or replaced by a value of another type, unicode or a huge
value, and whole records of arbitrary JSON, give the common model or a ``MappingError``
and nothing else; what they give keeps the store's bounds. A listing with one
unreadable record yields all the others and reports that one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.errors import MappingError
from connectors.models import (
    RecordFailure,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteStage,
    RemoteUser,
)
from connectors.workable import (
    WorkableConnector,
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    stages_from_raw,
    user_from_raw,
)
from demo.sandbox.workable import FakeWorkable
from tests.support.mapping_properties import (
    FAST,
    MapperCase,
    MapperProperties,
    StageProperties,
    any_json,
    assert_history_ends_at_the_current_stage,
    check_bounds,
)

# Records as workable.readme.io documents them (job and candidate keys), with the
# candidate details, activities and events as public integrations read them.

JOB: dict[str, Any] = {
    "id": "61884e2",
    "title": "Sales Intern",
    "full_title": "Sales Intern - US/3/SL",
    "shortcode": "GROOV005",
    "code": "US/3/SL",
    "state": "published",
    "department": "Sales",
    "url": "https://groove-tech.workable.com/jobs/102268944",
    "application_url": "https://groove-tech.workable.com/jobs/102268944/candidates/new",
    "shortlink": "https://groove-tech.workable.com/j/GROOV005",
    "location": {
        "location_str": "Portland, Oregon, United States",
        "country": "United States",
        "country_code": "US",
        "region": "Oregon",
        "region_code": "OR",
        "city": "Portland",
        "zip_code": "97201",
        "telecommuting": False,
    },
    "created_at": "2015-07-01T00:00:00Z",
}
CANDIDATE: dict[str, Any] = {
    "id": "ce4da98",
    "name": "Lakita Marrero",
    "firstname": "Lakita",
    "lastname": "Marrero",
    "headline": "Operations Manager",
    "account": {"subdomain": "groove-tech", "name": "Groove Tech"},
    "job": {"shortcode": "GROOV005", "title": "Sales Intern"},
    "stage": "Interview",
    "disqualified": False,
    "disqualification_reason": None,
    "hired_at": None,
    "sourced": True,
    "profile_url": "https://groove-tech.workable.com/backend/candidates/ce4da98",
    "address": "The Hague, Netherlands",
    "phone": "+31 70 123 4567",
    "email": "lakita.marrero@example.com",
    "domain": "linkedin.com",
    "created_at": "2015-06-26T00:00:00Z",
    "updated_at": "2015-07-08T14:46:48Z",
    "tags": ["python", "sales"],
    "location": {"location_str": "The Hague, Netherlands", "city": "The Hague"},
    "resume_url": "https://workable.s3.amazonaws.com/resumes/ce4da98/cv.pdf",
    "resume_metadata": {"filename": "cv.pdf", "filetype": "application/pdf"},
}
ACTIVITIES: list[dict[str, Any]] = [
    {
        "id": "a1",
        "action": "moved",
        "stage_name": "Phone Screen",
        "created_at": "2015-06-28T10:00:00Z",
        "member": {"id": "13e0eb0e", "name": "Eduardo Vallente"},
    },
    {"id": "a2", "action": "comment", "body": "Good call", "created_at": "2015-06-29T10:00:00Z"},
    {
        "id": "a3",
        "action": "moved",
        "stage_name": "Interview",
        "created_at": "2015-07-02T10:00:00Z",
        "member": {"id": "13e0eb0f", "name": "Kate Austen"},
    },
]
EVENT: dict[str, Any] = {
    "id": "e7a1",
    "title": "Onsite interview",
    "type": "interview",
    "starts_at": "2015-07-10T09:00:00Z",
    "ends_at": "2015-07-10T10:00:00Z",
    "cancelled": False,
    "job": {"shortcode": "GROOV005", "title": "Sales Intern"},
    "members": [{"id": "13e0eb0e", "name": "Eduardo Vallente", "status": "accepted"}],
    "candidate": {"id": "ce4da98", "name": "Lakita Marrero"},
}
MEMBER: dict[str, Any] = {
    "id": "13e0eb0e",
    "name": "Eduardo Vallente",
    "headline": "Operations Manager",
    "email": "eduardo.vallente@groove-tech.com",
    "role": "admin",
}


def test_the_documented_records_map_as_documented() -> None:
    job = job_from_raw(JOB)
    assert (job.remote_id, job.title, job.status, job.department) == (
        "GROOV005",
        "Sales Intern",
        "open",
        "Sales",
    )
    assert job.location == "Portland, Oregon, United States"
    candidate = candidate_from_raw(CANDIDATE)
    assert (candidate.remote_id, candidate.name, candidate.email) == (
        "ce4da98",
        "Lakita Marrero",
        "lakita.marrero@example.com",
    )
    assert candidate.resume_url == CANDIDATE["resume_url"]
    assert [(d.name, d.kind) for d in candidate.documents] == [("cv.pdf", "resume")]
    assert candidate.tags == ("python", "sales") and candidate.source == "linkedin.com"
    application = application_from_raw(CANDIDATE, ACTIVITIES)
    assert (application.job_remote_id, application.candidate_remote_id) == ("GROOV005", "ce4da98")
    assert [(t.from_stage, t.to_stage) for t in application.transitions] == [
        (None, "Phone Screen"),
        ("Phone Screen", "Interview"),
    ]
    assert application.transitions[1].moved_by is not None
    assert application.transitions[1].moved_by.name == "Kate Austen"
    assert application.transitions[0].left_at == datetime(2015, 7, 2, 10, 0, tzinfo=UTC)
    interview = interview_from_raw(EVENT, now=datetime(2015, 7, 1, tzinfo=UTC))
    assert (interview.application_remote_id, interview.status) == ("ce4da98", "scheduled")
    assert interview.interviewer_remote_id == "13e0eb0e"
    assert interview_from_raw(EVENT, now=datetime(2016, 1, 1, tzinfo=UTC)).status == "completed"
    assert interview_from_raw({**EVENT, "cancelled": True}).status == "cancelled"
    assert (user_from_raw(MEMBER).email, user_from_raw(MEMBER).role) == (
        "eduardo.vallente@groove-tech.com",
        "admin",
    )


def test_disqualified_candidates_are_rejected_or_withdrawn_and_hired_ones_hired() -> None:
    rejected = {
        **CANDIDATE,
        "disqualified": True,
        "disqualified_at": "2015-07-09T00:00:00Z",
        "disqualification_reason": "Salary expectations",
    }
    application = application_from_raw(rejected)
    assert (application.status, application.rejection_reason) == ("rejected", "Salary expectations")
    assert application.rejected_at == datetime(2015, 7, 9, tzinfo=UTC)
    assert application_from_raw({**rejected, "withdrew": True}).status == "withdrawn"
    assert application_from_raw({**CANDIDATE, "hired_at": "2015-08-01T00:00:00Z"}).status == "hired"
    with pytest.raises(MappingError):
        application_from_raw({**CANDIDATE, "job": {"shortcode": None}})


def test_a_current_stage_no_move_names_closes_the_history() -> None:
    application = application_from_raw({**CANDIDATE, "stage": "Offer"}, ACTIVITIES)
    assert [t.to_stage for t in application.transitions] == ["Phone Screen", "Interview", "Offer"]
    assert application_from_raw(CANDIDATE).transitions[-1].to_stage == "Interview"


def test_stages_come_in_position_order_once_per_name_keyed_by_slug() -> None:
    raws = [
        {"slug": "interview", "name": "Interview", "kind": "interview", "position": 3},
        {"slug": "applied", "name": "Applied", "kind": "applied", "position": 1},
        {"slug": "phone-screen", "name": "Phone Screen", "kind": "phone-screen", "position": 2},
        {"slug": "applied-2", "name": "applied", "position": 4},
        {"slug": None, "name": "Nameless"},
        "not a stage",
    ]
    assert [(s.remote_id, s.name, s.position, s.kind) for s in stages_from_raw(raws)] == [
        ("applied", "Applied", 0, "applied"),
        ("phone-screen", "Phone Screen", 1, "screen"),
        ("interview", "Interview", 2, "interview"),
    ]


json_values = any_json("2015-07-02T10:00:00Z", "moved", "Interview", "https://x.example/r", "²")


class TestWorkableMappers(MapperProperties, StageProperties):
    mappers: ClassVar[dict[str, MapperCase]] = {
        "job": (job_from_raw, RemoteJob, JOB),
        "candidate": (candidate_from_raw, RemoteCandidate, CANDIDATE),
        "application": (
            lambda raw: application_from_raw(raw, ACTIVITIES),
            RemoteApplication,
            CANDIDATE,
        ),
        "interview": (interview_from_raw, RemoteInterview, EVENT),
        "user": (user_from_raw, RemoteUser, MEMBER),
    }
    source_values = json_values
    stage_keys = ("slug", "name")

    def stages(self, raws: list[Any]) -> list[RemoteStage]:
        return stages_from_raw(raws)

    def essential(self, name: str) -> set[str]:
        return {
            "job": {"shortcode"},
            "candidate": {"id"},
            "application": {"id", "job"},
            "interview": {"id"},
            "user": {"id"},
        }[name]

    def check(self, mapped: Any) -> None:
        if isinstance(mapped, RemoteApplication):
            assert_history_ends_at_the_current_stage(mapped)


activity = st.fixed_dictionaries(
    {
        "action": st.sampled_from(["moved", "comment", "disqualified"]) | json_values,
        "stage_name": json_values,
        "created_at": st.sampled_from(["2015-06-28T10:00:00Z", "2015-07-09T10:00:00Z"])
        | json_values,
        "member": json_values,
    }
)


@FAST
@given(activities=st.lists(activity | json_values, max_size=6), stage=json_values)
def test_any_activities_give_an_ordered_history_ending_at_the_current_stage(
    activities: list[Any], stage: Any
) -> None:
    application = application_from_raw({**CANDIDATE, "stage": stage}, activities)
    check_bounds(application)
    entered = [t.entered_at for t in application.transitions]
    assert entered == sorted(entered)


async def test_one_broken_record_per_listing_fails_alone_through_the_fake() -> None:
    fake = FakeWorkable()
    fake.seed(jobs=5, candidates=4, applications=7)
    broken_job = sorted(fake.jobs)[2]
    broken_id = fake.jobs[broken_job]["id"]
    good_jobs = [code for code in sorted(fake.jobs) if code != broken_job]
    good_applications = sorted(fake.candidates)
    fake.jobs[broken_job]["shortcode"] = None  # listed in the middle, without its key
    pooled = fake.add_candidate_in_no_job()  # a talent-pool candidate: in no job
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        connector = WorkableConnector.create(
            client,
            {"subdomain": fake.subdomain, "accessToken": fake.access_token},
            {"pageSize": 2},
            integration="t:workable",
        )
        jobs = [job.remote_id async for job in connector.jobs()]
        applications = [a.remote_id async for a in connector.applications()]
        candidates = [c.remote_id async for c in connector.candidates()]
    assert sorted(jobs) == good_jobs
    assert applications == good_applications
    assert pooled in candidates, "the person is still read"
    assert connector.failures == [
        RecordFailure(entity="jobs", remote_id=broken_id, reason="jobs without a shortcode"),
        RecordFailure(entity="applications", remote_id=pooled, reason="applications without a job"),
    ]


TEAM: list[Any] = [
    {"id": "3247e8c7", "email": "alexia@agency.example", "collaboration_role": "hiring_manager"},
    {"id": "19782abc", "email": "nadia@agency.example", "collaboration_role": "recruiter"},
    {"id": "13e0eb0e", "email": "eduardo@agency.example", "collaboration_role": "admin"},
]


@pytest.mark.parametrize(
    ("team", "owner"),
    [
        (TEAM, ("19782abc", "nadia@agency.example")),
        (TEAM[:1] + TEAM[2:], ("3247e8c7", "alexia@agency.example")),
        (TEAM[2:], ("13e0eb0e", "eduardo@agency.example")),
        (
            [{"id": "3c00c3ac", "role": "recruiter"}, {"id": "1", "role": "simple"}],
            ("3c00c3ac", None),
        ),
        (
            [{"id": "1", "collaboration_role": "reviewer"}, {"id": "2", "role": "admin"}],
            (None, None),
        ),
        (
            [
                {"collaboration_role": "recruiter"},
                "x",
                None,
                {"id": 7, "collaboration_role": "recruiter"},
            ],
            ("7", None),
        ),
        ([], (None, None)),
    ],
    ids=["recruiter", "hiring_manager", "admin", "account_recruiter", "none", "odd", "empty"],
)
def test_a_jobs_owner_is_its_hiring_teams_recruiter_first(
    team: list[Any], owner: tuple[str | None, str | None]
) -> None:
    """The example answer of ``GET /jobs/:shortcode/members`` (workable.readme.io's
    job-members page), and teams without a recruiter."""
    job = job_from_raw(JOB, team)
    assert (job.recruiter_remote_id, job.recruiter_email) == owner


@given(st.lists(json_values, max_size=6))
def test_any_hiring_team_maps_to_an_owner_or_none(team: list[Any]) -> None:
    job = job_from_raw(JOB, team)
    assert job.recruiter_remote_id is None or isinstance(job.recruiter_remote_id, str)
    assert job.recruiter_email is None or "@" in job.recruiter_email
