"""Offers: the gateway's own records, written here and nowhere else.

    written = await create_offer(
        deps, principal, application_id=12,
        terms=OfferTerms(salary=Decimal("55000"), currency="PHP", start_date=date(2030, 3, 1)),
        idempotency_key="offer-12",
    )
    written.ids["offer"]           # the new offer, status draft, created by the caller

Why no source write: none of the provider APIs talentgraph speaks has an offer
endpoint. No path of Recruiterflow's OpenAPI document or of Workday Recruiting v4 names
offers, Jobvite v2 exposes requisitions and candidates only, and BPOC's guide lists
job, application, interview and onboarding writes (its ``job_offers`` table appears in
the attribution example, with no endpoint that writes it). So there is no
``Capability`` for offers and no connector call: an offer is gateway-owned, like a
score or an evaluation. It carries no ``integration_id``/``remote_id``, needs no
recruiter link, and the caller is attributed locally (``created_by_user_id``, the
activity's actor). The GraphQL payload says so (``writtenToSource: false``). When a
provider grows an offer endpoint, this becomes a ``write_back`` with its capability.

The write still follows ``write_back``'s shape: one transaction for the offer, the
activity, the staged bus events and the idempotency key, then the events are published
and the tenant's cached responses dropped. Idempotency keys behave exactly as for
writes to a source (same table, same rules), through ``writeback``'s key functions.

Rules: the application is the tenant's and neither rejected nor withdrawn; a salary is
a finite, non-negative amount with at most two decimals and at most twelve integer
digits, and needs a currency; a currency is three letters (ISO 4217, upper-cased); a
start date is today (UTC) or later, within two years; an offer starts as a draft or as
sent (accepted, declined and withdrawn are answers to an offer, not how one starts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import Principal
from gateway.errors import NotFound, ValidationFailed
from gateway.events import offer_created, offer_sent
from gateway.services.activities import Actor, record_activity
from gateway.services.application_targets import CLOSED_APPLICATION
from gateway.services.writeback import LocalChange, RecordsLocally, Written, local_write
from gateway.store.base import utcnow
from gateway.store.enums import OfferStatus
from gateway.store.models import Application, Offer

OPERATION = "offerCreate"
MAX_SALARY = Decimal("999999999999.99")
"""What ``offers.salary`` (NUMERIC(14, 2)) holds."""
MAX_START_AHEAD = timedelta(days=730)
STARTING_STATUSES = frozenset({OfferStatus.DRAFT, OfferStatus.SENT})
_CURRENCY = re.compile(r"[A-Z]{3}")


class RecordsOffers(RecordsLocally, Protocol):
    """No connector: an offer is the gateway's own. ``WriteDeps`` and ``Runtime`` fit."""


@dataclass(frozen=True, slots=True)
class OfferTerms:
    salary: Decimal | None = None
    currency: str | None = None
    start_date: date | None = None
    status: OfferStatus = OfferStatus.DRAFT

    def checked(self, today: date) -> OfferTerms:
        """The terms normalised (``"php"`` -> ``"PHP"``), or ``ValidationFailed``."""
        salary = self.salary
        if salary is not None:
            if not salary.is_finite() or salary < 0 or salary > MAX_SALARY:
                raise ValidationFailed(
                    "salary", f"salary must be a finite amount from 0 to {MAX_SALARY}"
                )
            if salary != salary.quantize(Decimal("0.01")):
                raise ValidationFailed("salary", "salary has at most two decimal places")
        currency = (self.currency or "").strip().upper() or None
        if currency is not None and not _CURRENCY.fullmatch(currency):
            raise ValidationFailed("currency", "currency is a three-letter ISO 4217 code")
        if salary is not None and currency is None:
            raise ValidationFailed("currency", "a salary needs its currency")
        if self.start_date is not None and not (
            today <= self.start_date <= today + MAX_START_AHEAD
        ):
            raise ValidationFailed(
                "startDate", "startDate must be from today (UTC) to two years ahead"
            )
        if self.status not in STARTING_STATUSES:
            raise ValidationFailed("status", "a new offer is a draft or sent")
        return OfferTerms(salary, currency, self.start_date, self.status)

    def request(self) -> dict[str, Any]:
        return {
            "salary": str(self.salary) if self.salary is not None else None,
            "currency": self.currency,
            "startDate": self.start_date.isoformat() if self.start_date else None,
            "status": str(self.status),
        }


async def create_offer(
    deps: RecordsOffers,
    principal: Principal,
    *,
    application_id: int,
    terms: OfferTerms,
    idempotency_key: str | None,
) -> Written:
    now = utcnow()
    offer = terms.checked(now.date())

    async def apply(session: AsyncSession, actor: Actor) -> LocalChange:
        application = await session.get(Application, application_id)
        if application is None or application.tenant_id != principal.tenant_id:
            raise NotFound("Application", application_id)
        if application.status in CLOSED_APPLICATION:
            raise ValidationFailed("applicationId", f"the application is {application.status}")
        row = Offer(
            tenant_id=principal.tenant_id,
            application_id=application.id,
            status=offer.status,
            salary=offer.salary,
            currency=offer.currency,
            start_date=offer.start_date,
            sent_at=now if offer.status is OfferStatus.SENT else None,
            created_by_user_id=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        described = f" of {offer.salary} {offer.currency}" if offer.salary is not None else ""
        record_activity(
            session,
            actor,
            action="offer.created",
            subject_type="Offer",
            subject_id=row.id,
            description=f"Created an offer{described} ({offer.status})",
            job_id=application.job_id,
            candidate_id=application.candidate_id,
            application_id=application.id,
            details={**offer.request(), "writtenToSource": False},
        )
        announced = [offer_created, *([offer_sent] if offer.status is OfferStatus.SENT else [])]
        events = [
            announce(
                principal.tenant_id,
                offer_id=row.id,
                application_id=application.id,
                job_id=application.job_id,
                candidate_id=application.candidate_id,
                salary=str(offer.salary) if offer.salary is not None else None,
                currency=offer.currency,
                start_date=offer.start_date.isoformat() if offer.start_date else None,
                status=str(offer.status),
            )
            for announce in announced
        ]
        return LocalChange({"offer": row.id, "application": application.id}, events)

    return await local_write(
        deps,
        principal,
        operation=OPERATION,
        request={"applicationId": application_id, **offer.request()},
        idempotency_key=idempotency_key,
        apply=apply,
    )
