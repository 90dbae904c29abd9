"""The verdict on a completed self-service interview, asked for directly: the provider
reads the transcript, its scores are clamped and stored as the interview's one
evaluation (a second replaces the first), ``interview.evaluated`` is published for the
interview's tenant alone; an open interview, another tenant's one or a provider failure
stores nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from gateway.ai.provider import EvaluationResult, InterviewTranscript, ProviderError
from gateway.errors import NotFound, RemoteWriteFailed, ValidationFailed
from gateway.services.interview_evaluation import evaluate_interview
from gateway.store.enums import InterviewStatus
from gateway.store.models import Evaluation
from tests.gateway.services.interview_setup import add_chat, interview_deps, new_interview
from tests.gateway.services.service_world import World, listening
from tests.support.gateway import Gateway

CHAT = [
    "Tell me about your last role.",
    "I ran the support desk for forty people and cut response times by a third.",
    "Thank you, that is all.",
]


@dataclass
class Scripted:
    """An AI provider whose evaluation the test scripts (or its failure)."""

    name = "scripted"
    verdict: EvaluationResult | None = None
    failure: ProviderError | None = None
    asked: list[InterviewTranscript] = field(default_factory=list)

    async def evaluate(self, transcript: InterviewTranscript) -> EvaluationResult:
        self.asked.append(transcript)
        if self.failure is not None:
            raise self.failure
        assert self.verdict is not None
        return self.verdict


OUT_OF_RANGE = EvaluationResult(
    reliability=14,
    accountability=0,
    professionalism=7,
    communication=8,
    technical=-3,
    growth_potential=10,
    overall=140,
    summary="  Clear and structured.  ",
    strengths=(" Ownership ", "", "  "),
    recommendation="  STRONG_YES ",
    model="offline-test",
)


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> AsyncIterator[World]:
    async with listening(gateway) as world:
        yield world


async def completed_interview(world: World, tenant: str = "demo") -> int:
    issued = await new_interview(world, interview_deps(world), tenant)
    await add_chat(world, issued.interview_id, CHAT, status=InterviewStatus.COMPLETED)
    return issued.interview_id


async def test_a_verdict_is_clamped_stored_and_announced(world: World) -> None:
    interview_id = await completed_interview(world)
    provider = Scripted(verdict=OUT_OF_RANGE)
    seen = len(world.events)

    evaluation_id = await evaluate_interview(
        interview_deps(world, provider), world.tenant_id("demo"), interview_id
    )

    [transcript] = provider.asked
    assert [m.content for m in transcript.transcript] == CHAT
    stored: Evaluation = await world.get(Evaluation, evaluation_id)
    assert (stored.tenant_id, stored.interview_id) == (world.tenant_id("demo"), interview_id)
    scores = (
        stored.reliability_score,
        stored.accountability_score,
        stored.technical_score,
        stored.overall_score,
    )
    assert scores == (10, 1, 1, 100)
    assert (stored.summary, stored.strengths, stored.recommendation) == (
        "Clear and structured.",
        ["Ownership"],
        "strong_yes",
    )
    assert await world.activities("interview.evaluated") >= 1
    [event] = await world.published(seen, "interview.evaluated")
    assert event.tenant_id == world.tenant_id("demo")


async def test_evaluating_again_replaces_the_one_evaluation(world: World) -> None:
    interview_id = await completed_interview(world)
    tenant_id = world.tenant_id("demo")
    first = await evaluate_interview(
        interview_deps(world, Scripted(verdict=OUT_OF_RANGE)), tenant_id, interview_id
    )

    lower = EvaluationResult(5, 5, 5, 5, 5, 5, 40, "Average.", recommendation="no")
    second = await evaluate_interview(
        interview_deps(world, Scripted(verdict=lower)), tenant_id, interview_id
    )

    assert second == first
    assert await world.count(Evaluation, Evaluation.interview_id == interview_id) == 1
    stored: Evaluation = await world.get(Evaluation, first)
    assert (stored.overall_score, stored.recommendation) == (40, "no")


async def test_an_open_interview_is_not_evaluated(world: World) -> None:
    issued = await new_interview(world, interview_deps(world))
    await add_chat(world, issued.interview_id, CHAT[:2])
    provider = Scripted(verdict=OUT_OF_RANGE)

    with pytest.raises(ValidationFailed, match="only completed interviews"):
        await evaluate_interview(
            interview_deps(world, provider), world.tenant_id("demo"), issued.interview_id
        )

    assert provider.asked == []
    assert await world.count(Evaluation, Evaluation.interview_id == issued.interview_id) == 0


async def test_another_tenants_interview_is_not_found(world: World) -> None:
    theirs = await completed_interview(world, "other")
    provider = Scripted(verdict=OUT_OF_RANGE)
    seen = len(world.events)

    with pytest.raises(NotFound):
        await evaluate_interview(interview_deps(world, provider), world.tenant_id("demo"), theirs)

    assert provider.asked == []
    assert await world.count(Evaluation, Evaluation.interview_id == theirs) == 0
    assert await world.published(seen, "interview.evaluated") == []


@pytest.mark.parametrize("retryable", [True, False])
async def test_a_provider_failure_stores_nothing_and_says_whether_to_retry(
    world: World, retryable: bool
) -> None:
    interview_id = await completed_interview(world)
    failing = Scripted(failure=ProviderError("model overloaded", retryable=retryable))

    with pytest.raises(RemoteWriteFailed, match="model overloaded") as failed:
        await evaluate_interview(
            interview_deps(world, failing), world.tenant_id("demo"), interview_id
        )

    assert failed.value.retryable is retryable
    assert await world.count(Evaluation, Evaluation.interview_id == interview_id) == 0


async def test_without_a_provider_nothing_is_read(world: World) -> None:
    deps = interview_deps(world)
    no_provider = type(deps)(deps.session_factory, deps.bus, deps.locks, deps.config, None)
    with pytest.raises(RuntimeError, match="no AI provider"):
        await evaluate_interview(no_provider, world.tenant_id("demo"), 0)
