"""The verdict on a completed self-service interview: the AI provider reads the
transcript, and its scores (clamped to their ranges) and words are stored as the
interview's one ``Evaluation``, replacing an earlier one. Asked for right after the
interview completes (``gateway.services.interview_chat``) and again by
``interviewEvaluate``; publishes ``interview.evaluated``."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ai.provider import EvaluationResult, ProviderError
from gateway.errors import NotFound, RemoteWriteFailed, ValidationFailed
from gateway.events import interview_evaluated
from gateway.outbox import stage
from gateway.ports import HasOutbox, HasSessions
from gateway.services.activities import Actor, record_activity
from gateway.services.interview_deps import HasInterviewConfig, HasInterviewer
from gateway.services.interview_prompts import (
    InterviewSubject,
    evaluation_request,
    load_messages,
    load_subject,
)
from gateway.services.interview_status import system_actor
from gateway.services.processing import settle
from gateway.store.base import utcnow
from gateway.store.enums import InterviewStatus
from gateway.store.models import Evaluation, Interview, InterviewMessage

logger = logging.getLogger("talentgraph.interviews")

_RECOMMENDATION_LENGTH = 64


def _score(value: int, low: int, high: int, name: str) -> int:
    if not low <= value <= high:
        logger.warning("evaluation %s %s out of %d..%d; clamped", name, value, low, high)
    return max(low, min(high, int(value)))


def _texts(values: tuple[str, ...]) -> list[str]:
    return [str(v).strip() for v in values if str(v).strip()]


def _evaluation_values(result: EvaluationResult) -> dict[str, Any]:
    return {
        "reliability_score": _score(result.reliability, 1, 10, "reliability"),
        "accountability_score": _score(result.accountability, 1, 10, "accountability"),
        "professionalism_score": _score(result.professionalism, 1, 10, "professionalism"),
        "communication_score": _score(result.communication, 1, 10, "communication"),
        "technical_score": _score(result.technical, 1, 10, "technical"),
        "growth_potential_score": _score(result.growth_potential, 1, 10, "growth_potential"),
        "overall_score": _score(result.overall, 0, 100, "overall"),
        "summary": result.summary.strip(),
        "strengths": _texts(result.strengths),
        "weaknesses": _texts(result.weaknesses),
        "red_flags": _texts(result.red_flags),
        "recommendation": (result.recommendation.strip().lower() or "maybe")[
            :_RECOMMENDATION_LENGTH
        ],
        "next_interview_focus": _texts(result.next_interview_focus),
        "model": result.model[:128] or None,
    }


class AsksForEvaluation(HasInterviewer, HasInterviewConfig, Protocol):
    pass


class Evaluates(AsksForEvaluation, HasSessions, HasOutbox, Protocol):
    pass


async def _completed_transcript(
    deps: HasSessions, tenant_id: int, interview_id: int
) -> tuple[InterviewSubject, list[InterviewMessage]]:
    async with deps.session_factory() as session:
        interview = await session.scalar(
            sa.select(Interview).where(
                Interview.id == interview_id, Interview.tenant_id == tenant_id
            )
        )
        if interview is None:
            raise NotFound("Interview", interview_id)
        if interview.status is not InterviewStatus.COMPLETED:
            raise ValidationFailed(
                "interviewId",
                f"only completed interviews are evaluated; this one is {interview.status.value}",
            )
        return await load_subject(session, interview), await load_messages(session, interview_id)


async def _ask_provider(
    deps: AsksForEvaluation, subject: InterviewSubject, messages: list[InterviewMessage]
) -> EvaluationResult:
    provider = deps.require_provider()
    try:
        async with asyncio.timeout(deps.config.turn_timeout):
            return await provider.evaluate(evaluation_request(subject, messages))
    except ProviderError as exc:
        raise RemoteWriteFailed(
            f"the AI provider could not evaluate the interview: {exc.message}",
            retryable=exc.retryable,
        ) from exc
    except TimeoutError as exc:
        raise RemoteWriteFailed(
            "the AI provider took too long to evaluate the interview", retryable=True
        ) from exc


async def _store_evaluation(
    session: AsyncSession, tenant_id: int, interview_id: int, values: dict[str, Any]
) -> Evaluation:
    now = utcnow()
    evaluation = await session.scalar(
        sa.select(Evaluation).where(Evaluation.interview_id == interview_id).with_for_update()
    )
    if evaluation is None:
        evaluation = Evaluation(
            tenant_id=tenant_id, interview_id=interview_id, created_at=now, **values
        )
        session.add(evaluation)
    else:
        for name, value in values.items():
            setattr(evaluation, name, value)
        evaluation.created_at = now
    await session.flush()
    return evaluation


async def evaluate_interview(
    deps: Evaluates, tenant_id: int, interview_id: int, actor: Actor | None = None
) -> int:
    """Ask the provider for the verdict on a completed interview and store it (replacing
    an earlier one). Returns the evaluation's id. A provider failure is
    ``RemoteWriteFailed`` and stores nothing."""
    deps.require_provider()
    subject, messages = await _completed_transcript(deps, tenant_id, interview_id)
    values = _evaluation_values(await _ask_provider(deps, subject, messages))
    async with deps.session_factory.begin() as session:
        evaluation = await _store_evaluation(session, tenant_id, interview_id, values)
        await settle(session, tenant_id, [subject.application_id])
        record_activity(
            session,
            actor or system_actor(tenant_id),
            action="interview.evaluated",
            subject_type="Interview",
            subject_id=interview_id,
            description=f"Evaluated the interview of {subject.candidate_name}: overall "
            f"{values['overall_score']}/100, {values['recommendation']}",
            job_id=subject.job_id,
            candidate_id=subject.candidate_id,
            application_id=subject.application_id,
            details={
                "evaluationId": evaluation.id,
                "overallScore": values["overall_score"],
                "recommendation": values["recommendation"],
                "model": values["model"],
            },
        )
        staged = await stage(
            session,
            [
                interview_evaluated(
                    tenant_id, interview_id=interview_id, evaluation_id=evaluation.id
                )
            ],
        )
        evaluation_id = evaluation.id
    await deps.outbox.release(staged)
    return evaluation_id
