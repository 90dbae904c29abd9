from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
import strawberry
from sqlalchemy.engine import Row
from strawberry.dataloader import DataLoader

from gateway.permissions import Permission
from gateway.services.interview_lifecycle import INVITE_ACTIONS
from gateway.store.enums import InterviewKind, InterviewStatus, MessageRole
from gateway.store.id_lists import in_ids
from gateway.store.models import Activity as ActivityModel
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.dataloaders import SharedLoader
from resolvers.relay import Node, node_type, row_builder
from resolvers.remote_data import remote_data_field
from resolvers.type_fields import recruiter_node, related_node, related_nodes
from resolvers.type_refs import APPLICATION, EVALUATION, INTERVIEW_MESSAGE, PERSONA


@node_type("InterviewMessage")
class InterviewMessage(Node):
    sequence: int
    role: MessageRole
    content: str
    created_at: datetime


build_message = row_builder(InterviewMessage)


@node_type("Evaluation", description="Scores 1-10 per trait, overall 0-100.")
class Evaluation(Node):
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
                in_ids(ActivityModel.subject_id, ids),
                ActivityModel.action.in_(INVITE_ACTIONS),
            )
            .order_by(ActivityModel.created_at, ActivityModel.id)
        )
        found: dict[int, list[InterviewInvite]] = {}
        for row in rows:
            found.setdefault(row.subject_id, []).append(_invite(row))
        return [found.get(pk, []) for pk in ids]

    loader = info.context.interview_invites = SharedLoader(load_fn=load)
    return loader


@node_type("Interview")
class Interview(Node):
    remote_data = remote_data_field()
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
    interviewer_user_id: strawberry.Private[int | None]
    scheduled_by_user_id: strawberry.Private[int | None]

    interviewer = recruiter_node(
        "interviewer_user_id",
        "Who conducts a scheduled round; null for AI self-service interviews.",
    )
    scheduled_by = recruiter_node(
        "scheduled_by_user_id",
        "The user who scheduled or created the interview.",
    )
    application = related_node(
        APPLICATION, loader="application_by_id", key="application_id", nullable=False
    )
    persona = related_node(
        PERSONA, loader="persona_by_id", key="persona_id", permission=Permission.PERSONAS_READ
    )
    messages = related_nodes(
        INTERVIEW_MESSAGE, loader="messages_by_interview_id", description="The chat, in order."
    )

    @strawberry.field
    async def message_count(self, info: Info) -> int:
        return len(await info.context.loaders.messages_by_interview_id.load(self.pk))

    evaluation = related_node(EVALUATION, loader="evaluation_by_interview_id")

    @strawberry.field(
        description="Invitations sent (SMTP) or queued (no SMTP configured), oldest first; "
        "the link's token is masked."
    )
    async def invites(self, info: Info) -> list[InterviewInvite]:
        return await _invites_loader(info).load(self.pk)


build_interview = row_builder(Interview)
