"""The Ashby fake and connector for the shared contract suite.

harness = make_harness()
harness.seed(jobs=12, candidates=8, applications=20)
async with httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app)) as client:
    connector = harness.connector(client, sleep=no_sleep, page_size=5)
    [job async for job in connector.jobs()]   # 12 jobs over 3 POST /job.list pages
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp

from connectors.ashby.connector import AshbyConnector
from demo.sandbox.ashby import FakeAshby
from demo.sandbox.ashby.fake import ashby_id
from demo.sandbox.faults import Faults
from tests.connectors.harness.base import ConnectorOfFake


class AshbyHarness(ConnectorOfFake[AshbyConnector]):
    provider: str = "ashby"
    connector_class = AshbyConnector

    def __init__(self, fake: FakeAshby | None = None) -> None:
        self.fake = fake or FakeAshby()
        self.app: ASGIApp = self.fake.app
        self.faults: Faults = self.fake.faults
        self.good_credentials: Mapping[str, str] = {"apiKey": self.fake.api_key}
        self.bad_credentials: Mapping[str, str] = {"apiKey": "ashby-key-revoked-000000"}

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        self.fake.seed(jobs=jobs, candidates=candidates, applications=applications)

    def touch_job(self, remote_id: str) -> None:
        self.fake.touch_job(remote_id)

    def job_ids(self) -> list[str]:
        return sorted(self.fake.jobs)

    unknown_candidate_id: str = ashby_id("candidate", 999_999)

    def add_candidate_without_applications(self) -> str:
        return self.fake.add_candidate(len(self.fake.candidates))


def make_harness() -> AshbyHarness:
    return AshbyHarness()
