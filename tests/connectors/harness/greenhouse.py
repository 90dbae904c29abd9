"""The Greenhouse fake and connector for the shared contract suite.

    harness = make_harness()
    harness.seed(jobs=12, candidates=8, applications=20)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app)) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=5)
        [job async for job in connector.jobs()]   # a token first, then 12 jobs over 3 pages

The transport ignores hosts, so the token endpoint (``auth.greenhouse.io/token``) and
the API (``harvest.greenhouse.io/v3``) both reach the fake at their default addresses.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp

from connectors.greenhouse.connector import GreenhouseConnector
from demo.sandbox.faults import Faults
from demo.sandbox.greenhouse import FakeGreenhouse
from tests.connectors.harness.base import ConnectorOfFake


class GreenhouseHarness(ConnectorOfFake[GreenhouseConnector]):
    provider: str = "greenhouse"
    connector_class = GreenhouseConnector

    def __init__(self, fake: FakeGreenhouse | None = None) -> None:
        self.fake = fake or FakeGreenhouse()
        self.app: ASGIApp = self.fake.app
        self.faults: Faults = self.fake.faults
        self.good_credentials: Mapping[str, str] = {
            "clientId": self.fake.client_id,
            "clientSecret": self.fake.client_secret,
            "userId": "4080",
        }
        self.bad_credentials: Mapping[str, str] = {
            "clientId": self.fake.client_id,
            "clientSecret": "gh-secret-revoked-000000",
            "userId": "4080",
        }

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        self.fake.seed(jobs=jobs, candidates=candidates, applications=applications)

    def touch_job(self, remote_id: str) -> None:
        self.fake.touch_job(int(remote_id))

    def job_ids(self) -> list[str]:
        return [str(job_id) for job_id in sorted(self.fake.jobs)]

    unknown_candidate_id: str = "999999"

    def add_candidate_without_applications(self) -> str:
        return str(self.fake.add_candidate(len(self.fake.candidates)))


def make_harness() -> GreenhouseHarness:
    return GreenhouseHarness()
