"""An offer's status changes: sent, accepted, declined or withdrawn.

    written = await update_offer_status(
        deps, principal, offer_id=31, status=OfferStatus.ACCEPTED,
        note="Accepted by phone", idempotency_key="offer-31-accepted",
    )
    written.ids["offer"]     # 31, now accepted, responded_at set; offer.status_changed
                             # (webhooks offer.status_changed and offer.accepted) published

Who owns the offer decides where the change is written. An offer made here
(``offerCreate``, no ``integration_id``) is the gateway's own, and is changed here
alone. An offer that came from a source system belongs to that source, and none of the
systems talentgraph speaks has an endpoint that changes an offer (see
``offer_writes``): such a change is refused as ``Unsupported`` before anything is
written, rather than recorded here and overwritten by the next sync. When a provider
grows an offer endpoint, that branch becomes a ``write_back`` with its capability.

Rules: the offer is the caller's tenant's; a draft can be sent or withdrawn; a sent
offer can be accepted, declined or withdrawn; accepted, declined and withdrawn are
final. Only a withdrawal is taken on an application that is rejected or withdrawn. A
note (at most 2,000 characters) goes into the activity. The update is conditional on
the status read, so of two concurrent changes one wins and the other is refused.

Idempotency keys behave as for every write (``writeback``'s key functions): the same
key and request answer the first result, another request under it conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import Principal
from gateway.errors import NotFound, Unsupported, ValidationFailed
from gateway.events import offer_sent, offer_status_changed
from gateway.pubsub import Event
from gateway.services.activities import Actor, record_activity
from gateway.services.application_targets import CLOSED_APPLICATION
from gateway.services.offer_writes import RecordsOffers
from gateway.services.validation import optional_paragraph
from gateway.services.writeback import LocalChange, Written, local_write
from gateway.store.base import utcnow
from gateway.store.enums import OfferStatus
from gateway.store.models import Application, Integration, Offer

OPERATION = "offerUpdateStatus"
MAX_NOTE_LENGTH = 2_000
NEXT_STATUSES: dict[OfferStatus, frozenset[OfferStatus]] = {
    OfferStatus.DRAFT: frozenset({OfferStatus.SENT, OfferStatus.WITHDRAWN}),
    OfferStatus.SENT: frozenset(
        {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN}
    ),
}
"""The changes an offer may make from each status; the statuses not named are final."""
ANSWERS = frozenset({OfferStatus.ACCEPTED, OfferStatus.DECLINED})


@dataclass(frozen=True, slots=True)
class _Found:
    offer: Offer
    application: Application
    provider: str | None


async def update_offer_status(
    deps: RecordsOffers,
    principal: Principal,
    *,
    offer_id: int,
    status: OfferStatus,
    note: str | None,
    idempotency_key: str | None,
) -> Written:
    note = optional_paragraph("note", note, max_length=MAX_NOTE_LENGTH)

    async def apply(session: AsyncSession, actor: Actor) -> LocalChange:
        found = await _load(session, principal, offer_id)
        _check(found, status)
        events = await _apply(session, principal, actor, found, status, note)
        return LocalChange({"offer": offer_id, "application": found.application.id}, events)

    return await local_write(
        deps,
        principal,
        operation=OPERATION,
        request={"offerId": offer_id, "status": str(status), "note": note},
        idempotency_key=idempotency_key,
        apply=apply,
    )


async def _load(session: AsyncSession, principal: Principal, offer_id: int) -> _Found:
    row = (
        await session.execute(
            sa.select(Offer, Application, Integration.provider)
            .join(Application, Application.id == Offer.application_id)
            .outerjoin(Integration, Integration.id == Offer.integration_id)
            .where(Offer.id == offer_id, Offer.tenant_id == principal.tenant_id)
        )
    ).first()
    if row is None:
        raise NotFound("Offer", offer_id)
    provider = row[2]
    return _Found(row[0], row[1], str(provider) if provider is not None else None)


def _check(found: _Found, status: OfferStatus) -> None:
    offer, application = found.offer, found.application
    if found.provider is not None or offer.integration_id is not None:
        raise Unsupported(found.provider or "the offer's source", OPERATION)
    if status is offer.status:
        raise ValidationFailed("status", f"the offer is {offer.status} already")
    if status not in NEXT_STATUSES.get(offer.status, frozenset()):
        raise ValidationFailed("status", f"an offer that is {offer.status} cannot become {status}")
    if application.status in CLOSED_APPLICATION and status is not OfferStatus.WITHDRAWN:
        raise ValidationFailed(
            "offerId", f"the application is {application.status}: the offer can only be withdrawn"
        )


async def _apply(
    session: AsyncSession,
    principal: Principal,
    actor: Actor,
    found: _Found,
    status: OfferStatus,
    note: str | None,
) -> list[Event]:
    offer, application = found.offer, found.application
    previous = offer.status
    now = utcnow()
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status is OfferStatus.SENT:
        values["sent_at"] = now
    if status in ANSWERS:
        values["responded_at"] = now
    changed = await session.execute(
        sa.update(Offer).where(Offer.id == offer.id, Offer.status == previous).values(values)
    )
    if getattr(changed, "rowcount", 0) != 1:
        raise ValidationFailed("offerId", "the offer changed meanwhile; read it again")
    record_activity(
        session,
        actor,
        action=f"offer.{status}",
        subject_type="Offer",
        subject_id=offer.id,
        description=f"Marked the offer {status} (was {previous})",
        job_id=application.job_id,
        candidate_id=application.candidate_id,
        application_id=application.id,
        details={"from": str(previous), "to": str(status), "note": note, "writtenToSource": False},
    )
    terms: dict[str, Any] = {
        "offer_id": offer.id,
        "application_id": application.id,
        "job_id": application.job_id,
        "candidate_id": application.candidate_id,
        "salary": str(offer.salary) if offer.salary is not None else None,
        "currency": offer.currency,
        "start_date": offer.start_date.isoformat() if offer.start_date else None,
        "status": str(status),
    }
    events = [offer_status_changed(principal.tenant_id, **terms, previous_status=str(previous))]
    if status is OfferStatus.SENT:
        events.append(offer_sent(principal.tenant_id, **terms))
    return events
