"""The candidate's side of a self-service interview, short of the chat: a token opens
its own self-service interview and nothing else (malformed, unknown, replaced or a
scheduled round's: all ``NOT_FOUND``, said the same way), the page shows the first
name, the requisition and the chat without system notes, and each status the candidate
cannot act in has its own refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gateway.interview_tokens import hash_token, new_token
from gateway.services.interview_public import (
    NOT_FOUND_MESSAGE,
    InterviewRefused,
    PublicCode,
    locate,
    locked,
    refusal_for,
    view_by_id,
)
from gateway.store.base import utcnow
from gateway.store.enums import InterviewKind, InterviewStatus, MessageRole
from gateway.store.models import Interview, InterviewMessage
from tests.gateway.services.interview_setup import add_chat, interview_deps
from tests.gateway.services.interview_subjects import add, change, interview_on
from tests.gateway.services.service_world import World, listening
from tests.support.gateway import Gateway


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> AsyncIterator[World]:
    async with listening(gateway) as world:
        yield world


def refused_as_not_found(refused: pytest.ExceptionInfo[InterviewRefused]) -> bool:
    return refused.value.reason is PublicCode.NOT_FOUND and str(refused.value) == NOT_FOUND_MESSAGE


async def test_a_token_opens_its_own_interview(world: World) -> None:
    deps = interview_deps(world)
    issued = await interview_on(world, deps)
    another = await interview_on(world, deps)

    assert await locate(deps, issued.token) == issued.interview_id
    assert await locate(deps, another.token) == another.interview_id


@pytest.mark.parametrize(
    "token",
    ["", "iv_", "iv_short", "xx_" + "a" * 43, "iv_" + "a" * 42 + "!", "iv_" + "a" * 129],
    ids=["empty", "prefix-only", "too-short", "wrong-prefix", "bad-character", "too-long"],
)
async def test_a_malformed_token_is_refused_like_an_unknown_one(world: World, token: str) -> None:
    with pytest.raises(InterviewRefused) as refused:
        await locate(interview_deps(world), token)

    assert refused_as_not_found(refused)


async def test_an_unknown_or_a_scheduled_rounds_token_opens_nothing(world: World) -> None:
    deps = interview_deps(world)
    with pytest.raises(InterviewRefused) as unknown:
        await locate(deps, new_token())
    issued = await interview_on(world, deps)
    await change(world, Interview, issued.interview_id, kind=InterviewKind.SCHEDULED)

    with pytest.raises(InterviewRefused) as scheduled_round:
        await locate(deps, issued.token)

    assert refused_as_not_found(unknown)
    assert refused_as_not_found(scheduled_round)


async def test_a_replaced_token_no_longer_holds_the_interview(world: World) -> None:
    deps = interview_deps(world)
    issued = await interview_on(world, deps)
    other = await interview_on(world, deps)
    replacement = new_token()
    await change(world, Interview, issued.interview_id, token_hash=hash_token(replacement))

    async with world.session_factory.begin() as session:
        interview = await locked(session, issued.interview_id, replacement)
        assert interview.id == issued.interview_id
        for token, interview_id in [
            (issued.token, issued.interview_id),
            (other.token, issued.interview_id),
        ]:
            with pytest.raises(InterviewRefused) as refused:
                await locked(session, interview_id, token)
            assert refused_as_not_found(refused)


async def test_the_page_shows_the_chat_without_system_notes(world: World) -> None:
    deps = interview_deps(world, max_questions=5)
    issued = await interview_on(
        world,
        deps,
        tenant="other",
        job={"title": "Picker", "client_name": "Fjord Foods"},
        candidate={"name": "Ola Nordmann"},
    )
    await add_chat(world, issued.interview_id, ["First?", "One.", "Second?", "Two,"])
    tenant_id = world.tenant_id("other")
    await add(
        world,
        *[
            InterviewMessage(
                tenant_id=tenant_id,
                interview_id=issued.interview_id,
                sequence=sequence,
                role=role,
                content=content,
                created_at=utcnow(),
            )
            for sequence, role, content in [
                (5, MessageRole.CANDIDATE, "and three."),
                (6, MessageRole.SYSTEM, "A recruiter joined."),
            ]
        ],
    )

    view = await view_by_id(deps, issued.interview_id)

    assert (view.candidate_name, view.position, view.company) == ("Ola", "Picker", "Fjord Foods")
    assert (view.status, view.tenant_id) == (InterviewStatus.IN_PROGRESS, tenant_id)
    assert [(m.sequence, m.role, m.content) for m in view.messages] == [
        (1, MessageRole.ASSISTANT, "First?"),
        (2, MessageRole.CANDIDATE, "One."),
        (3, MessageRole.ASSISTANT, "Second?"),
        (4, MessageRole.CANDIDATE, "Two,"),
        (5, MessageRole.CANDIDATE, "and three."),
    ]
    assert (view.questions_answered, view.questions_total) == (2, 5)
    assert view.started_at is not None and view.completed_at is None
    assert view.expires_at == (await world.get(Interview, issued.interview_id)).token_expires_at
    assert not view.human_requested


async def test_answers_past_the_question_limit_are_not_counted(world: World) -> None:
    deps = interview_deps(world, max_questions=1)
    issued = await interview_on(world, deps)
    await add_chat(world, issued.interview_id, ["First?", "One.", "Second?", "Two."])

    view = await view_by_id(deps, issued.interview_id)

    assert (view.questions_answered, view.questions_total) == (1, 1)


@pytest.mark.parametrize(
    ("status", "code", "wording"),
    [
        (InterviewStatus.SCHEDULED, PublicCode.NOT_STARTED, "Start the interview first"),
        (InterviewStatus.EXPIRED, PublicCode.EXPIRED, "has expired"),
        (InterviewStatus.COMPLETED, PublicCode.COMPLETED, "is complete"),
        (InterviewStatus.ABANDONED, PublicCode.ABANDONED, "long pause"),
        (InterviewStatus.CANCELLED, PublicCode.CANCELLED, "was cancelled"),
    ],
)
def test_each_status_the_candidate_cannot_act_in_has_its_refusal(
    status: InterviewStatus, code: PublicCode, wording: str
) -> None:
    refusal = refusal_for(status, frozenset({InterviewStatus.IN_PROGRESS}))

    assert refusal is not None
    assert (refusal.reason, refusal.code, refusal.retryable) == (code, code.value, False)
    assert wording in str(refusal)
    assert refusal_for(status, frozenset({status})) is None
