"""Jobvite records as they really arrive: every field of the documented shapes nulled,
deleted or replaced by something else, and whole records of arbitrary JSON. A mapper
answers its model or raises ``MappingError``, nothing else; a listing with one broken
row yields the others and reports that one (over HTTP, against the fake Jobvite)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import MappingError
from connectors.jobvite.connector import JobviteConnector
from connectors.jobvite.mapping import (
    MAX_DOCUMENTS,
    UNTITLED,
    application_from_raw,
    candidate_from_raw,
    documents_of,
    job_from_raw,
    resume_url_of,
)
from connectors.jobvite.onboarding_tasks import UNTITLED_TASK, task_from_raw
from connectors.jobvite.workflow import WORKFLOW
from connectors.models import (
    RecordFailure,
    RemoteApplication,
    RemoteCandidate,
    RemoteJob,
    RemoteOnboardingTask,
)
from tests.connectors.harness.jobvite import JobviteHarness, make_harness

# The shapes the connector, its fake and Jobvite integrations in the wild agree on
# (Jobvite publishes no v2 reference).
REQUISITION: dict[str, Any] = {
    "eId": "iHk17dqT",
    "requisitionId": "999",
    "title": "Teacher",
    "jobState": "Filled",
    "department": "School Based",
    "category": "Education",
    "location": "",
    "locationCity": "San Francisco",
    "locationState": "CA",
    "locationCountry": "United States",
    "jobType": "Full-Time",
    "description": "<p>Teach.</p>",
    "briefDescription": "Teach.",
    "company": "KIPP Bay Area Public Schools",
    "primaryRecruiter": {"userId": "ulUaZm4L", "userName": "ms.talent@example.org"},
    "recruiters": [{"userId": "ulUaZm4L"}, {"userId": "dKCQOxZ9"}],
    "primaryHiringManager": {"userId": "hm000001", "userName": "principal@example.org"},
    "hiringManagers": [{"userId": "hm000001"}],
    "createdDate": 1546642137710,
    "lastUpdatedDate": 1549916832797,
}
CANDIDATE_ROW: dict[str, Any] = {
    "eId": "dOen2hqr",
    "firstName": "Testy",
    "lastName": "McTesterson",
    "email": "tester@example.com",
    "homePhone": "555-123-4567",
    "mobile": "",
    "workPhone": "",
    "city": "Oakland",
    "state": "CA",
    "country": "USA",
    "location": "Oakland, CA ",
    "title": "Teacher",
    "companyName": "Previous Co",
    "lastUpdatedDate": 1549916832000,
    "resumeUrl": "https://files.jobvite.example/resumes/dOen2hqr.pdf",
    "attachments": [
        {"name": "cover.pdf", "type": "Cover Letter", "url": "https://f.example/c.pdf"},
        {"name": "resume.pdf", "type": "Resume", "url": "https://f.example/r.pdf"},
    ],
    "application": {
        "eId": "ovLmTnq8",
        "workflowState": "Rejected",
        "workflowStateEId": "mGB7Cdqg",
        "disposition": "Position filled",
        "jobviteChannel": "Email",
        "source": "kippbayarea - Desktop",
        "sourceType": "KIPP Bay Area Career Site",
        "sentDate": 1546642137710,
        "lastUpdatedDate": 1549916832797,
        "customField": [{"fieldCode": "start_date", "value": "2019-08-01"}],
        "job": {"eId": "iHk17dqT", "requisitionId": "999", "title": "Teacher"},
    },
}
TASK: dict[str, Any] = {
    "id": "65f0c0ffee0000000000000a",
    "processId": "65f0c0ffee0000000000000p",
    "name": "Complete Form I-9",
    "description": "Before the start date.",
    "type": "I9",
    "status": "completed",
    "dueDate": "2024-02-15",
    "lastUpdatedDate": 1706000000000,
}
PROCESS: dict[str, Any] = {"id": "65f0c0ffee0000000000000p", "applicationId": "ovLmTnq8",
                           "candidateId": "dOen2hqr"}  # fmt: skip

DELETE = object()
MEGABYTE = "x" * 1_000_000
REPLACEMENTS: list[Any] = [
    None, DELETE, "", "text", "  ", "17", 0, 42, -1.5, 10**30, float("inf"), True, [],
    [1, "x", None], {}, {"name": "Zoë"}, {"id": 7}, "Zoë 🚀 \u202e", MEGABYTE,
]  # fmt: skip

MAPPERS: dict[str, tuple[Callable[[Any], Any], dict[str, Any], type | tuple[type, ...]]] = {
    "job": (job_from_raw, REQUISITION, RemoteJob),
    "candidate": (candidate_from_raw, CANDIDATE_ROW, RemoteCandidate),
    "application": (application_from_raw, CANDIDATE_ROW, (RemoteApplication, type(None))),
    "task": (lambda raw: task_from_raw(raw, PROCESS), TASK, RemoteOnboardingTask),
    "task without process": (lambda raw: task_from_raw(raw, None), TASK, RemoteOnboardingTask),
}


def field_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key and list index of ``value``, nested ones included, outermost first."""
    children: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    for key, child in children:
        yield (*prefix, key)
        yield from field_paths(child, (*prefix, key))


def mutated(record: dict[str, Any], path: tuple[Any, ...], replacement: Any) -> dict[str, Any]:
    copied = copy.deepcopy(record)
    holder: Any = copied
    for step in path[:-1]:
        holder = holder[step]
    if replacement is DELETE:
        del holder[path[-1]]
    else:
        holder[path[-1]] = replacement
    return copied


def assert_maps_or_refuses(mapper: Callable[[Any], Any], raw: Any, model: Any) -> None:
    """The mapper's whole promise: its model, or ``MappingError``."""
    try:
        result = mapper(raw)
    except MappingError:
        return
    assert isinstance(result, model), type(result)
    if result is None:
        return
    assert isinstance(result.remote_id, str) and 0 < len(result.remote_id) <= 255
    for name in ("title", "name"):
        if hasattr(result, name):
            assert isinstance(getattr(result, name), str) and getattr(result, name)
    resume = getattr(result, "resume_url", None)
    assert resume is None or (resume.startswith(("http://", "https://")) and len(resume) <= 2048)
    documents = getattr(result, "documents", ())
    assert len(documents) <= MAX_DOCUMENTS
    assert all(d.url.startswith(("http://", "https://")) and len(d.url) <= 2048 for d in documents)


@pytest.mark.parametrize("name", list(MAPPERS))
def test_every_field_nulled_deleted_or_replaced(name: str) -> None:
    mapper, example, model = MAPPERS[name]
    assert_maps_or_refuses(mapper, example, model)
    paths = list(field_paths(example))
    assert len(paths) >= 8
    for path in paths:
        for replacement in REPLACEMENTS:
            assert_maps_or_refuses(mapper, mutated(example, path, replacement), model)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
KEYS = sorted(
    {str(step) for example in (REQUISITION, CANDIDATE_ROW, TASK) for p in field_paths(example)
     for step in p if isinstance(step, str)}
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
def test_documented_records_with_arbitrary_json_at_any_field(name: str, data: Any) -> None:
    mapper, example, model = MAPPERS[name]
    record = copy.deepcopy(example)
    paths = list(field_paths(example))
    for path in data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3)):
        try:
            record = mutated(record, path, data.draw(JSON))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this path's parent
    assert_maps_or_refuses(mapper, record, model)


# --- what the lenient reading gives -----------------------------------------------------


def test_values_in_other_shapes_keep_their_meaning() -> None:
    job = job_from_raw(
        {**REQUISITION, "eId": 1234, "title": None, "createdDate": "1546642137710",
         "location": {"name": "Remote"}, "primaryRecruiter": "recruiter@example.org",
         "recruiters": None}
    )  # fmt: skip
    assert (job.remote_id, job.title) == ("1234", UNTITLED)
    assert job.opened_at is not None and job.opened_at.year == 2019
    assert job.location == "Remote"
    assert job.recruiter_remote_id == "recruiter@example.org"

    row = {**CANDIDATE_ROW, "application": {**CANDIDATE_ROW["application"], "job": "iHk17dqT"}}
    application = application_from_raw(row)
    assert application is not None and application.job_remote_id == "iHk17dqT"
    assert application_from_raw({**CANDIDATE_ROW, "application": None}) is None
    with pytest.raises(MappingError) as refused:
        application_from_raw({**CANDIDATE_ROW, "application": {"eId": "oApp1", "job": {}}})
    assert (refused.value.entity, refused.value.remote_id) == ("applications", "oApp1")


def test_the_recruiter_is_the_user_id_else_the_login_email() -> None:
    assert job_from_raw(REQUISITION).recruiter_remote_id == "ulUaZm4L"
    by_login = {**REQUISITION, "primaryRecruiter": {"userName": "ms.talent@example.org"}}
    assert job_from_raw(by_login).recruiter_remote_id == "ms.talent@example.org"
    second = {**REQUISITION, "primaryRecruiter": None, "recruiters": [{}, {"userId": "dK9"}]}
    assert job_from_raw(second).recruiter_remote_id == "dK9"
    named_only = {**REQUISITION, "primaryRecruiter": "Maya Talent", "recruiters": None}
    assert job_from_raw(named_only).recruiter_remote_id is None
    only_managers = {**REQUISITION, "primaryRecruiter": None, "recruiters": []}
    assert job_from_raw(only_managers).recruiter_remote_id is None
    assert job_from_raw(only_managers).raw["primaryHiringManager"]["userId"] == "hm000001"


def test_every_linked_attachment_is_a_document_once() -> None:
    documents = candidate_from_raw(CANDIDATE_ROW).documents
    assert [(d.name, d.kind, d.url) for d in documents] == [
        ("cover.pdf", "Cover Letter", "https://f.example/c.pdf"),
        ("resume.pdf", "Resume", "https://f.example/r.pdf"),
    ]
    row = {
        "eId": "c1",
        "attachments": [
            {
                "fileName": "cv.docx",
                "category": "CV",
                "mimeType": "application/msword",
                "downloadUrl": "https://f.example/cv",
            },
            {"name": "inline.pdf", "content": "JVBERi0xLjQ="},
            "not an object",
            {"name": "again", "url": "https://f.example/cv"},
            {"name": "script", "url": "javascript:alert(1)"},
        ],
        "application": {
            "eId": "a1",
            "artifacts": [{"title": "Portfolio", "href": "https://p.example/1"}],
        },
    }
    assert [(d.name, d.kind, d.content_type, d.url) for d in documents_of(row)] == [
        ("cv.docx", "CV", "application/msword", "https://f.example/cv"),
        ("Portfolio", None, None, "https://p.example/1"),
    ]
    many = {"eId": "c2", "attachments": [{"url": f"https://f.example/{n}"} for n in range(80)]}
    assert len(documents_of(many)) == MAX_DOCUMENTS


def test_the_resume_link_is_read_from_the_shapes_it_comes_in() -> None:
    assert candidate_from_raw(CANDIDATE_ROW).resume_url == CANDIDATE_ROW["resumeUrl"]
    without_field = {k: v for k, v in CANDIDATE_ROW.items() if k != "resumeUrl"}
    assert resume_url_of(without_field) == "https://f.example/r.pdf"  # the resume, not the letter
    as_object = {"eId": "c1", "resume": {"link": "https://f.example/x.docx"}}
    assert resume_url_of(as_object) == "https://f.example/x.docx"
    on_application = {"eId": "c1", "application": {"artifacts": [{"url": "https://a.example/1"}]}}
    assert resume_url_of(on_application) == "https://a.example/1"
    for useless in ("javascript:alert(1)", "/relative/resume.pdf", "file:///etc/passwd", 7):
        assert resume_url_of({"eId": "c1", "resumeUrl": useless}) is None
    inline = {"eId": "c1", "attachments": [{"type": "Resume", "content": "JVBERi0xLjQ="}]}
    assert candidate_from_raw(inline).resume_url is None


def test_task_without_a_name_is_kept_and_epoch_due_dates_read() -> None:
    task = task_from_raw({**TASK, "name": None, "dueDate": 1707955200000}, PROCESS)
    assert task.title == UNTITLED_TASK
    assert task.due_date is not None and task.due_date.isoformat() == "2024-02-15"
    assert (task.application_remote_id, task.candidate_remote_id) == ("ovLmTnq8", "dOen2hqr")


async def test_stages_are_the_workflow_in_pipeline_order() -> None:
    async with httpx.AsyncClient() as client:
        connector = JobviteConnector.create(
            client, {"apiKey": "k", "apiSecret": "s"}, {}, integration="t:jobvite"
        )
        stages = await connector.stages()
        custom = JobviteConnector.create(
            client,
            {"apiKey": "k", "apiSecret": "s"},
            {"workflowStates": ["Applied", "Hiring Manager Review", "Onsite Interview", None]},
            integration="t:jobvite",
        )
        configured = await custom.stages()
    assert [s.name for s in stages] == [name for name, _ in WORKFLOW]
    assert [s.position for s in stages] == list(range(len(WORKFLOW)))
    assert [s.kind for s in stages][:6] == [
        "applied", "screen", "screen", "interview", "offer", "hired",
    ]  # fmt: skip
    assert [(s.name, s.position, s.kind) for s in configured] == [
        ("Applied", 0, "applied"),
        ("Hiring Manager Review", 1, "screen"),
        ("Onsite Interview", 2, "interview"),
    ]


# --- one broken row in a listing, over HTTP ---------------------------------------------


async def no_sleep(_: float) -> None:
    return None


@asynccontextmanager
async def fake_client(harness: JobviteHarness) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=harness.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
        yield client


async def test_a_broken_requisition_fails_alone() -> None:
    harness = make_harness()
    harness.seed(jobs=5, candidates=0, applications=0)
    good = harness.job_ids()
    broken = list(harness.fake.jobs.items())
    broken.insert(2, ("no-id", {"eId": {"no": "id"}, "title": "Ghost requisition"}))
    broken.insert(4, ("text", "this row is a string"))  # type: ignore[arg-type]
    harness.fake.jobs = dict(broken)
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=2)
        jobs = [job async for job in connector.jobs()]
    assert [job.remote_id for job in jobs] == good
    assert [(f.entity, f.remote_id) for f in connector.failures] == [
        ("jobs", None),
        ("jobs", None),
    ]
    assert "eId" in connector.failures[0].reason


async def test_a_broken_application_fails_alone_with_its_id() -> None:
    harness = make_harness()
    harness.seed(jobs=2, candidates=3, applications=3)
    victim = list(harness.fake.applications.values())[1]
    rows = list(harness.fake.candidate_rows())
    for row in rows:
        if row["application"]["eId"] == victim.data["eId"]:
            row["application"]["job"] = {"title": "a job without its eId"}
    harness.fake.candidate_rows = lambda: iter(rows)  # type: ignore[method-assign]
    failures: list[RecordFailure] = []
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=2)
        connector.on_failure = failures.append
        applications = [a async for a in connector.applications()]
        candidates = [c async for c in connector.candidates()]
    assert sorted(a.remote_id for a in applications) == sorted(
        eid for eid in harness.fake.applications if eid != victim.data["eId"]
    )
    assert len(candidates) == 3  # the person is fine; only their application is not
    assert failures == [
        RecordFailure(
            entity="applications",
            remote_id=victim.data["eId"],
            reason="application without a job eId",
        )
    ]


async def test_a_broken_onboarding_task_fails_alone() -> None:
    harness = make_harness()
    harness.seed(jobs=1, candidates=2, applications=2)
    process = next(iter(harness.fake.processes))
    harness.fake.tasks["broken"] = {"id": ["not", "an", "id"], "processId": process}
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=2)
        tasks = [task async for task in connector.onboarding_tasks()]
    assert sorted(t.remote_id for t in tasks) == sorted(
        tid for tid in harness.fake.tasks if tid != "broken"
    )
    assert all(t.application_remote_id for t in tasks)
    assert [(f.entity, f.remote_id) for f in connector.failures] == [("onboarding_tasks", None)]
