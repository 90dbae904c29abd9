"""What no ATS holds, made from the synced records: resume analyses (by the offline
provider) and offers where the pipelines reached the offer stage."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from demo.sync.applications import synced_applications
from gateway.ai.offline import OfflineProvider
from gateway.cache import ResponseCache
from gateway.pubsub import EventBus
from gateway.services.analysis import AnalysisDeps, analyze_new_applications
from gateway.store.engine import SessionFactory
from gateway.store.enums import ApplicationStatus, OfferStatus, StageKind
from gateway.store.models import Offer


async def analyze(
    factory: SessionFactory,
    bus: EventBus,
    cache: ResponseCache,
    tenant_id: int,
    share: float = 0.3,
    seed: int = 7,
) -> None:
    """Resume analyses of a deterministic share of the active applications (all of them
    would hold the start-up for half a minute), by the offline provider (no model
    needed), after the syncs so they read the synced resumes. Analysed ones are skipped."""
    rng = random.Random(seed)
    async with factory() as session:
        synced = await synced_applications(session, tenant_id)
    ids = [
        app.id for app in synced if rng.random() < share and app.status is ApplicationStatus.ACTIVE
    ]
    deps = AnalysisDeps(factory, bus, cache, OfflineProvider())
    await analyze_new_applications(deps, tenant_id, ids, trigger="demo")


async def seed_offers(factory: SessionFactory, tenant_id: int, seed: int = 7) -> None:
    """Offers (the gateway's own records) where the synced pipelines reached the offer
    stage: accepted for hires; sent, draft, declined (a counter-offer pending) or
    withdrawn for those at the offer stage now; declined or withdrawn for those rejected
    after it. Nothing is added once the tenant has one."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    async with factory.begin() as session:
        if await session.scalar(sa.select(Offer.id).where(Offer.tenant_id == tenant_id).limit(1)):
            return
        rows: list[dict[str, Any]] = []
        for app in await synced_applications(session, tenant_id):
            if StageKind.OFFER not in app.kinds:
                continue
            if app.status is ApplicationStatus.HIRED:
                status = OfferStatus.ACCEPTED
            elif app.status is ApplicationStatus.REJECTED:
                status = rng.choice((OfferStatus.DECLINED, OfferStatus.WITHDRAWN))
            elif app.kinds[-1] is StageKind.OFFER:
                status = rng.choices(
                    (
                        OfferStatus.SENT,
                        OfferStatus.DRAFT,
                        OfferStatus.DECLINED,
                        OfferStatus.WITHDRAWN,
                    ),
                    weights=(55, 25, 10, 10),
                )[0]
            else:
                continue
            created = now - timedelta(days=rng.randint(3, 40), minutes=rng.randint(0, 1440))
            sent = None if status is OfferStatus.DRAFT else created + timedelta(hours=2)
            answered = status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
            responded = sent + timedelta(days=rng.randint(1, 3)) if sent and answered else None
            currency = app.currency or "USD"
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "application_id": app.id,
                    "status": status,
                    "salary": Decimal(rng.randrange(30, 180) * 1000).quantize(Decimal("0.01")),
                    "currency": currency[:3],
                    "start_date": (now + timedelta(days=rng.randint(14, 45))).date(),
                    "sent_at": sent,
                    "responded_at": responded,
                    "created_by_user_id": app.recruiter_id,
                    "created_at": created,
                    "updated_at": responded or sent or created,
                }
            )
        if rows:
            await session.execute(sa.insert(Offer), rows)
