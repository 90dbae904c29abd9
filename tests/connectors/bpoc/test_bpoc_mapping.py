"""BPOC's mappers take whatever BPOC sends: every field of the documented records set
to null, deleted, or replaced by a value of another type, unicode or a huge value, and
whole records of arbitrary JSON, give the common model or a ``MappingError`` and
nothing else; what they give keeps the store's bounds (text lengths, aware times,
transitions in order ending at the current stage). A listing with one unreadable
record yields all the others and reports that one."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from itertools import pairwise
from typing import Any, ClassVar

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from connectors.bpoc.connector import BpocConnector
from connectors.bpoc.fields import UNTITLED
from connectors.bpoc.mapping import (
    application_candidate,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    onboarding_task_from_raw,
    user_from_raw,
)
from connectors.bpoc.pipeline import application_from_raw
from connectors.models import (
    RecordFailure,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteOnboardingTask,
    RemoteRecord,
    RemoteUser,
)
from demo.sandbox.bpoc import MAIN_AGENCY_ID, MAIN_API_KEY, MANAGER_ID, RECRUITER_ID, BpocFake
from tests.support.mapping_properties import (
    FAST,
    MapperCase,
    MapperProperties,
    any_json,
)
from tests.support.paths import RECORDINGS

BASE_URL = "https://bpoc.io/api/v1"

# The documented records: the guide's payloads as BPOC lists them back, in the shapes
# connectors/bpoc/ and demo/sandbox/bpoc/ document.

JOB: dict[str, Any] = {
    "id": "0b8f6a52-51c1-4d4e-9a57-3f1e2c7b9d10",
    "agencyId": MAIN_AGENCY_ID,
    "clientId": "d829a422-f29b-4a56-a473-794ce2da0ebb",
    "clientName": "Harbour Realty (AU)",
    "title": "Senior React Developer",
    "description": "Senior React Developer for Harbour Realty (AU).",
    "requirements": ["React", "TypeScript"],
    "location": "Taguig (BGC)",
    "employmentType": "full_time",
    "salary_min": 80000,
    "salary_max": 120000,
    "currency": "PHP",
    "status": "active",
    "postedBy": RECRUITER_ID,
    "approvedBy": MANAGER_ID,
    "approvedAt": "2024-01-20T11:30:00Z",
    "closedAt": None,
    "createdAt": "2024-01-20T10:30:00Z",
    "updatedAt": "2024-01-21T10:30:00Z",
}

CANDIDATE: dict[str, Any] = {
    "id": "c7873364-7980-49b5-8b31-49cd194ecb1c",
    "agencyId": MAIN_AGENCY_ID,
    "firstName": "Maria",
    "lastName": "Santos",
    "email": "maria.santos.1@example.ph",
    "phone": "+63 917 555 1000",
    "location": "Makati City",
    "headline": "Customer support professional, 1 years",
    "source": "bpoc_talent_pool",
    "resumeUrl": "https://bpoc.io/resumes/c7873364-7980-49b5-8b31-49cd194ecb1c.pdf",
    "skills": ["English", "Salesforce"],
    "createdAt": "2024-01-10T01:00:00Z",
    "updatedAt": "2024-01-10T02:00:00Z",
}

APPLICATION: dict[str, Any] = {
    "id": "5b0f3c1e-2d4a-4e9b-8f61-0c7d2e9a4b13",
    "agencyId": MAIN_AGENCY_ID,
    "jobId": JOB["id"],
    "candidateId": CANDIDATE["id"],
    "candidate": CANDIDATE,
    "status": "released",
    "statusHistory": [
        {"status": "submitted", "changedAt": "2024-01-15T01:00:00Z", "changedBy": None},
        {"status": "shortlisted", "changedAt": "2024-01-17T01:00:00Z", "changedBy": RECRUITER_ID},
        {"status": "released", "changedAt": "2024-01-20T10:30:00Z", "changedBy": RECRUITER_ID},
    ],
    "appliedAt": "2024-01-15T01:00:00Z",
    "reviewedBy": RECRUITER_ID,
    "releasedAt": "2024-01-20T10:30:00Z",
    "releasedBy": RECRUITER_ID,
    "releaseNotes": "Excellent candidate",
    "rejectedAt": None,
    "rejectedBy": None,
    "rejectionReason": None,
    "createdAt": "2024-01-15T01:00:00Z",
    "updatedAt": "2024-01-20T11:30:00Z",
}

INTERVIEW: dict[str, Any] = {
    "id": "9d2e4f60-1a3b-4c5d-8e7f-6a5b4c3d2e1f",
    "agencyId": MAIN_AGENCY_ID,
    "applicationId": APPLICATION["id"],
    "interviewType": "client_round_1",
    "status": "scheduled",
    "scheduledAt": "2024-02-01T10:00:00Z",
    "interviewerId": RECRUITER_ID,
    "scheduledBy": RECRUITER_ID,
    "createdAt": "2024-01-22T10:00:00Z",
    "updatedAt": "2024-01-22T11:00:00Z",
}

RECRUITER: dict[str, Any] = {
    "id": RECRUITER_ID,
    "agencyId": MAIN_AGENCY_ID,
    "email": "recruiter@agency.com",
    "firstName": "John",
    "lastName": "Recruiter",
    "role": "recruiter",
    "isActive": True,
    "createdAt": "2024-01-01T00:00:00Z",
    "updatedAt": "2024-01-15T00:00:00Z",
}

TASK: dict[str, Any] = {
    "id": "3f1e2c7b-9d10-4a57-8b6a-52510b8f6a4d",
    "agencyId": MAIN_AGENCY_ID,
    "applicationId": APPLICATION["id"],
    "candidateId": CANDIDATE["id"],
    "title": "Submit NBI clearance",
    "description": None,
    "taskType": "document",
    "status": "pending",
    "dueDate": "2024-02-15",
    "createdBy": RECRUITER_ID,
    "reviewedBy": None,
    "reviewedAt": None,
    "createdAt": "2024-02-01T00:00:00Z",
    "updatedAt": "2024-02-01T00:00:00Z",
}


def _candidate_of_application(raw: Any) -> RemoteCandidate:
    return application_candidate(raw, BASE_URL)


def _candidate(raw: Any) -> RemoteCandidate:
    return candidate_from_raw(raw, BASE_URL)


def check_application(application: RemoteApplication) -> None:
    transitions = application.transitions
    entered = [t.entered_at for t in transitions]
    assert entered == sorted(entered), "transitions out of time order"
    stages = [t.to_stage for t in transitions]
    assert all(a != b for a, b in pairwise(stages)), stages
    assert [t.from_stage for t in transitions] == [None, *stages[:-1]][: len(transitions)]
    assert [t.left_at for t in transitions] == [*entered[1:], None][: len(transitions)]
    if transitions and application.current_stage:
        assert stages[-1] == application.current_stage


json_values = any_json(
    "2024-01-20T10:30:00Z", "shortlisted", "Hired", RECRUITER_ID, "/r.pdf", "²", "1e3"
)


history_entries = st.fixed_dictionaries(
    {
        "status": st.sampled_from(
            ["submitted", "under_review", "shortlisted", "released", "Hired", "on_hold", None]
        ),
        "changedAt": st.one_of(
            st.none(),
            st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2024, 3, 1)).map(
                lambda moment: moment.isoformat() + "Z"
            ),
        ),
    }
)


class TestBpocMappers(MapperProperties):
    mappers: ClassVar[dict[str, MapperCase]] = {
        "job": (job_from_raw, RemoteJob, JOB),
        "candidate": (_candidate, RemoteCandidate, CANDIDATE),
        "application candidate": (_candidate_of_application, RemoteCandidate, APPLICATION),
        "application": (application_from_raw, RemoteApplication, APPLICATION),
        "interview": (interview_from_raw, RemoteInterview, INTERVIEW),
        "recruiter": (user_from_raw, RemoteUser, RECRUITER),
        "onboarding task": (onboarding_task_from_raw, RemoteOnboardingTask, TASK),
    }
    source_values = json_values
    other_shapes: ClassVar[list[object]] = [
        *MapperProperties.other_shapes,
        [{"id": "x"}],
        {"id": None},
    ]

    def essential(self, name: str) -> set[str]:
        """Its id, an application's job and candidate."""
        return {"id", "jobId", "candidateId", "candidate"}

    def check(self, mapped: Any) -> None:
        if isinstance(mapped, RemoteApplication):
            check_application(mapped)

    @FAST
    @given(
        history=st.lists(history_entries, max_size=8),
        status=st.sampled_from(
            ["submitted", "shortlisted", "released", "rejected", "on_hold", None]
        ),
        updated=st.sampled_from([None, "2024-01-01T00:00:00Z", "2024-02-15T00:00:00Z"]),
        released=st.sampled_from([None, "2024-01-20T10:30:00Z"]),
    )
    def test_any_history_ends_at_the_current_stage_in_time_order(
        self,
        history: list[dict[str, Any]],
        status: str | None,
        updated: str | None,
        released: str | None,
    ) -> None:
        raw = {
            **APPLICATION,
            "statusHistory": history,
            "status": status,
            "updatedAt": updated,
            "releasedAt": released,
        }
        application = self.map_or_refuse("application", raw)
        assert isinstance(application, RemoteApplication)
        if status is not None:
            # applied at 2024-01-15 gives every application at least one timed move
            assert application.transitions
            assert application.transitions[-1].to_stage == application.current_stage


# a listing with one broken record ---------------------------------------------


def _insert(records: dict[str, Any], at: int, key: str, record: dict[str, Any]) -> None:
    """Put ``record`` at position ``at`` of the fake's (ordered) table."""
    items = list(records.items())
    items.insert(at, (key, record))
    records.clear()
    records.update(items)


async def test_one_broken_record_per_listing_fails_alone_through_the_fake() -> None:
    fake = BpocFake()
    fake.seed(jobs=6, candidates=4, applications=9)
    good_jobs, good_applications = list(fake.jobs), list(fake.applications)
    good_interviews, good_tasks = list(fake.interviews), list(fake.tasks)
    _insert(fake.jobs, 3, "broken", {"agencyId": MAIN_AGENCY_ID, "id": {"no": "id"}})
    some_candidate = next(iter(fake.candidates))
    _insert(
        fake.applications,
        4,
        "no-job",
        {"agencyId": MAIN_AGENCY_ID, "id": "app-without-job", "candidateId": some_candidate},
    )
    _insert(fake.interviews, 1, "listed", {"agencyId": MAIN_AGENCY_ID, "id": ["a", "b"]})
    _insert(fake.tasks, 0, "blank", {"agencyId": MAIN_AGENCY_ID, "id": ""})

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake.app), base_url="http://fake"
    ) as client:
        connector = BpocConnector.create(
            client, {"apiKey": MAIN_API_KEY}, {"pageSize": 2}, integration="test:bpoc"
        )
        jobs = [job.remote_id async for job in connector.jobs()]
        assert jobs == good_jobs
        assert connector.failures == [
            RecordFailure(entity="jobs", remote_id=None, reason="jobs without an id")
        ]
        connector.failures.clear()

        applications = [a.remote_id async for a in connector.applications()]
        assert applications == good_applications
        [failure] = connector.failures
        assert (failure.entity, failure.remote_id) == ("applications", "app-without-job")
        assert "job" in failure.reason
        connector.failures.clear()

        # the application without its job still names a readable candidate
        candidates = {c.remote_id async for c in connector.candidates()}
        assert candidates == set(fake.candidates)
        assert connector.failures == []

        interviews = [i.remote_id async for i in connector.interviews()]
        tasks = [t.remote_id async for t in connector.onboarding_tasks()]
    assert interviews == good_interviews
    assert tasks == good_tasks
    assert [(f.entity, f.remote_id) for f in connector.failures] == [
        ("interviews", None),
        ("onboarding_tasks", None),
    ]


@respx.mock
async def test_a_record_that_is_a_string_fails_alone_and_the_failure_goes_to_on_failure() -> None:
    page = {
        "jobs": [
            {"id": "j1", "title": "Bookkeeper"},
            "j2",
            {"id": 3, "title": None, "postedBy": {"id": RECRUITER_ID}},
        ],
        "pagination": {"page": 1, "limit": 50, "total": 3, "totalPages": 1},
    }
    respx.get(f"{BASE_URL}/jobs").respond(json=page)
    respx.get(f"{BASE_URL}/agency/recruiters").respond(
        json={"recruiters": [RECRUITER, 17, {**RECRUITER, "id": MANAGER_ID, "email": None}]}
    )
    reported: list[RecordFailure] = []
    async with httpx.AsyncClient() as client:
        connector = BpocConnector.create(
            client, {"apiKey": MAIN_API_KEY}, {}, integration="test:bpoc"
        )
        connector.on_failure = reported.append
        jobs = [job async for job in connector.jobs()]
        users = [user.remote_id async for user in connector.users()]
    assert [(job.remote_id, job.title) for job in jobs] == [("j1", "Bookkeeper"), ("3", UNTITLED)]
    assert jobs[1].recruiter_remote_id == RECRUITER_ID
    assert users == [RECRUITER_ID, MANAGER_ID]
    assert [(f.entity, f.remote_id) for f in reported] == [("jobs", None), ("users", None)]
    assert "str" in reported[0].reason and "int" in reported[1].reason
    assert connector.failures == []


# the replay recordings -----------------------------------------------------------

BPOC_RECORDINGS = RECORDINGS / "bpoc"


class Replay:
    """Answers as the recording format says: method and path exactly, the recorded
    query parameters as strings; the first unused matching exchange, else the last
    matching one again; else 404 ``{"error": "not recorded"}``."""

    def __init__(self, recording: dict[str, Any], base_path: str) -> None:
        self.exchanges: list[dict[str, Any]] = recording["exchanges"]
        self.used: set[int] = set()
        self.base_path = base_path

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(self.base_path)
        matching = [
            index
            for index, exchange in enumerate(self.exchanges)
            if exchange["request"]["method"] == request.method
            and exchange["request"]["path"] == path
            and all(
                request.url.params.get(name) == value
                for name, value in exchange["request"].get("query", {}).items()
            )
        ]
        if not matching:
            return httpx.Response(404, json={"error": "not recorded"})
        unused = [index for index in matching if index not in self.used]
        chosen = unused[0] if unused else matching[-1]
        self.used.add(chosen)
        answer = self.exchanges[chosen]["response"]
        if "json" in answer:
            return httpx.Response(answer["status"], headers=answer["headers"], json=answer["json"])
        return httpx.Response(answer["status"], headers=answer["headers"], text=answer["body"])


RECORDED = {
    path.stem: json.loads(path.read_text()) for path in sorted(BPOC_RECORDINGS.glob("*.json"))
}


def test_there_is_a_recording() -> None:
    assert "agency_sync" in RECORDED


@pytest.mark.parametrize("name", sorted(RECORDED))
async def test_each_recording_reads_as_it_expects(name: str) -> None:
    content = RECORDED[name]
    assert content["provider"] == "bpoc"
    replay = Replay(content, "/api/v1")
    async with httpx.AsyncClient(transport=httpx.MockTransport(replay)) as client:
        connector = BpocConnector.create(
            client,
            content["credentials"],
            {**content["config"], "baseUrl": "https://replay.test/api/v1"},
            integration="replay:bpoc",
        )
        assert (await connector.check()).ok
        read: dict[str, list[RemoteRecord]] = {
            "jobs": [job async for job in connector.jobs()],
            "candidates": [c async for c in connector.candidates()],
            "applications": [a async for a in connector.applications()],
            "interviews": [i async for i in connector.interviews()],
            "onboarding_tasks": [t async for t in connector.onboarding_tasks()],
        }
        users = [user async for user in connector.users()]
    assert users
    failed = Counter(failure.entity for failure in connector.failures)
    for entity, expected in content["expect"].items():
        assert len(read[entity]) == expected["stored"], entity
        assert failed[entity] == expected.get("failed", 0), entity
    assert set(failed) <= set(content["expect"])
    for application in read["applications"]:
        assert isinstance(application, RemoteApplication)
        check_application(application)
        assert application.transitions[-1].to_stage == application.current_stage
    job_ids = {job.remote_id for job in read["jobs"]}
    candidate_ids = {candidate.remote_id for candidate in read["candidates"]}
    for application in read["applications"]:
        assert isinstance(application, RemoteApplication)
        assert application.job_remote_id in job_ids
        assert application.candidate_remote_id in candidate_ids
    assert replay.used == set(range(len(replay.exchanges))), "an exchange nobody asked for"
