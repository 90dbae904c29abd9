"""The Workable fake and connector for the shared contract suite.

    harness = make_harness()
    harness.seed(jobs=12, candidates=8, applications=20)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app)) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=5)
        [job async for job in connector.jobs()]   # 12 jobs over 3 pages (paging.next)

The transport ignores hosts, so ``https://<subdomain>.workable.com/spi/v3`` (the
connector's address from its ``subdomain`` credential) reaches the fake.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp

from connectors.workable import WorkableConnector
from demo.sandbox.faults import Faults
from demo.sandbox.workable import FakeWorkable
from tests.connectors.harness.base import ConnectorOfFake


class WorkableHarness(ConnectorOfFake[WorkableConnector]):
    provider: str = "workable"
    connector_class = WorkableConnector

    def __init__(self, fake: FakeWorkable | None = None) -> None:
        self.fake = fake or FakeWorkable()
        self.app: ASGIApp = self.fake.app
        self.faults: Faults = self.fake.faults
        self.good_credentials: Mapping[str, str] = {
            "subdomain": self.fake.subdomain,
            "accessToken": self.fake.access_token,
        }
        self.bad_credentials: Mapping[str, str] = {
            "subdomain": self.fake.subdomain,
            "accessToken": "wk-revoked-token-00000000",
        }

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        self.fake.seed(jobs=jobs, candidates=candidates, applications=applications)

    def touch_job(self, remote_id: str) -> None:
        self.fake.touch_job(remote_id)

    def job_ids(self) -> list[str]:
        return sorted(self.fake.jobs)

    unknown_candidate_id: str = "fffffff"

    def add_candidate_without_applications(self) -> str:
        return self.fake.add_candidate_in_no_job()

    def config(self, page_size: int) -> dict[str, object]:
        return {"pageSize": page_size, "memberId": self.fake.member_ids[0]}


def make_harness() -> WorkableHarness:
    return WorkableHarness()
