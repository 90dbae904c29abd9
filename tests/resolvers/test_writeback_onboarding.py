"""The hire's side through GraphQL, on SQLite and PostgreSQL: onboarding tasks created and
reviewed in BPOC (attributed in ``createdBy``/``reviewedBy``) and in Jobvite's sealed
Onboarding API, and offers, which no source system has and are written here only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from demo.sandbox.bpoc import ADMIN_ID, MAIN_API_KEY, RECRUITER_ID, BpocFake
from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.jobvite import JobviteFake, build_app
from gateway.errors import ValidationFailed
from gateway.outbound_events import OutboundEvent, names_for
from gateway.services.validation import optional_paragraph, text_line
from gateway.store.enums import ApplicationStatus, OnboardingTaskStatus, Role
from gateway.store.models import Activity, Application, Offer, OnboardingTask
from resolvers.relay import from_global_id, to_global_id
from tests.connectors.harness.jobvite import key_pairs
from tests.support.graphql_fragments import WRITE_ERRORS
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world, new_key

CREATE = f"""mutation($input: OnboardingTaskCreateInput!) {{
  onboardingTaskCreate(input: $input) {{
    __typename
    ... on OnboardingTaskCreateSuccess {{
      replayed application {{ id }}
      tasks {{ id remoteId title description taskType status dueDate }}
    }}
    {WRITE_ERRORS}
  }}
}}"""
REVIEW = f"""mutation($input: OnboardingTaskReviewInput!) {{
  onboardingTaskReview(input: $input) {{
    __typename
    ... on OnboardingTaskReviewSuccess {{ replayed task {{ id status reviewedAt reviewNotes }} }}
    {WRITE_ERRORS}
  }}
}}"""
OFFER = f"""mutation($input: OfferCreateInput!) {{
  offerCreate(input: $input) {{
    __typename
    ... on OfferWriteSuccess {{
      replayed writtenToSource
      offer {{ id remoteId status salary currency startDate sentAt }}
      application {{ id offers {{ id }} }}
    }}
    {WRITE_ERRORS}
  }}
}}"""


@dataclass
class Hires:
    world: GatewayWorld
    bpoc: BpocFake
    bpoc_id: int
    jobvite: JobviteFake
    jobvite_faults: Faults
    jobvite_id: int

    def requests(self) -> tuple[int, int]:
        """Requests either fake has answered (or been refused)."""
        return self.bpoc.faults.requests, self.jobvite_faults.requests

    async def application(self, integration_id: int, offset: int = 0) -> int:
        found = await self.world.scalar(
            sa.select(Application.id)
            .where(
                Application.integration_id == integration_id,
                Application.status.not_in(
                    [ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]
                ),
            )
            .order_by(Application.id)
            .offset(offset)
            .limit(1)
        )
        assert found is not None
        return int(found)

    async def task(self, integration_id: int, status: OnboardingTaskStatus) -> OnboardingTask:
        async with self.world.gateway.app.state.session_factory() as session:
            found: OnboardingTask | None = await session.scalar(
                sa.select(OnboardingTask)
                .where(
                    OnboardingTask.integration_id == integration_id,
                    OnboardingTask.status == status,
                )
                .order_by(OnboardingTask.id)
                .limit(1)
            )
        assert found is not None
        return found

    async def reload(self, task_id: int) -> OnboardingTask:
        async with self.world.gateway.app.state.session_factory() as session:
            found: OnboardingTask | None = await session.get(OnboardingTask, task_id)
        assert found is not None
        return found


@pytest.fixture(scope="module")
async def hires(backend: Backend) -> AsyncIterator[Hires]:
    bpoc = BpocFake()
    bpoc.seed(jobs=3, candidates=8, applications=16)
    keys = key_pairs()
    jobvite = JobviteFake(
        jobvite_private_key=keys.jobvite, customer_public_key=keys.customer.public_key()
    )
    jobvite.seed(jobs=2, candidates=3, applications=3)
    faults = Faults()
    fakes = {
        "https://bpoc.io": bpoc.app,
        "https://api.jobvite.com": with_faults(build_app(jobvite), faults),
    }
    async with gateway_world(backend, fakes) as world:
        bpoc_id = await world.add_integration("bpoc", "BPOC hires", {"apiKey": MAIN_API_KEY})
        jobvite_id = await world.add_integration(
            "jobvite",
            "Jobvite hires",
            {
                "apiKey": jobvite.api_key,
                "apiSecret": jobvite.api_secret,
                "onboardingPrivateKey": keys.customer_private_pem,
            },
            {"jobvitePublicKey": keys.jobvite_public_pem},
        )
        admin, recruiter = world.demo.admin_user_id, world.demo.recruiter_user_ids[0]
        await world.link(admin, bpoc_id, ADMIN_ID)
        await world.link(recruiter, bpoc_id, RECRUITER_ID)
        await world.link(admin, jobvite_id, "uAdmin001")
        await world.sync(bpoc_id)
        await world.sync(jobvite_id)
        yield Hires(world, bpoc, bpoc_id, jobvite, faults, jobvite_id)


def app_id(pk: int) -> str:
    return to_global_id("Application", pk)


def task_id(pk: int) -> str:
    return to_global_id("OnboardingTask", pk)


def in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


# onboarding in BPOC ----------------------------------------------------------------------


async def test_tasks_are_created_in_bpoc_as_the_recruiter_then_here(hires: Hires) -> None:
    world = hires.world
    pk = await hires.application(hires.bpoc_id)
    remote = await world.scalar(sa.select(Application.remote_id).where(Application.id == pk))
    writes, seen = len(hires.bpoc.writes), len(world.events)
    activities = await world.activities("onboarding_task.created")
    key = new_key("onboard")
    request = {
        "applicationId": app_id(pk),
        "tasks": [
            {"title": "Submit NBI clearance", "taskType": "document", "dueDate": in_days(14)},
            {"title": "Sign contract", "description": "Both pages.\nInitial each."},
        ],
        "idempotencyKey": key,
    }

    result = await world.mutate(
        CREATE, "onboardingTaskCreate", request, user=world.demo.recruiter_user_ids[0]
    )
    again = await world.mutate(
        CREATE, "onboardingTaskCreate", request, user=world.demo.recruiter_user_ids[0]
    )

    assert result["__typename"] == "OnboardingTaskCreateSuccess", result
    tasks = result["tasks"]
    assert [(t["title"], t["taskType"], t["status"]) for t in tasks] == [
        ("Submit NBI clearance", "document", "PENDING"),
        ("Sign contract", None, "PENDING"),
    ]
    [write] = hires.bpoc.writes[writes:]
    assert (write.method, write.path) == ("POST", "/onboarding")
    assert write.body == {
        "applicationId": remote,
        "tasks": [
            {"title": "Submit NBI clearance", "taskType": "document", "dueDate": in_days(14)},
            {"title": "Sign contract", "description": "Both pages.\nInitial each."},
        ],
        "createdBy": RECRUITER_ID,
    }
    assert [hires.bpoc.tasks[t["remoteId"]]["createdBy"] for t in tasks] == [RECRUITER_ID] * 2
    assert (again["replayed"], [t["id"] for t in again["tasks"]]) == (
        True,
        [t["id"] for t in tasks],
    )
    creators = await world.rows(
        sa.select(OnboardingTask.created_by_user_id).where(
            OnboardingTask.remote_id.in_([t["remoteId"] for t in tasks])
        )
    )
    assert {row[0] for row in creators} == {world.demo.recruiter_user_ids[0]}
    assert await world.activities("onboarding_task.created") == activities + 2
    await world.settle()
    created = world.published(seen, "onboarding_task.created")
    assert [e.data["remoteId"] for e in created] == [t["remoteId"] for t in tasks]


async def test_a_bpoc_task_is_approved_with_the_reviewer_attributed(hires: Hires) -> None:
    world = hires.world
    task = await hires.task(hires.bpoc_id, OnboardingTaskStatus.SUBMITTED)
    writes, seen = len(hires.bpoc.writes), len(world.events)

    result = await world.mutate(
        REVIEW,
        "onboardingTaskReview",
        {"taskId": task_id(task.id), "decision": "APPROVE", "notes": "Clear scan"},
    )
    again = await world.mutate(
        REVIEW, "onboardingTaskReview", {"taskId": task_id(task.id), "decision": "APPROVE"}
    )

    assert result["__typename"] == "OnboardingTaskReviewSuccess", result
    assert (result["task"]["status"], result["task"]["reviewNotes"]) == ("APPROVED", "Clear scan")
    [write] = hires.bpoc.writes[writes:]
    assert (write.method, write.path) == ("PUT", f"/onboarding/{task.remote_id}")
    assert write.body == {"action": "approve", "reviewedBy": ADMIN_ID, "notes": "Clear scan"}
    assert hires.bpoc.tasks[task.remote_id or ""]["status"] == "approved"
    after = await hires.reload(task.id)
    assert after.reviewed_by_user_id == world.demo.admin_user_id and after.reviewed_at
    assert again["__typename"] == "ValidationError", again
    assert len(hires.bpoc.writes) == writes + 1
    await world.settle()
    [event] = world.published(seen, "onboarding_task.updated")
    assert (event.data["status"], event.data["previousStatus"]) == ("approved", "submitted")
    assert (
        await world.count(
            Activity, Activity.subject_id == task.id, Activity.action == "onboarding_task.approved"
        )
        == 1
    )


# onboarding in Jobvite -------------------------------------------------------------------


async def test_tasks_go_to_the_hires_jobvite_onboarding_process(hires: Hires) -> None:
    world = hires.world
    pk = await hires.application(hires.jobvite_id)
    remote = await world.scalar(sa.select(Application.remote_id).where(Application.id == pk))
    [process] = [p for p in hires.jobvite.processes.values() if p["applicationId"] == remote]
    writes = len(hires.jobvite.writes)

    result = await world.mutate(
        CREATE,
        "onboardingTaskCreate",
        {"applicationId": app_id(pk), "tasks": [{"title": "Form I-9", "taskType": "I9"}]},
    )

    assert result["__typename"] == "OnboardingTaskCreateSuccess", result
    [task] = result["tasks"]
    [write] = hires.jobvite.writes[writes:]
    assert write.path == "/api/v2/task/create"
    [sent] = write.payload["tasks"]
    assert (sent["processId"], sent["name"], sent["type"]) == (process["id"], "Form I-9", "I9")
    assert sent["createdBy"]["userId"] == "uAdmin001"
    assert hires.jobvite.tasks[task["remoteId"]]["processId"] == process["id"]


async def test_a_jobvite_task_is_rejected_with_notes(hires: Hires) -> None:
    task = await hires.task(hires.jobvite_id, OnboardingTaskStatus.SUBMITTED)
    writes = len(hires.jobvite.writes)
    result = await hires.world.mutate(
        REVIEW,
        "onboardingTaskReview",
        {"taskId": task_id(task.id), "decision": "REJECT", "notes": "Blurry\nscan"},
    )
    assert result["__typename"] == "OnboardingTaskReviewSuccess", result
    assert result["task"]["status"] == "REJECTED"
    [write] = hires.jobvite.writes[writes:]
    assert write.path == "/api/v2/task/update"
    changes = write.payload["task"]
    assert (changes["id"], changes["status"], changes["notes"]) == (
        task.remote_id,
        "rejected",
        "Blurry\nscan",
    )
    assert changes["reviewedBy"]["userId"] == "uAdmin001"


async def test_jobvite_needs_the_callers_link_though_it_declares_no_attribution(
    hires: Hires,
) -> None:
    pk = await hires.application(hires.jobvite_id)
    requests = hires.requests()
    result = await hires.world.mutate(
        CREATE,
        "onboardingTaskCreate",
        {"applicationId": app_id(pk), "tasks": [{"title": "Badge photo"}]},
        role=Role.RECRUITER,
    )
    assert result["__typename"] == "RecruiterLinkMissingError", result
    assert result["integrationId"] == to_global_id("Integration", hires.jobvite_id)
    assert hires.requests() == requests


async def test_a_failing_jobvite_review_changes_nothing_and_says_retry(hires: Hires) -> None:
    task = await hires.task(hires.jobvite_id, OnboardingTaskStatus.PENDING)
    hires.jobvite_faults.server_errors(times=1, status=503)
    try:
        result = await hires.world.mutate(
            REVIEW, "onboardingTaskReview", {"taskId": task_id(task.id), "decision": "APPROVE"}
        )
    finally:
        hires.jobvite_faults.reset()
    assert result["__typename"] == "ConnectorError", result
    assert result["retryable"] is True
    after = await hires.reload(task.id)
    assert (after.status, after.reviewed_at, after.reviewed_by_user_id) == (
        OnboardingTaskStatus.PENDING,
        None,
        None,
    )


# refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tasks", "field"),
    [
        ([], "tasks"),
        ([{"title": f"T{n}"} for n in range(21)], "tasks"),
        ([{"title": "ok"}, {"title": " "}], "tasks[1].title"),
        ([{"title": "Tab\tin a title"}], "tasks[0].title"),
        ([{"title": "x" * 513}], "tasks[0].title"),
        ([{"title": "ok", "description": "d" * 5001}], "tasks[0].description"),
        ([{"title": "ok", "taskType": "two words"}], "tasks[0].taskType"),
        ([{"title": "ok", "dueDate": "2020-01-01"}], "tasks[0].dueDate"),
        ([{"title": "ok", "dueDate": "2999-01-01"}], "tasks[0].dueDate"),
    ],
)
async def test_bad_tasks_send_nothing(
    hires: Hires, tasks: list[dict[str, Any]], field: str
) -> None:
    pk = await hires.application(hires.bpoc_id)
    requests = hires.requests()
    result = await hires.world.mutate(
        CREATE, "onboardingTaskCreate", {"applicationId": app_id(pk), "tasks": tasks}
    )
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field
    assert hires.requests() == requests


async def test_reviews_are_refused_for_readonly_users_and_other_tenants(hires: Hires) -> None:
    task = await hires.task(hires.bpoc_id, OnboardingTaskStatus.PENDING)
    other = hires.world.gateway.tenants["other"].tenant_id
    foreign = await hires.world.scalar(
        sa.select(OnboardingTask.id).where(OnboardingTask.tenant_id == other).limit(1)
    )
    requests = hires.requests()
    readonly = await hires.world.mutate(
        REVIEW,
        "onboardingTaskReview",
        {"taskId": task_id(task.id), "decision": "APPROVE"},
        role=Role.READONLY,
    )
    not_found = await hires.world.mutate(
        REVIEW, "onboardingTaskReview", {"taskId": task_id(int(foreign)), "decision": "REJECT"}
    )
    too_long = await hires.world.mutate(
        REVIEW,
        "onboardingTaskReview",
        {"taskId": task_id(task.id), "decision": "REJECT", "notes": "n" * 2001},
    )
    assert readonly["__typename"] == "PermissionDeniedError"
    assert not_found["__typename"] == "NotFoundError"
    assert too_long["__typename"] == "ValidationError" and too_long["field"] == "notes"
    assert hires.requests() == requests


@pytest.mark.parametrize(
    "text",
    ["nul\x00", "esc\x1b", "del\x7f", "rtl\u202eoverride", "isolate\u2067", "half \ud800"],
)
def test_text_rules_refuse_control_and_bidi_characters(text: str) -> None:
    with pytest.raises(ValidationFailed):
        text_line("title", text)
    with pytest.raises(ValidationFailed):
        optional_paragraph("notes", text, max_length=100)
    assert optional_paragraph("notes", "two\nlines\tand a tab", max_length=100)


# offers -----------------------------------------------------------------------------------


async def test_an_offer_is_written_here_only_attributed_to_the_caller(hires: Hires) -> None:
    world = hires.world
    pk = await hires.application(hires.bpoc_id, offset=1)
    requests, seen = hires.requests(), len(world.events)
    activities = await world.activities("offer.created")
    recruiter = world.demo.recruiter_user_ids[1]  # no recruiter link anywhere needed
    start = in_days(30)

    result = await world.mutate(
        OFFER,
        "offerCreate",
        {"applicationId": app_id(pk), "salary": "55000.5", "currency": "php", "startDate": start},
        user=recruiter,
    )

    assert result["__typename"] == "OfferWriteSuccess", result
    assert (result["writtenToSource"], result["replayed"]) == (False, False)
    offer = result["offer"]
    assert (offer["status"], offer["currency"], offer["startDate"], offer["remoteId"]) == (
        "DRAFT",
        "PHP",
        start,
        None,
    )
    assert Decimal(offer["salary"]) == Decimal("55000.50") and offer["sentAt"] is None
    assert offer["id"] in [o["id"] for o in result["application"]["offers"]]
    assert hires.requests() == requests
    async with world.gateway.app.state.session_factory() as session:
        row = await session.get(Offer, from_global_id(offer["id"])[1])
    assert row is not None
    assert (row.created_by_user_id, row.integration_id) == (recruiter, None)
    assert await world.activities("offer.created") == activities + 1
    await world.settle()
    [event] = world.published(seen, "offer.created")
    assert (event.data["applicationId"], event.data["salary"]) == (pk, "55000.5")
    assert names_for(event) == [OutboundEvent.OFFER_CREATED]


async def test_a_sent_offer_is_announced_as_sent_too(hires: Hires) -> None:
    world = hires.world
    pk = await hires.application(hires.jobvite_id)
    seen = len(world.events)
    result = await world.mutate(
        OFFER, "offerCreate", {"applicationId": app_id(pk), "status": "SENT"}
    )
    assert result["__typename"] == "OfferWriteSuccess", result
    assert result["offer"]["status"] == "SENT" and result["offer"]["sentAt"]
    await world.settle()
    assert [e.type for e in world.events[seen:] if e.type.startswith("offer.")] == [
        "offer.created",
        "offer.sent",
    ]


async def test_an_offer_key_replays_and_conflicts(hires: Hires) -> None:
    pk = await hires.application(hires.bpoc_id, offset=2)
    key = new_key("offer")
    request = {
        "applicationId": app_id(pk),
        "salary": "40000",
        "currency": "PHP",
        "idempotencyKey": key,
    }
    before = await hires.world.count(Offer, Offer.application_id == pk)
    first = await hires.world.mutate(OFFER, "offerCreate", request)
    again = await hires.world.mutate(OFFER, "offerCreate", request)
    other = await hires.world.mutate(OFFER, "offerCreate", {**request, "salary": "45000"})
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["offer"]["id"] == first["offer"]["id"]
    assert other["__typename"] == "IdempotencyConflictError"
    assert await hires.world.count(Offer, Offer.application_id == pk) == before + 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"salary": "-1", "currency": "PHP"}, "salary"),
        ({"salary": "NaN", "currency": "PHP"}, "salary"),
        ({"salary": "Infinity", "currency": "PHP"}, "salary"),
        ({"salary": "1.001", "currency": "PHP"}, "salary"),
        ({"salary": "1000000000000", "currency": "PHP"}, "salary"),
        ({"salary": "100"}, "currency"),
        ({"currency": "PESO"}, "currency"),
        ({"currency": "P1P"}, "currency"),
        ({"startDate": "2020-01-01"}, "startDate"),
        ({"startDate": "2999-01-01"}, "startDate"),
        ({"status": "ACCEPTED"}, "status"),
        ({"idempotencyKey": " "}, "idempotencyKey"),
    ],
)
async def test_bad_offers_are_refused_and_nothing_is_stored(
    hires: Hires, extra: dict[str, Any], field: str
) -> None:
    pk = await hires.application(hires.bpoc_id)
    before = await hires.world.count(Offer, Offer.application_id == pk)
    result = await hires.world.mutate(OFFER, "offerCreate", {"applicationId": app_id(pk), **extra})
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field
    assert await hires.world.count(Offer, Offer.application_id == pk) == before


async def test_offers_are_refused_for_readonly_other_tenants_and_closed_applications(
    hires: Hires,
) -> None:
    world = hires.world
    pk = await hires.application(hires.bpoc_id)
    other = world.gateway.tenants["other"].tenant_id
    foreign = await world.scalar(
        sa.select(Application.id).where(Application.tenant_id == other).limit(1)
    )
    rejected = await world.scalar(
        sa.select(Application.id)
        .where(
            Application.integration_id == hires.bpoc_id,
            Application.status == ApplicationStatus.REJECTED,
        )
        .limit(1)
    )
    readonly = await world.mutate(
        OFFER, "offerCreate", {"applicationId": app_id(pk)}, role=Role.READONLY
    )
    not_found = await world.mutate(OFFER, "offerCreate", {"applicationId": app_id(int(foreign))})
    closed = await world.mutate(OFFER, "offerCreate", {"applicationId": app_id(int(rejected))})
    assert readonly["__typename"] == "PermissionDeniedError"
    assert not_found["__typename"] == "NotFoundError"
    assert closed["__typename"] == "ValidationError" and closed["field"] == "applicationId"
