"""Lever's mappers take whatever the API sends: every field of the documented records
set to null, deleted, or replaced by a value of another type, unicode or a huge value,
and whole records of arbitrary JSON, give the common model or a ``MappingError`` and
nothing else; what they give keeps the store's bounds. A listing with one unreadable
record yields all the others and reports that one."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, ClassVar

import httpx
from hypothesis import given
from hypothesis import strategies as st

from connectors.lever import (
    LeverConnector,
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    stages_from_raw,
    user_from_raw,
)
from connectors.lever.records import archive_reason_map, resume_documents
from connectors.models import (
    RecordFailure,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteStage,
    RemoteUser,
)
from demo.sandbox.lever import FakeLever
from tests.support.mapping_properties import (
    FAST,
    MapperCase,
    MapperProperties,
    StageProperties,
    any_json,
)

# The documented records (hire.lever.co/developer/documentation), as Lever lists them.

POSTING: dict[str, Any] = {
    "id": "f2f01e16-27f8-4711-a728-7d49499795a0",
    "text": "Infrastructure Engineer",
    "createdAt": 1463184866745,
    "updatedAt": 1463184866745,
    "user": "8d49b010-cc6a-4f40-ace5-e86061c677ed",
    "owner": "8d49b010-cc6a-4f40-ace5-e86061c677ed",
    "hiringManager": "8d49b010-cc6a-4f40-ace5-e86061c677ed",
    "confidentiality": "non-confidential",
    "categories": {
        "team": "Platform",
        "department": "Engineering",
        "location": "San Francisco",
        "allLocations": ["San Francisco", "Remote"],
        "commitment": "Full-time",
        "level": "Senior",
    },
    "content": {
        "description": "Lever is looking for an infrastructure engineer",
        "descriptionHtml": "<div>Lever is looking for an infrastructure engineer</div>",
        "lists": [{"text": "Requirements", "content": "<li>Go</li>"}],
        "closing": "",
        "closingHtml": "",
    },
    "country": "US",
    "tags": ["Platform"],
    "state": "published",
    "distributionChannels": ["public", "internal"],
    "reqCode": "REQ-0042",
    "requisitionCodes": ["REQ-0042"],
    "salaryRange": {"max": 200000, "min": 150000, "currency": "USD", "interval": "per-year-salary"},
    "urls": {
        "list": "https://jobs.lever.co/example",
        "show": "https://jobs.lever.co/example/f2f01e16",
        "apply": "https://jobs.lever.co/example/f2f01e16/apply",
    },
}
OPPORTUNITY: dict[str, Any] = {
    "id": "250d8f03-738a-4bba-a671-8a3d73477145",
    "name": "Shane Smith",
    "headline": "Brickly LLC, Vandelay Industries, Inc, Central Perk",
    "contact": "7f23e772-f2cf-4ebc-b4e7-a3b2cdb3b5f8",
    "emails": ["shane@exampleq3.com"],
    "phones": [{"type": "mobile", "value": "(123) 456-7891"}],
    "confidentiality": "non-confidential",
    "location": "Oakland",
    "links": ["indeed.com/r/Shane-Smith/0b3d2a1e5b4c"],
    "createdAt": 1407778275799,
    "updatedAt": 1417587916123,
    "lastInteractionAt": 1417587916123,
    "lastAdvancedAt": 1417587916123,
    "snoozedUntil": None,
    "archivedAt": None,
    "archiveReason": None,
    "archived": None,
    "stage": "00922a60-7c15-422b-b086-f62000824fd7",
    "stageChanges": [
        {
            "toStageId": "lead-new",
            "toStageIndex": 0,
            "updatedAt": 1407778275799,
            "userId": "df0ba48e-7b2c-4b8f-a2ff-e7b4f4b9cb3e",
        },
        {
            "toStageId": "00922a60-7c15-422b-b086-f62000824fd7",
            "toStageIndex": 2,
            "updatedAt": 1417587916123,
            "userId": "df0ba48e-7b2c-4b8f-a2ff-e7b4f4b9cb3e",
        },
    ],
    "owner": "df0ba48e-7b2c-4b8f-a2ff-e7b4f4b9cb3e",
    "tags": ["San Francisco", "Full-time", "Support", "Customer Success"],
    "sources": ["linkedin"],
    "origin": "sourced",
    "sourcedBy": "df0ba48e-7b2c-4b8f-a2ff-e7b4f4b9cb3e",
    "applications": [
        {
            "id": "cdb5ba5b-6fd6-4e9d-8cc5-ed4b6e1a6d24",
            "opportunityId": "250d8f03-738a-4bba-a671-8a3d73477145",
            "candidateId": "250d8f03-738a-4bba-a671-8a3d73477145",
            "createdAt": 1407778275799,
            "type": "user",
            "posting": "f2f01e16-27f8-4711-a728-7d49499795a0",
            "postingOwner": "8d49b010-cc6a-4f40-ace5-e86061c677ed",
        }
    ],
    "followers": ["df0ba48e-7b2c-4b8f-a2ff-e7b4f4b9cb3e"],
    "urls": {"list": "https://hire.lever.co/candidates", "show": "https://hire.lever.co/x"},
    "dataProtection": None,
    "isAnonymized": False,
}
STAGE_NAMES = {
    "lead-new": "New lead",
    "00922a60-7c15-422b-b086-f62000824fd7": "Recruiter screen",
}
ARCHIVE_REASONS = archive_reason_map(
    [
        {"id": "63dd55b2-a99f-4e7b-985f-22c7bf80ab42", "text": "Hired", "status": "hired"},
        {
            "id": "737df8d0-3a79-4e7e-8fbc-5bd4a1bcb4d9",
            "text": "Underqualified",
            "status": "non-hired",
        },
    ]
)
INTERVIEW: dict[str, Any] = {
    "id": "881d36b0-2a41-4e7e-9f3b-2b7a4d1f0e3c",
    "panel": "e8b1c5a2-4f0d-4a9b-b2c3-9d8e7f6a5b4c",
    "subject": "On-site interview - Shane Smith",
    "note": "Please bring a laptop",
    "interviewers": [
        {
            "id": "df0ba48e-7b2c-4b8f-a2ff-e7b4f4b9cb3e",
            "email": "rachel@example.com",
            "name": "Rachel Green",
            "feedbackTemplate": None,
        }
    ],
    "timezone": "America/Los_Angeles",
    "createdAt": 1423187000000,
    "date": 1423187000000,
    "duration": 30,
    "location": "Conference room",
    "feedbackTemplate": "d5bc2e2a-9d3f-4b1c-8e0f-2f6d5c3b1a0e",
    "feedbackForms": [],
    "feedbackReminder": "frequently",
    "user": "df0ba48e-7b2c-4b8f-a2ff-e7b4f4b9cb3e",
    "stage": "00922a60-7c15-422b-b086-f62000824fd7",
    "canceledAt": None,
    "postings": ["f2f01e16-27f8-4711-a728-7d49499795a0"],
    "gcalEventUrl": None,
}
USER: dict[str, Any] = {
    "id": "df0ba48e-7b2c-4b8f-a2ff-e7b4f4b9cb3e",
    "name": "Rachel Green",
    "username": "rachel",
    "email": "rachel@example.com",
    "accessRole": "super admin",
    "photo": "https://gravatar.com/avatar/example",
    "createdAt": 1407357447018,
    "deactivatedAt": None,
    "externalDirectoryId": None,
    "linkedContactIds": None,
    "jobTitle": "Recruiter",
    "managerId": None,
}
RESUMES: list[Any] = [
    {
        "id": "bb9ee3c7-19e3-4a7b-9d51-1f2b6c5e1a01",
        "createdAt": 1407778275799,
        "file": {
            "name": "Shane_Smith_Resume.pdf",
            "ext": "pdf",
            "downloadUrl": "https://api.lever.co/v1/opportunities/250d8f03/resumes/bb9ee3c7/download",
            "uploadedAt": 1407778275799,
            "status": "processed",
            "size": 1000,
        },
        "parsedData": {},
    }
]


def _application(raw: Any) -> RemoteApplication:
    return application_from_raw(raw, STAGE_NAMES, ARCHIVE_REASONS)


def _interview(raw: Any) -> RemoteInterview:
    return interview_from_raw(raw, "250d8f03-738a-4bba-a671-8a3d73477145")


def test_the_documented_records_map_as_documented() -> None:
    job = job_from_raw(POSTING)
    assert (job.title, job.status, job.department, job.location, job.employment_type) == (
        "Infrastructure Engineer",
        "open",
        "Engineering",
        "San Francisco",
        "Full-time",
    )
    assert job.recruiter_remote_id == "8d49b010-cc6a-4f40-ace5-e86061c677ed"
    assert job.opened_at == datetime(2016, 5, 14, 0, 14, 26, 745000, UTC)
    documents = resume_documents(RESUMES, OPPORTUNITY["id"], "https://api.lever.co/v1")
    candidate = candidate_from_raw(OPPORTUNITY, documents)
    assert candidate.remote_id == "7f23e772-f2cf-4ebc-b4e7-a3b2cdb3b5f8", "the contact"
    assert (candidate.name, candidate.first_name, candidate.last_name) == (
        "Shane Smith",
        "Shane",
        "Smith",
    )
    assert candidate.email == "shane@exampleq3.com"
    assert candidate.phone == "(123) 456-7891"
    assert candidate.source == "linkedin"
    assert candidate.resume_url == RESUMES[0]["file"]["downloadUrl"]
    application = _application(OPPORTUNITY)
    assert application.remote_id == OPPORTUNITY["id"]
    assert application.job_remote_id == POSTING["id"]
    assert application.candidate_remote_id == OPPORTUNITY["contact"]
    assert (application.status, application.current_stage) == ("active", "Recruiter screen")
    assert [(t.from_stage, t.to_stage) for t in application.transitions] == [
        (None, "New lead"),
        ("New lead", "Recruiter screen"),
    ]
    interview = _interview(INTERVIEW)
    assert interview.application_remote_id == OPPORTUNITY["id"]
    assert (interview.status, interview.interviewer_remote_id) == (
        "scheduled",
        "df0ba48e-7b2c-4b8f-a2ff-e7b4f4b9cb3e",
    )
    user = user_from_raw(USER)
    assert (user.email, user.role) == ("rachel@example.com", "super admin")


def test_archived_opportunities_are_hired_or_rejected_by_their_reason() -> None:
    hired = {
        **OPPORTUNITY,
        "archived": {"reason": "63dd55b2-a99f-4e7b-985f-22c7bf80ab42", "archivedAt": 1417587916123},
    }
    assert _application(hired).status == "hired"
    rejected = {
        **OPPORTUNITY,
        "archived": {"reason": "737df8d0-3a79-4e7e-8fbc-5bd4a1bcb4d9", "archivedAt": 1417587916123},
    }
    application = _application(rejected)
    assert (application.status, application.rejection_reason) == ("rejected", "Underqualified")
    assert application.rejected_at == datetime(2014, 12, 3, 6, 25, 16, 123000, UTC)


def test_a_resume_without_a_download_url_gets_the_documented_endpoint() -> None:
    bare = [{"id": "r1", "createdAt": 1, "file": {"name": "cv.pdf"}}, {"file": {}}]
    [document] = resume_documents(bare, "o1", "https://api.lever.co/v1/")
    assert document.url == "https://api.lever.co/v1/opportunities/o1/resumes/r1/download"


def test_stages_keep_the_accounts_order_once_per_name() -> None:
    raws = [
        {"id": "lead-new", "text": "New lead"},
        {"id": "a", "text": "Phone interview"},
        {"id": "b", "text": "phone interview"},
        {"id": "offer", "text": "Offer"},
        {"id": None, "text": "Nameless"},
        "not a stage",
    ]
    assert [(s.name, s.position, s.kind) for s in stages_from_raw(raws)] == [
        ("New lead", 0, "applied"),
        ("Phone interview", 1, "interview"),
        ("Offer", 2, "offer"),
    ]


json_values = any_json("lead-new", "hired", "https://x.example/r", "1417587916123", "²")


class TestLeverMappers(MapperProperties, StageProperties):
    mappers: ClassVar[dict[str, MapperCase]] = {
        "jobs": (job_from_raw, RemoteJob, POSTING),
        "candidates": (candidate_from_raw, RemoteCandidate, OPPORTUNITY),
        "applications": (_application, RemoteApplication, OPPORTUNITY),
        "interviews": (_interview, RemoteInterview, INTERVIEW),
        "users": (user_from_raw, RemoteUser, USER),
    }
    source_values = json_values
    stage_keys = ("id", "text")

    def stages(self, raws: list[Any]) -> list[RemoteStage]:
        return stages_from_raw(raws)

    def essential(self, name: str) -> set[str]:
        """Its id, an application's posting and contact."""
        return {"id"} | ({"applications", "contact"} if name == "applications" else set())

    def check(self, mapped: Any) -> None:
        if isinstance(mapped, RemoteApplication):
            for before, after in pairwise(mapped.transitions):
                assert after.from_stage == before.to_stage


@FAST
@given(raws=st.lists(json_values), opportunity=st.text(max_size=20), base=st.text(max_size=20))
def test_resumes_of_any_json_are_web_addresses(
    raws: list[Any], opportunity: str, base: str
) -> None:
    for document in resume_documents(raws, opportunity, "https://api.lever.co/v1"):
        assert document.url.startswith(("https://", "http://")) and len(document.url) <= 2048


async def test_one_broken_record_per_listing_fails_alone_through_the_fake() -> None:
    fake = FakeLever(limiter=None)
    fake.seed(jobs=5, candidates=4, applications=7)
    postings = sorted(fake.postings)
    broken_posting = postings[2]
    fake.postings[broken_posting]["id"] = {"no": "id"}
    broken = sorted(fake.opportunities)[3]
    fake.opportunities[broken]["applications"] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        connector = LeverConnector.create(
            client, {"apiKey": fake.api_key}, {"pageSize": 2}, integration="t:lever"
        )
        jobs = [job.remote_id async for job in connector.jobs()]
        applications = [a.remote_id async for a in connector.applications()]
    assert sorted(jobs) == [p for p in postings if p != broken_posting]
    assert sorted(applications) == [o for o in sorted(fake.opportunities) if o != broken]
    assert connector.failures == [
        RecordFailure(entity="jobs", remote_id=None, reason="jobs without an id"),
        RecordFailure(
            entity="applications", remote_id=broken, reason="applications without a posting"
        ),
    ]
