"""The Workday fake for the contract suite.

harness = make_harness()
harness.seed(jobs=12, candidates=7, applications=9)
async with httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app)) as client:
    connector = harness.connector(client, sleep=no_sleep)
    [job async for job in connector.jobs()]   # 12 RemoteJobs, 5 per page

Workday lists no prospects and no applications: seeded candidates (prospects) are
readable by id only (``candidate_ids`` + ``get_candidates``); each seeded application
is one interview event, whose job application the connector lists as an application
(for the posting of the event's requisition) and whose applicant as a candidate.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp

from connectors.workday.connector import WorkdayConnector
from demo.sandbox.faults import Faults
from demo.sandbox.workday import WorkdayFake
from tests.connectors.harness.base import ConnectorOfFake, ProviderHarness


class WorkdayHarness(ConnectorOfFake[WorkdayConnector]):
    provider = "workday"
    connector_class = WorkdayConnector
    lists_candidates = True
    """The applicants of the interviewed job applications; prospects themselves have
    no list, only ``GET /prospects/{ID}``."""

    def __init__(self, fake: WorkdayFake | None = None) -> None:
        self.fake = fake or WorkdayFake()
        self.app: ASGIApp = self.fake.app
        self.faults: Faults = self.fake.faults
        self.good_credentials: Mapping[str, str] = {
            "tenantUrl": "https://wd2-impl-services1.workday.com",
            "tenantId": self.fake.tenant,
            "clientId": self.fake.client_id,
            "clientSecret": self.fake.client_secret,
            "refreshToken": self.fake.refresh_token,
        }
        self.bad_credentials: Mapping[str, str] = {
            **self.good_credentials,
            "refreshToken": "revoked-refresh-token",
        }

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        self.fake.seed(jobs=jobs, candidates=candidates, applications=applications)

    def touch_job(self, remote_id: str) -> None:
        self.fake.touch_job(remote_id)

    def job_ids(self) -> list[str]:
        return list(self.fake.job_postings)

    def candidate_ids(self) -> list[str]:
        return list(self.fake.prospects)

    def interview_ids(self) -> list[str]:
        return list(self.fake.interviews)

    unknown_candidate_id: str = "0" * 32

    def add_candidate_without_applications(self) -> str:
        return str(self.fake.add_prospect(len(self.fake.prospects) + 1)["id"])


def make_harness() -> WorkdayHarness:
    return WorkdayHarness()


def _conforms() -> ProviderHarness:
    return make_harness()
