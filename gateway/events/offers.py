"""Offer events: created, sent, and each later change of status."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.events.catalogue import _builds, _event, _payload
from gateway.events.names import EventName
from gateway.events.payload import Payload, _subject
from gateway.pubsub import Event


@dataclass(frozen=True, slots=True, kw_only=True)
class _OfferTerms(Payload):
    offer_id: int = _subject()
    application_id: int
    job_id: int
    candidate_id: int
    salary: str | None
    currency: str | None
    start_date: str | None
    status: str


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class OfferCreated(_OfferTerms):
    NAME = EventName.OFFER_CREATED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class OfferSent(_OfferTerms):
    NAME = EventName.OFFER_SENT


@_builds(EventName.OFFER_CREATED)
def offer_created(
    tenant_id: int,
    *,
    offer_id: int,
    application_id: int,
    job_id: int,
    candidate_id: int,
    salary: str | None,
    currency: str | None,
    start_date: str | None,
    status: str,
) -> Event:
    return _event(
        tenant_id,
        OfferCreated(
            offer_id=offer_id,
            application_id=application_id,
            job_id=job_id,
            candidate_id=candidate_id,
            salary=salary,
            currency=currency,
            start_date=start_date,
            status=status,
        ),
    )


@_builds(EventName.OFFER_SENT)
def offer_sent(
    tenant_id: int,
    *,
    offer_id: int,
    application_id: int,
    job_id: int,
    candidate_id: int,
    salary: str | None,
    currency: str | None,
    start_date: str | None,
    status: str,
) -> Event:
    return _event(
        tenant_id,
        OfferSent(
            offer_id=offer_id,
            application_id=application_id,
            job_id=job_id,
            candidate_id=candidate_id,
            salary=salary,
            currency=currency,
            start_date=start_date,
            status=status,
        ),
    )


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class OfferStatusChanged(_OfferTerms):
    """An answer to an offer, or its withdrawal: ``status`` is the new one."""

    NAME = EventName.OFFER_STATUS_CHANGED
    previous_status: str


@_builds(EventName.OFFER_STATUS_CHANGED)
def offer_status_changed(
    tenant_id: int,
    *,
    offer_id: int,
    application_id: int,
    job_id: int,
    candidate_id: int,
    salary: str | None,
    currency: str | None,
    start_date: str | None,
    status: str,
    previous_status: str,
) -> Event:
    return _event(
        tenant_id,
        OfferStatusChanged(
            offer_id=offer_id,
            application_id=application_id,
            job_id=job_id,
            candidate_id=candidate_id,
            salary=salary,
            currency=currency,
            start_date=start_date,
            status=status,
            previous_status=previous_status,
        ),
    )
