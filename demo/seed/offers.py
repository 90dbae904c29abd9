"""Offers for applications that reached the Offer stage, and onboarding tasks for the
hires of the integrations that track them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from demo.sandbox.declaration import RemoteIds, SeedLook
from demo.seed.state import BuilderState
from demo.seed.values import (
    BASE_TIME,
    DAY,
    HOUR,
    MINUTE,
    Row,
    random_between,
    random_span,
    synced_columns,
)
from demo.seed.world import ALNUM, FX, ONBOARDING_TASKS
from gateway.store.enums import ApplicationStatus, OfferStatus, OnboardingTaskStatus
from gateway.store.models import Application, Offer, OnboardingTask


class OfferSteps(BuilderState):
    """Offers and onboarding tasks."""

    def _offers_and_onboarding(self) -> None:
        rng = self.rng
        offer_number = 0
        for app in self.rows[Application]:
            history = self.transitions[app["id"]]
            offer_step = next((t for t in history if t["to_stage_name"] == "Offer"), None)
            hired = app["status"] is ApplicationStatus.HIRED
            at_offer = app["status"] is ApplicationStatus.ACTIVE and history[-1] is offer_step
            if offer_step is None or not (hired or at_offer):
                continue
            job = self.jobs[app["job_id"]]
            look = self._look(job["integration_id"])
            offered: datetime = offer_step["entered_at"]
            if hired:
                status = OfferStatus.ACCEPTED
                decided: datetime = offer_step["left_at"]
                sent: datetime | None = random_between(
                    rng, offered, offered + (decided - offered) / 3
                )
                responded: datetime | None = random_between(rng, sent or offered, decided)
                start_date = (decided + random_span(rng, 14 * DAY, 30 * DAY)).date()
            else:
                status = rng.choices((OfferStatus.SENT, OfferStatus.DRAFT), weights=(70, 30))[0]
                sent = (
                    offered + random_span(rng, HOUR, 20 * HOUR)
                    if status is OfferStatus.SENT
                    else None
                )
                responded = None
                start_date = (BASE_TIME + random_span(rng, 21 * DAY, 45 * DAY)).date()
            offer_number += 1
            salary_usd = rng.randrange(30, 180) * 1000
            salary = Decimal(round(salary_usd * FX[job["currency"]] / 1000) * 1000)
            remote_id = self._remote_id(look, "offer", offer_number)
            remote_data = {
                "id": remote_id,
                "application_id": app["remote_id"],
                "status": status.value,
                "salary": str(salary),
                "currency": job["currency"],
                "start_date": start_date.isoformat(),
            }
            self._add(
                Offer,
                {
                    "tenant_id": self.tenant_id,
                    **synced_columns(
                        job["integration_id"],
                        remote_id,
                        remote_data,
                        remote_updated_at=responded or sent or offered,
                        last_synced_at=BASE_TIME - random_span(rng, MINUTE, 30 * MINUTE),
                    ),
                    "application_id": app["id"],
                    "status": status,
                    "salary": salary.quantize(Decimal("0.01")),
                    "currency": job["currency"],
                    "start_date": start_date,
                    "sent_at": sent,
                    "responded_at": responded,
                    "created_by_user_id": job["recruiter_id"],
                    "created_at": offered,
                    "updated_at": responded or sent or offered,
                },
            )
            if hired and look.onboarding:
                self._onboarding(app, job, look)

    def _onboarding(self, app: Row, job: Row, look: SeedLook) -> None:
        rng = self.rng
        hired_at: datetime = app["hired_at"]
        for title, task_type, description in rng.sample(ONBOARDING_TASKS, rng.randint(2, 3)):
            status = rng.choices(
                (
                    OnboardingTaskStatus.APPROVED,
                    OnboardingTaskStatus.SUBMITTED,
                    OnboardingTaskStatus.PENDING,
                    OnboardingTaskStatus.REJECTED,
                ),
                weights=(45, 30, 20, 5),
            )[0]
            reviewed = status in (OnboardingTaskStatus.APPROVED, OnboardingTaskStatus.REJECTED)
            created = hired_at + random_span(rng, 10 * MINUTE, 2 * HOUR)
            reviewed_at = (
                random_between(rng, created, min(created + 10 * DAY, BASE_TIME - HOUR))
                if reviewed
                else None
            )
            remote_id = (
                self._uuid()
                if look.ids is RemoteIds.UUID
                else "t" + "".join(rng.choices(ALNUM, k=10))
            )
            remote_data = {"id": remote_id, "title": title, "status": status.value}
            self._add(
                OnboardingTask,
                {
                    "tenant_id": self.tenant_id,
                    **synced_columns(
                        job["integration_id"],
                        remote_id,
                        remote_data,
                        remote_updated_at=reviewed_at or created,
                        last_synced_at=BASE_TIME - random_span(rng, MINUTE, 30 * MINUTE),
                    ),
                    "application_id": app["id"],
                    "candidate_id": app["candidate_id"],
                    "title": title,
                    "description": description,
                    "task_type": task_type,
                    "status": status,
                    "due_date": (hired_at + random_span(rng, 7 * DAY, 14 * DAY)).date(),
                    "created_by_user_id": job["recruiter_id"],
                    "reviewed_by_user_id": job["recruiter_id"] if reviewed else None,
                    "reviewed_at": reviewed_at,
                    "review_notes": (
                        "Looks good."
                        if status is OnboardingTaskStatus.APPROVED
                        else "The photo is blurry; please upload it again."
                        if status is OnboardingTaskStatus.REJECTED
                        else None
                    ),
                    "created_at": created,
                    "updated_at": reviewed_at or created,
                },
            )
