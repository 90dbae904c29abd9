"""The seed and the database: which tables get explicit ids and in what order rows are
inserted, the ids handed out above each table's high-water mark, PostgreSQL's sequences
moved past them afterwards, and finding a demo tenant that already exists."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from demo.seed.world import RECRUITERS
from gateway.store.base import Base
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

# Tables that get explicit ids (children point at them), and the order of every insert.
ALLOCATED: tuple[type[Base], ...] = (
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
INSERT_ORDER: tuple[type[Base], ...] = (
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


def user_emails(slug: str) -> tuple[str, list[str], str]:
    domain = f"{slug}.example"
    recruiters = [f"recruiter{n}@{domain}" for n in range(1, len(RECRUITERS) + 1)]
    return f"admin@{domain}", recruiters, f"viewer@{domain}"


async def find_demo(session: AsyncSession, slug: str) -> DemoTenant | None:
    tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    if tenant_id is None:
        return None
    admin, recruiters, viewer = user_emails(slug)
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


class IdAllocator:
    """Hands out ids above each allocated table's high-water mark: its current maximum
    or, when higher, the last id the database ever generated for it, so a deleted
    user's (or integration's) id is never handed to a new row."""

    def __init__(self, maxima: dict[type[Base], int]) -> None:
        self._next = {model: top + 1 for model, top in maxima.items()}

    @classmethod
    async def load(cls, session: AsyncSession) -> IdAllocator:
        columns = [select(func.max(m.__table__.c.id)).scalar_subquery() for m in ALLOCATED]
        row = (await session.execute(select(*columns))).one()
        generated = await _generated_maxima(session)
        return cls(
            {
                model: max(top or 0, generated.get(model.__tablename__, 0))
                for model, top in zip(ALLOCATED, row, strict=True)
            }
        )

    def take(self, model: type[Base]) -> int:
        value = self._next[model]
        self._next[model] = value + 1
        return value


async def _generated_maxima(session: AsyncSession) -> dict[str, int]:
    """The last id each allocated table's counter handed out (SQLite's
    ``sqlite_sequence``, PostgreSQL's sequences); absent where it never did."""
    names = [model.__tablename__ for model in ALLOCATED]
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


async def advance_sequences(session: AsyncSession) -> None:
    """On PostgreSQL, move each allocated table's id sequence up to its new maximum,
    never down (SQLite's ``AUTOINCREMENT`` counter follows explicit ids by itself)."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return
    calls = ", ".join(
        f"setval(pg_get_serial_sequence('{name}', 'id'), GREATEST((SELECT max(id) FROM {name}),"
        f" coalesce(pg_sequence_last_value(pg_get_serial_sequence('{name}', 'id')::regclass),"
        " 1)))"
        for name in (model.__tablename__ for model in ALLOCATED)
    )
    await session.execute(text(f"SELECT {calls}"))
