"""The interviewer's turn, taken directly with a provider the test scripts: one turn at
a time per interview (a second is ``BUSY``), the reply streamed as ``interview.delta``
events and then stored as one message, the closing turn completing the interview; a
provider failure, a timeout or an empty reply stores nothing and says
``INTERVIEWER_UNAVAILABLE``; a cancel or a message arriving while the reply streamed
discards the reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.ai.provider import EvaluationResult, InterviewTranscript, InterviewTurn, ProviderError
from gateway.pubsub import Event
from gateway.services.interview_deps import InterviewDeps
from gateway.services.interview_public import InterviewRefused, PublicCode
from gateway.services.interview_turns import (
    MAX_INTERVIEWER_CHARS,
    Turn,
    evaluate_quietly,
    interviewer_turn,
    turn_lock,
)
from gateway.store.base import utcnow
from gateway.store.enums import InterviewStatus, MessageRole
from gateway.store.models import Activity, Evaluation, Interview, InterviewMessage
from tests.gateway.services.interview_setup import add_chat, interview_deps, new_interview
from tests.gateway.services.interview_subjects import add, change
from tests.gateway.services.service_world import World, listening
from tests.support.gateway import Gateway

QUESTION_AND_ANSWER = ["Tell me about your last role.", "I led a team of five."]


@dataclass
class Interviewer:
    """An AI provider whose interviewer says ``pieces`` (running ``meanwhile`` after the
    first one), or fails; its evaluation always fails."""

    name = "scripted"
    pieces: Sequence[str] = ("Thanks", "", " for that. ", "What came next?")
    failure: ProviderError | None = None
    pause: float = 0.0
    meanwhile: Callable[[], Awaitable[None]] | None = None
    turns: list[InterviewTurn] = field(default_factory=list)

    async def interview_turn(self, turn: InterviewTurn) -> AsyncIterator[str]:
        self.turns.append(turn)
        for number, piece in enumerate(self.pieces):
            await asyncio.sleep(self.pause)
            yield piece
            if number == 0 and self.meanwhile is not None:
                await self.meanwhile()
            if self.failure is not None:
                raise self.failure

    async def evaluate(self, transcript: InterviewTranscript) -> EvaluationResult:
        raise ProviderError("evaluator down", retryable=True)


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> AsyncIterator[World]:
    async with listening(gateway) as world:
        yield world


async def chatting(world: World, deps: InterviewDeps, tenant: str = "demo") -> int:
    """An interview in progress whose candidate just answered the first question."""
    issued = await new_interview(world, deps, tenant)
    await add_chat(world, issued.interview_id, QUESTION_AND_ANSWER)
    return issued.interview_id


async def take_turn(deps: InterviewDeps, interview_id: int) -> Turn:
    async with turn_lock(deps, interview_id) as lock:
        return await interviewer_turn(deps, interview_id, lock)


async def stored(world: World, interview_id: int) -> list[tuple[int, MessageRole, str]]:
    rows = await world.rows(
        sa.select(InterviewMessage.sequence, InterviewMessage.role, InterviewMessage.content)
        .where(InterviewMessage.interview_id == interview_id)
        .order_by(InterviewMessage.sequence)
    )
    return [(row.sequence, row.role, row.content) for row in rows]


def of(interview_id: int, events: Sequence[Event]) -> list[dict[str, Any]]:
    return [e.data for e in events if e.data.get("interviewId") == interview_id]


async def test_a_second_turn_is_refused_while_one_is_taken(world: World) -> None:
    deps = interview_deps(world)
    interview_id = await chatting(world, deps)
    neighbour = await chatting(world, deps)

    async with turn_lock(deps, interview_id):
        with pytest.raises(InterviewRefused) as busy:
            async with turn_lock(deps, interview_id):
                pass
        async with turn_lock(deps, neighbour):
            pass

    assert (busy.value.reason, busy.value.retryable) == (PublicCode.BUSY, True)
    async with turn_lock(deps, interview_id):
        pass


async def test_the_reply_is_streamed_then_stored_as_one_message(world: World) -> None:
    interviewer = Interviewer()
    deps = interview_deps(world, interviewer, max_questions=3)
    interview_id = await chatting(world, deps)
    seen = len(world.events)

    turn = await take_turn(deps, interview_id)

    reply = "Thanks for that. What came next?"
    assert (turn.message.sequence, turn.message.role, turn.message.content) == (
        3,
        MessageRole.ASSISTANT,
        reply,
    )
    assert turn.completed is False
    assert (await stored(world, interview_id))[2:] == [(3, MessageRole.ASSISTANT, reply)]
    deltas = of(interview_id, await world.published(seen, "interview.delta"))
    assert [(d["sequence"], d["delta"]) for d in deltas] == [
        (3, "Thanks"),
        (3, " for that. "),
        (3, "What came next?"),
    ]
    [message] = of(interview_id, await world.published(seen, "interview.message"))
    assert (message["sequence"], message["role"], message["content"]) == (3, "assistant", reply)
    [asked] = interviewer.turns
    assert [m.content for m in asked.transcript] == QUESTION_AND_ANSWER
    assert asked.max_questions == 3
    assert (await world.get(Interview, interview_id)).status is InterviewStatus.IN_PROGRESS


async def test_the_closing_turn_completes_the_interview(world: World) -> None:
    deps = interview_deps(world, Interviewer(pieces=["That is all, thank you."]), max_questions=1)
    interview_id = await chatting(world, deps)
    seen = len(world.events)

    turn = await take_turn(deps, interview_id)

    assert turn.completed is True
    interview = await world.get(Interview, interview_id)
    assert interview.status is InterviewStatus.COMPLETED
    assert interview.completed_at is not None
    [completed] = await world.published(seen, "interview.completed")
    assert (completed.tenant_id, completed.data["id"]) == (interview.tenant_id, interview_id)
    details = await world.scalar(
        sa.select(Activity.details).where(
            Activity.subject_id == interview_id, Activity.action == "interview.completed"
        )
    )
    assert details == {
        "previousStatus": "in_progress",
        "status": "completed",
        "answered": 1,
        "questions": 1,
    }


@pytest.mark.parametrize(
    ("interviewer", "retryable", "wording"),
    [
        (Interviewer(failure=ProviderError("overloaded", retryable=True)), True, "could not"),
        (Interviewer(failure=ProviderError("bad key", retryable=False)), False, "could not"),
        (Interviewer(pause=1.0), True, "took too long"),
        (Interviewer(pieces=["", "  ", "\n"]), True, "nothing to say"),
    ],
    ids=["retryable-failure", "lasting-failure", "timeout", "empty-reply"],
)
async def test_an_unavailable_interviewer_stores_nothing(
    world: World, interviewer: Interviewer, retryable: bool, wording: str
) -> None:
    deps = interview_deps(world, interviewer, turn_timeout=0.2)
    interview_id = await chatting(world, deps)
    seen = len(world.events)

    with pytest.raises(InterviewRefused, match=wording) as refused:
        await take_turn(deps, interview_id)

    assert (refused.value.reason, refused.value.retryable) == (
        PublicCode.INTERVIEWER_UNAVAILABLE,
        retryable,
    )
    assert len(await stored(world, interview_id)) == len(QUESTION_AND_ANSWER)
    assert of(interview_id, await world.published(seen, "interview.message")) == []
    async with turn_lock(deps, interview_id):
        pass


async def test_a_reply_past_the_limit_is_cut(world: World) -> None:
    deps = interview_deps(world, Interviewer(pieces=["word " * 5000]))
    interview_id = await chatting(world, deps)

    await take_turn(deps, interview_id)

    [(_, _, content)] = (await stored(world, interview_id))[2:]
    assert content == ("word " * 5000)[:MAX_INTERVIEWER_CHARS]


async def test_a_cancel_while_the_reply_streams_discards_it(world: World) -> None:
    interviewer = Interviewer()
    deps = interview_deps(world, interviewer)
    interview_id = await chatting(world, deps)

    async def cancel() -> None:
        await change(world, Interview, interview_id, status=InterviewStatus.CANCELLED)

    interviewer.meanwhile = cancel

    with pytest.raises(InterviewRefused) as refused:
        await take_turn(deps, interview_id)

    assert refused.value.reason is PublicCode.CANCELLED
    assert len(await stored(world, interview_id)) == len(QUESTION_AND_ANSWER)


async def test_a_message_arriving_while_the_reply_streams_wins(world: World) -> None:
    interviewer = Interviewer()
    deps = interview_deps(world, interviewer)
    interview_id = await chatting(world, deps)
    tenant_id = world.tenant_id("demo")

    async def interject() -> None:
        await add(
            world,
            InterviewMessage(
                tenant_id=tenant_id,
                interview_id=interview_id,
                sequence=3,
                role=MessageRole.CANDIDATE,
                content="Also, I speak Spanish.",
                created_at=utcnow(),
            ),
        )

    interviewer.meanwhile = interject

    with pytest.raises(InterviewRefused) as refused:
        await take_turn(deps, interview_id)

    assert (refused.value.reason, refused.value.retryable) == (PublicCode.BUSY, True)
    assert [role for _, role, _ in await stored(world, interview_id)] == [
        MessageRole.ASSISTANT,
        MessageRole.CANDIDATE,
        MessageRole.CANDIDATE,
    ]


async def test_a_failed_evaluation_after_completion_is_left_for_later(world: World) -> None:
    deps = interview_deps(world, Interviewer())
    interview_id = await chatting(world, deps)
    await change(world, Interview, interview_id, status=InterviewStatus.COMPLETED)

    await evaluate_quietly(deps, world.tenant_id("demo"), interview_id)

    assert await world.count(Evaluation, Evaluation.interview_id == interview_id) == 0
