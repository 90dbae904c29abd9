"""Interview rounds booked directly, against the BPOC fake over real HTTP: the round
sent with the caller and the interviewer as BPOC knows them, stored and announced; the
type, the time, the interviewer and the application's state checked before any
request; another tenant's application or interviewer not found."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from demo.sandbox.bpoc import ADMIN_ID, RECRUITER_ID, BpocFake
from gateway.errors import NotFound, RecruiterLinkMissing, ValidationFailed
from gateway.services.interview_writes import schedule_interview
from gateway.services.writeback import Written
from gateway.store.enums import ApplicationStatus, InterviewKind, InterviewStatus
from gateway.store.models import Application, Interview
from tests.gateway.services.service_world import World, bpoc_agency
from tests.support.gateway import Gateway


@dataclass
class Bpoc:
    world: World
    fake: BpocFake
    integration_id: int

    @property
    def linked(self) -> int:
        return self.world.gateway.tenants["demo"].recruiter_user_ids[0]

    @property
    def unlinked(self) -> int:
        return self.world.gateway.tenants["demo"].recruiter_user_ids[1]

    async def application(self, status: ApplicationStatus, index: int = 0) -> int:
        rows = await self.world.rows(
            sa.select(Application.id)
            .where(Application.integration_id == self.integration_id, Application.status == status)
            .order_by(Application.id)
        )
        return int(rows[index].id)

    async def book(
        self,
        application_id: int,
        *,
        when: datetime | None = None,
        kind: str = "client_round_1",
        interviewer_id: int | None = None,
        tenant: str = "demo",
        key: str | None = None,
    ) -> Written:
        return await schedule_interview(
            self.world.write_deps,
            self.world.principal(tenant),
            application_id=application_id,
            interview_type=kind,
            scheduled_at=when or in_days(3),
            interviewer_id=interviewer_id,
            idempotency_key=key,
        )


def in_days(days: float) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)


@pytest.fixture(scope="module")
async def bpoc(gateway: Gateway) -> AsyncIterator[Bpoc]:
    async with bpoc_agency(gateway, jobs=3, candidates=8, applications=16) as agency:
        yield Bpoc(agency.world, agency.fake, agency.integration_id)


async def test_a_round_is_booked_as_the_caller_with_the_interviewer_then_stored(
    bpoc: Bpoc,
) -> None:
    world = bpoc.world
    pk = await bpoc.application(ApplicationStatus.RELEASED)
    remote = (await world.get(Application, pk)).remote_id
    manila = timezone(timedelta(hours=8))
    when = in_days(5).astimezone(manila)
    writes, seen = len(bpoc.fake.writes), len(world.events)

    written = await bpoc.book(pk, when=when, interviewer_id=bpoc.linked, key="round-1")
    again = await bpoc.book(pk, when=when, interviewer_id=bpoc.linked, key="round-1")

    assert (again.replayed, again.ids) == (True, written.ids)
    [write] = bpoc.fake.writes[writes:]
    assert write.path == "/interviews"
    assert write.body == {
        "applicationId": remote,
        "interviewType": "client_round_1",
        "scheduledAt": when.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "interviewerId": RECRUITER_ID,
        "scheduledBy": ADMIN_ID,
    }
    row: Interview = await world.get(Interview, written.ids["interview"])
    assert (row.tenant_id, row.application_id, row.kind, row.status) == (
        world.tenant_id("demo"),
        pk,
        InterviewKind.SCHEDULED,
        InterviewStatus.SCHEDULED,
    )
    assert row.remote_id in bpoc.fake.interviews
    assert (row.interviewer_user_id, row.scheduled_by_user_id) == (
        bpoc.linked,
        world.principal().user_id,
    )
    [event] = await world.published(seen, "interview.created")
    assert (event.tenant_id, event.data["status"]) == (world.tenant_id("demo"), "scheduled")


@pytest.mark.parametrize(
    ("kind", "when", "field"),
    [
        ("Client Round 1", in_days(3), "interviewType"),
        ("", in_days(3), "interviewType"),
        ("client_round_1", in_days(3).replace(tzinfo=None), "scheduledAt"),
        ("client_round_1", in_days(731), "scheduledAt"),
        ("client_round_1", in_days(-1), "scheduledAt"),
    ],
    ids=["spaces", "empty", "no-time-zone", "too-far", "past"],
)
async def test_a_bad_type_or_time_is_refused_before_any_request(
    bpoc: Bpoc, kind: str, when: datetime, field: str
) -> None:
    pk = await bpoc.application(ApplicationStatus.RELEASED)
    writes = len(bpoc.fake.writes)

    with pytest.raises(ValidationFailed) as refused:
        await bpoc.book(pk, kind=kind, when=when)

    assert refused.value.field == field
    assert len(bpoc.fake.writes) == writes


async def test_an_interviewer_without_a_recruiter_id_is_named(bpoc: Bpoc) -> None:
    pk = await bpoc.application(ApplicationStatus.RELEASED)
    writes = len(bpoc.fake.writes)
    interviews = await bpoc.world.count(Interview, Interview.application_id == pk)

    with pytest.raises(RecruiterLinkMissing, match="the interviewer"):
        await bpoc.book(pk, interviewer_id=bpoc.unlinked)

    assert len(bpoc.fake.writes) == writes
    assert await bpoc.world.count(Interview, Interview.application_id == pk) == interviews


async def test_another_tenants_application_or_interviewer_is_not_found(bpoc: Bpoc) -> None:
    world = bpoc.world
    pk = await bpoc.application(ApplicationStatus.RELEASED)
    their_user = world.gateway.tenants["other"].recruiter_user_ids[0]
    writes = len(bpoc.fake.writes)

    with pytest.raises(NotFound) as interviewer:
        await bpoc.book(pk, interviewer_id=their_user)
    with pytest.raises(NotFound) as application:
        await bpoc.book(pk, tenant="other")

    assert (interviewer.value.entity, application.value.entity) == ("Recruiter", "Application")
    assert len(bpoc.fake.writes) == writes


async def test_a_rejected_application_gets_no_round(bpoc: Bpoc) -> None:
    pk = await bpoc.application(ApplicationStatus.REJECTED)
    writes = len(bpoc.fake.writes)

    with pytest.raises(ValidationFailed, match="the application is rejected"):
        await bpoc.book(pk)

    assert len(bpoc.fake.writes) == writes
