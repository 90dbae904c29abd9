"""The demo's sandbox ATS servers as apps: the fakes of every provider whose package
declares ``SANDBOX`` (``demo.sandbox.declaration``), seeded deterministically with a
share of the demo's sizes, each answering ``IDENTITY_PATH`` so a process can tell a
running sandbox from another program on its port."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from demo.sandbox.declaration import DemoSandbox, Sizes, demo_sandboxes
from gateway.store.enums import Provider

TOTAL = Sizes(jobs=50, candidates=1060, applications=2080)
"""What the sandboxes hold together: 50 jobs, over 1,000 candidates and 2,000
applications, as the demo promises, however many providers share them."""

RANK_FIELD = "Current Rank"
"""The Recruiterflow sandbox's job custom field that ranks are written back to."""

IDENTITY_PATH = "/.talentgraph-sandbox"
"""Every sandbox answers ``GET`` here with ``{"provider": ...}``: how a process tells a
running sandbox from another program on the recorded port."""
SECRETS_DIR = "demo-webhook-secrets"
LOOPBACK = "127.0.0.1"


class SandboxUnavailable(RuntimeError):
    """A recorded sandbox neither answers nor can be started here (its port is taken)."""


def served_sandboxes() -> dict[Provider, DemoSandbox]:
    """The declarations with a fake to serve, in the order the demo seeds them."""
    return {Provider(s.slug): s for s in demo_sandboxes() if s.served}


def sandbox_sizes(providers: list[Provider], total: Sizes = TOTAL) -> dict[Provider, Sizes]:
    """``total`` shared out evenly, the first providers taking what does not divide."""

    def share(amount: int, index: int) -> int:
        return amount // len(providers) + (index < amount % len(providers))

    return {
        provider: Sizes(
            jobs=share(total.jobs, index),
            candidates=share(total.candidates, index),
            applications=share(total.applications, index),
        )
        for index, provider in enumerate(providers)
    }


@dataclass
class Sandbox:
    apps: dict[Provider, ASGIApp] = field(default_factory=dict)
    credentials: dict[Provider, dict[str, str]] = field(default_factory=dict)
    account_ids: dict[Provider, str] = field(default_factory=dict)
    """The sender's account id where a webhook route needs it (the Jobvite company)."""
    people: dict[str, str] = field(default_factory=dict)
    """email -> name of the recruiters the sandboxes know: the demo agency's own team,
    so the sync links them by email and every requisition has its owner."""
    declarations: dict[Provider, DemoSandbox] = field(default_factory=dict)

    def config(self, provider: Provider, origin: str) -> dict[str, Any]:
        declared = self.declarations[provider]
        base = origin.rstrip("/")
        on_origin = {key: base + path for key, path in declared.origin_config.items()}
        return {
            "baseUrl": base + declared.api_path,
            **on_origin,
            "pageSize": 100,
            "rateLimitPerSecond": 1000,
        }


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
    declared = served_sandboxes()
    for provider, sizes in sandbox_sizes(list(declared)).items():
        declaration = declared[provider]
        if declaration.make is None:
            continue
        fake = declaration.make(sizes)
        sandbox.declarations[provider] = declaration
        sandbox.apps[provider] = _identified(provider, fake.app)
        sandbox.credentials[provider] = dict(fake.credentials)
        if fake.account_id is not None:
            sandbox.account_ids[provider] = fake.account_id
        sandbox.people.update(fake.people)
    return sandbox
