"""The offline provider's interviewer: the message of each turn ``plan_turn`` plans,
greeting, acknowledging the last answer and asking the next question, warm or
neutral as the persona's system prompt says, and cut into word pieces to stream."""

from __future__ import annotations

import re

from gateway.ai.offline_words import has_example, stable
from gateway.ai.provider import InterviewTurn, TurnPlan
from gateway.ai.templates import first_name

_PIECE = re.compile(r"\S+\s*|\s+")

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


def _acknowledgement(answer: str | None, warm: bool) -> str:
    if answer is None or not answer.strip():
        return _ACK_NONE
    words = len(answer.split())
    if words < 8:
        return _ACK_SHORT
    if has_example(answer):
        return _ACK_EXAMPLE
    choices = _ACK_WARM if warm else _ACK_NEUTRAL
    return choices[stable(answer) % len(choices)]


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
