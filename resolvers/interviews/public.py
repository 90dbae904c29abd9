"""The candidate's side of a self-service interview: no login, the invitation token is
the credential.

    query { publicInterview(token: "iv_...") {
      ... on PublicInterview { candidateName position company status expiresAt
                               messages { sequence role content } }
      ... on PublicInterviewError { code message } } }
    mutation { publicInterviewStart(input: {token: "iv_..."}) { ... } }
    mutation { publicInterviewSendMessage(input: {token: "iv_...", content: "..."}) { ... } }
    mutation { publicInterviewRequestHuman(input: {token: "iv_...", note: "..."}) { ... } }

These fields work for anonymous callers (they never ask for a principal; every other
field does) and show only what the candidate may see: their first name, the position,
the company, the status and the chat without system messages. No ids, no evaluation,
nothing about the recruiter's side. Failures are ``PublicInterviewError`` with a
``code`` (``PublicInterviewErrorCode``) and a message meant for the candidate.

``interview_deps`` builds what both this module and the recruiters' mutations need.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Annotated, TypeVar

import strawberry

from gateway import links
from gateway.services import interview_chat as chat
from gateway.services.interview_chat import InterviewRefused, PublicCode
from gateway.services.interview_lifecycle import InterviewConfig, InterviewDeps
from gateway.store.enums import InterviewStatus, MessageRole
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.relay import mirrored

T = TypeVar("T")
S = TypeVar("S")


def interview_deps(info: Info) -> InterviewDeps:
    """From the context: the bus, the locks and the AI provider of the running process."""
    context = info.context
    if context.bus is None:
        raise RuntimeError("interviews need the event bus of the process")
    return InterviewDeps(
        session_factory=context.session_factory,
        bus=context.bus,
        locks=context.require_locks(),
        config=InterviewConfig.from_settings(
            context.settings,
            public_url=links.for_caller(context.request, context.settings),
            invite_url=links.for_others(context.request, context.settings),
        ),
        provider=context.require_ai_provider(),
    )


@strawberry.enum(description="Why a public interview operation was refused.")
class PublicInterviewErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    EXPIRED = "EXPIRED"
    NOT_STARTED = "NOT_STARTED"
    COMPLETED = "COMPLETED"
    ABANDONED = "ABANDONED"
    CANCELLED = "CANCELLED"
    BUSY = "BUSY"
    INVALID_MESSAGE = "INVALID_MESSAGE"
    MESSAGE_TOO_LONG = "MESSAGE_TOO_LONG"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"
    INTERVIEWER_UNAVAILABLE = "INTERVIEWER_UNAVAILABLE"


assert {c.name for c in PublicInterviewErrorCode} == {c.name for c in PublicCode}


@strawberry.type(
    description="A public interview operation refused; `message` is written for the "
    "candidate. `retryable`: trying again later can help (BUSY, INTERVIEWER_UNAVAILABLE)."
)
class PublicInterviewError:
    code: PublicInterviewErrorCode
    message: str
    retryable: bool


def _error(refused: InterviewRefused) -> PublicInterviewError:
    return PublicInterviewError(
        code=PublicInterviewErrorCode[refused.reason.name],
        message=refused.message,
        retryable=refused.retryable,
    )


@strawberry.type(description="One message of the chat, as the candidate sees it.")
class PublicInterviewMessage:
    sequence: int
    role: MessageRole
    content: str
    created_at: datetime


@strawberry.type(description="The candidate's view of their interview.")
class PublicInterview:
    candidate_name: str = strawberry.field(description="The candidate's first name.")
    position: str
    company: str
    status: InterviewStatus
    expires_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    human_requested: bool
    questions_total: int
    questions_answered: int
    messages: list[PublicInterviewMessage] = strawberry.field(
        description="The chat in order; system messages left out."
    )


def _message(message: chat.PublicMessage) -> PublicInterviewMessage:
    return mirrored(PublicInterviewMessage, message)


def _interview(view: chat.PublicView) -> PublicInterview:
    return mirrored(PublicInterview, view, messages=[_message(m) for m in view.messages])


PublicInterviewResult = Annotated[
    PublicInterview | PublicInterviewError, strawberry.union("PublicInterviewResult")
]


@strawberry.input
class PublicInterviewStartInput:
    token: str


@strawberry.type
class PublicInterviewStartSuccess:
    interview: PublicInterview


PublicInterviewStartResult = Annotated[
    PublicInterviewStartSuccess | PublicInterviewError,
    strawberry.union("PublicInterviewStartResult"),
]


@strawberry.input
class PublicInterviewSendMessageInput:
    token: str
    content: str = strawberry.field(description="The candidate's answer: at most 4000 characters.")


@strawberry.type
class PublicInterviewSendMessageSuccess:
    candidate_message: PublicInterviewMessage
    interviewer_message: PublicInterviewMessage
    completed: bool = strawberry.field(
        description="The interviewer's message closed the interview."
    )
    interview: PublicInterview


PublicInterviewSendMessageResult = Annotated[
    PublicInterviewSendMessageSuccess | PublicInterviewError,
    strawberry.union("PublicInterviewSendMessageResult"),
]


@strawberry.input
class PublicInterviewRequestHumanInput:
    token: str
    note: str | None = strawberry.field(
        default=None, description="What the candidate wants to say; at most 1000 characters."
    )


@strawberry.type
class PublicInterviewRequestHumanSuccess:
    interview: PublicInterview


PublicInterviewRequestHumanResult = Annotated[
    PublicInterviewRequestHumanSuccess | PublicInterviewError,
    strawberry.union("PublicInterviewRequestHumanResult"),
]


async def _public(
    info: Info, action: Callable[[InterviewDeps], Awaitable[T]], tenant_of: Callable[[T], int]
) -> T | PublicInterviewError:
    try:
        result = await action(interview_deps(info))
    except InterviewRefused as refused:
        return _error(refused)
    await info.context.cache.invalidate(tenant_of(result))
    return result


async def _view_changed(
    info: Info,
    change: Callable[[InterviewDeps], Awaitable[chat.PublicView]],
    success: Callable[..., S],
) -> S | PublicInterviewError:
    """``change`` under ``_public``; then ``success(interview=...)`` with the view after."""
    view = await _public(info, change, lambda view: view.tenant_id)
    if isinstance(view, PublicInterviewError):
        return view
    return success(interview=_interview(view))


@strawberry.type
class PublicInterviewQueries:
    @strawberry.field(
        description="The candidate's page of a self-service interview, by the token of "
        "the invitation link. No login needed."
    )
    async def public_interview(self, info: Info, token: str) -> PublicInterviewResult:
        try:
            view = await chat.public_view(interview_deps(info), token)
        except InterviewRefused as refused:
            return _error(refused)
        return _interview(view)


@strawberry.type
class PublicInterviewMutations:
    @strawberry.mutation(
        description="Begin the interview (SCHEDULED -> IN_PROGRESS) and get the "
        "interviewer's first message; on an interview in progress, resume it."
    )
    async def public_interview_start(
        self, info: Info, input: PublicInterviewStartInput
    ) -> PublicInterviewStartResult:
        return await _view_changed(
            info, lambda deps: chat.start(deps, input.token), PublicInterviewStartSuccess
        )

    @strawberry.mutation(
        description="Answer: the message is stored, the interviewer's reply streams on "
        "`publicInterviewChat` and comes back here whole. The reply after the last "
        "answer completes the interview."
    )
    async def public_interview_send_message(
        self, info: Info, input: PublicInterviewSendMessageInput
    ) -> PublicInterviewSendMessageResult:
        result = await _public(
            info,
            lambda deps: chat.send_message(deps, input.token, input.content),
            lambda exchange: exchange.view.tenant_id,
        )
        if isinstance(result, PublicInterviewError):
            return result
        return PublicInterviewSendMessageSuccess(
            candidate_message=_message(result.candidate),
            interviewer_message=_message(result.interviewer),
            completed=result.completed,
            interview=_interview(result.view),
        )

    @strawberry.mutation(
        description="Ask to talk to a person. The interview keeps its status; the "
        "recruiter sees `humanRequested`."
    )
    async def public_interview_request_human(
        self, info: Info, input: PublicInterviewRequestHumanInput
    ) -> PublicInterviewRequestHumanResult:
        return await _view_changed(
            info,
            lambda deps: chat.request_human(deps, input.token, input.note),
            PublicInterviewRequestHumanSuccess,
        )
