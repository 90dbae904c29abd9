"""The Jobvite fake for the contract suite: v2 plus the sealed Onboarding API.

harness = make_harness()
harness.seed(jobs=3, candidates=4, applications=5)
async with httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app)) as client:
    connector = harness.connector(client, sleep=no_sleep)   # signed auth, onboarding keys
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from starlette.types import ASGIApp

from connectors.jobvite.auth import AuthScheme
from connectors.jobvite.connector import JobviteConnector
from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.jobvite import JobviteFake, build_app, generate_key_pair, private_pem
from tests.connectors.harness.base import ConnectorOfFake


@dataclass(frozen=True)
class KeyPairs:
    customer: RSAPrivateKey
    customer_public_pem: str
    jobvite: RSAPrivateKey
    jobvite_public_pem: str

    @property
    def customer_private_pem(self) -> str:
        return private_pem(self.customer)


@cache
def key_pairs() -> KeyPairs:
    """The customer's and Jobvite's RSA-2048 keys, made once per test run."""
    customer, customer_public = generate_key_pair()
    jobvite, jobvite_public = generate_key_pair()
    return KeyPairs(customer, customer_public, jobvite, jobvite_public)


class JobviteHarness(ConnectorOfFake[JobviteConnector]):
    provider: str = "jobvite"
    connector_class = JobviteConnector

    def __init__(self, fake: JobviteFake, keys: KeyPairs, auth_scheme: AuthScheme) -> None:
        self.fake = fake
        self.keys = keys
        self.auth_scheme = auth_scheme
        self.faults = Faults()
        self.app: ASGIApp = with_faults(build_app(fake), self.faults)
        self.good_credentials: Mapping[str, str] = {
            "apiKey": fake.api_key,
            "apiSecret": fake.api_secret,
            "onboardingPrivateKey": keys.customer_private_pem,
        }
        self.bad_credentials: Mapping[str, str] = {
            **self.good_credentials,
            "apiSecret": "not-the-secret",
        }

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        self.fake.seed(jobs=jobs, candidates=candidates, applications=applications)

    def touch_job(self, remote_id: str) -> None:
        self.fake.touch_job(remote_id)

    def job_ids(self) -> list[str]:
        return list(self.fake.jobs)

    unknown_candidate_id: str = "oNoSuch1"

    def add_candidate_without_applications(self) -> str:
        return str(self.fake.add_candidate()["eId"])

    def config(self, page_size: int = 5) -> dict[str, str | int]:
        return {
            "environment": "prod",
            "authScheme": self.auth_scheme,
            "pageSize": page_size,
            "jobvitePublicKey": self.keys.jobvite_public_pem,
        }


def make_harness(auth_scheme: AuthScheme = "signed") -> JobviteHarness:
    keys = key_pairs()
    fake = JobviteFake(
        jobvite_private_key=keys.jobvite,
        customer_public_key=keys.customer.public_key(),
    )
    return JobviteHarness(fake=fake, keys=keys, auth_scheme=auth_scheme)
