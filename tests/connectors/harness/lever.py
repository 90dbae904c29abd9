"""The Lever fake and connector for the shared contract suite.

    harness = make_harness()
    harness.seed(jobs=12, candidates=8, applications=20)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app)) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=5)
        [job async for job in connector.jobs()]   # 12 postings over 3 pages

The fake's token bucket is off here: the suite's sleeps are recorded, not slept, so a
bucket would never refill (``tests/connectors/lever`` tests it with a clock of its own).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp

from connectors.lever.connector import LeverConnector
from demo.sandbox.faults import Faults
from demo.sandbox.lever import FakeLever
from tests.connectors.harness.base import ConnectorOfFake


class LeverHarness(ConnectorOfFake[LeverConnector]):
    provider: str = "lever"
    connector_class = LeverConnector

    def __init__(self, fake: FakeLever | None = None) -> None:
        self.fake = fake or FakeLever(limiter=None)
        self.app: ASGIApp = self.fake.app
        self.faults: Faults = self.fake.faults
        self.good_credentials: Mapping[str, str] = {"apiKey": self.fake.api_key}
        self.bad_credentials: Mapping[str, str] = {"apiKey": "lever-key-revoked-000000"}

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        self.fake.seed(jobs=jobs, candidates=candidates, applications=applications)

    def touch_job(self, remote_id: str) -> None:
        self.fake.touch_posting(remote_id)

    def job_ids(self) -> list[str]:
        return sorted(self.fake.postings)

    unknown_candidate_id: str = "00000000-0000-4000-8000-00000000dead"

    def add_candidate_without_applications(self) -> str:
        return self.fake.new_contact()


def make_harness() -> LeverHarness:
    return LeverHarness()
