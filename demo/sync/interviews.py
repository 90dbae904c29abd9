"""Self-service AI interviews on a sample of the synced applications, in every status,
with their chats and the completed ones' evaluations."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from demo.seed import chat_messages, evaluation_values
from demo.sync.applications import SyncedApplication, synced_applications
from gateway.services.processing import settle
from gateway.store.engine import SessionFactory
from gateway.store.enums import InterviewKind, InterviewStatus, MessageRole
from gateway.store.models import Evaluation, Interview, InterviewMessage, Persona

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


async def seed_interviews(
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
        chosen = [a for a in await synced_applications(session, tenant_id) if rng.random() < share]
        messages: list[dict[str, Any]] = []
        evaluations: list[dict[str, Any]] = []
        for number, app in enumerate(chosen):
            plan = _plan(rng, number, app, now, seed)
            interview = plan.interview(tenant_id, app, persona_ids[0] if persona_ids else None)
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
                for sequence, (role, content, at) in enumerate(plan.chat, start=1)
            ]
            if plan.completed is not None:
                evaluations.append(
                    {
                        "tenant_id": tenant_id,
                        "interview_id": interview.id,
                        **evaluation_values(rng, app.first_name),
                        "created_at": plan.completed + timedelta(minutes=2),
                    }
                )
        if messages:
            await session.execute(sa.insert(InterviewMessage), messages)
        if evaluations:
            await session.execute(sa.insert(Evaluation), evaluations)
            await settle(session, tenant_id, [app.id for app in chosen])


@dataclass(frozen=True, slots=True)
class _PlannedInterview:
    """An interview before it is stored: its status, its times and its timed chat."""

    status: InterviewStatus
    invited: datetime
    started: datetime | None
    completed: datetime | None
    last_activity: datetime
    token: str
    chat: list[tuple[MessageRole, str, datetime]]

    def interview(
        self, tenant_id: int, app: SyncedApplication, persona_id: int | None
    ) -> Interview:
        return Interview(
            tenant_id=tenant_id,
            application_id=app.id,
            persona_id=persona_id,
            kind=InterviewKind.SELF_SERVICE,
            interview_type="screening",
            status=self.status,
            token_hash=hashlib.sha256(self.token.encode()).hexdigest(),
            token_expires_at=self.invited + timedelta(days=7),
            started_at=self.started,
            completed_at=self.completed,
            scheduled_by_user_id=app.recruiter_id,
            invite_sent_at=self.invited,
            created_at=self.invited,
            updated_at=self.completed or self.last_activity,
        )


def _plan(
    rng: random.Random, number: int, app: SyncedApplication, now: datetime, seed: int
) -> _PlannedInterview:
    """The ``number``th interview: the first ones take each status in turn, so every
    status is there at least once; the rest are drawn."""
    status = (
        _SELF_SERVICE_STATUSES[number]
        if number < len(_SELF_SERVICE_STATUSES)
        else rng.choices(_SELF_SERVICE_STATUSES, weights=_STATUS_WEIGHTS)[0]
    )
    invited, started = _invitation(rng, status, now)
    chat = _timed_chat(rng, status, app, started=started, invited=invited)
    last_activity = chat[-1][2] if chat else started or invited
    completed = (
        last_activity + timedelta(seconds=5) if status is InterviewStatus.COMPLETED else None
    )
    return _PlannedInterview(
        status=status,
        invited=invited,
        started=started,
        completed=completed,
        last_activity=last_activity,
        token=f"demo-sync:{seed}:interview:{number}:{rng.getrandbits(64)}",
        chat=chat,
    )


def _invitation(
    rng: random.Random, status: InterviewStatus, now: datetime
) -> tuple[datetime, datetime | None]:
    """When the invitation went out (recently for the open ones, else 8 to 30 days ago)
    and when the candidate opened it (None while it is unopened)."""
    if status is InterviewStatus.SCHEDULED:
        invited = now - timedelta(minutes=rng.randint(30, 2 * 24 * 60))
    elif status is InterviewStatus.IN_PROGRESS:
        invited = now - timedelta(minutes=rng.randint(60, 6 * 60))
    else:
        invited = now - timedelta(days=rng.randint(8, 30), minutes=rng.randint(0, 1440))
    opened = status not in (InterviewStatus.SCHEDULED, InterviewStatus.EXPIRED)
    started = invited + timedelta(minutes=rng.randint(5, 50)) if opened else None
    return invited, started


def _timed_chat(
    rng: random.Random,
    status: InterviewStatus,
    app: SyncedApplication,
    *,
    started: datetime | None,
    invited: datetime,
) -> list[tuple[MessageRole, str, datetime]]:
    """The chat so far, each message 20 s to 3 min after the one before; an unopened
    interview has only the greeting."""
    low, high = _MESSAGES[status]
    chat = chat_messages(
        rng,
        rng.randint(low, high),
        started=started is not None,
        closing=status is InterviewStatus.COMPLETED,
        first_name=app.first_name,
        title=app.title,
        client=app.client,
    )
    if started is None:
        chat = chat[:1]  # the greeting, unanswered
    moment = started or invited
    timed: list[tuple[MessageRole, str, datetime]] = []
    for role, content in chat:
        moment += timedelta(seconds=rng.randint(20, 180))
        timed.append((role, content, moment))
    return timed
