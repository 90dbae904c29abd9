"""An interview's chat, live: ``interviewChat(interviewId)`` for recruiters watching it,
``publicInterviewChat(token)`` for the candidate taking it.

    subscription { interviewChat(interviewId: "SW50ZXJ2aWV3Ojc=") {
      kind sequence role content delta status } }
    subscription { publicInterviewChat(token: "iv_...") { kind sequence role content delta } }

Kinds: ``MESSAGE`` (a stored message), ``DELTA`` (the interviewer's next tokens while it
streams a reply; the ``MESSAGE`` with the same sequence follows), ``STATUS`` (the
interview started, completed, ...), ``HUMAN_REQUESTED``.

The public stream needs no login: the invitation token of a self-service interview is
the credential, checked when subscribing with the codes of ``publicInterview``
(NOT_FOUND, EXPIRED, ABANDONED, CANCELLED). It is built from an allow-list of fields:
no ids, no system prompts, nothing recruiters see about the candidate (the evaluation,
the application), whatever the events come to carry.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import partial

import sqlalchemy as sa
import strawberry
from graphql import GraphQLError

from gateway.events import (
    EventName,
    InterviewDelta,
    InterviewHumanRequested,
    InterviewMessage,
    InterviewStatusChanged,
    parse,
)
from gateway.interview_tokens import hash_token, plausible
from gateway.permissions import Permission
from gateway.pubsub import Event
from gateway.store.enums import InterviewKind, InterviewStatus, MessageRole
from gateway.store.models import Interview as InterviewModel
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.interviews.types import Interview
from resolvers.relay import mirrored
from resolvers.subscription import enum_or_none, event_time, subscribed_record, tenant_stream
from resolvers.type_fields import global_id_of, related_node
from resolvers.type_refs import INTERVIEW

EVENT_TYPES = frozenset(
    {
        EventName.INTERVIEW_MESSAGE,
        EventName.INTERVIEW_DELTA,
        EventName.INTERVIEW_STATUS_CHANGED,
        EventName.INTERVIEW_HUMAN_REQUESTED,
    }
)

OPEN = frozenset({InterviewStatus.SCHEDULED, InterviewStatus.IN_PROGRESS})
HIDDEN_FROM_CANDIDATE = frozenset({MessageRole.SYSTEM})


@strawberry.enum(name="InterviewChatEventKind")
class InterviewChatEventKind(Enum):
    MESSAGE = "message"
    DELTA = "delta"
    STATUS = "status"
    HUMAN_REQUESTED = "human_requested"


@strawberry.type(name="InterviewChatEvent", description="Something said or done in an interview.")
class InterviewChatEvent:
    kind: InterviewChatEventKind
    sequence: int | None = strawberry.field(
        description="The message's place in the chat (MESSAGE, DELTA)."
    )
    role: MessageRole | None = strawberry.field(description="Who said it (MESSAGE).")
    content: str | None = strawberry.field(description="The whole message (MESSAGE).")
    delta: str | None = strawberry.field(description="The next tokens of a reply (DELTA).")
    status: InterviewStatus | None = strawberry.field(description="The new status (STATUS).")
    previous_status: InterviewStatus | None
    at: datetime
    interview_pk: strawberry.Private[int]
    message_pk: strawberry.Private[int | None]

    interview_id = global_id_of(Interview.NODE_TYPE, "interview_pk")
    message_id = global_id_of(
        "InterviewMessage",
        "message_pk",
        nullable=True,
        description="The stored message's id (MESSAGE).",
    )
    interview = related_node(
        INTERVIEW,
        loader="interview_by_id",
        key="interview_pk",
        description="The interview as stored when the event is delivered.",
    )


@strawberry.type(
    name="PublicInterviewChatEvent",
    description="What the candidate sees of their interview: the conversation and its status.",
)
class PublicInterviewChatEvent:
    kind: InterviewChatEventKind
    sequence: int | None
    role: MessageRole | None
    content: str | None
    delta: str | None
    status: InterviewStatus | None
    at: datetime


def _shown(
    kind: InterviewChatEventKind,
    event: Event,
    interview_pk: int,
    *,
    sequence: int | None = None,
    role: MessageRole | None = None,
    content: str | None = None,
    delta: str | None = None,
    status: InterviewStatus | None = None,
    previous_status: InterviewStatus | None = None,
    message_pk: int | None = None,
) -> InterviewChatEvent:
    return InterviewChatEvent(
        kind=kind,
        sequence=sequence,
        role=role,
        content=content,
        delta=delta,
        status=status,
        previous_status=previous_status,
        at=event_time(event),
        interview_pk=interview_pk,
        message_pk=message_pk,
    )


def chat_event(event: Event) -> InterviewChatEvent | None:
    """What an interview event shows a recruiter; ``None`` for any other event and a
    malformed one."""
    match parse(event):
        case InterviewMessage() as message:
            return _shown(
                InterviewChatEventKind.MESSAGE,
                event,
                message.interview_id,
                sequence=message.sequence,
                role=enum_or_none(MessageRole, message.role),
                content=message.content,
                message_pk=message.message_id,
            )
        case InterviewDelta() as delta:
            return _shown(
                InterviewChatEventKind.DELTA,
                event,
                delta.interview_id,
                sequence=delta.sequence,
                delta=delta.delta,
            )
        case InterviewStatusChanged() as moved:
            return _shown(
                InterviewChatEventKind.STATUS,
                event,
                moved.interview_id,
                status=enum_or_none(InterviewStatus, moved.status),
                previous_status=enum_or_none(InterviewStatus, moved.previous_status),
            )
        case InterviewHumanRequested() as asked:
            return _shown(InterviewChatEventKind.HUMAN_REQUESTED, event, asked.interview_id)
    return None


def public_view(full: InterviewChatEvent) -> PublicInterviewChatEvent | None:
    """The candidate's view of what a recruiter sees; ``None`` for what they must not."""
    if full.kind is InterviewChatEventKind.MESSAGE and full.role is None:
        return None
    if full.role in HIDDEN_FROM_CANDIDATE:
        return None
    return mirrored(PublicInterviewChatEvent, full)


@dataclass(frozen=True, slots=True)
class _Chat:
    tenant_id: int
    interview_pk: int


def _candidate_view(interview_pk: int, event: Event) -> PublicInterviewChatEvent | None:
    """What the candidate of interview ``interview_pk`` sees of ``event``, if anything."""
    found = chat_event(event)
    if found is None or found.interview_pk != interview_pk:
        return None
    return public_view(found)


_NOT_FOUND = "This interview link is not valid: check the link in your invitation."
_CLOSED = {
    InterviewStatus.EXPIRED: "This interview link has expired. Please ask your recruiter "
    "for a new one.",
    InterviewStatus.ABANDONED: "This interview was closed after a long pause. Please ask "
    "your recruiter for a new link.",
    InterviewStatus.CANCELLED: "This interview was cancelled.",
}
"""Statuses whose link opens nothing, with what the candidate is told (the words and
codes of ``publicInterview``)."""


class InterviewLinkRefused(GraphQLError):
    """``code``: NOT_FOUND (unknown or malformed), EXPIRED, ABANDONED or CANCELLED."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, extensions={"code": code})


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def interview_for_token(info: Info, token: str) -> _Chat:
    """The self-service interview an invitation token opens; raises
    ``InterviewLinkRefused``."""
    if not plausible(token):
        raise InterviewLinkRefused("NOT_FOUND", _NOT_FOUND)
    row = await info.context.reader.one_or_none(
        sa.select(
            InterviewModel.id,
            InterviewModel.tenant_id,
            InterviewModel.status,
            InterviewModel.token_expires_at,
        ).where(
            InterviewModel.token_hash == hash_token(token),
            InterviewModel.kind == InterviewKind.SELF_SERVICE,
        )
    )
    if row is None:
        raise InterviewLinkRefused("NOT_FOUND", _NOT_FOUND)
    status = InterviewStatus(row.status)
    expired = row.token_expires_at is not None and _aware(row.token_expires_at) <= datetime.now(UTC)
    if expired and status in OPEN:
        status = InterviewStatus.EXPIRED
    if status in _CLOSED:
        raise InterviewLinkRefused(status.name, _CLOSED[status])
    return _Chat(row.tenant_id, row.id)


@strawberry.type
class InterviewSubscriptions:
    @strawberry.subscription(
        description="An interview's chat as it happens: messages, the interviewer's reply "
        "while it streams, status changes, requests for a human. Needs interviews:read."
    )
    async def interview_chat(
        self, info: Info, interview_id: strawberry.ID
    ) -> AsyncIterator[InterviewChatEvent]:
        tenant_id, interview_pk = await subscribed_record(
            info,
            Permission.INTERVIEWS_READ,
            interview_id,
            "Interview",
            field="interviewId",
            loader="interview_by_id",
        )
        return tenant_stream(
            info,
            tenant_id,
            EVENT_TYPES,
            chat_event,
            lambda found: found.interview_pk == interview_pk,
        )

    @strawberry.subscription(
        description="The candidate's own interview, opened by the token of their invitation "
        "link (no login): the conversation and status changes, nothing else."
    )
    async def public_interview_chat(
        self, info: Info, token: str
    ) -> AsyncIterator[PublicInterviewChatEvent]:
        chat = await interview_for_token(info, token)
        return tenant_stream(
            info, chat.tenant_id, EVENT_TYPES, partial(_candidate_view, chat.interview_pk)
        )
