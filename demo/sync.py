"""The demo through the real path: sandbox ATS servers on loopback ports, integrations
that point at them, a full sync of each, then what the gateway itself computes.

    servers = start_sandboxes(settings, allocate=True)   # serve --demo: ports recorded
    async with connector_client(settings) as client:      # trusts exactly those origins
        demo = await demo_through_sync(settings, client, servers.origins)

The sandboxes are the same stateful fake servers the tests use (``demo.sandbox``),
built deterministically (``build_sandbox``) and served by uvicorn on ``127.0.0.1`` from
a thread of the process that starts them. Their origins are recorded in the data
folder (``sandboxes.json``, see ``gateway.outbound_http.sandbox_origins``) and in each
integration's ``baseUrl``, so every talentgraph process of that folder reaches them:
``talentgraph sync``, ``worker`` and a plain ``serve`` call ``start_sandboxes`` too,
which leaves running sandboxes alone and starts the missing ones on their recorded
ports (writes a process makes to its sandboxes stay in that process).

What no ATS holds is made after the syncs, from the synced records: resume analyses
(the offline provider, on the synced resumes), self-service interviews in every status
with their chats and the completed ones' evaluations, and offers. Each integration gets
a webhook secret, kept in ``demo-webhook-secrets/<provider>`` in the data folder so a
developer can sign webhooks to the demo (README: "The demo").
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from demo.sandbox.bpoc import ADMIN_ID, MAIN_AGENCY_ID, MAIN_API_KEY, RECRUITER_ID, BpocFake
from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.jobvite import RECRUITERS as JOBVITE_RECRUITERS
from demo.sandbox.jobvite import JobviteFake, build_app, generate_key_pair
from demo.sandbox.recruiterflow import FakeRecruiterflow
from demo.seed import DemoTenant, chat_messages, evaluation_values, seed_demo
from gateway.ai.offline import OfflineProvider
from gateway.cache import ResponseCache
from gateway.crypto import Keyring, credentials_context, webhook_secret_context
from gateway.locks import LocalLocks
from gateway.outbound_http import SANDBOX_STATE_FILE
from gateway.private_files import create_private_file, private_directory
from gateway.pubsub import EventBus
from gateway.services.analysis import AnalysisDeps, analyze_new_applications
from gateway.settings import Settings
from gateway.store.engine import SessionFactory, create_engine, create_session_factory
from gateway.store.enums import (
    ApplicationStatus,
    IntegrationStatus,
    InterviewKind,
    InterviewStatus,
    MessageRole,
    OfferStatus,
    Provider,
    Role,
    StageKind,
)
from gateway.store.migrate import upgrade
from gateway.store.models import (
    Application,
    Candidate,
    Evaluation,
    Integration,
    Interview,
    InterviewMessage,
    Job,
    Offer,
    Persona,
    PipelineStage,
    RecruiterLink,
    StageTransition,
    TenantSettings,
    User,
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


# -- the sandboxes on loopback ports ----------------------------------------------------


def read_origins(data_dir: Path) -> dict[Provider, str]:
    """The sandbox origins recorded in ``data_dir`` (empty when none are)."""
    try:
        state = json.loads((data_dir / SANDBOX_STATE_FILE).read_text())
        recorded = state["origins"]
        return {Provider(name): str(origin) for name, origin in recorded.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_origins(data_dir: Path, origins: dict[Provider, str]) -> None:
    private_directory(data_dir)
    text = json.dumps({"origins": {p.value: o for p, o in sorted(origins.items())}}, indent=2)
    temporary = data_dir / f".{SANDBOX_STATE_FILE}.{secrets.token_hex(4)}.tmp"
    temporary.write_text(text + "\n")
    temporary.replace(data_dir / SANDBOX_STATE_FILE)


def sandbox_answers(origin: str, provider: Provider, timeout: float = 1.0) -> bool:
    """Whether the sandbox of ``provider`` answers at ``origin`` (a blocking call, for
    start-up before any event loop)."""
    try:
        response = httpx.get(origin + IDENTITY_PATH, timeout=timeout, trust_env=False)
        return bool(response.status_code == 200 and response.json() == {"provider": provider})
    except (httpx.HTTPError, ValueError):
        return False


def _bind(port: int) -> socket.socket:
    """A listening loopback socket, made as TCP explicitly: asyncio turns Nagle's
    algorithm off only on connections of a socket that says it is TCP, and with it on,
    every answer of the sandboxes (headers, then body) waited 40 ms for a delayed ACK."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


class _QuietHttp(HttpToolsProtocol):
    """No access log: the sandboxes share uvicorn's loggers with the gateway, whose
    output is the developer's. httptools, not h11: the demo's first sync sends the
    sandboxes some 2,000 requests, and parsing them in pure Python cost `talentgraph demo`
    a third of its CPU time (16.8 s against 11.4 s)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = False


class SandboxServers:
    """Sandboxes served by uvicorn on bound loopback sockets, from one daemon thread
    with its own event loop; ``origins`` lists every recorded sandbox, also those another
    process serves."""

    def __init__(self, origins: dict[Provider, str]) -> None:
        self.origins = dict(origins)
        self.started: list[Provider] = []
        self._servers: list[uvicorn.Server] = []
        self._thread: threading.Thread | None = None

    def serve(self, sandbox: Sandbox, sockets: dict[Provider, socket.socket]) -> None:
        """Start serving ``sockets`` (taken over: closed by ``stop``); returns once every
        server accepts connections."""
        if not sockets:
            return
        for provider in sockets:
            config = uvicorn.Config(
                sandbox.apps[provider],
                http=_QuietHttp,
                lifespan="off",
                log_config=None,
                log_level=None,
                access_log=False,
                server_header=False,
            )
            self._servers.append(uvicorn.Server(config))
        pairs = list(zip(self._servers, sockets.values(), strict=True))

        async def run() -> None:
            await asyncio.gather(*(server.serve(sockets=[sock]) for server, sock in pairs))

        self._thread = threading.Thread(
            target=lambda: asyncio.run(run()), name="demo-sandboxes", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 20
        while not all(server.started for server in self._servers):
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise SandboxUnavailable("the demo sandboxes did not start")
            time.sleep(0.01)
        self.started = list(sockets)

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None


def start_sandboxes(settings: Settings, *, allocate: bool = False) -> SandboxServers:
    """Make the folder's sandboxes reachable: the running ones are left alone, the others
    served here on their recorded ports. With ``allocate`` (the demo's own start) every
    provider gets one: a missing or taken port is replaced by a free one and the record
    rewritten. Without it, a folder with no record gets nothing, and a recorded port that
    some other program holds is ``SandboxUnavailable``."""
    recorded = read_origins(settings.data_dir) if settings.is_development else {}
    servers = SandboxServers(recorded)
    wanted = list(API_PATHS) if allocate else list(recorded)
    if not wanted:
        return servers
    sockets: dict[Provider, socket.socket] = {}
    try:
        for provider in wanted:
            origin = recorded.get(provider)
            if origin is not None and sandbox_answers(origin, provider):
                continue
            port = httpx.URL(origin).port if origin else None
            try:
                sockets[provider] = _bind(port or 0)
            except OSError:
                if _answers_soon(origin, provider):  # another process started it just now
                    continue
                if not allocate or origin is None:
                    raise SandboxUnavailable(
                        f"the {provider.value} sandbox's port {port} is taken by another "
                        f"program; stop it, or start `talentgraph serve --demo` to record "
                        "new ports"
                    ) from None
                sockets[provider] = _bind(0)
            servers.origins[provider] = f"http://{LOOPBACK}:{sockets[provider].getsockname()[1]}"
        if servers.origins != recorded:
            _write_origins(settings.data_dir, servers.origins)
        if sockets:
            servers.serve(build_sandbox(), sockets)
    except BaseException:
        for sock in sockets.values():
            sock.close()
        raise
    return servers


def _answers_soon(origin: str | None, provider: Provider, within: float = 3.0) -> bool:
    deadline = time.monotonic() + within
    while origin is not None and time.monotonic() < deadline:
        if sandbox_answers(origin, provider):
            return True
        time.sleep(0.2)
    return False


def webhook_secrets(data_dir: Path) -> dict[Provider, str]:
    """One secret per sandbox integration, made once per data folder (0600 files)."""
    folder = data_dir / SECRETS_DIR
    private_directory(folder, narrow=True)
    return {
        provider: create_private_file(folder / provider.value, secrets.token_hex(32))
        for provider in (*API_PATHS, Provider.WORKDAY)
    }


# -- the sync ---------------------------------------------------------------------------


async def demo_through_sync(
    settings: Settings,
    client: httpx.AsyncClient,
    origins: dict[Provider, str],
    *,
    progress: Callable[[Provider], ProgressCallback | None] = lambda _p: None,
) -> DemoTenant:
    """Seed the demo tenant (once), point its integrations at ``origins``, sync the ones
    never synced, then make what the gateway owns. A restart syncs nothing again."""
    engine = create_engine(settings.resolved_database_url)
    cache = ResponseCache(settings)
    keyring = settings.keyring()
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        demo = await seed_demo(factory, jobs=0, candidates=0, applications=0)
        sandbox = build_sandbox()
        targets = await _connect(
            factory, keyring, demo.tenant_id, sandbox, origins, webhook_secrets(settings.data_dir)
        )
        bus = EventBus()
        deps = SyncDeps(factory, keyring, client, bus, cache, LocalLocks())
        if targets:
            await _add_team(factory, demo.tenant_id, sandbox.people)
            await _link_recruiters(factory, demo, targets)
        for provider, integration_id in targets.items():
            await sync_integration(
                deps,
                demo.tenant_id,
                integration_id,
                mode=SyncMode.FULL,
                trigger="demo",
                progress=progress(provider),
            )
        await _analyze(factory, bus, cache, demo.tenant_id)
        await _seed_interviews(factory, demo.tenant_id)
        await _seed_offers(factory, demo.tenant_id)
        await cache.invalidate(demo.tenant_id)
    finally:
        await cache.close()
        await engine.dispose()
    return demo


async def _connect(
    factory: SessionFactory,
    keyring: Keyring,
    tenant_id: int,
    sandbox: Sandbox,
    origins: dict[Provider, str],
    webhook_secrets: dict[Provider, str],
) -> dict[Provider, int]:
    """Point the demo's integrations at the sandboxes and give each its webhook secret;
    return the ones never synced (a restart syncs nothing again). Workday has no sandbox:
    it stays inactive."""
    targets: dict[Provider, int] = {}
    async with factory.begin() as session:
        integrations = (
            await session.execute(
                sa.select(Integration)
                .where(Integration.tenant_id == tenant_id)
                .order_by(Integration.id)
            )
        ).scalars()
        for integration in integrations:
            provider = integration.provider
            if provider in webhook_secrets:
                integration.webhook_secret_encrypted = keyring.encrypt(
                    webhook_secrets[provider].encode(), context=webhook_secret_context(tenant_id)
                )
            if provider not in sandbox.apps or provider not in origins:
                integration.status = IntegrationStatus.INACTIVE
                continue
            integration.config = {
                **(integration.config or {}),
                **sandbox.config(provider, origins[provider]),
            }
            if provider in sandbox.account_ids:
                integration.external_account_id = sandbox.account_ids[provider]
            if integration.credentials_encrypted is not None:
                continue
            integration.credentials_encrypted = keyring.encrypt_json(
                sandbox.credentials[provider], context=credentials_context(tenant_id)
            )
            integration.credentials_hint = "sandbox"
            integration.status = IntegrationStatus.ACTIVE
            targets[provider] = integration.id
        if targets:
            settings = await session.get(TenantSettings, tenant_id)
            if settings is not None:
                settings.rank_custom_field = RANK_FIELD
    return targets


async def _add_team(factory: SessionFactory, tenant_id: int, people: dict[str, str]) -> None:
    """The sandboxes' recruiters as the demo agency's users (recruiters), unless a user
    with that email exists: the first sync links each to their remote account by email."""
    async with factory.begin() as session:
        emails = await session.scalars(sa.select(User.email).where(User.tenant_id == tenant_id))
        known = {email.lower() for email in emails}
        session.add_all(
            User(tenant_id=tenant_id, email=email, name=name, role=Role.RECRUITER)
            for email, name in sorted(people.items())
            if email not in known
        )


SANDBOX_USERS: dict[Provider, tuple[str, str]] = {
    Provider.RECRUITERFLOW: ("40201", "10447"),
    Provider.BPOC: (ADMIN_ID, RECRUITER_ID),
}
"""(the admin's, the first recruiter's) user ids in the sandboxes that attribute writes."""


async def _link_recruiters(
    factory: SessionFactory, demo: DemoTenant, targets: dict[Provider, int]
) -> None:
    """Link the demo's admin and first recruiter to sandbox users, so write-backs work
    in the demo as they would once an admin ran ``recruiterSync``; the seeded links to
    made-up ids of these integrations give way. Done before the first sync, which links
    the rest of the team by email."""
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


# -- what the gateway owns -------------------------------------------------------------


async def _analyze(
    factory: SessionFactory,
    bus: EventBus,
    cache: ResponseCache,
    tenant_id: int,
    share: float = 0.3,
    seed: int = 7,
) -> None:
    """Resume analyses of a deterministic share of the active applications (all of them
    would hold the start-up for half a minute), by the offline provider (no model
    needed), after the syncs so they read the synced resumes. Analysed ones are skipped."""
    rng = random.Random(seed)
    async with factory() as session:
        synced = await _synced_applications(session, tenant_id)
    ids = [
        app.id for app in synced if rng.random() < share and app.status is ApplicationStatus.ACTIVE
    ]
    deps = AnalysisDeps(factory, bus, cache, OfflineProvider())
    await analyze_new_applications(deps, tenant_id, ids, trigger="demo")


@dataclass(frozen=True, slots=True)
class _Synced:
    """A synced application with what the demo's own records need of it."""

    id: int
    status: ApplicationStatus
    first_name: str
    title: str
    client: str
    recruiter_id: int | None
    currency: str | None
    kinds: tuple[StageKind, ...]
    """The kinds of the stages it passed through, oldest first."""


async def _synced_applications(session: Any, tenant_id: int) -> list[_Synced]:
    """In an order no database id decides (provider, then remote id), so the same
    sandboxes give the same demo records."""
    rows = (
        await session.execute(
            sa.select(
                Application.id,
                Application.status,
                Candidate.name,
                Candidate.first_name,
                Job.title,
                Job.client_name,
                Job.recruiter_id,
                Job.currency,
                Integration.provider,
                Application.remote_id,
            )
            .join(Candidate, Candidate.id == Application.candidate_id)
            .join(Job, Job.id == Application.job_id)
            .join(Integration, Integration.id == Application.integration_id)
            .where(Application.tenant_id == tenant_id)
        )
    ).all()
    moves = (
        await session.execute(
            sa.select(StageTransition.application_id, PipelineStage.kind)
            .join(PipelineStage, PipelineStage.id == StageTransition.to_stage_id)
            .where(StageTransition.tenant_id == tenant_id)
            .order_by(StageTransition.application_id, StageTransition.entered_at)
        )
    ).all()
    kinds: dict[int, list[StageKind]] = {}
    for application_id, kind in moves:
        kinds.setdefault(application_id, []).append(StageKind(kind))
    found = [
        (
            str(row.provider),
            str(row.remote_id or ""),
            _Synced(
                id=row.id,
                status=ApplicationStatus(row.status),
                first_name=row.first_name or (row.name or "there").split()[0],
                title=row.title,
                client=row.client_name or "Demo Agency",
                recruiter_id=row.recruiter_id,
                currency=row.currency,
                kinds=tuple(kinds.get(row.id, ())),
            ),
        )
        for row in rows
    ]
    return [synced for _p, _r, synced in sorted(found, key=lambda item: item[:2])]


_SELF_SERVICE_STATUSES = (
    InterviewStatus.SCHEDULED,
    InterviewStatus.IN_PROGRESS,
    InterviewStatus.COMPLETED,
    InterviewStatus.ABANDONED,
    InterviewStatus.EXPIRED,
    InterviewStatus.CANCELLED,
)
_STATUS_WEIGHTS = (20, 10, 45, 10, 10, 5)
_MESSAGES = {
    InterviewStatus.SCHEDULED: (2, 2),
    InterviewStatus.IN_PROGRESS: (3, 7),
    InterviewStatus.COMPLETED: (8, 12),
    InterviewStatus.ABANDONED: (2, 5),
    InterviewStatus.EXPIRED: (2, 2),
    InterviewStatus.CANCELLED: (2, 3),
}


async def _seed_interviews(
    factory: SessionFactory, tenant_id: int, share: float = 0.15, seed: int = 7
) -> None:
    """Self-service AI interviews on a deterministic sample of the synced applications,
    in every status (each at least once), with their chats; the completed ones with an
    evaluation. Open ones are recent (their links still valid), the rest in the past.
    Nothing is added once the tenant has a self-service interview."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    async with factory.begin() as session:
        if await session.scalar(
            sa.select(Interview.id)
            .where(Interview.tenant_id == tenant_id, Interview.kind == InterviewKind.SELF_SERVICE)
            .limit(1)
        ):
            return
        persona_ids = (
            await session.scalars(
                sa.select(Persona.id).where(Persona.tenant_id == tenant_id).order_by(Persona.id)
            )
        ).all()
        chosen = [a for a in await _synced_applications(session, tenant_id) if rng.random() < share]
        messages: list[dict[str, Any]] = []
        evaluations: list[dict[str, Any]] = []
        for number, app in enumerate(chosen):
            status = (
                _SELF_SERVICE_STATUSES[number]
                if number < len(_SELF_SERVICE_STATUSES)
                else rng.choices(_SELF_SERVICE_STATUSES, weights=_STATUS_WEIGHTS)[0]
            )
            if status is InterviewStatus.SCHEDULED:
                invited = now - timedelta(minutes=rng.randint(30, 2 * 24 * 60))
            elif status is InterviewStatus.IN_PROGRESS:
                invited = now - timedelta(minutes=rng.randint(60, 6 * 60))
            else:
                invited = now - timedelta(days=rng.randint(8, 30), minutes=rng.randint(0, 1440))
            opened = status not in (InterviewStatus.SCHEDULED, InterviewStatus.EXPIRED)
            started = invited + timedelta(minutes=rng.randint(5, 50)) if opened else None
            low, high = _MESSAGES[status]
            chat = chat_messages(
                rng,
                rng.randint(low, high),
                started=opened,
                closing=status is InterviewStatus.COMPLETED,
                first_name=app.first_name,
                title=app.title,
                client=app.client,
            )
            if not opened:
                chat = chat[:1]  # the greeting, unanswered
            moment = started or invited
            timed: list[tuple[MessageRole, str, datetime]] = []
            for role, content in chat:
                moment += timedelta(seconds=rng.randint(20, 180))
                timed.append((role, content, moment))
            completed = (
                moment + timedelta(seconds=5) if status is InterviewStatus.COMPLETED else None
            )
            token = f"demo-sync:{seed}:interview:{number}:{rng.getrandbits(64)}"
            interview = Interview(
                tenant_id=tenant_id,
                application_id=app.id,
                persona_id=persona_ids[0] if persona_ids else None,
                kind=InterviewKind.SELF_SERVICE,
                interview_type="screening",
                status=status,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                token_expires_at=invited + timedelta(days=7),
                started_at=started,
                completed_at=completed,
                scheduled_by_user_id=app.recruiter_id,
                invite_sent_at=invited,
                created_at=invited,
                updated_at=completed or moment,
            )
            session.add(interview)
            await session.flush()
            messages += [
                {
                    "tenant_id": tenant_id,
                    "interview_id": interview.id,
                    "sequence": sequence,
                    "role": role,
                    "content": content,
                    "created_at": at,
                }
                for sequence, (role, content, at) in enumerate(timed, start=1)
            ]
            if completed is not None:
                evaluations.append(
                    {
                        "tenant_id": tenant_id,
                        "interview_id": interview.id,
                        **evaluation_values(rng, app.first_name),
                        "created_at": completed + timedelta(minutes=2),
                    }
                )
        if messages:
            await session.execute(sa.insert(InterviewMessage), messages)
        if evaluations:
            await session.execute(sa.insert(Evaluation), evaluations)


async def _seed_offers(factory: SessionFactory, tenant_id: int, seed: int = 7) -> None:
    """Offers (the gateway's own records) where the synced pipelines reached the offer
    stage: accepted for hires; sent, draft, declined (a counter-offer pending) or
    withdrawn for those at the offer stage now; declined or withdrawn for those rejected
    after it. Nothing is added once the tenant has one."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    async with factory.begin() as session:
        if await session.scalar(sa.select(Offer.id).where(Offer.tenant_id == tenant_id).limit(1)):
            return
        rows: list[dict[str, Any]] = []
        for app in await _synced_applications(session, tenant_id):
            if StageKind.OFFER not in app.kinds:
                continue
            if app.status is ApplicationStatus.HIRED:
                status = OfferStatus.ACCEPTED
            elif app.status is ApplicationStatus.REJECTED:
                status = rng.choice((OfferStatus.DECLINED, OfferStatus.WITHDRAWN))
            elif app.kinds[-1] is StageKind.OFFER:
                status = rng.choices(
                    (
                        OfferStatus.SENT,
                        OfferStatus.DRAFT,
                        OfferStatus.DECLINED,
                        OfferStatus.WITHDRAWN,
                    ),
                    weights=(55, 25, 10, 10),
                )[0]
            else:
                continue
            created = now - timedelta(days=rng.randint(3, 40), minutes=rng.randint(0, 1440))
            sent = None if status is OfferStatus.DRAFT else created + timedelta(hours=2)
            answered = status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
            responded = sent + timedelta(days=rng.randint(1, 3)) if sent and answered else None
            currency = app.currency or "USD"
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "application_id": app.id,
                    "status": status,
                    "salary": Decimal(rng.randrange(30, 180) * 1000).quantize(Decimal("0.01")),
                    "currency": currency[:3],
                    "start_date": (now + timedelta(days=rng.randint(14, 45))).date(),
                    "sent_at": sent,
                    "responded_at": responded,
                    "created_by_user_id": app.recruiter_id,
                    "created_at": created,
                    "updated_at": responded or sent or created,
                }
            )
        if rows:
            await session.execute(sa.insert(Offer), rows)


def create_demo_app() -> Starlette:
    """The gateway of ``serve --demo``: its connectors reach the sandboxes recorded in
    the data folder (``gateway.outbound_http.sandbox_origins``), in development only."""
    from gateway.app import create_app

    settings = Settings()
    if not settings.is_development:
        raise RuntimeError("the demo is refused in production: it serves a known admin token")
    return create_app(settings)
