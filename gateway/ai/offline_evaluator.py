"""The offline provider's evaluator: scores a transcript's answers on six dimensions
from their length, concrete examples and keywords (``DIMENSIONS``), and words the
verdict (strengths, weaknesses, red flags, what the next interview should probe).
See ``gateway.ai.offline`` for the rules."""

from __future__ import annotations

from typing import Any

from gateway.ai.answers import RECOMMENDATIONS
from gateway.ai.offline_words import STOP_WORDS, has_example, words_of
from gateway.ai.provider import InterviewTranscript, Message

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
        hits += min(2, len(job_words & set(words_of(text))))
    mean_words = sum(len(answer.split()) for answer in answers) / len(answers)
    length = 3 if mean_words >= 60 else 2 if mean_words >= 25 else 1 if mean_words >= 10 else 0
    examples = sum(1 for answer in answers if has_example(answer))
    example_points = 2 if examples >= 2 else 1 if examples else 0
    return max(1, min(10, 2 + length + example_points + min(hits, 4)))


def evaluation_answer(transcript: InterviewTranscript) -> dict[str, Any]:
    """The evaluation as a JSON object with the default evaluation schema's keys."""
    answers, asked = _answers(transcript.transcript)
    job_words = {word for word in words_of(transcript.job_title) if word not in STOP_WORDS}
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
    total_words = sum(len(answer.split()) for answer in answers)
    mean = round(total_words / len(answers)) if answers else 0
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
