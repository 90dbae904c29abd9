"""Creating an offer directly through the service: the row, its activity and events,
the terms' rules, idempotency keys, closed applications and tenant isolation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.auth import Principal
from gateway.errors import IdempotencyConflict, NotFound, ValidationFailed
from gateway.pubsub import Event
from gateway.services.offer_writes import OfferTerms, create_offer
from gateway.services.writeback import WriteDeps
from gateway.store.enums import ApplicationStatus, OfferStatus, Role
from gateway.store.models import Activity, Application, Offer
from tests.support.gateway import Gateway

TODAY = datetime.now(UTC).date()


def principal(gateway: Gateway, slug: str = "demo") -> Principal:
    demo = gateway.tenants[slug]
    return Principal(demo.tenant_id, slug, demo.admin_user_id, Role.ADMIN, name="Admin")


def deps(gateway: Gateway) -> WriteDeps:
    written: WriteDeps = gateway.app.state.runtime.write_deps
    return written


@contextlib.asynccontextmanager
async def published(gateway: Gateway) -> AsyncIterator[list[Event]]:
    """Every event the bus carries while the block runs, of every tenant."""
    events: list[Event] = []

    async def listen() -> None:
        async for event in gateway.app.state.runtime.bus.subscribe_all():
            events.append(event)

    task = asyncio.create_task(listen())
    await asyncio.sleep(0.01)
    try:
        yield events
        await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def about(events: list[Event], offer_id: int) -> list[Event]:
    return [e for e in events if e.type.startswith("offer.") and e.data["id"] == offer_id]


async def open_application(gateway: Gateway, slug: str = "demo", skip: int = 0) -> Application:
    async with gateway.app.state.session_factory() as session:
        found: Application | None = await session.scalar(
            sa.select(Application)
            .where(
                Application.tenant_id == gateway.tenants[slug].tenant_id,
                Application.status == ApplicationStatus.ACTIVE,
            )
            .order_by(Application.id)
            .offset(skip)
            .limit(1)
        )
    assert found is not None
    return found


async def offers_of(gateway: Gateway, application_id: int) -> list[Offer]:
    async with gateway.app.state.session_factory() as session:
        return list(
            await session.scalars(
                sa.select(Offer).where(Offer.application_id == application_id).order_by(Offer.id)
            )
        )


async def test_a_sent_offer_is_stored_recorded_and_announced(gateway: Gateway) -> None:
    caller = principal(gateway)
    application = await open_application(gateway)
    terms = OfferTerms(
        salary=Decimal("55000.50"),
        currency=" php ",
        start_date=TODAY + timedelta(days=30),
        status=OfferStatus.SENT,
    )

    async with published(gateway) as events:
        written = await create_offer(
            deps(gateway), caller, application_id=application.id, terms=terms, idempotency_key=None
        )

    [offer] = [o for o in await offers_of(gateway, application.id) if o.id == written.ids["offer"]]
    assert written.ids == {"offer": offer.id, "application": application.id}
    assert not written.replayed
    assert (offer.tenant_id, offer.status, offer.currency) == (
        caller.tenant_id,
        OfferStatus.SENT,
        "PHP",
    )
    assert offer.salary == Decimal("55000.50")
    assert offer.sent_at is not None
    assert offer.created_by_user_id == caller.user_id
    async with gateway.app.state.session_factory() as session:
        activity = await session.scalar(
            sa.select(Activity).where(
                Activity.subject_type == "Offer", Activity.subject_id == offer.id
            )
        )
    assert activity is not None and activity.action == "offer.created"
    assert activity.details["writtenToSource"] is False
    assert activity.application_id == application.id
    mine = about(events, offer.id)
    assert [e.type for e in mine] == ["offer.created", "offer.sent"]
    assert {e.tenant_id for e in mine} == {caller.tenant_id}
    assert mine[0].data["currency"] == "PHP" and mine[0].data["salary"] == "55000.50"


async def test_a_draft_is_announced_as_created_only(gateway: Gateway) -> None:
    application = await open_application(gateway, skip=1)

    async with published(gateway) as events:
        written = await create_offer(
            deps(gateway),
            principal(gateway),
            application_id=application.id,
            terms=OfferTerms(),
            idempotency_key=None,
        )

    offer_id = written.ids["offer"]
    [offer] = [o for o in await offers_of(gateway, application.id) if o.id == offer_id]
    assert offer.status is OfferStatus.DRAFT and offer.sent_at is None
    assert [e.type for e in about(events, offer_id)] == ["offer.created"]


async def test_an_idempotency_key_replays_and_refuses_other_terms(gateway: Gateway) -> None:
    caller = principal(gateway)
    application = await open_application(gateway, skip=2)
    terms = OfferTerms(salary=Decimal("1000"), currency="USD")
    before = len(await offers_of(gateway, application.id))

    first = await create_offer(
        deps(gateway), caller, application_id=application.id, terms=terms, idempotency_key="o-1"
    )
    again = await create_offer(
        deps(gateway), caller, application_id=application.id, terms=terms, idempotency_key="o-1"
    )
    assert again.replayed and again.ids == first.ids
    with pytest.raises(IdempotencyConflict):
        await create_offer(
            deps(gateway),
            caller,
            application_id=application.id,
            terms=OfferTerms(salary=Decimal("2000"), currency="USD"),
            idempotency_key="o-1",
        )
    assert len(await offers_of(gateway, application.id)) == before + 1


async def test_another_tenants_application_is_not_found(gateway: Gateway) -> None:
    theirs = await open_application(gateway, "other")
    before = await offers_of(gateway, theirs.id)

    async with published(gateway) as events:
        with pytest.raises(NotFound):
            await create_offer(
                deps(gateway),
                principal(gateway, "demo"),
                application_id=theirs.id,
                terms=OfferTerms(),
                idempotency_key="cross-tenant",
            )

    assert await offers_of(gateway, theirs.id) == before
    assert [e for e in events if e.type.startswith("offer.")] == []
    mine = await open_application(gateway, skip=3)
    retried = await create_offer(
        deps(gateway),
        principal(gateway, "demo"),
        application_id=mine.id,
        terms=OfferTerms(),
        idempotency_key="cross-tenant",
    )
    assert not retried.replayed, "a failed write releases its key"


async def test_a_closed_application_gets_no_offer(gateway: Gateway) -> None:
    application = await open_application(gateway, skip=4)
    async with gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Application)
            .where(Application.id == application.id)
            .values(status=ApplicationStatus.WITHDRAWN)
        )

    with pytest.raises(ValidationFailed) as refused:
        await create_offer(
            deps(gateway),
            principal(gateway),
            application_id=application.id,
            terms=OfferTerms(),
            idempotency_key=None,
        )
    assert refused.value.field == "applicationId"
    assert await offers_of(gateway, application.id) == []


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"salary": Decimal("-1"), "currency": "USD"}, "salary"),
        ({"salary": Decimal("10.005"), "currency": "USD"}, "salary"),
        ({"salary": Decimal("NaN"), "currency": "USD"}, "salary"),
        ({"salary": Decimal("1000")}, "currency"),
        ({"currency": "PESO"}, "currency"),
        ({"start_date": TODAY - timedelta(days=1)}, "startDate"),
        ({"start_date": TODAY + timedelta(days=731)}, "startDate"),
        ({"status": OfferStatus.ACCEPTED}, "status"),
    ],
)
async def test_terms_outside_the_rules_write_nothing(
    gateway: Gateway, terms: dict[str, Any], field: str
) -> None:
    application = await open_application(gateway, skip=5)
    before = await offers_of(gateway, application.id)

    with pytest.raises(ValidationFailed) as refused:
        await create_offer(
            deps(gateway),
            principal(gateway),
            application_id=application.id,
            terms=OfferTerms(**terms),
            idempotency_key=None,
        )
    assert refused.value.field == field
    assert await offers_of(gateway, application.id) == before


def test_terms_are_normalised() -> None:
    checked = OfferTerms(salary=Decimal("12.5"), currency="eur", start_date=TODAY).checked(TODAY)
    assert checked == OfferTerms(Decimal("12.5"), "EUR", TODAY, OfferStatus.DRAFT)
    assert OfferTerms(currency="  ").checked(TODAY).currency is None
