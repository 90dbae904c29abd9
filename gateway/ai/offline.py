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
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import Any

from gateway.ai.provider import (
    AnalysisResult,
    EvaluationResult,
    InterviewTranscript,
    InterviewTurn,
    Message,
    ProviderError,
    ResumeRequest,
    TurnPlan,
    plan_turn,
)
from gateway.ai.schema import conform, validate
from gateway.ai.templates import first_name

MODEL = "offline-1"

_WORD = re.compile(r"[a-z][a-z+#.-]*[a-z+#]|[a-z]", re.IGNORECASE)
_PIECE = re.compile(r"\S+\s*|\s+")

_STOP = """a about above after all also an and any are as at be been being but by can could
    did do does for from had has have having he her here his how i if in into is it its
    just may me more most must my no not of on or our out over own per role she should
    so some such than that the their them then there these they this those through to
    too under up very was we were what when where which while who will with within would
    you your yours job work working team position candidate candidates looking join
    company ideal including required requirements preferred plus strong experience years
    year new well across other etc need needs seeking senior junior ability able using use
    skills knowledge responsible responsibilities"""
STOP_WORDS = frozenset(_STOP.split())
"""Left out of key terms: function words and words every requisition uses."""

# --- interviews -----------------------------------------------------------------------

_WARM = ("friendly", "warm", "encouraging", "supportive", "kind")
_ACK_WARM = (
    "Thank you, that's really helpful.",
    "Thanks for sharing that.",
    "That's great, thank you.",
    "I appreciate the detail, thank you.",
)
_ACK_NEUTRAL = ("Thank you.", "Noted, thank you.", "Understood.", "Thank you for the answer.")
_ACK_EXAMPLE = "Thanks, the concrete example helps."
_ACK_SHORT = "Thanks. Feel free to add more detail in your next answers."
_ACK_NONE = "No problem if that one was hard to answer."


def _stable(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _words(text: str) -> list[str]:
    return [word.lower().strip(".-") for word in _WORD.findall(text)]


def _has_example(text: str) -> bool:
    lowered = text.lower()
    markers = ("for example", "for instance", "when i ", "once ", "last year", "we had")
    return any(marker in lowered for marker in markers) or bool(re.search(r"\d", text))


def _acknowledgement(answer: str | None, warm: bool) -> str:
    if answer is None or not answer.strip():
        return _ACK_NONE
    words = len(answer.split())
    if words < 8:
        return _ACK_SHORT
    if _has_example(answer):
        return _ACK_EXAMPLE
    choices = _ACK_WARM if warm else _ACK_NEUTRAL
    return choices[_stable(answer) % len(choices)]


def interview_message(turn: InterviewTurn, plan: TurnPlan) -> str:
    """The whole message ``OfflineProvider.interview_turn`` streams for ``plan``."""
    name = first_name(turn.candidate_name) or "there"
    warm = any(word in turn.system_prompt.lower() for word in _WARM)
    where = f" at {turn.company}" if turn.company else ""
    total = len(plan.questions)
    if plan.final:
        if plan.asked == 0:  # nothing to ask at all
            return (
                f"Hi {name}, thanks for your interest in the {turn.job_title} role{where}. "
                "There are no interview questions for this role right now; the recruiting "
                "team will be in touch about next steps."
            )
        thanks = "Thank you so much" if warm else "Thank you"
        return (
            f"{_acknowledgement(plan.last_answer, warm)} That was the last question. "
            f"{thanks} for your time, {name}. Your answers go to the recruiting team for the "
            f"{turn.job_title} role, and they will be in touch about next steps."
        )
    assert plan.next_question is not None and plan.index is not None
    question = plan.next_question
    if plan.asked == 0:
        opening = (
            f"Hi {name}, thanks for taking the time to talk about the {turn.job_title} role{where}."
            if warm
            else f"Hello {name}. This is the interview for the {turn.job_title} role{where}."
        )
        count = "one question" if total == 1 else f"{total} questions"
        return f"{opening} I have {count} for you. First: {question}"
    if plan.repeat:
        return f"Whenever you are ready, question {plan.index + 1} of {total}: {question}"
    lead = "And the last one" if plan.index == total - 1 else f"Question {plan.index + 1}"
    return f"{_acknowledgement(plan.last_answer, warm)} {lead} of {total}: {question}"


def word_pieces(text: str) -> list[str]:
    """``text`` cut after each word's trailing space; ``"".join`` gives it back."""
    return _PIECE.findall(text)


# --- evaluations ----------------------------------------------------------------------

DIMENSIONS: dict[str, tuple[str, ...]] = {
    name: tuple(words.split("|"))
    for name, words in {
        "reliability": "deadline|on time|schedule|commit|reliab|consistent|attendance|deliver"
        "|punctual|plan",
        "accountability": "responsib|mistake|owned|ownership|i took|learned|fixed|accountab"
        "|my fault|admit",
        "professionalism": "customer|client|professional|respect|polite|calm|stakeholder"
        "|thank|courte|confidential",
        "communication": "explain|listen|communicat|present|wrote|clear|update|meeting"
        "|discuss|feedback",
        "technical": "system|process|tool|data|software|excel|sql|python|report|analy|design"
        "|test|automat|crm",
        "growth_potential": "learn|course|improve|grow|certif|goal|mentor|new skill|study|develop",
    }.items()
}
"""Keywords (lower case, matched inside words) that count towards each dimension."""
STRENGTHS = {
    "reliability": "Reliable: talks about deadlines and delivering on commitments",
    "accountability": "Takes ownership of mistakes and outcomes",
    "professionalism": "Professional with customers and colleagues",
    "communication": "Communicates clearly, with detailed answers",
    "technical": "Relevant technical and process knowledge",
    "growth_potential": "Keen to learn and improve",
}
WEAKNESSES = {
    "reliability": "Little evidence of reliability or meeting deadlines",
    "accountability": "Little evidence of taking ownership",
    "professionalism": "Little said about dealing with customers or colleagues",
    "communication": "Brief answers with little detail",
    "technical": "Little evidence of technical depth for the role",
    "growth_potential": "Little said about learning or growth",
}
FOCUS = {
    "reliability": "Reliability: ask for a recent deadline and how it was met",
    "accountability": "Accountability: ask about a mistake and what followed",
    "professionalism": "Professionalism: role-play a difficult customer conversation",
    "communication": "Communication: ask for a structured explanation of a past project",
    "technical": "Technical depth: a practical exercise for the role",
    "growth_potential": "Growth: ask about recent learning and goals for the next year",
}
RECOMMENDATIONS = ((80, "strong_yes"), (65, "yes"), (50, "maybe"), (35, "no"), (0, "strong_no"))
SHORT_ANSWER_WORDS = 4


def _answers(messages: tuple[Message, ...]) -> tuple[list[str], int]:
    """The candidate's answers (consecutive messages joined) and the questions asked."""
    answers: list[str] = []
    questions = 0
    awaiting = False
    for message in messages:
        if message.role == "interviewer":
            questions += 1
            awaiting = True
        elif message.role == "candidate":
            if awaiting or not answers:
                answers.append(message.content.strip())
            else:
                answers[-1] = f"{answers[-1]}\n{message.content.strip()}"
            awaiting = False
    return answers, questions


def _score(answers: list[str], keywords: tuple[str, ...], job_words: set[str]) -> int:
    text = " ".join(answers).lower()
    if not text.strip():
        return 1
    hits = sum(1 for keyword in keywords if keyword in text)
    if job_words:
        hits += min(2, len(job_words & set(_words(text))))
    mean_words = sum(len(answer.split()) for answer in answers) / len(answers)
    length = 3 if mean_words >= 60 else 2 if mean_words >= 25 else 1 if mean_words >= 10 else 0
    examples = sum(1 for answer in answers if _has_example(answer))
    example_points = 2 if examples >= 2 else 1 if examples else 0
    return max(1, min(10, 2 + length + example_points + min(hits, 4)))


def evaluation_answer(transcript: InterviewTranscript) -> dict[str, Any]:
    """The evaluation as a JSON object with the default evaluation schema's keys."""
    answers, asked = _answers(transcript.transcript)
    job_words = {word for word in _words(transcript.job_title) if word not in STOP_WORDS}
    scores = {
        name: _score(answers, keywords, job_words if name == "technical" else set())
        for name, keywords in DIMENSIONS.items()
    }
    short = [answer for answer in answers if len(answer.split()) < SHORT_ANSWER_WORDS]
    unanswered = max(0, asked - 1 - len(answers))  # the last interviewer message closes
    overall = round(sum(scores.values()) / len(scores) * 10) - 10 * (len(short) + unanswered)
    overall = max(0, min(100, overall)) if answers else 0
    recommendation = next(name for floor, name in RECOMMENDATIONS if overall >= floor)
    ranked = sorted(scores, key=lambda name: (scores[name], name))
    strengths = [
        STRENGTHS[name]
        for name in sorted(scores, key=lambda n: (-scores[n], n))
        if scores[name] >= 7
    ]
    weaknesses = [WEAKNESSES[name] for name in ranked if scores[name] <= 4]
    red_flags: list[str] = []
    if not answers:
        red_flags.append("The candidate gave no answers")
    if short:
        red_flags.append(f"Very short answers to {len(short)} question(s)")
    if unanswered:
        red_flags.append(f"{unanswered} question(s) left unanswered")
    focus = [FOCUS[name] for name in ranked[:2]]
    words = sum(len(answer.split()) for answer in answers)
    mean = round(words / len(answers)) if answers else 0
    summary = (
        f"{transcript.candidate_name} answered {len(answers)} question(s) for the "
        f"{transcript.job_title} role, {mean} words per answer on average. Overall "
        f"{overall}/100; strongest on {ranked[-1].replace('_', ' ')}, weakest on "
        f"{ranked[0].replace('_', ' ')}. Recommendation: {recommendation.replace('_', ' ')}."
    )
    return {
        **{f"{name}_score": score for name, score in scores.items()},
        "overall_score": overall,
        "summary": summary,
        "strengths": strengths,
        "weaknesses": weaknesses,
        "red_flags": red_flags,
        "recommendation": recommendation,
        "next_interview_focus": focus,
    }


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
    recommendation = {
        "hire": "yes",
        "strong_hire": "strong_yes",
        "no_hire": "no",
        "reject": "no",
        "strong_reject": "strong_no",
        "consider": "maybe",
    }.get(recommendation, recommendation)
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


# --- resume analyses ------------------------------------------------------------------

YEARS = re.compile(r"\b(\d{1,2})\s*\+?\s*(?:years?|yrs?)\b", re.IGNORECASE)
SPAN = re.compile(
    r"\b((?:19|20)\d\d)\s*(?:-|\u2013|\u2014|to|until)\s*((?:19|20)\d\d|present|current|now|today)\b",
    re.IGNORECASE,
)
PROTECTED = (
    *("date of birth", "dob:", "birthdate", "marital status", "religion"),
    *("nationality:", "age:", "photo"),
)
SPONSORSHIP = (
    *("visa sponsorship", "require sponsorship", "requires sponsorship"),
    *("need sponsorship", "needs sponsorship", "work permit required"),
)
KEY_TERMS = 30
SHORT_RESUME_WORDS = 80


def key_terms(*texts: str | None) -> list[str]:
    """The requisition's key terms: its most frequent words (ties alphabetical)."""
    counts = Counter(
        word
        for text in texts
        for word in _words(text or "")
        if len(word) >= 3 and word not in STOP_WORDS and not word.isdigit()
    )
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    return ranked[:KEY_TERMS]


_SUFFIXES = ("ing", "ed", "es", "s", "e")


def _stem(word: str) -> str:
    """A light stem, so "automate" meets "automated" and "dashboards" "dashboard"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _gaps(text: str) -> list[tuple[int, int]]:
    """Years between the spans the resume names (``2012-2015``, ``2019 - present``)
    that no span covers, when more than two years apart."""
    spans = sorted(
        (int(start), int(end) if end.isdigit() else 10_000) for start, end in SPAN.findall(text)
    )
    gaps: list[tuple[int, int]] = []
    covered_until: int | None = None
    for start, end in spans:
        if covered_until is not None and start - covered_until > 2:
            gaps.append((covered_until, start))
        covered_until = end if covered_until is None else max(covered_until, end)
    return gaps


def analysis_answer(request: ResumeRequest) -> dict[str, Any]:
    """The analysis as a JSON object with the default resume schema's keys."""
    resume = request.resume_text.strip()
    title = request.job_title
    if not resume:
        return {
            "risk_score": 0.9,
            "relevance_summary": (
                f"No resume text for {request.candidate_name}: the fit for {title} "
                "cannot be judged."
            ),
            "pros": [],
            "cons": ["No resume on file"],
            "red_flags": ["No resume to analyse (none synced, or it could not be read)"],
            "suggested_questions": [
                "Could you walk me through your work history, most recent role first?",
                f"What experience do you have that is relevant to the {title} role?",
                "Which tools and skills do you use most in your current work?",
            ],
            "compliance_flags": [],
        }
    terms = key_terms(title, title, request.job_description)  # the title weighs double
    resume_stems = {_stem(word) for word in _words(resume)}
    matched = [term for term in terms if _stem(term) in resume_stems]
    missing = [term for term in terms if _stem(term) not in resume_stems]
    overlap = len(matched) / len(terms) if terms else 0.5
    word_count = len(resume.split())
    stated_years = max((int(value) for value in YEARS.findall(resume)), default=0)
    gaps = _gaps(resume)
    lowered = resume.lower()

    pros: list[str] = []
    cons: list[str] = []
    red_flags: list[str] = []
    compliance: list[str] = []
    questions: list[str] = []
    if matched:
        pros.append(
            f"Mentions {len(matched)} of the requisition's {len(terms)} key terms: "
            + ", ".join(matched[:6])
        )
    if stated_years >= 3:
        pros.append(f"States {stated_years} years of experience")
    if re.search(r"\d+\s*%|\b(?:increased|reduced|grew|saved|improved)\b", lowered):
        pros.append("Quantifies achievements")
    if word_count < SHORT_RESUME_WORDS:
        cons.append(f"Short resume ({word_count} words): little detail on experience")
        questions.append("Could you walk me through your most recent role and what you achieved?")
    for start, end in gaps[:2]:
        cons.append(f"Possible gap in employment between {start} and {end}")
        questions.append(f"Can you tell me about the period between {start} and {end}?")
    if missing and overlap < 0.5:
        cons.append("Does not mention " + ", ".join(missing[:5]))
    if terms and overlap < 0.1:
        red_flags.append("Little overlap with the requisition's requirements")
        questions.append(f"Which of your experiences best prepares you for the {title} role?")
    if any(phrase in lowered for phrase in SPONSORSHIP):
        compliance.append("Needs visa sponsorship: confirm the right to work")
        questions.append("What is your current work authorization status?")
    if any(phrase in lowered for phrase in PROTECTED):
        compliance.append(
            "Resume contains protected personal data (e.g. date of birth): keep it out of "
            "the decision"
        )
    for term in missing[:2]:
        questions.append(f"What experience do you have with {term}?")
    generic = (
        f"What interests you most about the {title} role?",
        "Tell me about a result you are proud of and how you achieved it.",
        "Which tools and skills do you use most in your current work?",
    )
    for question in generic:
        if len(questions) >= 3:
            break
        questions.append(question)

    risk = 0.15 + 0.6 * (1 - overlap)
    risk += 0.1 if word_count < SHORT_RESUME_WORDS else 0.0
    risk += min(0.2, 0.1 * len(gaps))
    risk -= 0.1 if stated_years >= 3 else 0.0
    risk = round(max(0.02, min(0.98, risk)), 2)
    fit = "Strong" if risk < 0.3 else "Reasonable" if risk < 0.6 else "Weak"
    summary = (
        f"{fit} match for {title}: the resume mentions {len(matched)} of {len(terms)} key "
        f"terms" + (f" ({', '.join(matched[:4])})" if matched else "") + "."
    )
    return {
        "risk_score": risk,
        "relevance_summary": summary,
        "pros": pros,
        "cons": cons,
        "red_flags": red_flags,
        "suggested_questions": questions,
        "compliance_flags": compliance,
    }


def _strings(answer: Mapping[str, Any], *keys: str) -> tuple[str, ...]:
    for key in keys:
        value = answer.get(key)
        if isinstance(value, list | tuple):
            return tuple(str(item).strip() for item in value if str(item).strip())
        if isinstance(value, str) and value.strip():
            return (value.strip(),)
    return ()


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
