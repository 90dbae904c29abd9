"""Reading a provider's JSON answer into the results the gateway stores: an evaluation
(``evaluation_from_answer``) or a resume analysis (``analysis_from_answer``). Both
providers use them, the offline one on its own answers and the OpenAI-compatible one
on a model's, so the same keys, aliases and bounds hold whichever answered.

    evaluation_from_answer({"reliability_score": 7, ..., "recommendation": "hire"}, "m")
    # EvaluationResult(reliability=7, ..., recommendation="yes")
    analysis_from_answer({"riskScore": 42, ...}, "m").risk_score      # 0.42
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gateway.ai.provider import AnalysisResult, EvaluationResult

RECOMMENDATIONS = ((80, "strong_yes"), (65, "yes"), (50, "maybe"), (35, "no"), (0, "strong_no"))
"""The recommendations, each with the lowest overall score the offline evaluator gives it."""

_RECOMMENDATION_ALIASES = {
    "hire": "yes",
    "strong_hire": "strong_yes",
    "no_hire": "no",
    "reject": "no",
    "strong_reject": "strong_no",
    "consider": "maybe",
}


def _strings(answer: Mapping[str, Any], *keys: str) -> tuple[str, ...]:
    for key in keys:
        value = answer.get(key)
        if isinstance(value, list | tuple):
            return tuple(str(item).strip() for item in value if str(item).strip())
        if isinstance(value, str) and value.strip():
            return (value.strip(),)
    return ()


def evaluation_from_answer(answer: Mapping[str, Any], model: str) -> EvaluationResult:
    """An ``EvaluationResult`` from an answer with the default evaluation schema's keys
    (``reliability_score`` ...; ``reliability`` and camelCase are accepted too).
    Raises ``ValueError`` naming what is missing or of the wrong kind."""

    def score(name: str, low: int, high: int) -> int:
        camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)
        for key in (f"{name}_score", name, f"{camel}Score", camel):
            value = answer.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return max(low, min(high, round(value)))
        raise ValueError(f"the answer has no numeric {name}_score")

    recommendation = str(answer.get("recommendation") or "").strip().lower().replace(" ", "_")
    recommendation = _RECOMMENDATION_ALIASES.get(recommendation, recommendation)
    if recommendation not in {name for _, name in RECOMMENDATIONS}:
        raise ValueError("recommendation must be one of strong_yes, yes, maybe, no, strong_no")
    return EvaluationResult(
        reliability=score("reliability", 1, 10),
        accountability=score("accountability", 1, 10),
        professionalism=score("professionalism", 1, 10),
        communication=score("communication", 1, 10),
        technical=score("technical", 1, 10),
        growth_potential=score("growth_potential", 1, 10),
        overall=score("overall", 0, 100),
        summary=str(answer.get("summary") or "").strip(),
        strengths=_strings(answer, "strengths"),
        weaknesses=_strings(answer, "weaknesses"),
        red_flags=_strings(answer, "red_flags", "redFlags"),
        recommendation=recommendation,
        next_interview_focus=_strings(answer, "next_interview_focus", "nextInterviewFocus"),
        model=model,
        raw=dict(answer),
    )


def analysis_from_answer(
    answer: Mapping[str, Any], model: str, *, scale: float | None = None
) -> AnalysisResult:
    """An ``AnalysisResult`` from an answer with the default resume schema's keys
    (``summary``, ``questions`` and camelCase accepted too). ``risk_score`` is required;
    on a 0-100 scale (``scale`` 100, or any value above 1) it is divided by 100.
    Raises ``ValueError`` naming what is wrong."""
    risk: Any = None
    for key in ("risk_score", "riskScore", "risk"):
        if key in answer:
            risk = answer[key]
            break
    if not isinstance(risk, int | float) or isinstance(risk, bool):
        raise ValueError("the answer has no numeric risk_score")
    divisor = scale if scale is not None and scale > 1 else (100.0 if risk > 1 else 1.0)
    value = float(risk) / divisor
    if not 0 <= value <= 1:
        raise ValueError(f"risk_score {risk} is outside 0-1 (or 0-100)")
    summary = next(
        (
            str(answer[key]).strip()
            for key in ("relevance_summary", "relevanceSummary", "summary")
            if isinstance(answer.get(key), str)
        ),
        "",
    )
    return AnalysisResult(
        risk_score=round(value, 4),
        relevance_summary=summary,
        pros=_strings(answer, "pros", "strengths"),
        cons=_strings(answer, "cons", "weaknesses"),
        red_flags=_strings(answer, "red_flags", "redFlags"),
        suggested_questions=_strings(
            answer, "suggested_questions", "suggestedQuestions", "questions", "interview_questions"
        ),
        compliance_flags=_strings(answer, "compliance_flags", "complianceFlags"),
        raw=dict(answer),
        model=model,
    )


def risk_scale(schema: Mapping[str, Any] | None) -> float | None:
    """The maximum the schema allows for ``risk_score`` (100 for a 0-100 scale)."""
    if not schema:
        return None
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return None
    for key in ("risk_score", "riskScore", "risk"):
        spec = properties.get(key)
        if isinstance(spec, Mapping):
            high = spec.get("maximum")
            if isinstance(high, int | float) and not isinstance(high, bool):
                return float(high)
    return None
