from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import sqlalchemy as sa
import strawberry
from sqlalchemy.engine import Row
from strawberry.dataloader import DataLoader

from gateway.permissions import Permission
from gateway.services.interview_lifecycle import INVITE_ACTIONS
from gateway.store.enums import InterviewKind, InterviewStatus, MessageRole
from gateway.store.models import Activity as ActivityModel
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.lazy import lazy_callable
from resolvers.permissions import can
from resolvers.relay import Node, row_builder

if TYPE_CHECKING:
    from resolvers.applications.types import Application
    from resolvers.personas.types import Persona

build_application: Callable[[Row[Any]], Application] = lazy_callable(
    "resolvers.applications.types", "build_application"
)
build_persona: Callable[[Row[Any]], Persona] = lazy_callable(
    "resolvers.personas.types", "build_persona"
)


@strawberry.type(name="InterviewMessage")
class InterviewMessage(Node):
    NODE_TYPE: ClassVar[str] = "InterviewMessage"

    sequence: int
    role: MessageRole
    content: str
    created_at: datetime


build_message = row_builder(InterviewMessage)


@strawberry.type(name="Evaluation", description="Scores 1-10 per trait, overall 0-100.")
class Evaluation(Node):
    NODE_TYPE: ClassVar[str] = "Evaluation"

    reliability_score: int | None
    accountability_score: int | None
    professionalism_score: int | None
    communication_score: int | None
    technical_score: int | None
    growth_potential_score: int | None
    overall_score: int | None
    summary: str | None
    strengths: list[str]
    weaknesses: list[str]
    red_flags: list[str]
    recommendation: str | None
    next_interview_focus: list[str]
    model: str | None
    created_at: datetime


build_evaluation = row_builder(Evaluation)


@strawberry.enum(name="InterviewInviteDelivery")
class InterviewInviteDelivery(Enum):
    SMTP = "smtp"
    QUEUED = "queued"


@strawberry.type(name="InterviewInvite", description="An invitation email, as it was sent.")
class InterviewInvite:
    to: str
    subject: str
    body: str
    delivery: InterviewInviteDelivery
    sent_at: datetime
    sent_by: str | None


def _invite(row: Row[Any]) -> InterviewInvite:
    details = row.details or {}
    return InterviewInvite(
        to=str(details.get("to") or ""),
        subject=str(details.get("subject") or ""),
        body=str(details.get("body") or ""),
        delivery=InterviewInviteDelivery(details.get("delivery") or "queued"),
        sent_at=row.created_at,
        sent_by=row.actor_name,
    )


def _invites_loader(info: Info) -> DataLoader[int, list[InterviewInvite]]:
    """Per request (``context.interview_invites``), for the caller's tenant, one statement
    per tick."""
    loader = info.context.interview_invites
    if loader is not None:
        return loader
    reader, tenant_id = info.context.reader, info.context.tenant_id

    async def load(ids: Sequence[int]) -> list[list[InterviewInvite]]:
        rows = await reader.all(
            sa.select(
                ActivityModel.subject_id,
                ActivityModel.details.label("details"),
                ActivityModel.actor_name,
                ActivityModel.created_at,
            )
            .where(
                ActivityModel.tenant_id == tenant_id,
                ActivityModel.subject_type == "Interview",
                ActivityModel.subject_id.in_(set(ids)),
                ActivityModel.action.in_(INVITE_ACTIONS),
            )
            .order_by(ActivityModel.created_at, ActivityModel.id)
        )
        found: dict[int, list[InterviewInvite]] = {}
        for row in rows:
            found.setdefault(row.subject_id, []).append(_invite(row))
        return [found.get(pk, []) for pk in ids]

    loader = info.context.interview_invites = DataLoader(load_fn=load)
    return loader


@strawberry.type(name="Interview")
class Interview(Node):
    NODE_TYPE: ClassVar[str] = "Interview"

    kind: InterviewKind
    interview_type: str | None
    status: InterviewStatus
    token_expires_at: datetime | None
    scheduled_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    human_requested: bool
    invite_sent_at: datetime | None
    created_at: datetime
    updated_at: datetime
    application_id: strawberry.Private[int]
    persona_id: strawberry.Private[int | None]

    @strawberry.field
    async def application(
        self, info: Info
    ) -> Annotated[Application, strawberry.lazy("resolvers.applications.types")]:
        row = await info.context.loaders.application_by_id.load(self.application_id)
        assert row is not None, "interview without its application"
        return build_application(row)

    @strawberry.field
    async def persona(
        self, info: Info
    ) -> Annotated[Persona, strawberry.lazy("resolvers.personas.types")] | None:
        if self.persona_id is None or not can(info, Permission.PERSONAS_READ):
            return None
        row = await info.context.loaders.persona_by_id.load(self.persona_id)
        return build_persona(row) if row is not None else None

    @strawberry.field(description="The chat, in order.")
    async def messages(self, info: Info) -> list[InterviewMessage]:
        rows = await info.context.loaders.messages_by_interview_id.load(self.pk)
        return [build_message(row) for row in rows]

    @strawberry.field
    async def message_count(self, info: Info) -> int:
        return len(await info.context.loaders.messages_by_interview_id.load(self.pk))

    @strawberry.field
    async def evaluation(self, info: Info) -> Evaluation | None:
        row = await info.context.loaders.evaluation_by_interview_id.load(self.pk)
        return build_evaluation(row) if row is not None else None

    @strawberry.field(
        description="Invitations sent (SMTP) or queued (no SMTP configured), oldest first; "
        "the link's token is masked."
    )
    async def invites(self, info: Info) -> list[InterviewInvite]:
        return await _invites_loader(info).load(self.pk)


build_interview = row_builder(Interview)
