"""The Recruiterflow fake and connector for the shared contract suite.

harness = make_harness()
harness.seed(jobs=12, candidates=8, applications=20)
async with httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app)) as client:
    connector = harness.connector(client, sleep=no_sleep, page_size=5)
    [job async for job in connector.jobs()]   # 12 jobs over 3 pages
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp

from connectors.recruiterflow.connector import RecruiterflowConnector
from demo.sandbox.faults import Faults
from demo.sandbox.recruiterflow import FakeRecruiterflow
from tests.connectors.harness.base import ConnectorOfFake


class RecruiterflowHarness(ConnectorOfFake[RecruiterflowConnector]):
    provider: str = "recruiterflow"
    connector_class = RecruiterflowConnector

    def __init__(self, fake: FakeRecruiterflow | None = None) -> None:
        self.fake = fake or FakeRecruiterflow()
        self.app: ASGIApp = self.fake.app
        self.faults: Faults = self.fake.faults
        self.good_credentials: Mapping[str, str] = {"apiKey": self.fake.api_key}
        self.bad_credentials: Mapping[str, str] = {"apiKey": "rf-revoked-key-000000"}

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        self.fake.seed(jobs=jobs, candidates=candidates, applications=applications)

    def touch_job(self, remote_id: str) -> None:
        self.fake.touch_job(int(remote_id))

    def job_ids(self) -> list[str]:
        return [str(job_id) for job_id in sorted(self.fake.jobs)]

    unknown_candidate_id: str = "999999"

    def add_candidate_without_applications(self) -> str:
        return str(self.fake.add_candidate(len(self.fake.candidates)))


def make_harness() -> RecruiterflowHarness:
    return RecruiterflowHarness()
