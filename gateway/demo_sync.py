"""The demo through the real path: sandbox ATS servers, integrations that point at them,
and a full sync of each, as a newcomer's first `talentgraph serve --demo`.

    client = sandbox_client(build_sandbox())
    demo = await demo_through_sync(settings, client, progress=print)

The sandboxes are the same stateful fake servers the tests use (``gateway.sandbox``),
reached over HTTP through an in-process transport on hosts of their own; the
integrations are ordinary ones with encrypted credentials and a ``baseUrl``, so
`integrationSync`, the scheduler and `talentgraph sync` work on them like on any other.
What no ATS holds (the AI interviews and their chats) is seeded on the synced
applications afterwards.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.types import ASGIApp

from gateway.cache import ResponseCache
from gateway.crypto import credentials_context
from gateway.demo import DemoTenant, seed_demo
from gateway.locks import LocalLocks
from gateway.outbound_http import connector_transport
from gateway.pubsub import EventBus
from gateway.sandbox.bpoc import ADMIN_ID, MAIN_API_KEY, RECRUITER_ID, BpocFake
from gateway.sandbox.faults import Faults, with_faults
from gateway.sandbox.jobvite import JobviteFake, build_app, generate_key_pair
from gateway.sandbox.recruiterflow import FakeRecruiterflow
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus, Provider
from gateway.store.migrate import upgrade
from gateway.store.models import (
    Application,
    Evaluation,
    Integration,
    Interview,
    InterviewMessage,
    RecruiterLink,
    TenantSettings,
)
from jobs.sync import sync_integration
from jobs.sync_api import ProgressCallback, SyncDeps, SyncMode

SIZES: dict[Provider, dict[str, int]] = {
    Provider.RECRUITERFLOW: {"jobs": 20, "candidates": 420, "applications": 840},
    Provider.BPOC: {"jobs": 15, "candidates": 320, "applications": 620},
    Provider.JOBVITE: {"jobs": 15, "candidates": 320, "applications": 620},
}
"""50 jobs, over 1,000 candidates and 2,000 applications in all, as the demo promises."""

RANK_FIELD = "Current Rank"
"""The Recruiterflow sandbox's job custom field that ranks are written back to."""


def sandbox_host(provider: Provider) -> str:
    return f"https://{provider.value}.sandbox.talentgraph.invalid"


@dataclass
class Sandbox:
    apps: dict[Provider, ASGIApp] = field(default_factory=dict)
    credentials: dict[Provider, dict[str, str]] = field(default_factory=dict)
    config: dict[Provider, dict[str, Any]] = field(default_factory=dict)


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
    for provider in sandbox.apps:
        base = sandbox_host(provider)
        if provider is Provider.JOBVITE:
            base = f"{base}/api/v2"
        elif provider is Provider.BPOC:
            base = f"{base}/api/v1"
        sandbox.config[provider] = {"baseUrl": base, "pageSize": 100, "rateLimitPerSecond": 1000}
    return sandbox


def sandbox_client(sandbox: Sandbox, settings: Settings | None = None) -> httpx.AsyncClient:
    """Routes the sandbox hosts to the sandboxes, in process (no port is opened, so
    the demo needs no private targets allowed). With ``settings``, every other host goes
    through the connectors' guard (``connector_transport``) as in any gateway."""
    mounts: dict[str, httpx.AsyncBaseTransport] = {
        sandbox_host(provider): httpx.ASGITransport(app=app)
        for provider, app in sandbox.apps.items()
    }
    if settings is None:
        return httpx.AsyncClient(timeout=30.0, mounts=mounts)
    return httpx.AsyncClient(
        timeout=30.0, mounts=mounts, transport=connector_transport(settings), trust_env=False
    )


async def demo_through_sync(
    settings: Settings,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    *,
    progress: Callable[[Provider], ProgressCallback | None] = lambda _p: None,
) -> DemoTenant:
    engine = create_engine(settings.resolved_database_url)
    cache = ResponseCache(settings)
    keyring = settings.keyring()
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        demo = await seed_demo(factory, jobs=0, candidates=0, applications=0)
        targets = await _connect(factory, keyring, demo.tenant_id, sandbox)
        deps = SyncDeps(factory, keyring, client, EventBus(), cache, LocalLocks())
        for provider, integration_id in targets.items():
            await sync_integration(
                deps,
                demo.tenant_id,
                integration_id,
                mode=SyncMode.FULL,
                trigger="demo",
                progress=progress(provider),
            )
        await _seed_interviews(factory, demo.tenant_id)
        await _link_recruiters(factory, demo, targets)
        await cache.invalidate(demo.tenant_id)
    finally:
        await cache.close()
        await engine.dispose()
    return demo


async def _connect(
    factory: Any, keyring: Any, tenant_id: int, sandbox: Sandbox
) -> dict[Provider, int]:
    """Point the demo's integrations at the sandboxes; a demo that already synced once
    (a restart) is left as it is."""
    targets: dict[Provider, int] = {}
    async with factory.begin() as session:
        integrations = (
            await session.execute(sa.select(Integration).where(Integration.tenant_id == tenant_id))
        ).scalars()
        for integration in integrations:
            if integration.provider not in sandbox.apps:
                integration.status = IntegrationStatus.INACTIVE
                continue
            if integration.credentials_encrypted is not None:
                continue
            integration.credentials_encrypted = keyring.encrypt_json(
                sandbox.credentials[integration.provider], context=credentials_context(tenant_id)
            )
            integration.credentials_hint = "sandbox"
            integration.config = sandbox.config[integration.provider]
            integration.status = IntegrationStatus.ACTIVE
            targets[integration.provider] = integration.id
        if targets:
            settings = await session.get(TenantSettings, tenant_id)
            if settings is not None:
                settings.rank_custom_field = RANK_FIELD
    return targets


SANDBOX_USERS: dict[Provider, tuple[str, str]] = {
    Provider.RECRUITERFLOW: ("40201", "10447"),
    Provider.BPOC: (ADMIN_ID, RECRUITER_ID),
}
"""(the admin's, the first recruiter's) user ids in the sandboxes that attribute writes."""


async def _link_recruiters(factory: Any, demo: DemoTenant, targets: dict[Provider, int]) -> None:
    """Link the demo's admin and first recruiter to sandbox users, so write-backs work
    in the demo as they would once an admin ran ``recruiterSync``. The seeded links to
    made-up ids of these integrations give way."""
    async with factory.begin() as session:
        for provider, integration_id in targets.items():
            if provider not in SANDBOX_USERS or not demo.recruiter_user_ids:
                continue
            await session.execute(
                sa.delete(RecruiterLink).where(RecruiterLink.integration_id == integration_id)
            )
            users = (demo.admin_user_id, demo.recruiter_user_ids[0])
            for user_id, remote_id in zip(users, SANDBOX_USERS[provider], strict=True):
                session.add(
                    RecruiterLink(
                        tenant_id=demo.tenant_id,
                        user_id=user_id,
                        integration_id=integration_id,
                        remote_id=remote_id,
                    )
                )


QUESTIONS = (
    "Tell me about a project you are proud of.",
    "How do you handle a deadline you cannot meet?",
    "What would your last manager say about you?",
    "Why this role, and why now?",
)
ANSWERS = (
    "I led the migration of our billing system and cut incidents by half.",
    "I tell the people affected early and propose what can ship on time.",
    "That I am reliable and ask good questions.",
    "It matches what I have done for three years and where I want to grow.",
)


async def _seed_interviews(factory: Any, tenant_id: int, share: float = 0.15) -> None:
    """AI interviews with their chats on a deterministic sample of synced applications."""
    rng = random.Random(7)
    base = datetime(2026, 10, 1, 9, tzinfo=UTC)
    async with factory.begin() as session:
        if await session.scalar(
            sa.select(sa.func.count())
            .select_from(Interview)
            .where(Interview.tenant_id == tenant_id)
        ):
            return
        ids = (
            (
                await session.execute(
                    sa.select(Application.id)
                    .where(Application.tenant_id == tenant_id)
                    .order_by(Application.id)
                )
            )
            .scalars()
            .all()
        )
        chosen = [i for i in ids if rng.random() < share]
        statuses = ["scheduled", "in_progress", "completed", "completed", "abandoned", "expired"]
        interviews = []
        for n, application_id in enumerate(chosen):
            status = statuses[n % len(statuses)]
            created = base + timedelta(hours=n)
            interviews.append(
                {
                    "tenant_id": tenant_id,
                    "application_id": application_id,
                    "kind": "self_service",
                    "status": status,
                    "created_at": created,
                    "updated_at": created,
                    "token_expires_at": created + timedelta(days=7),
                    "started_at": created + timedelta(minutes=5) if status != "scheduled" else None,
                    "completed_at": created + timedelta(minutes=40)
                    if status == "completed"
                    else None,
                }
            )
        if not interviews:
            return
        created_rows = await session.execute(
            sa.insert(Interview).returning(Interview.id, Interview.status, Interview.created_at),
            interviews,
        )
        messages, evaluations = [], []
        for row in created_rows:
            turns = 1 if row.status == "scheduled" else rng.randint(2, 4)
            for turn in range(turns):
                at = row.created_at + timedelta(minutes=5 + 2 * turn)
                messages.append(
                    {
                        "tenant_id": tenant_id,
                        "interview_id": row.id,
                        "sequence": 2 * turn,
                        "role": "assistant",
                        "content": QUESTIONS[turn % len(QUESTIONS)],
                        "created_at": at,
                    }
                )
                if row.status != "scheduled":
                    messages.append(
                        {
                            "tenant_id": tenant_id,
                            "interview_id": row.id,
                            "sequence": 2 * turn + 1,
                            "role": "candidate",
                            "content": ANSWERS[turn % len(ANSWERS)],
                            "created_at": at + timedelta(minutes=1),
                        }
                    )
            if row.status == "completed":
                scores = [rng.randint(5, 9) for _ in range(6)]
                evaluations.append(
                    {
                        "tenant_id": tenant_id,
                        "interview_id": row.id,
                        "reliability_score": scores[0],
                        "accountability_score": scores[1],
                        "professionalism_score": scores[2],
                        "communication_score": scores[3],
                        "technical_score": scores[4],
                        "growth_potential_score": scores[5],
                        "overall_score": sum(scores) * 100 // 54,
                        "summary": "Clear, concrete answers.",
                        "strengths": ["Communication"],
                        "weaknesses": [],
                        "red_flags": [],
                        "recommendation": "advance",
                        "next_interview_focus": ["Depth on systems"],
                        "created_at": row.created_at + timedelta(minutes=45),
                    }
                )
        await session.execute(sa.insert(InterviewMessage), messages)
        if evaluations:
            await session.execute(sa.insert(Evaluation), evaluations)


def create_demo_app() -> Starlette:
    """The gateway whose HTTP client also reaches the sandboxes, so the demo's
    integrations keep syncing (scheduler, `integrationSync`) after start-up."""
    from gateway.app import create_app

    settings = Settings()
    if not settings.is_development:
        raise RuntimeError("the demo is refused in production: it serves a known admin token")
    return create_app(settings, http_client=sandbox_client(build_sandbox(), settings))
