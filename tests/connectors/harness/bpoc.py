"""The BPOC fake and connector for the shared contract suite.

    harness = make_harness()
    harness.seed(jobs=3, candidates=4, applications=6)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app)) as client:
        connector = harness.connector(client, sleep=no_sleep)
        [job async for job in connector.jobs()]       # three RemoteJobs, five to a page

BPOC has no candidate list: candidates are read from the applications that embed
them, so a seeded candidate without an application is invisible (seed at least as
many applications as candidates to see them all). BPOC filters nothing by update
time on the server; ``updated_since`` is applied by the connector.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp

from connectors.bpoc.connector import BpocConnector
from demo.sandbox.bpoc import MAIN_API_KEY, BpocFake
from demo.sandbox.faults import Faults
from tests.connectors.harness.base import ConnectorOfFake


class BpocHarness(ConnectorOfFake[BpocConnector]):
    provider: str = "bpoc"
    connector_class = BpocConnector

    def __init__(self, fake: BpocFake | None = None) -> None:
        self.fake = fake or BpocFake()
        self.app: ASGIApp = self.fake.app
        self.faults: Faults = self.fake.faults
        self.good_credentials: Mapping[str, str] = {"apiKey": MAIN_API_KEY}
        self.bad_credentials: Mapping[str, str] = {"apiKey": "bpoc_sk_live_revoked_000000000000"}

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        self.fake.seed(jobs=jobs, candidates=candidates, applications=applications)

    def touch_job(self, remote_id: str) -> None:
        self.fake.touch_job(remote_id)

    def job_ids(self) -> list[str]:
        return self.fake.job_ids()

    unknown_candidate_id: str = "0b5a3c3e-6f1d-4e8a-9c27-3d1f0e6b9a44"

    def add_candidate_without_applications(self) -> str:
        before = set(self.fake.candidates)
        self.fake.seed(jobs=0, candidates=1, applications=0)
        [added] = set(self.fake.candidates) - before
        return added


def make_harness() -> BpocHarness:
    return BpocHarness()
