"""What the demo's self-service interviews say and how they are scored: the screening
questions with the candidates' answers, the chat built from them, and an evaluation's
values. ``demo.sync`` reuses both for the interviews it seeds beside the synced data."""

from __future__ import annotations

import random

from demo.seed.values import Row
from demo.seed.world import RED_FLAGS
from gateway.store.enums import MessageRole

QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Could you walk me through your most recent role and what you were responsible for?",
        (
            "I've spent the last three years on a team of eight, handling day-to-day "
            "operations and reporting to the team lead.",
            "Most recently I owned a small book of accounts end to end, from onboarding to "
            "renewal, and trained two new hires.",
        ),
    ),
    (
        "Tell me about a time something went wrong at work. What did you do?",
        (
            "A release broke our billing export; I rolled it back, told the affected "
            "customers, and we added a check so it couldn't happen again.",
            "We missed a client deadline once. I owned it, set up a daily check-in, and we "
            "delivered two days later with the client's agreement.",
        ),
    ),
    (
        "How do you keep track of your work when priorities change during the day?",
        (
            "I keep a short list in our ticketing tool and re-rank it with my lead whenever "
            "something urgent comes in.",
            "Calendar blocks for deep work and a shared board so everyone sees what moved.",
        ),
    ),
    (
        "This role works closely with the client's team. How do you like to communicate?",
        (
            "Short written updates every day, and a call when something needs a decision.",
            "I'm comfortable on Slack and video calls, and I always confirm decisions in writing.",
        ),
    ),
    (
        "What are your salary expectations and when could you start?",
        (
            "I'm looking for something in the posted range and can start after two weeks' notice.",
            "I'm flexible on salary for the right team; I could start at the beginning of "
            "next month.",
        ),
    ),
    (
        "Are you comfortable with the schedule for this position, including any shifts?",
        (
            "Yes, I've worked night shifts for US clients before and it suits me.",
            "Yes, the schedule works for me.",
        ),
    ),
)
READY_REPLIES = ("Yes, let's start!", "Hi! Yes, I'm ready.", "Sure, go ahead.")
LATER_REPLIES = (
    "Thanks! I'll start it this evening when I'm home.",
    "Got it, I'll do it tomorrow morning.",
)
THANKS_REPLIES = (
    "Thank you, looking forward to hearing from you!",
    "Thanks for your time, have a good day.",
)
STRENGTHS = (
    "Clear, structured answers",
    "Relevant hands-on experience",
    "Takes ownership of mistakes",
    "Good client communication",
    "Flexible about schedule",
)
WEAKNESSES = (
    "Limited leadership experience",
    "Answers lacked concrete metrics",
    "Unfamiliar with the client's tools",
)
FOCUS = (
    "Leadership scenarios",
    "Hands-on skills test",
    "Client-facing role play",
    "Reference check on most recent role",
)
SCORE_FIELDS = (
    "reliability_score",
    "accountability_score",
    "professionalism_score",
    "communication_score",
    "technical_score",
    "growth_potential_score",
)


def evaluation_values(rng: random.Random, first_name: str) -> Row:
    """An evaluation's scores, summary and recommendation, drawn from ``rng``."""
    scores = {name: rng.randint(4, 10) for name in SCORE_FIELDS}
    overall = round(sum(scores.values()) / len(scores) * 10) + rng.randint(-5, 5)
    overall = max(0, min(100, overall))
    recommendation = (
        "strong_hire"
        if overall >= 85
        else "hire"
        if overall >= 70
        else "maybe"
        if overall >= 55
        else "no_hire"
    )
    return {
        **scores,
        "overall_score": overall,
        "summary": (
            f"{first_name} answered every question; overall {overall}/100. "
            f"Recommendation: {recommendation.replace('_', ' ')}."
        ),
        "strengths": rng.sample(STRENGTHS, rng.randint(1, 3)),
        "weaknesses": rng.sample(WEAKNESSES, rng.randint(0, 2)),
        "red_flags": [rng.choice(RED_FLAGS)] if overall < 50 else [],
        "recommendation": recommendation,
        "next_interview_focus": rng.sample(FOCUS, rng.randint(1, 2)),
        "model": "demo-llm-1",
    }


def chat_messages(
    rng: random.Random,
    count: int,
    *,
    started: bool,
    closing: bool,
    first_name: str,
    title: str,
    client: str,
) -> list[tuple[MessageRole, str]]:
    """``count`` messages alternating assistant / candidate, beginning with the greeting.

    A closed chat ends with the assistant's closing line (and the candidate's thanks when
    ``count`` is even).
    """
    questions = rng.sample(QUESTIONS, len(QUESTIONS))
    closing_at = (count - 1 if count % 2 else count - 2) if closing else -1
    asked = -1
    chat: list[tuple[MessageRole, str]] = []
    for index in range(count):
        if index % 2 == 0:
            if index == 0:
                content = (
                    f"Hi {first_name}, thanks for applying for the {title} role with {client}. "
                    "I'm the Demo Agency screening assistant. This takes about 15 minutes "
                    "and covers your experience and availability. Shall we begin?"
                )
            elif index == closing_at:
                content = (
                    f"Thank you, {first_name}! That's all my questions. Your recruiter will "
                    "review this conversation and get back to you within two business days."
                )
            else:
                asked += 1
                content = questions[asked % len(questions)][0]
            chat.append((MessageRole.ASSISTANT, content))
        else:
            if index == 1:
                content = rng.choice(READY_REPLIES if started else LATER_REPLIES)
            elif 0 <= closing_at < index:
                content = rng.choice(THANKS_REPLIES)
            else:
                content = rng.choice(questions[asked % len(questions)][1])
            chat.append((MessageRole.CANDIDATE, content))
    return chat
