"""Workday records as they really arrive: the spec's examples with every field nulled,
deleted or replaced by something else, and whole records of arbitrary JSON. A mapper
answers its model or raises ``MappingError``, nothing else; a listing (or a lookup) with
one broken record yields the others and reports that one, against the fake Workday."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from connectors.errors import MappingError
from connectors.models import RemoteApplication, RemoteCandidate, RemoteInterview, RemoteJob
from connectors.workday.applications import (
    applicant_name,
    application_from_event,
    candidate_from_application,
)
from connectors.workday.connector import WorkdayConnector
from connectors.workday.mapping import (
    UNTITLED,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    resume_attachment_id,
)
from tests.connectors.harness.workday import WorkdayHarness, make_harness
from tests.connectors.jobvite.test_jobvite_mapping import (
    JSON,
    REPLACEMENTS,
    assert_maps_or_refuses,
    field_paths,
    mutated,
)
from tests.connectors.workday.test_workday import INTERVIEW, JOB_POSTING, PROSPECT, spec_example

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class EveryRequisitionPosted(Mapping[str, str]):
    """Requisition -> posting where every requisition has the posting ``"p1"``, so a
    mutated requisition id still reaches the rest of the mapping."""

    def __getitem__(self, requisition: str) -> str:
        return "p1"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _application(raw: Any) -> RemoteApplication:
    return application_from_event(raw, postings=EveryRequisitionPosted())


MAPPERS: dict[str, tuple[Callable[[Any], Any], str, type]] = {
    "job posting": (lambda raw: job_from_raw(raw, now=NOW), JOB_POSTING, RemoteJob),
    "prospect": (candidate_from_raw, PROSPECT, RemoteCandidate),
    "interview": (interview_from_raw, INTERVIEW, RemoteInterview),
    "interview's applicant": (candidate_from_application, INTERVIEW, RemoteCandidate),
    "interview's application": (_application, INTERVIEW, RemoteApplication),
}


@pytest.mark.parametrize("name", list(MAPPERS))
def test_every_field_of_the_spec_example_nulled_deleted_or_replaced(name: str) -> None:
    mapper, definition, model = MAPPERS[name]
    example = spec_example(definition)
    assert_maps_or_refuses(mapper, example, model)
    paths = list(field_paths(example))
    assert len(paths) >= 10
    for path in paths:
        for replacement in REPLACEMENTS:
            assert_maps_or_refuses(mapper, mutated(example, path, replacement), model)


KEYS = sorted(
    {str(step) for _, definition, _ in MAPPERS.values()
     for path in field_paths(spec_example(definition)) for step in path
     if isinstance(step, str)}
)  # fmt: skip


@pytest.mark.parametrize("name", list(MAPPERS))
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=JSON | st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8))
def test_arbitrary_json_records(name: str, record: Any) -> None:
    mapper, _, model = MAPPERS[name]
    assert_maps_or_refuses(mapper, record, model)


@pytest.mark.parametrize("name", list(MAPPERS))
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_spec_examples_with_arbitrary_json_at_any_field(name: str, data: Any) -> None:
    mapper, definition, model = MAPPERS[name]
    example = spec_example(definition)
    record = copy.deepcopy(example)
    paths = list(field_paths(example))
    for path in data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3)):
        try:
            record = mutated(record, path, data.draw(JSON))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this path's parent
    assert_maps_or_refuses(mapper, record, model)


def test_values_in_other_shapes_keep_their_meaning() -> None:
    posting = {"id": 17, "title": None, "primaryLocation": "Berlin", "categories": "Sales",
               "timeType": {"descriptor": "Full time"}, "startDate": "18 April"}  # fmt: skip
    job = job_from_raw(posting, now=NOW)
    assert (job.remote_id, job.title, job.location) == ("17", UNTITLED, "Berlin")
    assert (job.department, job.employment_type, job.opened_at) == ("Sales", "Full time", None)
    assert job.recruiter_remote_id is None  # postings name no recruiter

    person = {"email": "ada@example.com", "name": "Ada Lovelace", "phone": "+1 555 0100"}
    prospect = {"id": "p1", "candidate": person, "candidateTags": ["vip", {"descriptor": "vip"}]}
    candidate = candidate_from_raw(prospect)
    assert (candidate.name, candidate.phone) == ("Ada Lovelace", "+1 555 0100")
    assert candidate.tags == ("vip",)
    assert candidate.resume_url is None

    interview = interview_from_raw(
        {"id": "i1", "jobApplication": "ja1", "interviewers": [None, "w2"],
         "interviewStatuses": {"id": "Interview_Status_ID=COMPLETED"}}
    )  # fmt: skip
    assert (interview.application_remote_id, interview.interviewer_remote_id) == ("ja1", "w2")
    assert interview.status == "completed"
    with pytest.raises(MappingError) as refused:
        interview_from_raw({"descriptor": "an interview without an id"})
    assert refused.value.entity == "interviews"


def test_applications_and_applicants_of_events_in_other_shapes() -> None:
    assert applicant_name("Ada Lovelace - R-00042 Senior Engineer") == "Ada Lovelace"
    assert applicant_name("Job Application: Ada Lovelace \u2013 Nurse") == "Ada Lovelace"
    assert applicant_name("Mary-Jane Smith") == "Mary-Jane Smith"
    assert applicant_name({"descriptor": "Grace Hopper - Nurse"}) == "Grace Hopper"
    assert applicant_name(None) is None

    event = {"id": "i1", "jobApplication": "JA-7", "jobRequisition": 42}
    applicant = candidate_from_application(event)
    assert (applicant.remote_id, applicant.name) == ("JA-7", "JA-7")
    assert dict(applicant.raw) == {"id": "JA-7"}
    application = application_from_event(event, postings={"42": "p9"})
    assert (application.remote_id, application.job_remote_id) == ("JA-7", "p9")
    assert application.candidate_remote_id == "JA-7"

    with pytest.raises(MappingError) as unposted:
        application_from_event(event, postings={})
    assert (unposted.value.entity, unposted.value.remote_id) == ("applications", "JA-7")
    assert "42" in unposted.value.message
    with pytest.raises(MappingError) as unnamed:
        candidate_from_application({"id": "i2", "jobApplication": {"descriptor": "no id"}})
    assert (unnamed.value.entity, unnamed.value.remote_id) == ("candidates", "i2")


def test_resume_attachment_of_the_spec_answer() -> None:
    answer = {"total": 2, "data": [{"fileName": "no id"}, {"id": "r9", "fileName": "cv.pdf"}]}
    assert resume_attachment_id(answer) == "r9"
    assert resume_attachment_id({"total": 0, "data": []}) is None
    assert resume_attachment_id({"data": None}) is None
    assert resume_attachment_id("nonsense") is None


# --- over HTTP, against the fake -----------------------------------------------------------


async def no_sleep(_: float) -> None:
    return None


@pytest.fixture
def harness() -> WorkdayHarness:
    harness = make_harness()
    harness.seed(jobs=4, candidates=3, applications=5)
    return harness


@pytest.fixture
async def client(harness: WorkdayHarness) -> AsyncIterator[httpx.AsyncClient]:
    async def with_resumes(scope: Scope, receive: Receive, send: Send) -> None:
        """The fake plus ``GET /prospects/{ID}/resumeAttachments`` (the first prospect
        has one resume, the others none)."""
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and path.endswith("/resumeAttachments"):
            prospect = path.rsplit("/", 2)[-2]
            files = [{"id": "res1", "fileName": "cv.pdf", "fileExtension": "pdf",
                      "fileLength": "52311"}]  # fmt: skip
            first = prospect == harness.candidate_ids()[0]
            body = {"total": 1 if first else 0, "data": files if first else []}
            await JSONResponse(body)(scope, receive, send)
            return
        await harness.app(scope, receive, send)

    transport = httpx.ASGITransport(app=with_resumes)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
        yield client


@pytest.fixture
def connector(harness: WorkdayHarness, client: httpx.AsyncClient) -> WorkdayConnector:
    return harness.connector(client, sleep=no_sleep, page_size=2)


async def test_a_broken_interview_fails_alone(
    connector: WorkdayConnector, harness: WorkdayHarness
) -> None:
    good = harness.interview_ids()
    records = list(harness.fake.interviews.items())
    records.insert(1, ("text", "an interview that is a string"))  # type: ignore[arg-type]
    records.insert(3, ("no-id", {"id": {"descriptor": "no id"}, "interviewStatuses": []}))
    harness.fake.interviews = dict(records)

    interviews = [interview async for interview in connector.interviews()]

    assert [i.remote_id for i in interviews] == good
    assert [(f.entity, f.remote_id) for f in connector.failures] == [
        ("interviews", None),
        ("interviews", None),
    ]


async def test_lookups_skip_a_broken_record_and_carry_the_resume(
    connector: WorkdayConnector, harness: WorkdayHarness
) -> None:
    first, second, third = harness.candidate_ids()
    harness.fake.prospects[second] = {"descriptor": "a prospect without its id"}
    jobs = harness.job_ids()
    harness.fake.job_postings[jobs[1]] = ["not", "a", "posting"]  # type: ignore[assignment]

    candidates = await connector.get_candidates([first, second, third])
    found_jobs = await connector.get_jobs(jobs)

    assert [c.remote_id for c in candidates] == [first, third]
    assert candidates[0].resume_url == (
        f"{connector.http.base_url}/prospects/{first}/resumeAttachments/res1?type=viewFile"
    )
    assert candidates[1].resume_url is None
    assert [j.remote_id for j in found_jobs] == [jobs[0], *jobs[2:]]
    assert [(f.entity, f.remote_id) for f in connector.failures] == [
        ("candidates", None),
        ("jobs", None),
    ]


async def test_a_broken_interview_costs_only_its_own_application(
    connector: WorkdayConnector, harness: WorkdayHarness
) -> None:
    events = list(harness.fake.interviews.values())
    events[3]["jobRequisition"] = "an unposted requisition"
    records = list(harness.fake.interviews.items())
    records.insert(1, ("text", "an interview that is a string"))  # type: ignore[arg-type]
    harness.fake.interviews = dict(records)
    applied = [e["jobApplication"]["id"] for e in events]

    candidates = [c async for c in connector.candidates()]
    applications = [a async for a in connector.applications()]

    assert [c.remote_id for c in candidates] == applied
    assert [a.remote_id for a in applications] == applied[:3] + applied[4:]
    # the string is the interviews' failure to report, not the applications'
    assert [(f.entity, f.remote_id) for f in connector.failures] == [("applications", applied[3])]
    assert "an unposted requisition" in connector.failures[0].reason
