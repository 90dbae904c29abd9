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
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

Role = Literal["system", "interviewer", "candidate"]


class ProviderError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


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
    """0-100: higher is riskier."""
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
