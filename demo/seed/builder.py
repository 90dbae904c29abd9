"""The demo builder: every step's mixin in one class, and the order the steps run in.
The order is part of the data: every value comes from one random stream."""

from __future__ import annotations

from demo.seed.activity import ActivitySteps
from demo.seed.applications import ApplicationSteps
from demo.seed.interviews import InterviewSteps
from demo.seed.offers import OfferSteps
from demo.seed.organisation import OrganisationSteps
from demo.seed.prompts import PromptSteps
from demo.seed.records import RecordSteps
from demo.seed.values import Row
from gateway.store.base import Base


class DemoBuilder(
    OrganisationSteps,
    RecordSteps,
    ApplicationSteps,
    PromptSteps,
    InterviewSteps,
    OfferSteps,
    ActivitySteps,
):
    """Builds every row of the demo tenant as dicts, keyed by model in insert order."""

    def build(
        self, *, jobs: int, candidates: int, applications: int
    ) -> dict[type[Base], list[Row]]:
        self._tenancy()
        self._integrations()
        self._stages()
        self._jobs(jobs)
        self._candidates(candidates)
        self._applications(applications)
        self._backdate_candidates()
        self._prompts()
        self._personas()
        self._analyses()
        self._interviews()
        self._offers_and_onboarding()
        self._activities(200)
        return self.rows
