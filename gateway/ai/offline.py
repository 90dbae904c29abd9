"""The default provider: a deterministic interviewer, evaluator and resume reader with
no model and no network, so the whole flow works out of the box. The same input always
gives the same output (no clock, no randomness, no ``hash()``).

    provider = OfflineProvider()
    "".join([p async for p in provider.interview_turn(turn)])
    # "Hi Ana, thanks for taking the time to talk about the Data Analyst role at Acme.
    #  I have 5 questions for you. First: Could you walk me through ...?"
    (await provider.analyze_resume(request)).risk_score        # 0.31
    (await provider.evaluate(transcript)).recommendation       # "yes"

Interview turns follow ``plan_turn``: the first message greets the candidate and asks
the first question, each later one acknowledges the last answer and asks the next, and
the one after the last answer closes. The persona's system prompt sets the tone (warm
when it says friendly, warm or encouraging, neutral otherwise). Messages are streamed
word by word.

Evaluations score the candidate's answers on six dimensions (1-10) from their length,
concrete examples (numbers, "for example", "when I ...") and keywords per dimension
(``DIMENSIONS``); the overall score (0-100) is their mean, less 10 per very short or
missing answer. The recommendation follows the overall score (``RECOMMENDATIONS``).

Resume analyses compare the resume's words with the requisition's key terms (the
title's and the description's most frequent words, stop words left out; "automated"
meets "automate", a light stemming):

- risk (0-1) = 0.15 + 0.6 x the share of key terms missing, + 0.1 for a resume under
  80 words, + 0.1 per gap of more than two years between the periods it names
  (``2012-2015``, ``2019 - present``; at most 0.2), - 0.1 when it states three or more
  years of experience; at least 0.02, at most 0.98. No resume at all: 0.9 and a red flag.
- red flags: no resume; under 10% of the key terms.
- compliance flags (only what the text says, nothing inferred): a need for visa
  sponsorship (confirm the right to work), and protected personal data on the resume
  (date of birth, age, marital status, religion, nationality, photo), which must not
  weigh in the decision. A resume that does not mention the right to work is not
  flagged: most do not.
- suggested questions: one per con and red flag, then the two most important missing
  key terms, then generic ones, three at least.

With a JSON schema in the request, the answer is conformed to it (``schema.conform``)
and validated like a model's; one it cannot satisfy is a non-retryable ProviderError.

The interviewer, the evaluator and the resume reader live in ``offline_interviewer``,
``offline_evaluator`` and ``offline_resume``; this module puts them behind the
provider interface.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import Any

from gateway.ai.answers import analysis_from_answer, evaluation_from_answer
from gateway.ai.offline_evaluator import evaluation_answer
from gateway.ai.offline_interviewer import interview_message, word_pieces
from gateway.ai.offline_resume import analysis_answer
from gateway.ai.provider import (
    AnalysisResult,
    EvaluationResult,
    InterviewTranscript,
    InterviewTurn,
    ProviderError,
    ResumeRequest,
    plan_turn,
)
from gateway.ai.schema import conform, validate

MODEL = "offline-1"


def _schema_checked(answer: dict[str, Any], schema: Mapping[str, Any] | None) -> dict[str, Any]:
    if not schema:
        return answer
    conformed = conform(answer, schema)
    errors = validate(conformed, schema)
    if errors:
        raise ProviderError(
            "the offline answer cannot satisfy the prompt's JSON schema: " + "; ".join(errors),
            retryable=False,
        )
    return conformed


class OfflineProvider:
    name = "offline"

    def __init__(self, model: str = MODEL) -> None:
        self.model = model

    async def interview_turn(self, turn: InterviewTurn) -> AsyncIterator[str]:
        for piece in word_pieces(interview_message(turn, plan_turn(turn))):
            yield piece

    async def evaluate(self, transcript: InterviewTranscript) -> EvaluationResult:
        canonical = evaluation_answer(transcript)
        answer = _schema_checked(canonical, transcript.json_schema)
        return replace(evaluation_from_answer(canonical, self.model), raw=answer)

    async def analyze_resume(self, resume: ResumeRequest) -> AnalysisResult:
        canonical = analysis_answer(resume)
        answer = _schema_checked(canonical, resume.json_schema)
        return replace(analysis_from_answer(canonical, self.model), raw=answer)
