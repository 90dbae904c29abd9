"""What the gateway asks of an AI provider, and what it gets back.

    provider = create_provider(settings, http)              # offline unless configured
    async for delta in provider.interview_turn(turn):       # the interviewer's next message
        ...                                                 # streamed piece by piece
    verdict = await provider.evaluate(transcript)           # EvaluationResult
    analysis = await provider.analyze_resume(resume)        # AnalysisResult

Every request carries the texts that shape the answer: the persona's system prompt and
the tenant's prompt templates (rendered by the caller), the requisition's interview
instructions and the analysis' suggested questions. A provider never reads the store.
Results are plain dataclasses the caller validates and stores; a provider that cannot
produce one raises ``ProviderError`` (``retryable`` says whether trying again can help).

Who decides that the interview is over: the caller, with ``plan_turn(turn)``, the same
for every provider. The plan is the question list (the caller's ``questions``, then
question lines found in ``instructions``, then generic ones up to ``max_questions``) and
where the transcript stands in it; each interviewer message before the last asks one
question.

    plan = plan_turn(turn)
    text = "".join([piece async for piece in provider.interview_turn(turn)])
    if plan.final:            # this message closed the interview: mark it completed,
        ...                   # then provider.evaluate(...) for the evaluation
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

Role = Literal["system", "interviewer", "candidate"]


class ProviderError(Exception):
    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        """Seconds the server asked to wait (``Retry-After`` of a 429), when it said."""


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class InterviewTurn:
    """Everything the interviewer may use to say its next message."""

    system_prompt: str
    """The persona's system prompt, rendered with the candidate, job and company."""
    instructions: str | None
    """The tenant's interview prompt template and the requisition's instructions, rendered."""
    questions: tuple[str, ...]
    """The persona's questions and the analysis' suggested questions, in asking order."""
    transcript: tuple[Message, ...]
    candidate_name: str
    job_title: str
    company: str | None
    max_questions: int


@dataclass(frozen=True, slots=True)
class InterviewTranscript:
    system_prompt: str
    instructions: str | None
    """The tenant's evaluation prompt template, rendered."""
    transcript: tuple[Message, ...]
    job_title: str
    candidate_name: str
    json_schema: dict[str, object] | None = None
    """The evaluation prompt's JSON schema; the answer must satisfy it (and name the six
    scores, the overall score and a recommendation, which the result needs)."""


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    reliability: int
    accountability: int
    professionalism: int
    communication: int
    technical: int
    growth_potential: int
    """Scores 1-10."""
    overall: int
    """0-100."""
    summary: str
    strengths: tuple[str, ...] = ()
    weaknesses: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    recommendation: str = "maybe"
    """strong_yes | yes | maybe | no | strong_no"""
    next_interview_focus: tuple[str, ...] = ()
    model: str = ""
    raw: dict[str, object] = field(default_factory=dict)
    """The answer as the provider produced it (schema-valid when a schema was given)."""


@dataclass(frozen=True, slots=True)
class ResumeRequest:
    prompt: str
    """The tenant's resume-analysis prompt template, rendered with the resume and job."""
    json_schema: dict[str, object] | None
    """The prompt's JSON schema; the answer must satisfy it."""
    resume_text: str
    job_title: str
    job_description: str | None
    candidate_name: str


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    risk_score: float
    """0-1, higher is riskier (as the stored analyses and the seeded prompt's schema:
    AIRecruiter's ``riskScore: 0.25``); an answer on a 0-100 scale is divided by 100."""
    relevance_summary: str
    pros: tuple[str, ...] = ()
    cons: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    suggested_questions: tuple[str, ...] = ()
    compliance_flags: tuple[str, ...] = ()
    raw: dict[str, object] = field(default_factory=dict)
    model: str = ""


class AIProvider(Protocol):
    name: str

    def interview_turn(self, turn: InterviewTurn) -> AsyncIterator[str]:
        """The interviewer's next message, as pieces to stream; joined, the message."""
        ...

    async def evaluate(self, transcript: InterviewTranscript) -> EvaluationResult: ...

    async def analyze_resume(self, resume: ResumeRequest) -> AnalysisResult: ...


# --- the interview's course -------------------------------------------------------------

GENERIC_QUESTIONS: tuple[str, ...] = (
    "Could you walk me through your most recent role and what you were responsible for?",
    "Tell me about a time you had to meet a tight deadline. What did you do?",
    "Describe a situation where you worked closely with a team to solve a problem.",
    "How have you handled a difficult customer or stakeholder? Please give an example.",
    "Tell me about a mistake you made at work and what you learned from it.",
    "What skills are you working on improving right now, and how?",
    "Why are you interested in the {job_title} role?",
    "What is your availability to start, and is there anything that would affect it?",
)
"""Asked, in this order, after the caller's questions when those are fewer than
``max_questions``; ``{job_title}`` is filled in."""

_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|[a-z][.)])\s+", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class TurnPlan:
    """Where an interview stands; see ``plan_turn``."""

    questions: tuple[str, ...]
    """Every question of this interview, in asking order (at most ``max_questions``)."""
    asked: int
    """Interviewer messages so far."""
    answered: int
    """Interviewer messages the candidate has answered (consecutive answers count once)."""
    next_question: str | None
    """What this turn asks; None when it closes the interview."""
    index: int | None
    """``next_question``'s place in ``questions`` (0-based)."""
    repeat: bool
    """The last question is still unanswered: this turn asks it again."""
    final: bool
    """This turn closes the interview: every question has been asked and answered."""
    last_answer: str | None
    """The candidate's latest answer (their messages since the last interviewer one)."""


def parse_questions(text: str | None) -> tuple[str, ...]:
    """The questions written in ``text``: sentences ending in "?", bullets and numbering
    removed. ``parse_questions("Focus on SQL. Ask: how do you test a query?")`` gives
    ``("Ask: how do you test a query?",)``."""
    found: list[str] = []
    for line in (text or "").splitlines():
        line = _BULLET.sub("", line).strip()
        for sentence in _SENTENCE.split(line):
            sentence = sentence.strip()
            if sentence.endswith("?") and len(sentence.split()) >= 3:
                found.append(sentence)
    return tuple(found)


def _key(question: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", question.lower()).split())


def interview_questions(turn: InterviewTurn) -> tuple[str, ...]:
    """``turn.questions``, then questions in ``turn.instructions``, then
    ``GENERIC_QUESTIONS``, duplicates dropped, cut at ``turn.max_questions``."""
    limit = max(turn.max_questions, 0)
    generic = (question.format(job_title=turn.job_title) for question in GENERIC_QUESTIONS)
    chosen: list[str] = []
    seen: set[str] = set()
    for question in (*turn.questions, *parse_questions(turn.instructions), *generic):
        if len(chosen) >= limit:
            break
        text, key = question.strip(), _key(question)
        if not key or key in seen:
            continue
        seen.add(key)
        chosen.append(text)
    return tuple(chosen)


def plan_turn(turn: InterviewTurn) -> TurnPlan:
    """The plan of the interviewer's next message. The caller knows from ``final`` that
    the message it is about to stream closes the interview (then it evaluates)."""
    questions = interview_questions(turn)
    asked = answered = 0
    awaiting = False
    answer: list[str] = []
    for message in turn.transcript:
        if message.role == "interviewer":
            asked += 1
            awaiting = True
            answer = []
        elif message.role == "candidate":
            answer.append(message.content.strip())
            if awaiting:
                answered += 1
                awaiting = False
    last_answer = "\n".join(part for part in answer if part) or None
    if awaiting and asked <= len(questions):
        index: int | None = asked - 1
    elif not awaiting and answered < len(questions):
        index = answered
    else:
        index = None
    return TurnPlan(
        questions=questions,
        asked=asked,
        answered=answered,
        next_question=questions[index] if index is not None else None,
        index=index,
        repeat=awaiting and index is not None,
        final=index is None,
        last_answer=last_answer,
    )
