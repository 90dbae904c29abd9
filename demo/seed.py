"""Seed a demo tenant: a recruiting agency on four ATSs with a busy pipeline.

    >>> demo = await seed_demo(session_factory)        # 50 jobs, 1000 candidates, 2000 applications
    >>> demo.admin_user_id                             # the id of admin@demo.example
    >>> await seed_demo(session_factory) == demo       # the slug exists: nothing is inserted
    True

The tenant (slug ``demo``, "Demo Agency") gets an admin, four recruiters and a read-only
viewer; Recruiterflow, Jobvite, BPOC and Workday integrations, each with the same seven
pipeline stages; requisitions, candidates and applications synced from them, every
application with its stage history; resume analyses, self-service interviews with their
chats and evaluations, offers, onboarding tasks, prompts, personas and an activity feed.

Determinism: every value is drawn from one ``random.Random(seed)`` in a fixed order, and
every timestamp is an offset from ``BASE_TIME`` (2026-10-01 UTC), never from the clock.
The same seed gives the same data on any machine and either backend: titles, names,
pipelines, chats, times. No random draw depends on a database id, so a database that
already holds rows gets the same data under ids shifted by a constant.

Explicit ids: rows are built in Python as dicts and written with one executemany
``INSERT`` per table, in dependency order, in a single transaction, committed once.
Children need their parents' keys, so the parent tables (``_ALLOCATED``) get explicit
ids: one query reads their ``max(id)`` and ids are handed out upwards from there, which
works the same on SQLite and PostgreSQL. On PostgreSQL the id sequences are then moved
to the new maximum (``setval``) so later ordinary inserts do not collide. Leaf tables
(transitions, messages, evaluations, offers, ...) take database-generated ids. The
allocation assumes nothing else inserts into those tables while the seed runs, which
holds at start-up, where ``talentgraph serve --demo`` calls it.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.store.base import Base
from gateway.store.enums import (
    ActorType,
    ApplicationStatus,
    AuthType,
    IntegrationEnvironment,
    IntegrationStatus,
    InterviewKind,
    InterviewStatus,
    JobStatus,
    MessageRole,
    OfferStatus,
    OnboardingTaskStatus,
    PromptType,
    Provider,
    Role,
    StageKind,
)
from gateway.store.models import (
    Activity,
    Analysis,
    Application,
    Candidate,
    Evaluation,
    Integration,
    Interview,
    InterviewMessage,
    Job,
    Offer,
    OnboardingTask,
    Persona,
    PipelineStage,
    Prompt,
    RecruiterLink,
    StageTransition,
    Tenant,
    TenantSettings,
    User,
)

__all__ = ["BASE_TIME", "DemoTenant", "chat_messages", "evaluation_values", "seed_demo"]

BASE_TIME = datetime(2026, 10, 1, tzinfo=UTC)
"""'Now' in the demo world: every timestamp lies before it."""

Row = dict[str, Any]

# Tables that get explicit ids (children point at them), and the order of every insert.
_ALLOCATED: tuple[type[Base], ...] = (
    Tenant,
    User,
    Integration,
    PipelineStage,
    Job,
    Candidate,
    Application,
    Prompt,
    Persona,
    Interview,
)
_INSERT_ORDER: tuple[type[Base], ...] = (
    Tenant,
    User,
    TenantSettings,
    Integration,
    RecruiterLink,
    PipelineStage,
    Job,
    Candidate,
    Application,
    StageTransition,
    Prompt,
    Persona,
    Analysis,
    Interview,
    InterviewMessage,
    Evaluation,
    Offer,
    OnboardingTask,
    Activity,
)


@dataclass(frozen=True)
class DemoTenant:
    tenant_id: int
    admin_user_id: int
    recruiter_user_ids: list[int]
    readonly_user_id: int


async def seed_demo(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    jobs: int = 50,
    candidates: int = 1000,
    applications: int = 2000,
    seed: int = 7,
    slug: str = "demo",
) -> DemoTenant:
    """Create the demo tenant ``slug`` unless it exists; return its ids either way.

    Raises ``ValueError`` for negative sizes or more applications than distinct
    (job, candidate) pairs within the integrations allow.
    """
    for name, value in (("jobs", jobs), ("candidates", candidates), ("applications", applications)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    async with session_factory() as session:
        existing = await _find_demo(session, slug)
        if existing is not None:
            return existing
        ids = await _IdAllocator.load(session)
        builder = _Builder(random.Random(seed), ids, slug=slug, seed=seed)
        tables = builder.build(jobs=jobs, candidates=candidates, applications=applications)
        try:
            await session.execute(insert(Tenant), tables[Tenant])
        except IntegrityError:
            # Another process seeded the same slug meanwhile: theirs wins.
            await session.rollback()
            existing = await _find_demo(session, slug)
            if existing is None:
                raise
            return existing
        for model in _INSERT_ORDER[1:]:
            if tables[model]:
                await session.execute(insert(model), tables[model])
        await _advance_sequences(session)
        await session.commit()
    return builder.demo


# -- ids and the database ---------------------------------------------------------------


def _user_emails(slug: str) -> tuple[str, list[str], str]:
    domain = f"{slug}.example"
    recruiters = [f"recruiter{n}@{domain}" for n in range(1, len(_RECRUITERS) + 1)]
    return f"admin@{domain}", recruiters, f"viewer@{domain}"


async def _find_demo(session: AsyncSession, slug: str) -> DemoTenant | None:
    tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    if tenant_id is None:
        return None
    admin, recruiters, viewer = _user_emails(slug)
    result = await session.execute(
        select(User.email, User.id).where(
            User.tenant_id == tenant_id, User.email.in_([admin, *recruiters, viewer])
        )
    )
    by_email = {email: user_id for email, user_id in result}
    try:
        return DemoTenant(
            tenant_id=tenant_id,
            admin_user_id=by_email[admin],
            recruiter_user_ids=[by_email[email] for email in recruiters],
            readonly_user_id=by_email[viewer],
        )
    except KeyError:
        raise ValueError(f"tenant {slug!r} exists but was not created by seed_demo") from None


class _IdAllocator:
    """Hands out ids above each allocated table's high-water mark: its current maximum
    or, when higher, the last id the database ever generated for it, so a deleted
    user's (or integration's) id is never handed to a new row."""

    def __init__(self, maxima: dict[type[Base], int]) -> None:
        self._next = {model: top + 1 for model, top in maxima.items()}

    @classmethod
    async def load(cls, session: AsyncSession) -> _IdAllocator:
        columns = [select(func.max(m.__table__.c.id)).scalar_subquery() for m in _ALLOCATED]
        row = (await session.execute(select(*columns))).one()
        generated = await _generated_maxima(session)
        return cls(
            {
                model: max(top or 0, generated.get(model.__tablename__, 0))
                for model, top in zip(_ALLOCATED, row, strict=True)
            }
        )

    def take(self, model: type[Base]) -> int:
        value = self._next[model]
        self._next[model] = value + 1
        return value


async def _generated_maxima(session: AsyncSession) -> dict[str, int]:
    """The last id each allocated table's counter handed out (SQLite's
    ``sqlite_sequence``, PostgreSQL's sequences); absent where it never did."""
    names = [model.__tablename__ for model in _ALLOCATED]
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        calls = ", ".join(
            f"coalesce(pg_sequence_last_value(pg_get_serial_sequence('{name}', 'id')::regclass), 0)"
            for name in names
        )
        row = (await session.execute(text(f"SELECT {calls}"))).one()
        return dict(zip(names, (int(value) for value in row), strict=True))
    if connection.dialect.name == "sqlite":
        exists = await session.scalar(
            text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
        )
        if not exists:
            return {}
        result = await session.execute(text("SELECT name, seq FROM sqlite_sequence"))
        return {str(name): int(seq) for name, seq in result if name in names}
    return {}


async def _advance_sequences(session: AsyncSession) -> None:
    """On PostgreSQL, move each allocated table's id sequence up to its new maximum,
    never down (SQLite's ``AUTOINCREMENT`` counter follows explicit ids by itself)."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return
    calls = ", ".join(
        f"setval(pg_get_serial_sequence('{name}', 'id'), GREATEST((SELECT max(id) FROM {name}),"
        f" coalesce(pg_sequence_last_value(pg_get_serial_sequence('{name}', 'id')::regclass),"
        " 1)))"
        for name in (model.__tablename__ for model in _ALLOCATED)
    )
    await session.execute(text(f"SELECT {calls}"))


# -- small helpers ------------------------------------------------------------------------


def _span(rng: random.Random, low: timedelta, high: timedelta) -> timedelta:
    """A random whole-second duration in [low, high]."""
    return timedelta(seconds=rng.randint(int(low.total_seconds()), int(high.total_seconds())))


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start if end <= start else start + _span(rng, timedelta(0), end - start)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _synced(
    integration_id: int | None,
    remote_id: str | None,
    remote_data: Row | None,
    *,
    remote_updated_at: datetime | None,
    last_synced_at: datetime | None,
) -> Row:
    """The ``Synced`` columns of a record mirrored from an ATS."""
    content_hash = None
    if remote_data is not None:
        canonical = json.dumps(remote_data, sort_keys=True, separators=(",", ":"))
        content_hash = hashlib.sha256(canonical.encode()).hexdigest()
    return {
        "integration_id": integration_id,
        "remote_id": remote_id,
        "remote_data": remote_data,
        "remote_updated_at": remote_updated_at,
        "remote_deleted_at": None,
        "last_synced_at": last_synced_at,
        "content_hash": content_hash,
    }


def _split_quota(total: int, capacities: Sequence[int]) -> list[int]:
    """Share ``total`` among groups in proportion to capacity, never above it."""
    capacity = sum(capacities)
    if total > capacity:
        raise ValueError(
            f"applications={total} exceeds the {capacity} distinct (job, candidate) pairs "
            "available within integrations; add jobs or candidates"
        )
    if total == 0:
        return [0] * len(capacities)
    quotas = [total * cap // capacity for cap in capacities]
    while (left := total - sum(quotas)) > 0:
        for index, cap in enumerate(capacities):
            if left and quotas[index] < cap:
                quotas[index] += 1
                left -= 1
    return quotas


# -- the demo world -------------------------------------------------------------------------

_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)

_ADMIN = ("Morgan Hale", "Agency Director")
_RECRUITERS = (
    ("Priya Raman", "Senior Recruiter", "+1 512-555-0101"),
    ("Marco Santos", "Recruiter, BPO Practice", "+63 917 555 0102"),
    ("Jamie Chen", "Technical Recruiter", "+1 415-555-0103"),
    ("Alex Rivera", "Healthcare Recruiter", "+1 312-555-0104"),
)
_VIEWER = "Sam Okafor"

# provider, integration name, auth type, remote status per job status
_INTEGRATIONS: tuple[tuple[Provider, str, AuthType, dict[JobStatus, str]], ...] = (
    (
        Provider.RECRUITERFLOW,
        "Recruiterflow",
        AuthType.API_KEY,
        {JobStatus.OPEN: "Open", JobStatus.ON_HOLD: "On Hold", JobStatus.CLOSED: "Closed"},
    ),
    (
        Provider.JOBVITE,
        "Jobvite",
        AuthType.HMAC,
        {JobStatus.OPEN: "Open", JobStatus.ON_HOLD: "Hold", JobStatus.CLOSED: "Filled"},
    ),
    (
        Provider.BPOC,
        "BPOC",
        AuthType.API_KEY,
        {JobStatus.OPEN: "active", JobStatus.ON_HOLD: "paused", JobStatus.CLOSED: "closed"},
    ),
    (
        Provider.WORKDAY,
        "Workday",
        AuthType.OAUTH2,
        {JobStatus.OPEN: "Open", JobStatus.ON_HOLD: "Frozen", JobStatus.CLOSED: "Closed"},
    ),
)
_ONBOARDING_PROVIDERS = frozenset({Provider.BPOC, Provider.JOBVITE})

_STAGES: tuple[tuple[str, StageKind], ...] = (
    ("Applied", StageKind.APPLIED),
    ("Recruiter Screen", StageKind.SCREEN),
    ("Hiring Manager Review", StageKind.SCREEN),
    ("Client Interview", StageKind.INTERVIEW),
    ("Offer", StageKind.OFFER),
    ("Hired", StageKind.HIRED),
    ("Rejected", StageKind.REJECTED),
)
_OFFER, _HIRED, _REJECTED = 4, 5, 6

_JOB_TITLES = (
    ("Senior Backend Engineer", "Engineering"),
    ("Frontend Engineer (React)", "Engineering"),
    ("DevOps Engineer", "Engineering"),
    ("QA Engineer", "Engineering"),
    ("Python Developer", "Engineering"),
    ("Data Analyst", "Analytics"),
    ("Product Manager", "Product"),
    ("UX Designer", "Design"),
    ("Customer Support Representative", "Customer Success"),
    ("Technical Support Specialist", "Customer Success"),
    ("Team Lead, Customer Care", "Customer Success"),
    ("Account Executive", "Sales"),
    ("Sales Development Representative", "Sales"),
    ("Virtual Assistant", "Operations"),
    ("Project Coordinator", "Operations"),
    ("Warehouse Supervisor", "Operations"),
    ("Bookkeeper", "Finance"),
    ("Payroll Specialist", "Finance"),
    ("Financial Analyst", "Finance"),
    ("Registered Nurse (ICU)", "Clinical"),
    ("Medical Coder", "Clinical"),
    ("HR Generalist", "People"),
    ("Recruitment Coordinator", "People"),
    ("Marketing Manager", "Marketing"),
    ("Content Writer", "Marketing"),
)
_PH_LOCATIONS = (
    ("Manila, Philippines", "PHP"),
    ("Makati, Philippines", "PHP"),
    ("Cebu City, Philippines", "PHP"),
    ("Clark, Philippines", "PHP"),
    ("Remote (Philippines)", "PHP"),
)
_WORLD_LOCATIONS = (
    ("Austin, TX", "USD"),
    ("New York, NY", "USD"),
    ("Chicago, IL", "USD"),
    ("Denver, CO", "USD"),
    ("Remote (US)", "USD"),
    ("London, UK", "GBP"),
    ("Manchester, UK", "GBP"),
    ("Toronto, ON", "CAD"),
)
_FX = {"USD": 1.0, "GBP": 0.8, "CAD": 1.35, "PHP": 56.0}
_CLIENTS = (
    "Northwind Health",
    "Acme Logistics",
    "Globex Financial",
    "Initech",
    "Umbrella Retail",
    "Stark Manufacturing",
    "Wayne Hospitality",
    "Hooli Cloud",
    "Soylent Foods",
    "Tyrell Biotech",
    "Blue Harbor Insurance",
    "Summit Outsourcing",
)
_FIRST_NAMES = (
    "James", "Maria", "Wei", "Aisha", "Carlos", "Emily", "Juan", "Priya", "Liam", "Sofia",
    "Noah", "Olivia", "Mateo", "Chloe", "Ethan", "Grace", "Jose", "Angelica", "Mark",
    "Kristine", "Daniel", "Fatima", "Hiro", "Ana", "Lucas", "Isabella", "Arjun", "Mei",
    "Omar", "Hannah", "Diego", "Zoe", "Samuel", "Nadia", "Paolo", "Camille", "Tomas",
    "Leah", "Rafael", "Joy",
)  # fmt: skip
_LAST_NAMES = (
    "Smith", "Garcia", "Chen", "Khan", "Santos", "Johnson", "Reyes", "Patel", "Brown",
    "Cruz", "Williams", "Nguyen", "Lopez", "Kim", "Martin", "Bautista", "Dela Cruz",
    "Mendoza", "Okafor", "Rossi", "Schmidt", "Tanaka", "Ali", "Murphy", "Aquino",
    "Fernandez", "Singh", "Wilson", "Ramos", "Taylor",
)  # fmt: skip
_SOURCES = ("LinkedIn", "Indeed", "Referral", "Career site", "Agency database", "JobStreet")
_TAGS = (
    "python", "react", "bilingual", "night-shift", "remote-ok", "healthcare", "sales",
    "leadership", "immediate-start", "relocation", "customer-service", "finance",
)  # fmt: skip
_REJECTION_REASONS = (
    "Not enough relevant experience",
    "Salary expectations above budget",
    "Candidate withdrew interest",
    "Position filled by another candidate",
    "Did not pass the skills assessment",
    "No response from candidate",
)
_PROS = (
    "Directly relevant experience in a similar role",
    "Stable tenure with previous employers",
    "Strong written communication in the application",
    "Has worked with clients in the same industry",
    "Available to start immediately",
    "Relevant certifications listed",
)
_CONS = (
    "No experience with the client's tooling",
    "Short tenure in the most recent role",
    "Salary expectation near the top of the band",
    "Would need to relocate",
    "Limited leadership experience",
)
_RED_FLAGS = ("Unexplained 18-month employment gap", "Inconsistent dates between roles")
_COMPLIANCE_FLAGS = ("Work authorization not stated", "Requires visa sponsorship")
_SUGGESTED_QUESTIONS = (
    "Tell me about a time you handled a difficult customer.",
    "Which tools did you use daily in your last role?",
    "Why are you looking to leave your current position?",
    "Describe a process you improved and how you measured it.",
    "What is your availability for night or weekend shifts?",
)
_QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Could you walk me through your most recent role and what you were responsible for?",
        (
            "I've spent the last three years on a team of eight, handling day-to-day "
            "operations and reporting to the team lead.",
            "Most recently I owned a small book of accounts end to end, from onboarding to "
            "renewal, and trained two new hires.",
        ),
    ),
    (
        "Tell me about a time something went wrong at work. What did you do?",
        (
            "A release broke our billing export; I rolled it back, told the affected "
            "customers, and we added a check so it couldn't happen again.",
            "We missed a client deadline once. I owned it, set up a daily check-in, and we "
            "delivered two days later with the client's agreement.",
        ),
    ),
    (
        "How do you keep track of your work when priorities change during the day?",
        (
            "I keep a short list in our ticketing tool and re-rank it with my lead whenever "
            "something urgent comes in.",
            "Calendar blocks for deep work and a shared board so everyone sees what moved.",
        ),
    ),
    (
        "This role works closely with the client's team. How do you like to communicate?",
        (
            "Short written updates every day, and a call when something needs a decision.",
            "I'm comfortable on Slack and video calls, and I always confirm decisions in writing.",
        ),
    ),
    (
        "What are your salary expectations and when could you start?",
        (
            "I'm looking for something in the posted range and can start after two weeks' notice.",
            "I'm flexible on salary for the right team; I could start at the beginning of "
            "next month.",
        ),
    ),
    (
        "Are you comfortable with the schedule for this position, including any shifts?",
        (
            "Yes, I've worked night shifts for US clients before and it suits me.",
            "Yes, the schedule works for me.",
        ),
    ),
)
_READY_REPLIES = ("Yes, let's start!", "Hi! Yes, I'm ready.", "Sure, go ahead.")
_LATER_REPLIES = (
    "Thanks! I'll start it this evening when I'm home.",
    "Got it, I'll do it tomorrow morning.",
)
_THANKS_REPLIES = (
    "Thank you, looking forward to hearing from you!",
    "Thanks for your time, have a good day.",
)
_STRENGTHS = (
    "Clear, structured answers",
    "Relevant hands-on experience",
    "Takes ownership of mistakes",
    "Good client communication",
    "Flexible about schedule",
)
_WEAKNESSES = (
    "Limited leadership experience",
    "Answers lacked concrete metrics",
    "Unfamiliar with the client's tools",
)
_FOCUS = (
    "Leadership scenarios",
    "Hands-on skills test",
    "Client-facing role play",
    "Reference check on most recent role",
)
_ONBOARDING_TASKS = (
    ("Sign employment contract", "document", "Review and e-sign the employment contract."),
    ("Submit government ID", "document", "Upload a clear photo of a valid government ID."),
    ("Complete background check", "background_check", "Fill in the background check consent."),
    ("Provide bank details", "form", "Enter bank details for payroll."),
    ("Medical clearance", "document", "Upload the pre-employment medical certificate."),
)
_SCORE_FIELDS = (
    "reliability_score",
    "accountability_score",
    "professionalism_score",
    "communication_score",
    "technical_score",
    "growth_potential_score",
)
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_NUMERIC_BASE = {"job": 48_000, "candidate": 910_000, "application": 3_300_000, "offer": 77_000}
_WORKDAY_PREFIX = {"job": "JR", "candidate": "C", "application": "JA", "offer": "OF"}


@dataclass
class _AppPlan:
    """An application before it has an id: who, where, and its path through the stages."""

    group: int
    job: Row
    candidate: Row
    path: list[int]
    times: list[datetime]
    status: ApplicationStatus


class _Builder:
    """Builds every row of the demo tenant as dicts, keyed by model in insert order."""

    def __init__(self, rng: random.Random, ids: _IdAllocator, *, slug: str, seed: int) -> None:
        self.rng = rng
        self.ids = ids
        self.slug = slug
        self.seed = seed
        self.rows: dict[type[Base], list[Row]] = {model: [] for model in _INSERT_ORDER}
        self.tenant_id = ids.take(Tenant)
        self.users: dict[int, Row] = {}
        self.recruiters: list[Row] = []
        self.integrations: list[Row] = []
        self.stage_ids: list[list[int]] = []
        self.jobs: dict[int, Row] = {}
        self.candidates: dict[int, Row] = {}
        self.applications: dict[int, Row] = {}
        self.transitions: dict[int, list[Row]] = {}
        self.prompt_ids: dict[PromptType, int] = {}
        self.persona_ids: list[int] = []
        self.demo: DemoTenant

    def build(
        self, *, jobs: int, candidates: int, applications: int
    ) -> dict[type[Base], list[Row]]:
        self._tenancy()
        self._integrations()
        self._stages()
        self._jobs(jobs)
        self._candidates(candidates)
        self._applications(applications)
        self._backdate_candidates()
        self._prompts_and_personas()
        self._analyses()
        self._interviews()
        self._offers_and_onboarding()
        self._activities(200)
        return self.rows

    # helpers bound to the builder's state

    def _add(self, model: type[Base], row: Row) -> Row:
        self.rows[model].append(row)
        return row

    def _remote_id(self, provider: Provider, kind: str, number: int) -> str:
        match provider:
            case Provider.RECRUITERFLOW:
                return str(_NUMERIC_BASE[kind] + number)
            case Provider.JOBVITE:
                return "o" + "".join(self.rng.choices(_ALNUM, k=5)) + f"{number:04d}"
            case Provider.WORKDAY:
                return f"{_WORKDAY_PREFIX[kind]}-{number:06d}"
            case Provider.BPOC:
                return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _group(self, integration_id: int) -> int:
        return next(i for i, row in enumerate(self.integrations) if row["id"] == integration_id)

    def _provider(self, integration_id: int) -> Provider:
        return Provider(self.integrations[self._group(integration_id)]["provider"])

    def _sync_actor(self, integration_id: int) -> tuple[str, str]:
        integration = self.integrations[self._group(integration_id)]
        return str(integration_id), f"{integration['name']} sync"

    # tenants and users

    def _tenancy(self) -> None:
        created = BASE_TIME - timedelta(days=400)
        self._add(
            Tenant,
            {"id": self.tenant_id, "slug": self.slug, "name": "Demo Agency", "created_at": created},
        )
        admin_email, recruiter_emails, viewer_email = _user_emails(self.slug)
        people: list[tuple[str, str, Role, str | None, str | None]] = [
            (admin_email, _ADMIN[0], Role.ADMIN, None, _ADMIN[1]),
            *(
                (email, name, Role.RECRUITER, phone, title)
                for email, (name, title, phone) in zip(recruiter_emails, _RECRUITERS, strict=True)
            ),
            (viewer_email, _VIEWER, Role.READONLY, None, "Client Success Analyst"),
        ]
        for email, name, role, phone, title in people:
            contact = (
                f"{name} · {title}, Demo Agency · {phone} · {email}"
                if role is Role.RECRUITER
                else None
            )
            user = self._add(
                User,
                {
                    "id": self.ids.take(User),
                    "tenant_id": self.tenant_id,
                    "email": email,
                    "name": name,
                    "role": role,
                    "phone": phone,
                    "title": title,
                    "public_contact_info": contact,
                    "is_active": True,
                    "created_at": created,
                    "updated_at": created,
                },
            )
            self.users[user["id"]] = user
        self.recruiters = [u for u in self.users.values() if u["role"] is Role.RECRUITER]
        admin, viewer = self.rows[User][0], self.rows[User][-1]
        self.demo = DemoTenant(
            tenant_id=self.tenant_id,
            admin_user_id=admin["id"],
            recruiter_user_ids=[u["id"] for u in self.recruiters],
            readonly_user_id=viewer["id"],
        )
        self._add(
            TenantSettings,
            {
                "tenant_id": self.tenant_id,
                "lookback_hours_default": 24,
                "lookback_hours_min": 1,
                "lookback_hours_max": 168,
                "interview_token_expiry_days": 7,
                "email_from_address": f"talent@{self.slug}.example",
                "email_from_name": "Demo Agency Talent Team",
                "default_recruiter_id": self.recruiters[0]["id"],
                "stale_stage_days": 14,
                "rank_custom_field": "Priority Rank",
                "updated_at": created,
            },
        )

    # integrations, recruiter links, pipeline stages

    def _integrations(self) -> None:
        created = BASE_TIME - timedelta(days=365)
        synced = BASE_TIME - 5 * _MINUTE
        for provider, name, auth_type, _statuses in _INTEGRATIONS:
            integration = self._add(
                Integration,
                {
                    "id": self.ids.take(Integration),
                    "tenant_id": self.tenant_id,
                    "provider": provider,
                    "name": name,
                    "environment": IntegrationEnvironment.PROD,
                    "auth_type": auth_type,
                    "credentials_encrypted": None,
                    "credentials_hint": None,
                    "webhook_secret_encrypted": None,
                    "config": {},
                    "external_account_id": ("demoagency" if provider is Provider.JOBVITE else None),
                    "status": IntegrationStatus.ACTIVE,
                    "sync_interval_minutes": 30,
                    "full_sync_interval_minutes": 24 * 60,
                    "sync_cursor": None,
                    "last_sync_at": synced,
                    "last_successful_sync_at": synced,
                    "last_health_check_at": BASE_TIME - 2 * _MINUTE,
                    "last_error": None,
                    "last_error_at": None,
                    "created_at": created,
                    "updated_at": synced,
                },
            )
            self.integrations.append(integration)
            for number, recruiter in enumerate(self.recruiters, start=1):
                remote_id = (
                    str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
                    if provider is Provider.BPOC
                    else str(1000 + number)
                )
                self._add(
                    RecruiterLink,
                    {
                        "tenant_id": self.tenant_id,
                        "user_id": recruiter["id"],
                        "integration_id": integration["id"],
                        "remote_id": remote_id,
                        "remote_email": recruiter["email"],
                        "linked_at": created,
                    },
                )

    def _stages(self) -> None:
        synced = BASE_TIME - 5 * _MINUTE
        for integration in self.integrations:
            ids: list[int] = []
            for position, (name, kind) in enumerate(_STAGES):
                remote_id = (
                    str(100 + position)
                    if integration["provider"] is Provider.RECRUITERFLOW
                    else name.lower().replace(" ", "_")
                )
                remote_data = {"id": remote_id, "name": name, "order": position}
                stage = self._add(
                    PipelineStage,
                    {
                        "id": self.ids.take(PipelineStage),
                        "tenant_id": self.tenant_id,
                        **_synced(
                            integration["id"],
                            remote_id,
                            remote_data,
                            remote_updated_at=BASE_TIME - timedelta(days=365),
                            last_synced_at=synced,
                        ),
                        "name": name,
                        "position": position,
                        "kind": kind,
                    },
                )
                ids.append(stage["id"])
            self.stage_ids.append(ids)

    # requisitions

    def _jobs(self, count: int) -> None:
        rng = self.rng
        for number in range(count):
            integration = self.integrations[number % len(self.integrations)]
            provider = Provider(integration["provider"])
            remote_statuses = _INTEGRATIONS[number % len(self.integrations)][3]
            title, department = rng.choice(_JOB_TITLES)
            location, currency = rng.choice(
                _PH_LOCATIONS if provider is Provider.BPOC else _WORLD_LOCATIONS
            )
            client = rng.choice(_CLIENTS)
            status = rng.choices(
                (JobStatus.OPEN, JobStatus.ON_HOLD, JobStatus.CLOSED), weights=(70, 15, 15)
            )[0]
            employment_type = rng.choices(
                ("full_time", "contract", "part_time"), weights=(75, 18, 7)
            )[0]
            recruiter = rng.choice(self.recruiters)
            opened_at = BASE_TIME - _span(rng, 30 * _DAY, 240 * _DAY)
            closed_at = (
                BASE_TIME - _span(rng, _DAY, 20 * _DAY) if status is JobStatus.CLOSED else None
            )
            remote_updated_at = closed_at or _between(rng, opened_at, BASE_TIME - _HOUR)
            last_synced_at = BASE_TIME - _span(rng, _MINUTE, 30 * _MINUTE)
            fee_usd = rng.randrange(60, 600) * 50
            fee = Decimal(round(fee_usd * _FX[currency] / 50) * 50).quantize(Decimal("0.01"))
            years = rng.randint(1, 8)
            auto_send = status is JobStatus.OPEN and rng.random() < 0.3
            score = round(rng.uniform(20, 95), 1) if status is JobStatus.OPEN else None
            remote_id = self._remote_id(provider, "job", number + 1)
            description = f"{client} is hiring a {title} for its {department} team in {location}."
            remote_data = {
                "id": remote_id,
                "title": title,
                "status": remote_statuses[status],
                "location": location,
                "department": department,
                "client": client,
                "employment_type": employment_type,
                "opened_at": _iso(opened_at),
                "owner_email": recruiter["email"],
            }
            job = self._add(
                Job,
                {
                    "id": self.ids.take(Job),
                    "tenant_id": self.tenant_id,
                    **_synced(
                        integration["id"],
                        remote_id,
                        remote_data,
                        remote_updated_at=remote_updated_at,
                        last_synced_at=last_synced_at,
                    ),
                    "title": title,
                    "description": description,
                    "detailed_description": (
                        f"{description}\n\nWhat you will do:\n"
                        f"- Own day-to-day {department.lower()} work for {client}\n"
                        "- Work with the client's team leads and report weekly\n\n"
                        f"What you bring:\n- {years}+ years in a similar role\n"
                        "- Clear written and spoken English"
                    ),
                    "location": location,
                    "department": department,
                    "employment_type": employment_type,
                    "client_name": client,
                    "status": status,
                    "remote_status": remote_statuses[status],
                    "opened_at": opened_at,
                    "closed_at": closed_at,
                    "estimated_fee": fee,
                    "currency": currency,
                    "recruiter_id": recruiter["id"],
                    "is_active": True,
                    "auto_send_interview": auto_send,
                    "auto_send_on_status": "Recruiter Screen" if auto_send else None,
                    "interview_instructions": (
                        f"Focus on {department.lower()} experience and shift availability."
                        if auto_send
                        else None
                    ),
                    "min_check_interval": 15,
                    "lookback_hours": None,
                    "rank": None,
                    "score": score,
                    "created_at": opened_at + _span(rng, _MINUTE, _HOUR),
                    "updated_at": last_synced_at,
                },
            )
            self.jobs[job["id"]] = job
        ranked = sorted(
            (job for job in self.jobs.values() if job["score"] is not None),
            key=lambda job: (-job["score"], job["id"]),
        )
        for rank, job in enumerate(ranked, start=1):
            job["rank"] = rank

    # candidates

    def _candidates(self, count: int) -> None:
        rng = self.rng
        for number in range(count):
            integration = self.integrations[number % len(self.integrations)]
            provider = Provider(integration["provider"])
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
            email = f"{first}.{last.replace(' ', '')}.{number + 1}@example.com".lower()
            if provider is Provider.BPOC:
                phone = f"+63 9{rng.randint(10, 99)} 555 {rng.randint(1000, 9999)}"
                location = rng.choice(_PH_LOCATIONS)[0]
            else:
                phone = f"+1 {rng.randint(201, 989)}-555-{rng.randint(100, 199):04d}"
                location = rng.choice(_WORLD_LOCATIONS)[0]
            role = rng.choice(_JOB_TITLES)[0]
            years = rng.randint(1, 15)
            headline = f"{role} · {years} years of experience"
            source = rng.choice(_SOURCES)
            tags = sorted(rng.sample(_TAGS, rng.randint(0, 3)))
            remote_id = self._remote_id(provider, "candidate", number + 1)
            remote_data = {
                "id": remote_id,
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": phone,
                "location": location,
                "headline": headline,
                "source": source,
                "tags": tags,
            }
            last_synced_at = BASE_TIME - _span(rng, _MINUTE, 30 * _MINUTE)
            candidate = self._add(
                Candidate,
                {
                    "id": self.ids.take(Candidate),
                    "tenant_id": self.tenant_id,
                    # remote_updated_at and created_at are settled in _backdate_candidates
                    **_synced(
                        integration["id"],
                        remote_id,
                        remote_data,
                        remote_updated_at=None,
                        last_synced_at=last_synced_at,
                    ),
                    "first_name": first,
                    "last_name": last,
                    "name": f"{first} {last}",
                    "email": email,
                    "phone": phone,
                    "location": location,
                    "headline": headline,
                    "source": source,
                    "resume_url": f"https://files.example.com/resumes/{remote_id}.pdf",
                    "resume_text": (
                        f"{first} {last}\n{headline}\n{location}\n\n"
                        f"Experience: {years} years as {role}.\n"
                        f"Skills: {', '.join(tags) if tags else 'communication, teamwork'}."
                    ),
                    "tags": tags,
                    "created_at": BASE_TIME - _span(rng, _DAY, 400 * _DAY),
                    "updated_at": last_synced_at,
                },
            )
            self.candidates[candidate["id"]] = candidate

    def _backdate_candidates(self) -> None:
        """A candidate exists before their first application; edits follow creation."""
        first_applied: dict[int, datetime] = {}
        for app in self.rows[Application]:
            seen = first_applied.get(app["candidate_id"])
            if seen is None or app["applied_at"] < seen:
                first_applied[app["candidate_id"]] = app["applied_at"]
        for candidate in self.candidates.values():
            applied = first_applied.get(candidate["id"])
            if applied is not None and candidate["created_at"] > applied:
                candidate["created_at"] = applied - _span(self.rng, _HOUR, 72 * _HOUR)
            candidate["remote_updated_at"] = _between(
                self.rng, candidate["created_at"], BASE_TIME - _HOUR
            )

    # applications and their stage history

    def _applications(self, count: int) -> None:
        rng = self.rng
        groups = range(len(self.integrations))
        jobs_by = [
            [j for j in self.jobs.values() if self._group(j["integration_id"]) == g] for g in groups
        ]
        cands_by = [
            [c for c in self.candidates.values() if self._group(c["integration_id"]) == g]
            for g in groups
        ]
        quotas = _split_quota(
            count, [len(j) * len(c) for j, c in zip(jobs_by, cands_by, strict=True)]
        )
        plans: list[_AppPlan] = []
        for group, quota in enumerate(quotas):
            g_jobs, g_cands = jobs_by[group], cands_by[group]
            for pair in rng.sample(range(len(g_jobs) * len(g_cands)), quota):
                job, candidate = g_jobs[pair // len(g_cands)], g_cands[pair % len(g_cands)]
                path, status = _stage_path(rng, job["status"])
                times = _stage_times(rng, job["opened_at"], len(path))
                plans.append(_AppPlan(group, job, candidate, path, times, status))
        # ids ascend with the application date, as they would in a live system
        plans.sort(key=lambda p: (p.times[0], p.job["id"], p.candidate["id"]))
        for number, plan in enumerate(plans, start=1):
            self._application(number, plan)

    def _application(self, number: int, plan: _AppPlan) -> None:
        rng, job, stage_ids = self.rng, plan.job, self.stage_ids[plan.group]
        provider = self._provider(job["integration_id"])
        recruiter = self.users[job["recruiter_id"]]
        last_position, last_at = plan.path[-1], plan.times[-1]
        remote_id = self._remote_id(provider, "application", number)
        remote_data = {
            "id": remote_id,
            "job_id": job["remote_id"],
            "candidate_id": plan.candidate["remote_id"],
            "stage": _STAGES[last_position][0],
            "status": plan.status.value,
            "applied_at": _iso(plan.times[0]),
        }
        rejected = plan.status is ApplicationStatus.REJECTED
        hired = plan.status is ApplicationStatus.HIRED
        app = self._add(
            Application,
            {
                "id": self.ids.take(Application),
                "tenant_id": self.tenant_id,
                **_synced(
                    job["integration_id"],
                    remote_id,
                    remote_data,
                    remote_updated_at=last_at,
                    last_synced_at=BASE_TIME - _span(rng, _MINUTE, 30 * _MINUTE),
                ),
                "job_id": job["id"],
                "candidate_id": plan.candidate["id"],
                "status": plan.status,
                "current_stage_id": stage_ids[last_position],
                "stage_entered_at": last_at,
                "applied_at": plan.times[0],
                "rejected_at": last_at if rejected else None,
                "rejection_reason": rng.choice(_REJECTION_REASONS) if rejected else None,
                "released_at": None,
                "hired_at": last_at if hired else None,
                "risk_score": None,
                "human_requested": False,
                "compliance_review": False,
                "created_at": plan.times[0],
                "updated_at": last_at,
            },
        )
        history: list[Row] = []
        for step, position in enumerate(plan.path):
            previous = plan.path[step - 1] if step else None
            by_recruiter = step > 0
            history.append(
                self._add(
                    StageTransition,
                    {
                        "tenant_id": self.tenant_id,
                        "application_id": app["id"],
                        "from_stage_id": None if previous is None else stage_ids[previous],
                        "to_stage_id": stage_ids[position],
                        "from_stage_name": None if previous is None else _STAGES[previous][0],
                        "to_stage_name": _STAGES[position][0],
                        "entered_at": plan.times[step],
                        "left_at": plan.times[step + 1] if step + 1 < len(plan.times) else None,
                        "moved_by_user_id": recruiter["id"] if by_recruiter else None,
                        "moved_by_name": recruiter["name"] if by_recruiter else None,
                        "integration_id": job["integration_id"],
                        "remote_key": f"{remote_id}:{step}",
                    },
                )
            )
        self.applications[app["id"]] = app
        self.transitions[app["id"]] = history

    # prompts and personas

    def _prompts_and_personas(self) -> None:
        created = BASE_TIME - timedelta(days=300)
        prompts: list[tuple[str, PromptType, str, str | None, int | None, bool]] = [
            (
                "Resume analysis (default)",
                PromptType.RESUME_ANALYSIS,
                "You are an experienced agency recruiter. Compare the resume below with the "
                "requisition '{{job_title}}' for {{client_name}}.\n\nResume:\n{{resume_text}}\n\n"
                "Return a risk score from 0 (great fit) to 1 (poor fit), pros, cons, red "
                "flags, compliance flags and three interview questions.",
                json.dumps(
                    {
                        "type": "object",
                        "required": ["risk_score", "pros", "cons"],
                        "properties": {
                            "risk_score": {"type": "number", "minimum": 0, "maximum": 1},
                            "pros": {"type": "array", "items": {"type": "string"}},
                            "cons": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                ),
                None,
                True,
            ),
            (
                "Screening interview (default)",
                PromptType.INTERVIEW,
                "Interview {{candidate_first_name}} for '{{job_title}}'. Ask one question at a "
                "time about recent experience, problem solving, communication, availability "
                "and salary. Keep it under 15 minutes.",
                None,
                None,
                True,
            ),
            (
                "Interview evaluation (default)",
                PromptType.EVALUATION,
                "Score the transcript from 1 to 10 on reliability, accountability, "
                "professionalism, communication, technical skill and growth potential, give "
                "an overall score from 0 to 100 and a recommendation.\n\n{{transcript}}",
                json.dumps({"type": "object", "required": ["overall_score", "recommendation"]}),
                None,
                True,
            ),
            (
                "Interview invitation email (default)",
                PromptType.INTERVIEW_EMAIL,
                "Hi {{candidate_first_name}},\n\nThanks for applying for {{job_title}}. Please "
                "complete a short online interview here: {{interview_link}} (valid for "
                "{{expiry_days}} days).\n\n{{recruiter_name}}, Demo Agency",
                None,
                None,
                True,
            ),
        ]
        if self.jobs:
            first_job = next(iter(self.jobs.values()))
            prompts.append(
                (
                    f"Screening interview: {first_job['title']}",
                    PromptType.INTERVIEW,
                    "Interview {{candidate_first_name}} for '{{job_title}}'. The client "
                    "insists on two questions about handling escalations.",
                    None,
                    first_job["id"],
                    False,
                )
            )
        for name, prompt_type, template, schema, job_id, is_default in prompts:
            prompt_id = self.ids.take(Prompt)
            if is_default:
                self.prompt_ids[prompt_type] = prompt_id
            self._add(
                Prompt,
                {
                    "id": prompt_id,
                    "tenant_id": self.tenant_id,
                    "name": name,
                    "prompt_type": prompt_type,
                    "template_content": template,
                    "schema_content": schema,
                    "job_id": job_id,
                    "is_default": is_default,
                    "created_at": created,
                    "updated_at": created,
                },
            )
        personas = (
            (
                "Friendly Interviewer",
                "A warm, encouraging interview style",
                "You are a friendly AI interviewer for Demo Agency. Put the candidate at ease, "
                "ask one question at a time and acknowledge each answer briefly.",
                True,
            ),
            (
                "Structured Interviewer",
                "Concise, competency-based questions with follow-ups",
                "You are a structured AI interviewer. Ask competency-based questions, probe "
                "for concrete examples and metrics, and keep a neutral tone.",
                False,
            ),
        )
        for name, description, template, is_default in personas:
            persona_id = self.ids.take(Persona)
            self.persona_ids.append(persona_id)
            self._add(
                Persona,
                {
                    "id": persona_id,
                    "tenant_id": self.tenant_id,
                    "name": name,
                    "description": description,
                    "system_prompt_template": template,
                    "is_default": is_default,
                    "created_at": created,
                    "updated_at": created,
                },
            )

    # resume analyses

    def _analyses(self) -> None:
        rng = self.rng
        for app in self.rows[Application]:
            if rng.random() >= 0.30:
                continue
            risk = round(rng.betavariate(2, 5), 2)
            pros = rng.sample(_PROS, rng.randint(1, 3))
            cons = rng.sample(_CONS, rng.randint(0, 2))
            red_flags = [rng.choice(_RED_FLAGS)] if risk > 0.6 else []
            compliance = [rng.choice(_COMPLIANCE_FLAGS)] if rng.random() < 0.05 else []
            questions = rng.sample(_SUGGESTED_QUESTIONS, 3)
            job = self.jobs[app["job_id"]]
            fit = "Strong" if risk < 0.3 else "Reasonable" if risk < 0.6 else "Weak"
            summary = f"{fit} match for {job['title']} at {job['client_name']}."
            app["risk_score"] = risk
            app["compliance_review"] = bool(compliance)
            self._add(
                Analysis,
                {
                    "tenant_id": self.tenant_id,
                    "application_id": app["id"],
                    "risk_score": risk,
                    "relevance_summary": summary,
                    "pros": pros,
                    "cons": cons,
                    "red_flags": red_flags,
                    "suggested_questions": questions,
                    "compliance_flags": compliance,
                    "raw": {"risk_score": risk, "summary": summary, "pros": pros, "cons": cons},
                    "model": "demo-llm-1",
                    "prompt_id": self.prompt_ids[PromptType.RESUME_ANALYSIS],
                    "created_at": app["applied_at"] + _span(rng, 2 * _MINUTE, 90 * _MINUTE),
                },
            )

    # self-service interviews, their chats and evaluations

    def _interviews(self) -> None:
        rng = self.rng
        statuses = (
            InterviewStatus.SCHEDULED,
            InterviewStatus.IN_PROGRESS,
            InterviewStatus.COMPLETED,
            InterviewStatus.ABANDONED,
            InterviewStatus.EXPIRED,
        )
        for app in self.rows[Application]:
            if rng.random() >= 0.15:
                continue
            status = rng.choices(statuses, weights=(20, 10, 45, 15, 10))[0]
            applied: datetime = app["applied_at"]  # at least a day before BASE_TIME
            if status is InterviewStatus.EXPIRED and applied + 8 * _DAY > BASE_TIME:
                status = InterviewStatus.SCHEDULED  # too recent for the link to have expired
            if status in (InterviewStatus.SCHEDULED, InterviewStatus.IN_PROGRESS):
                invited = max(applied + _HOUR, BASE_TIME - _span(rng, 2 * _HOUR, 5 * _DAY))
            else:
                invited = applied + _span(rng, _HOUR, 20 * _HOUR)
            started = (
                None
                if status is InterviewStatus.SCHEDULED
                else invited + _span(rng, 5 * _MINUTE, _HOUR)
            )
            message_count = {
                InterviewStatus.SCHEDULED: 2,
                InterviewStatus.IN_PROGRESS: rng.randint(3, 7),
                InterviewStatus.COMPLETED: rng.randint(8, 12),
                InterviewStatus.ABANDONED: rng.randint(2, 5),
                InterviewStatus.EXPIRED: rng.randint(2, 4),
            }[status]
            job = self.jobs[app["job_id"]]
            candidate = self.candidates[app["candidate_id"]]
            chat = chat_messages(
                rng,
                message_count,
                started=started is not None,
                closing=status is InterviewStatus.COMPLETED,
                first_name=candidate["first_name"],
                title=job["title"],
                client=job["client_name"],
            )
            human = rng.random() < 0.05
            if human:
                app["human_requested"] = True
            interview_id = self.ids.take(Interview)
            moment = started or invited
            for sequence, (role, content) in enumerate(chat, start=1):
                moment += _span(rng, 20 * _SECOND, 3 * _MINUTE)
                self._add(
                    InterviewMessage,
                    {
                        "tenant_id": self.tenant_id,
                        "interview_id": interview_id,
                        "sequence": sequence,
                        "role": role,
                        "content": content,
                        "created_at": moment,
                    },
                )
            completed = moment + 5 * _SECOND if status is InterviewStatus.COMPLETED else None
            token = f"{self.slug}:{self.seed}:interview:{len(self.rows[Interview]) + 1}"
            self._add(
                Interview,
                {
                    "id": interview_id,
                    "tenant_id": self.tenant_id,
                    **_synced(None, None, None, remote_updated_at=None, last_synced_at=None),
                    "application_id": app["id"],
                    "persona_id": self.persona_ids[0 if rng.random() < 0.8 else 1],
                    "kind": InterviewKind.SELF_SERVICE,
                    "interview_type": "screening",
                    "status": status,
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "token_expires_at": invited + 7 * _DAY,
                    "scheduled_at": None,
                    "started_at": started,
                    "completed_at": completed,
                    "human_requested": human,
                    "interviewer_user_id": None,
                    "scheduled_by_user_id": job["recruiter_id"],
                    "invite_sent_at": invited,
                    "created_at": invited,
                    "updated_at": completed or moment,
                },
            )
            if completed is not None:
                self._evaluation(interview_id, candidate["first_name"], completed)

    def _evaluation(self, interview_id: int, first_name: str, completed: datetime) -> None:
        self._add(
            Evaluation,
            {
                "tenant_id": self.tenant_id,
                "interview_id": interview_id,
                **evaluation_values(self.rng, first_name),
                "created_at": completed + 2 * _MINUTE,
            },
        )

    # offers and onboarding

    def _offers_and_onboarding(self) -> None:
        rng = self.rng
        offer_number = 0
        for app in self.rows[Application]:
            history = self.transitions[app["id"]]
            offer_step = next((t for t in history if t["to_stage_name"] == "Offer"), None)
            hired = app["status"] is ApplicationStatus.HIRED
            at_offer = app["status"] is ApplicationStatus.ACTIVE and history[-1] is offer_step
            if offer_step is None or not (hired or at_offer):
                continue
            job = self.jobs[app["job_id"]]
            provider = self._provider(job["integration_id"])
            offered: datetime = offer_step["entered_at"]
            if hired:
                status = OfferStatus.ACCEPTED
                decided: datetime = offer_step["left_at"]
                sent: datetime | None = _between(rng, offered, offered + (decided - offered) / 3)
                responded: datetime | None = _between(rng, sent or offered, decided)
                start_date = (decided + _span(rng, 14 * _DAY, 30 * _DAY)).date()
            else:
                status = rng.choices((OfferStatus.SENT, OfferStatus.DRAFT), weights=(70, 30))[0]
                sent = (
                    offered + _span(rng, _HOUR, 20 * _HOUR) if status is OfferStatus.SENT else None
                )
                responded = None
                start_date = (BASE_TIME + _span(rng, 21 * _DAY, 45 * _DAY)).date()
            offer_number += 1
            salary_usd = rng.randrange(30, 180) * 1000
            salary = Decimal(round(salary_usd * _FX[job["currency"]] / 1000) * 1000)
            remote_id = self._remote_id(provider, "offer", offer_number)
            remote_data = {
                "id": remote_id,
                "application_id": app["remote_id"],
                "status": status.value,
                "salary": str(salary),
                "currency": job["currency"],
                "start_date": start_date.isoformat(),
            }
            self._add(
                Offer,
                {
                    "tenant_id": self.tenant_id,
                    **_synced(
                        job["integration_id"],
                        remote_id,
                        remote_data,
                        remote_updated_at=responded or sent or offered,
                        last_synced_at=BASE_TIME - _span(rng, _MINUTE, 30 * _MINUTE),
                    ),
                    "application_id": app["id"],
                    "status": status,
                    "salary": salary.quantize(Decimal("0.01")),
                    "currency": job["currency"],
                    "start_date": start_date,
                    "sent_at": sent,
                    "responded_at": responded,
                    "created_by_user_id": job["recruiter_id"],
                    "created_at": offered,
                    "updated_at": responded or sent or offered,
                },
            )
            if hired and provider in _ONBOARDING_PROVIDERS:
                self._onboarding(app, job, provider)

    def _onboarding(self, app: Row, job: Row, provider: Provider) -> None:
        rng = self.rng
        hired_at: datetime = app["hired_at"]
        for title, task_type, description in rng.sample(_ONBOARDING_TASKS, rng.randint(2, 3)):
            status = rng.choices(
                (
                    OnboardingTaskStatus.APPROVED,
                    OnboardingTaskStatus.SUBMITTED,
                    OnboardingTaskStatus.PENDING,
                    OnboardingTaskStatus.REJECTED,
                ),
                weights=(45, 30, 20, 5),
            )[0]
            reviewed = status in (OnboardingTaskStatus.APPROVED, OnboardingTaskStatus.REJECTED)
            created = hired_at + _span(rng, 10 * _MINUTE, 2 * _HOUR)
            reviewed_at = (
                _between(rng, created, min(created + 10 * _DAY, BASE_TIME - _HOUR))
                if reviewed
                else None
            )
            remote_id = (
                str(uuid.UUID(int=rng.getrandbits(128), version=4))
                if provider is Provider.BPOC
                else "t" + "".join(rng.choices(_ALNUM, k=10))
            )
            remote_data = {"id": remote_id, "title": title, "status": status.value}
            self._add(
                OnboardingTask,
                {
                    "tenant_id": self.tenant_id,
                    **_synced(
                        job["integration_id"],
                        remote_id,
                        remote_data,
                        remote_updated_at=reviewed_at or created,
                        last_synced_at=BASE_TIME - _span(rng, _MINUTE, 30 * _MINUTE),
                    ),
                    "application_id": app["id"],
                    "candidate_id": app["candidate_id"],
                    "title": title,
                    "description": description,
                    "task_type": task_type,
                    "status": status,
                    "due_date": (hired_at + _span(rng, 7 * _DAY, 14 * _DAY)).date(),
                    "created_by_user_id": job["recruiter_id"],
                    "reviewed_by_user_id": job["recruiter_id"] if reviewed else None,
                    "reviewed_at": reviewed_at,
                    "review_notes": (
                        "Looks good."
                        if status is OnboardingTaskStatus.APPROVED
                        else "The photo is blurry; please upload it again."
                        if status is OnboardingTaskStatus.REJECTED
                        else None
                    ),
                    "created_at": created,
                    "updated_at": reviewed_at or created,
                },
            )

    # the activity feed

    def _activities(self, count: int) -> None:
        """``count`` feed entries, oldest first, each dated by the event it records."""
        rng = self.rng
        moves = [t for t in self.rows[StageTransition] if t["moved_by_user_id"] is not None]
        kinds = [
            (kind, weight)
            for kind, weight, pool in (
                ("job.synced", 15, self.jobs),
                ("candidate.synced", 25, self.candidates),
                ("application.created", 20, self.rows[Application]),
                ("application.stage_changed", 30, moves),
                ("interview.invited", 10, self.rows[Interview]),
            )
            if pool
        ]
        if not kinds:
            return
        names, weights = zip(*kinds, strict=True)
        feed = [self._activity(rng.choices(names, weights=weights)[0], moves) for _ in range(count)]
        for row in sorted(feed, key=lambda row: row["created_at"]):
            self._add(Activity, row)

    def _activity(self, kind: str, moves: list[Row]) -> Row:
        rng = self.rng
        job: Row | None = None
        candidate: Row | None = None
        app: Row | None = None
        if kind == "job.synced":
            job = rng.choice(list(self.jobs.values()))
            actor = (ActorType.SYNC, *self._sync_actor(job["integration_id"]))
            subject = ("job", job["id"])
            description = f"Synced requisition “{job['title']}” ({job['remote_status']})"
            details: Row = {"remote_id": job["remote_id"], "fields": ["status", "description"]}
            created = _between(rng, job["created_at"], job["last_synced_at"])
        elif kind == "candidate.synced":
            candidate = rng.choice(list(self.candidates.values()))
            actor = (ActorType.SYNC, *self._sync_actor(candidate["integration_id"]))
            subject = ("candidate", candidate["id"])
            description = f"Synced candidate {candidate['name']}"
            details = {"remote_id": candidate["remote_id"]}
            created = _between(rng, candidate["created_at"], candidate["last_synced_at"])
        elif kind == "application.created":
            app = rng.choice(self.rows[Application])
            job, candidate = self.jobs[app["job_id"]], self.candidates[app["candidate_id"]]
            actor = (ActorType.SYNC, *self._sync_actor(app["integration_id"]))
            subject = ("application", app["id"])
            description = f"{candidate['name']} applied to {job['title']}"
            details = {"remote_id": app["remote_id"], "source": candidate["source"]}
            created = app["applied_at"]
        elif kind == "application.stage_changed":
            move = rng.choice(moves)
            app = self.applications[move["application_id"]]
            job, candidate = self.jobs[app["job_id"]], self.candidates[app["candidate_id"]]
            actor = (ActorType.USER, str(move["moved_by_user_id"]), move["moved_by_name"])
            subject = ("application", app["id"])
            description = (
                f"{move['moved_by_name']} moved {candidate['name']} "
                f"from {move['from_stage_name']} to {move['to_stage_name']}"
            )
            details = {"from_stage": move["from_stage_name"], "to_stage": move["to_stage_name"]}
            created = move["entered_at"]
        else:  # interview.invited
            interview = rng.choice(self.rows[Interview])
            app = self.applications[interview["application_id"]]
            job, candidate = self.jobs[app["job_id"]], self.candidates[app["candidate_id"]]
            recruiter = self.users[job["recruiter_id"]]
            actor = (ActorType.USER, str(recruiter["id"]), recruiter["name"])
            subject = ("interview", interview["id"])
            description = f"{recruiter['name']} sent an interview invitation to {candidate['name']}"
            details = {"interview_id": interview["id"]}
            created = interview["invite_sent_at"]
        return {
            "tenant_id": self.tenant_id,
            "action": kind,
            "actor_type": actor[0],
            "actor_id": actor[1],
            "actor_name": actor[2],
            "subject_type": subject[0],
            "subject_id": subject[1],
            "job_id": None if job is None else job["id"],
            "candidate_id": None if candidate is None else candidate["id"],
            "application_id": None if app is None else app["id"],
            "description": description,
            "details": details,
            "created_at": created,
        }


def evaluation_values(rng: random.Random, first_name: str) -> Row:
    """An evaluation's scores, summary and recommendation, drawn from ``rng``."""
    scores = {name: rng.randint(4, 10) for name in _SCORE_FIELDS}
    overall = round(sum(scores.values()) / len(scores) * 10) + rng.randint(-5, 5)
    overall = max(0, min(100, overall))
    recommendation = (
        "strong_hire"
        if overall >= 85
        else "hire"
        if overall >= 70
        else "maybe"
        if overall >= 55
        else "no_hire"
    )
    return {
        **scores,
        "overall_score": overall,
        "summary": (
            f"{first_name} answered every question; overall {overall}/100. "
            f"Recommendation: {recommendation.replace('_', ' ')}."
        ),
        "strengths": rng.sample(_STRENGTHS, rng.randint(1, 3)),
        "weaknesses": rng.sample(_WEAKNESSES, rng.randint(0, 2)),
        "red_flags": [rng.choice(_RED_FLAGS)] if overall < 50 else [],
        "recommendation": recommendation,
        "next_interview_focus": rng.sample(_FOCUS, rng.randint(1, 2)),
        "model": "demo-llm-1",
    }


def _stage_path(rng: random.Random, job_status: JobStatus) -> tuple[list[int], ApplicationStatus]:
    """Stage positions an application passed through, in order, and its resulting status.

    Active applications stop anywhere from Applied to Offer; rejected ones leave from an
    earlier stage to Rejected; hired ones skip one screening stage (at most 5 moves).
    """
    weights = {
        JobStatus.OPEN: (72, 23, 5),
        JobStatus.ON_HOLD: (75, 22, 3),
        JobStatus.CLOSED: (15, 65, 20),
    }[job_status]
    outcome = rng.choices(
        (ApplicationStatus.ACTIVE, ApplicationStatus.REJECTED, ApplicationStatus.HIRED),
        weights=weights,
    )[0]
    if outcome is ApplicationStatus.ACTIVE:
        reached = rng.choices((1, 2, 3, 4, 5), weights=(30, 28, 20, 14, 8))[0]
        return list(range(reached)), outcome
    if outcome is ApplicationStatus.REJECTED:
        reached = rng.choices((1, 2, 3, 4), weights=(40, 30, 20, 10))[0]
        return [*range(reached), _REJECTED], outcome
    skipped = rng.choice((1, 2))
    return [p for p in range(_HIRED + 1) if p != skipped], outcome


def _stage_times(rng: random.Random, opened_at: datetime, count: int) -> list[datetime]:
    """When each of ``count`` stages was entered: after the job opened, the last one at
    least a day before ``BASE_TIME``, 6 hours to 10 days apart (compressed if needed)."""
    gaps = [_span(rng, 6 * _HOUR, 10 * _DAY) for _ in range(count - 1)]
    earliest, latest = opened_at + _HOUR, BASE_TIME - _DAY
    room = latest - earliest
    total = sum(gaps, timedelta(0))
    if total > room:
        gaps = [timedelta(seconds=int(gap.total_seconds() * 0.9 * room / total)) for gap in gaps]
        total = sum(gaps, timedelta(0))
    moment = _between(rng, earliest, latest - total)
    times = [moment]
    for gap in gaps:
        moment += gap
        times.append(moment)
    return times


def chat_messages(
    rng: random.Random,
    count: int,
    *,
    started: bool,
    closing: bool,
    first_name: str,
    title: str,
    client: str,
) -> list[tuple[MessageRole, str]]:
    """``count`` messages alternating assistant / candidate, beginning with the greeting.

    A closed chat ends with the assistant's closing line (and the candidate's thanks when
    ``count`` is even).
    """
    questions = rng.sample(_QUESTIONS, len(_QUESTIONS))
    closing_at = (count - 1 if count % 2 else count - 2) if closing else -1
    asked = -1
    chat: list[tuple[MessageRole, str]] = []
    for index in range(count):
        if index % 2 == 0:
            if index == 0:
                content = (
                    f"Hi {first_name}, thanks for applying for the {title} role with {client}. "
                    "I'm the Demo Agency screening assistant. This takes about 15 minutes "
                    "and covers your experience and availability. Shall we begin?"
                )
            elif index == closing_at:
                content = (
                    f"Thank you, {first_name}! That's all my questions. Your recruiter will "
                    "review this conversation and get back to you within two business days."
                )
            else:
                asked += 1
                content = questions[asked % len(questions)][0]
            chat.append((MessageRole.ASSISTANT, content))
        else:
            if index == 1:
                content = rng.choice(_READY_REPLIES if started else _LATER_REPLIES)
            elif 0 <= closing_at < index:
                content = rng.choice(_THANKS_REPLIES)
            else:
                content = rng.choice(questions[asked % len(questions)][1])
            chat.append((MessageRole.CANDIDATE, content))
    return chat
