"""The demo's sandbox ATS servers as apps: the stateful fakes the tests use, seeded
deterministically, each answering ``IDENTITY_PATH`` so a process can tell a running
sandbox from another program on its port."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from demo.sandbox.bpoc import MAIN_AGENCY_ID, MAIN_API_KEY, BpocFake
from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.jobvite import RECRUITERS as JOBVITE_RECRUITERS
from demo.sandbox.jobvite import JobviteFake, build_app, generate_key_pair
from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.store.enums import Provider

SIZES: dict[Provider, dict[str, int]] = {
    Provider.RECRUITERFLOW: {"jobs": 20, "candidates": 420, "applications": 840},
    Provider.BPOC: {"jobs": 15, "candidates": 320, "applications": 620},
    Provider.JOBVITE: {"jobs": 15, "candidates": 320, "applications": 620},
}
"""50 jobs, over 1,000 candidates and 2,000 applications in all, as the demo promises."""

RANK_FIELD = "Current Rank"
"""The Recruiterflow sandbox's job custom field that ranks are written back to."""

API_PATHS: dict[Provider, str] = {
    Provider.RECRUITERFLOW: "",
    Provider.JOBVITE: "/api/v2",
    Provider.BPOC: "/api/v1",
}
IDENTITY_PATH = "/.talentgraph-sandbox"
"""Every sandbox answers ``GET`` here with ``{"provider": ...}``: how a process tells a
running sandbox from another program on the recorded port."""
SECRETS_DIR = "demo-webhook-secrets"
LOOPBACK = "127.0.0.1"


class SandboxUnavailable(RuntimeError):
    """A recorded sandbox neither answers nor can be started here (its port is taken)."""


@dataclass
class Sandbox:
    apps: dict[Provider, ASGIApp] = field(default_factory=dict)
    credentials: dict[Provider, dict[str, str]] = field(default_factory=dict)
    account_ids: dict[Provider, str] = field(default_factory=dict)
    """The sender's account id where a webhook route needs it (the Jobvite company)."""
    people: dict[str, str] = field(default_factory=dict)
    """email -> name of the recruiters the sandboxes know: the demo agency's own team,
    so the sync links them by email and every requisition has its owner."""

    def config(self, provider: Provider, origin: str) -> dict[str, Any]:
        base = origin.rstrip("/") + API_PATHS[provider]
        return {"baseUrl": base, "pageSize": 100, "rateLimitPerSecond": 1000}


def _identified(provider: Provider, app: ASGIApp) -> ASGIApp:
    body = json.dumps({"provider": provider.value}).encode()

    async def identified(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == IDENTITY_PATH:
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return identified


def build_sandbox() -> Sandbox:
    """Deterministic: every process that builds it serves the same data."""
    sandbox = Sandbox()
    recruiterflow = FakeRecruiterflow()
    recruiterflow.seed(**SIZES[Provider.RECRUITERFLOW])
    sandbox.apps[Provider.RECRUITERFLOW] = recruiterflow.app
    sandbox.credentials[Provider.RECRUITERFLOW] = {"apiKey": recruiterflow.api_key}
    bpoc = BpocFake()
    bpoc.seed(**SIZES[Provider.BPOC])
    sandbox.apps[Provider.BPOC] = bpoc.app
    sandbox.credentials[Provider.BPOC] = {"apiKey": MAIN_API_KEY}
    jobvite_key, _ = generate_key_pair()
    jobvite = JobviteFake(jobvite_private_key=jobvite_key, customer_public_key=None)
    jobvite.seed(**SIZES[Provider.JOBVITE])
    sandbox.apps[Provider.JOBVITE] = with_faults(build_app(jobvite), Faults())
    sandbox.credentials[Provider.JOBVITE] = {
        "apiKey": jobvite.api_key,
        "apiSecret": jobvite.api_secret,
    }
    sandbox.account_ids[Provider.JOBVITE] = jobvite.company_id
    for user in recruiterflow.users.values():
        sandbox.people[str(user["email"]).lower()] = str(user["name"])
    for recruiter in bpoc.recruiters.values():
        if recruiter["agencyId"] == MAIN_AGENCY_ID and recruiter.get("isActive", True):
            name = f"{recruiter['firstName']} {recruiter['lastName']}"
            sandbox.people[str(recruiter["email"]).lower()] = name
    for person in JOBVITE_RECRUITERS:
        sandbox.people[person["userName"].lower()] = f"{person['firstName']} {person['lastName']}"
    for provider, app in sandbox.apps.items():
        sandbox.apps[provider] = _identified(provider, app)
    return sandbox
