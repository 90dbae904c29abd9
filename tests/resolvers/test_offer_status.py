"""``offerUpdateStatus`` on SQLite and PostgreSQL, over a gateway synced from the BPOC
fake: an offer made here is sent, answered or withdrawn here, with an activity and
``offer.status_changed`` (webhooks ``offer.accepted``/``offer.declined``); an offer from a
source is refused as unsupported, since no source takes offer changes; bad moves, closed
applications, other tenants and read-only callers are refused and change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from demo.sandbox.bpoc import ADMIN_ID, MAIN_API_KEY, BpocFake
from gateway.outbound_events import OutboundEvent, names_for
from gateway.store.enums import ApplicationStatus, OfferStatus, Role
from gateway.store.models import Activity, Application, Offer
from resolvers.relay import from_global_id, to_global_id
from tests.support.graphql_fragments import WRITE_ERRORS
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world, new_key

CREATE = f"""mutation($input: OfferCreateInput!) {{
  offerCreate(input: $input) {{
    __typename ... on OfferWriteSuccess {{ offer {{ id status }} }} {WRITE_ERRORS}
  }}
}}"""
UPDATE = f"""mutation($input: OfferUpdateStatusInput!) {{
  offerUpdateStatus(input: $input) {{
    __typename
    ... on OfferWriteSuccess {{
      replayed writtenToSource
      offer {{ id status sentAt respondedAt createdBy {{ id }} }}
      application {{ id }}
    }}
    {WRITE_ERRORS}
  }}
}}"""


@dataclass
class Offers:
    world: GatewayWorld
    bpoc: BpocFake
    bpoc_id: int

    async def application(self, status: ApplicationStatus = ApplicationStatus.ACTIVE) -> int:
        found = await self.world.scalar(
            sa.select(Application.id)
            .where(Application.integration_id == self.bpoc_id, Application.status == status)
            .order_by(Application.id)
            .limit(1)
        )
        assert found is not None, status
        return int(found)

    async def offer(self, status: str = "DRAFT", application: int | None = None) -> str:
        pk = application if application is not None else await self.application()
        result = await self.world.mutate(
            CREATE,
            "offerCreate",
            {"applicationId": to_global_id("Application", pk), "status": status},
        )
        assert result["__typename"] == "OfferWriteSuccess", result
        return str(result["offer"]["id"])

    async def stored(self, offer_id: str) -> Offer:
        async with self.world.gateway.app.state.session_factory() as session:
            row = await session.get(Offer, from_global_id(offer_id)[1])
        assert row is not None
        return row


@pytest.fixture(scope="module")
async def offers(backend: Backend) -> AsyncIterator[Offers]:
    bpoc = BpocFake()
    bpoc.seed(jobs=2, candidates=6, applications=10)
    async with gateway_world(backend, {"https://bpoc.io": bpoc.app}) as world:
        bpoc_id = await world.add_integration("bpoc", "BPOC offers", {"apiKey": MAIN_API_KEY})
        await world.link(world.demo.admin_user_id, bpoc_id, ADMIN_ID)
        await world.sync(bpoc_id)
        yield Offers(world, bpoc, bpoc_id)


async def test_a_sent_offer_accepted_is_recorded_and_announced(offers: Offers) -> None:
    world = offers.world
    offer_id = await offers.offer("SENT")
    seen, requests = len(world.events), offers.bpoc.faults.requests
    before = await world.activities("offer.accepted")

    result = await world.mutate(
        UPDATE,
        "offerUpdateStatus",
        {"offerId": offer_id, "status": "ACCEPTED", "note": "Accepted on the phone"},
    )

    assert result["__typename"] == "OfferWriteSuccess", result
    assert (result["replayed"], result["writtenToSource"]) == (False, False)
    assert result["offer"]["status"] == "ACCEPTED" and result["offer"]["respondedAt"]
    assert offers.bpoc.faults.requests == requests  # an offer made here stays here
    row = await offers.stored(offer_id)
    assert row.status is OfferStatus.ACCEPTED and row.responded_at is not None
    assert await world.activities("offer.accepted") == before + 1
    note = await world.scalar(
        sa.select(Activity.details)
        .where(Activity.action == "offer.accepted", Activity.subject_id == row.id)
        .limit(1)
    )
    assert note["note"] == "Accepted on the phone" and note["from"] == "sent"
    await world.settle()
    [event] = world.published(seen, "offer.status_changed")
    assert (event.data["status"], event.data["previousStatus"]) == ("accepted", "sent")
    assert names_for(event) == [OutboundEvent.OFFER_STATUS_CHANGED, OutboundEvent.OFFER_ACCEPTED]


async def test_a_declined_offer_fires_offer_declined(offers: Offers) -> None:
    world = offers.world
    offer_id = await offers.offer("SENT")
    seen = len(world.events)
    result = await world.mutate(
        UPDATE, "offerUpdateStatus", {"offerId": offer_id, "status": "DECLINED"}
    )
    assert result["offer"]["status"] == "DECLINED", result
    await world.settle()
    [event] = world.published(seen, "offer.status_changed")
    assert names_for(event) == [OutboundEvent.OFFER_STATUS_CHANGED, OutboundEvent.OFFER_DECLINED]


async def test_sending_a_draft_sets_sent_at_and_announces_it_sent(offers: Offers) -> None:
    world = offers.world
    offer_id = await offers.offer()
    seen = len(world.events)
    result = await world.mutate(
        UPDATE, "offerUpdateStatus", {"offerId": offer_id, "status": "SENT"}
    )
    assert result["offer"]["status"] == "SENT" and result["offer"]["sentAt"], result
    await world.settle()
    announced = [e for e in world.events[seen:] if e.type.startswith("offer.")]
    assert [e.type for e in announced] == ["offer.status_changed", "offer.sent"]
    assert [name for e in announced for name in names_for(e)] == [
        OutboundEvent.OFFER_STATUS_CHANGED,
        OutboundEvent.OFFER_SENT,
    ]


async def test_a_key_replays_and_conflicts(offers: Offers) -> None:
    world = offers.world
    offer_id = await offers.offer("SENT")
    request = {"offerId": offer_id, "status": "DECLINED", "idempotencyKey": new_key("status")}
    before = await world.activities("offer.declined")
    first = await world.mutate(UPDATE, "offerUpdateStatus", request)
    again = await world.mutate(UPDATE, "offerUpdateStatus", request)
    other = await world.mutate(UPDATE, "offerUpdateStatus", {**request, "status": "ACCEPTED"})
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["offer"]["id"] == offer_id and again["offer"]["status"] == "DECLINED"
    assert other["__typename"] == "IdempotencyConflictError"
    assert await world.activities("offer.declined") == before + 1


@pytest.mark.parametrize(
    ("start", "status"),
    [
        ("DRAFT", "ACCEPTED"),  # not sent yet
        ("DRAFT", "DRAFT"),
        ("SENT", "SENT"),
        ("SENT", "DRAFT"),
    ],
)
async def test_bad_moves_are_refused_and_change_nothing(
    offers: Offers, start: str, status: str
) -> None:
    offer_id = await offers.offer(start)
    result = await offers.world.mutate(
        UPDATE, "offerUpdateStatus", {"offerId": offer_id, "status": status}
    )
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "status"
    assert (await offers.stored(offer_id)).status is OfferStatus(start.lower())


async def test_a_final_answer_is_final(offers: Offers) -> None:
    offer_id = await offers.offer("SENT")
    await offers.world.mutate(
        UPDATE, "offerUpdateStatus", {"offerId": offer_id, "status": "DECLINED"}
    )
    again = await offers.world.mutate(
        UPDATE, "offerUpdateStatus", {"offerId": offer_id, "status": "ACCEPTED"}
    )
    assert again["__typename"] == "ValidationError" and again["field"] == "status"
    assert (await offers.stored(offer_id)).status is OfferStatus.DECLINED


async def test_a_closed_application_only_takes_a_withdrawal(offers: Offers) -> None:
    world = offers.world
    pk = await offers.application()
    offer_id = await offers.offer("SENT", application=pk)
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Application)
            .where(Application.id == pk)
            .values(status=ApplicationStatus.REJECTED)
        )
    try:
        accepted = await world.mutate(
            UPDATE, "offerUpdateStatus", {"offerId": offer_id, "status": "ACCEPTED"}
        )
        withdrawn = await world.mutate(
            UPDATE, "offerUpdateStatus", {"offerId": offer_id, "status": "WITHDRAWN"}
        )
    finally:
        async with world.gateway.app.state.session_factory.begin() as session:
            await session.execute(
                sa.update(Application)
                .where(Application.id == pk)
                .values(status=ApplicationStatus.ACTIVE)
            )
    assert accepted["__typename"] == "ValidationError" and accepted["field"] == "offerId"
    assert withdrawn["offer"]["status"] == "WITHDRAWN", withdrawn


async def test_an_offer_from_a_source_is_refused_as_unsupported(offers: Offers) -> None:
    world = offers.world
    synced = await world.scalar(
        sa.select(Offer.id)
        .where(
            Offer.tenant_id == world.tenant_id,
            Offer.integration_id.is_not(None),
            Offer.status == OfferStatus.SENT,
        )
        .limit(1)
    )
    assert synced is not None
    seen = len(world.events)
    result = await world.mutate(
        UPDATE,
        "offerUpdateStatus",
        {"offerId": to_global_id("Offer", int(synced)), "status": "ACCEPTED"},
    )
    assert result["__typename"] == "UnsupportedOperationError", result
    assert "offerUpdateStatus" in result["message"]
    assert await world.scalar(sa.select(Offer.status).where(Offer.id == synced)) == "sent"
    await world.settle()
    assert not world.published(seen, "offer.status_changed")


async def test_other_tenants_and_readonly_callers_are_refused(offers: Offers) -> None:
    world = offers.world
    other = world.gateway.tenants["other"].tenant_id
    foreign = await world.scalar(sa.select(Offer.id).where(Offer.tenant_id == other).limit(1))
    assert foreign is not None
    not_found = await world.mutate(
        UPDATE,
        "offerUpdateStatus",
        {"offerId": to_global_id("Offer", int(foreign)), "status": "WITHDRAWN"},
    )
    offer_id = await offers.offer("SENT")
    readonly = await world.mutate(
        UPDATE,
        "offerUpdateStatus",
        {"offerId": offer_id, "status": "ACCEPTED"},
        role=Role.READONLY,
    )
    assert not_found["__typename"] == "NotFoundError", not_found
    assert readonly["__typename"] == "PermissionDeniedError", readonly
    assert (await offers.stored(offer_id)).status is OfferStatus.SENT
