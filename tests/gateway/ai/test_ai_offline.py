"""The offline provider is deterministic and keeps its ranges; the interview plan decides
when an interview is over; answers meet the prompt's JSON schema; the schema checker
and templates behave as documented; the factory builds what the settings ask for."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from gateway.ai.answers import RECOMMENDATIONS, analysis_from_answer
from gateway.ai.factory import create_provider
from gateway.ai.offline import OfflineProvider
from gateway.ai.offline_interviewer import interview_message, word_pieces
from gateway.ai.openai_compat import (
    DEFAULT_ANALYSIS_SCHEMA,
    DEFAULT_EVALUATION_SCHEMA,
    OpenAICompatibleProvider,
)
from gateway.ai.provider import (
    GENERIC_QUESTIONS,
    AnalysisResult,
    InterviewTranscript,
    InterviewTurn,
    Message,
    ProviderError,
    ResumeRequest,
    parse_questions,
    plan_turn,
)
from gateway.ai.schema import SchemaError, check_schema, conform, validate
from gateway.ai.templates import format_transcript, render_template

TURN = InterviewTurn(
    system_prompt="You are a friendly AI interviewer for Demo Agency.",
    instructions="Focus on reporting.\n- How do you check a report before sending it?\n"
    "2. Describe your SQL experience?",
    questions=("Tell me about your last project?", "How do you check a report before sending it?"),
    transcript=(),
    candidate_name="Ana Lopez",
    job_title="Data Analyst",
    company="Acme",
    max_questions=4,
)
GOOD_ANSWERS = (
    "In my last project I built a sales dashboard with SQL and Python. For example, when I "
    "automated the weekly report we cut the time it took from two days to two hours, and "
    "the team could plan their customer calls earlier.",
    "I always test the numbers against the source system, ask a colleague to review, and "
    "I deliver on time: last year I never missed a deadline for the monthly close.",
    "I have written SQL for five years: joins, window functions and performance tuning. "
    "When I made a mistake in a query once, I owned it, fixed it and learned to add tests.",
    "I explain results in plain words in meetings, listen to feedback, and I am taking a "
    "course to improve my statistics; my goal is to mentor new analysts.",
)
POOR_ANSWERS = ("yes", "no idea", "ok", "maybe")

RESUME = (
    "Ana Lopez - Data Analyst. 6 years of experience with SQL, Python, Tableau and Excel "
    "reporting for sales and finance teams. Built dashboards and automated monthly "
    "reporting, reduced manual work by 40%. Stakeholder management with finance "
    "leadership. Acme Corp 2018 - present: senior data analyst, SQL and dashboards. "
    "Beta Ltd 2015-2018: reporting analyst, Excel and SQL, data quality checks. "
    "Degree in statistics. Fluent English and Spanish. References available."
)
JOB = "Data Analyst"
DESCRIPTION = (
    "We need a data analyst to build SQL reporting and Tableau dashboards for finance "
    "stakeholders, automate reporting and own data quality."
)


def _request(resume: str = RESUME, schema: dict[str, Any] | None = None) -> ResumeRequest:
    return ResumeRequest(
        prompt="Analyse the resume.",
        json_schema=schema,
        resume_text=resume,
        job_title=JOB,
        job_description=DESCRIPTION,
        candidate_name="Ana Lopez",
    )


async def _say(provider: OfflineProvider, turn: InterviewTurn) -> tuple[str, list[str]]:
    pieces = [piece async for piece in provider.interview_turn(turn)]
    return "".join(pieces), pieces


async def _interview(answers: tuple[str, ...], turn: InterviewTurn = TURN) -> list[Message]:
    provider = OfflineProvider()
    transcript: list[Message] = []
    for answer in (*answers, None):
        current = replace(turn, transcript=tuple(transcript))
        plan = plan_turn(current)
        text, _ = await _say(provider, current)
        transcript.append(Message("interviewer", text))
        if plan.final:
            return transcript
        assert answer is not None, "the interview went on past its questions"
        transcript.append(Message("candidate", answer))
    raise AssertionError("the interview never closed")


# --- the plan ------------------------------------------------------------------------


def test_parse_questions_finds_question_sentences_without_bullets() -> None:
    text = "Focus on SQL. Ask: how do you test a query?\n- Why data?\n3) What is a join here?"
    assert parse_questions(text) == ("Ask: how do you test a query?", "What is a join here?")
    assert parse_questions(None) == ()


def test_questions_come_in_order_without_duplicates_and_are_cut_at_the_maximum() -> None:
    plan = plan_turn(TURN)
    assert plan.questions == (
        "Tell me about your last project?",
        "How do you check a report before sending it?",
        "Describe your SQL experience?",
        GENERIC_QUESTIONS[0],
    )
    assert plan_turn(replace(TURN, max_questions=2)).questions == plan.questions[:2]
    assert plan_turn(replace(TURN, max_questions=0)).final
    many = plan_turn(replace(TURN, questions=(), instructions=None, max_questions=50))
    assert len(many.questions) == len(GENERIC_QUESTIONS)
    assert "Data Analyst" in many.questions[6]


def test_the_plan_follows_the_transcript() -> None:
    start = plan_turn(TURN)
    assert (start.asked, start.answered, start.index, start.final) == (0, 0, 0, False)
    said = (Message("interviewer", "Hi. Q1"), Message("candidate", "A1"))
    second = plan_turn(replace(TURN, transcript=said))
    assert (second.asked, second.answered, second.index, second.repeat) == (1, 1, 1, False)
    assert second.last_answer == "A1"
    waiting = plan_turn(replace(TURN, transcript=(*said, Message("interviewer", "Q2"))))
    assert (waiting.index, waiting.repeat, waiting.final) == (1, True, False)
    twice = (*said, Message("candidate", "and more"))
    assert plan_turn(replace(TURN, transcript=twice)).answered == 1
    assert plan_turn(replace(TURN, transcript=twice)).last_answer == "A1\nand more"
    done = tuple(
        message
        for number in range(4)
        for message in (Message("interviewer", f"Q{number}"), Message("candidate", "a"))
    )
    assert plan_turn(replace(TURN, transcript=done)).final


# --- interviews ----------------------------------------------------------------------


async def test_an_interview_greets_asks_each_question_and_closes() -> None:
    transcript = await _interview(GOOD_ANSWERS)
    interviewer = [m.content for m in transcript if m.role == "interviewer"]
    questions = plan_turn(TURN).questions
    assert len(interviewer) == len(questions) + 1
    assert interviewer[0].startswith("Hi Ana, thanks for taking the time")
    assert "Data Analyst role at Acme" in interviewer[0]
    assert "4 questions" in interviewer[0]
    for message, question in zip(interviewer, questions, strict=False):
        assert message.endswith(question)
    assert interviewer[1].startswith("Thanks, the concrete example helps.")
    assert "last question" in interviewer[-1]
    assert "Ana" in interviewer[-1]


async def test_messages_stream_word_by_word_and_are_deterministic() -> None:
    provider = OfflineProvider()
    text, pieces = await _say(provider, TURN)
    assert len(pieces) > 10
    assert all(piece.strip() for piece in pieces)
    assert text == interview_message(TURN, plan_turn(TURN))
    assert (await _say(OfflineProvider(), TURN)) == (text, pieces)
    assert await _interview(GOOD_ANSWERS) == await _interview(GOOD_ANSWERS)
    assert "".join(word_pieces("a  b\nc ")) == "a  b\nc "


async def test_the_persona_sets_the_tone_and_short_answers_are_noticed() -> None:
    neutral = replace(TURN, system_prompt="You are a structured interviewer.")
    text, _ = await _say(OfflineProvider(), neutral)
    assert text.startswith("Hello Ana. This is the interview for the Data Analyst role at Acme.")
    after_short = replace(
        TURN, transcript=(Message("interviewer", "Q1"), Message("candidate", "yes"))
    )
    text, _ = await _say(OfflineProvider(), after_short)
    assert text.startswith("Thanks. Feel free to add more detail")
    waiting = replace(TURN, transcript=(Message("interviewer", "Q1"),))
    text, _ = await _say(OfflineProvider(), waiting)
    assert text == f"Whenever you are ready, question 1 of 4: {plan_turn(TURN).questions[0]}"
    nothing = replace(TURN, max_questions=0)
    text, _ = await _say(OfflineProvider(), nothing)
    assert "no interview questions" in text


# --- evaluations ---------------------------------------------------------------------


def _transcript(messages: list[Message], schema: dict[str, Any] | None = None) -> Any:
    return InterviewTranscript(
        system_prompt=TURN.system_prompt,
        instructions=None,
        transcript=tuple(messages),
        job_title=JOB,
        candidate_name="Ana Lopez",
        json_schema=schema,
    )


async def test_evaluations_are_deterministic_in_range_and_reward_better_answers() -> None:
    provider = OfflineProvider()
    good = await provider.evaluate(_transcript(await _interview(GOOD_ANSWERS)))
    poor = await provider.evaluate(_transcript(await _interview(POOR_ANSWERS)))
    assert good == await OfflineProvider().evaluate(_transcript(await _interview(GOOD_ANSWERS)))
    recommendations = {name for _, name in RECOMMENDATIONS}
    for verdict in (good, poor):
        scores = (
            verdict.reliability,
            verdict.accountability,
            verdict.professionalism,
            verdict.communication,
            verdict.technical,
            verdict.growth_potential,
        )
        assert all(1 <= score <= 10 for score in scores)
        assert 0 <= verdict.overall <= 100
        assert verdict.recommendation in recommendations
        assert verdict.summary.startswith("Ana Lopez answered 4 question(s)")
        assert len(verdict.next_interview_focus) == 2
        assert verdict.model == "offline-1"
        assert not validate(verdict.raw, DEFAULT_EVALUATION_SCHEMA)
    assert good.overall > poor.overall + 30
    assert good.recommendation in {"strong_yes", "yes"}
    assert poor.recommendation in {"no", "strong_no"}
    assert good.strengths and not good.red_flags
    assert "Very short answers to 4 question(s)" in poor.red_flags
    assert poor.weaknesses


async def test_an_empty_interview_is_flagged() -> None:
    verdict = await OfflineProvider().evaluate(_transcript([Message("interviewer", "Hi. Q1?")]))
    assert verdict.overall == 0
    assert verdict.recommendation == "strong_no"
    assert "The candidate gave no answers" in verdict.red_flags


async def test_evaluations_meet_the_prompts_schema_or_fail_for_good() -> None:
    messages = await _interview(GOOD_ANSWERS)
    seeded = {"type": "object", "required": ["overall_score", "recommendation", "confidence"]}
    verdict = await OfflineProvider().evaluate(_transcript(messages, seeded))
    assert not validate(verdict.raw, seeded)
    assert verdict.raw["confidence"] is None  # filled in, as the schema allows anything
    strict = {
        "type": "object",
        "additionalProperties": False,
        "required": ["overall_score", "recommendation"],
        "properties": {
            "overall_score": {"type": "integer", "minimum": 0, "maximum": 10},
            "recommendation": {"type": "string"},
        },
    }
    verdict = await OfflineProvider().evaluate(_transcript(messages, strict))
    assert set(verdict.raw) == {"overall_score", "recommendation"}
    score = verdict.raw["overall_score"]
    assert isinstance(score, int) and 0 <= score <= 10
    impossible = {"type": "object", "properties": {"summary": {"type": "integer"}}}
    with pytest.raises(ProviderError) as failure:
        await OfflineProvider().evaluate(_transcript(messages, impossible))
    assert not failure.value.retryable
    assert "$.summary: " in failure.value.message
    assert "is not of type 'integer'" in failure.value.message


# --- resume analyses -----------------------------------------------------------------


async def test_a_matching_resume_is_low_risk_and_a_mismatch_high() -> None:
    provider = OfflineProvider()
    match = await provider.analyze_resume(_request())
    other = await provider.analyze_resume(
        _request(
            "Registered nurse with ICU and emergency care background, patient triage, "
            "medication administration and night shifts at a city hospital."
        )
    )
    assert match == await OfflineProvider().analyze_resume(_request())
    assert 0 <= match.risk_score < 0.3 < 0.7 < other.risk_score <= 1
    assert match.relevance_summary.startswith("Strong match for Data Analyst")
    assert any("key terms" in pro for pro in match.pros)
    assert "States 6 years of experience" in match.pros
    assert "Little overlap with the requisition's requirements" in other.red_flags
    for result in (match, other):
        assert len(result.suggested_questions) >= 3
        assert not validate(result.raw, DEFAULT_ANALYSIS_SCHEMA)
        assert result.model == "offline-1"


async def test_missing_resume_gaps_and_compliance_are_flagged() -> None:
    provider = OfflineProvider()
    missing = await provider.analyze_resume(_request("   "))
    assert missing.risk_score == 0.9
    assert missing.red_flags and missing.cons == ("No resume on file",)
    gappy = await provider.analyze_resume(
        _request(
            "Data analyst, SQL and Tableau. Acme 2009-2012. Beta 2017 - present. Requires "
            "visa sponsorship. Date of birth: 1 May 1990."
        )
    )
    assert "Possible gap in employment between 2012 and 2017" in gappy.cons
    assert any(cons.startswith("Short resume") for cons in gappy.cons)
    assert "Can you tell me about the period between 2012 and 2017?" in gappy.suggested_questions
    assert "What is your current work authorization status?" in gappy.suggested_questions
    assert len(gappy.compliance_flags) == 2
    assert not (await provider.analyze_resume(_request())).compliance_flags


async def test_analyses_meet_the_prompts_schema() -> None:
    seeded = {  # the demo tenant's prompt: 0-1, three fields required
        "type": "object",
        "required": ["risk_score", "pros", "cons"],
        "properties": {
            "risk_score": {"type": "number", "minimum": 0, "maximum": 1},
            "pros": {"type": "array", "items": {"type": "string"}},
            "cons": {"type": "array", "items": {"type": "string"}},
        },
    }
    percent = {
        "type": "object",
        "required": ["risk_score", "fit"],
        "additionalProperties": False,
        "properties": {
            "risk_score": {"type": "integer", "minimum": 0, "maximum": 100},
            "fit": {"enum": ["good", "bad"]},
            "pros": {"type": "array", "items": {"type": "string"}, "maxItems": 1},
        },
    }
    provider = OfflineProvider()
    plain = await provider.analyze_resume(_request())
    for schema in (seeded, percent):
        result = await provider.analyze_resume(_request(schema=schema))
        assert not validate(result.raw, schema)
        assert result.risk_score == plain.risk_score  # the result stays on 0-1
    scaled = await provider.analyze_resume(_request(schema=percent))
    assert scaled.raw == {
        "risk_score": round(plain.risk_score * 100),
        "pros": list(plain.pros[:1]),
        "fit": "good",
    }


def test_answers_are_read_on_either_scale() -> None:
    assert analysis_from_answer({"risk_score": 42}, "m").risk_score == 0.42
    assert analysis_from_answer({"riskScore": 0.42, "summary": "ok"}, "m") == AnalysisResult(
        risk_score=0.42, relevance_summary="ok", raw={"riskScore": 0.42, "summary": "ok"}, model="m"
    )
    with pytest.raises(ValueError, match="no numeric risk_score"):
        analysis_from_answer({"risk_score": "low"}, "m")
    with pytest.raises(ValueError, match="outside"):
        analysis_from_answer({"risk_score": 420}, "m")


# --- schema checks and templates -----------------------------------------------------


def test_answers_are_checked_against_every_keyword_of_the_schema() -> None:
    schema = {
        "type": "object",
        "required": ["score", "tags"],
        "additionalProperties": False,
        "properties": {
            "score": {"type": "integer", "minimum": 1, "maximum": 10},
            "ratio": {"type": "number", "exclusiveMaximum": 1},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}, "minItems": 1},
            "kind": {"enum": ["a", "b"]},
            "either": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    }
    assert validate({"score": 3.0, "tags": ["abc"], "either": None}, schema) == []
    errors = validate(
        {"score": True, "ratio": 1, "tags": [], "kind": "c", "either": 1, "extra": 1}, schema
    )
    assert [error.split(":")[0] for error in errors] == [
        "$.either",
        "$.kind",
        "$.ratio",
        "$.score",
        "$.tags",
        "$",
    ]
    assert "'extra' was unexpected" in errors[-1]
    assert validate({"tags": ["long"]}, schema) == [
        "$.tags[0]: 'long' is too long",
        "$: 'score' is a required property",
    ]
    assert conform({}, schema) == {"score": 1, "tags": [""]}


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        ({"type": "string", "pattern": "^y$"}, "y", "x"),
        ({"type": "string", "format": "email"}, "a@b.example", "not an email"),
        ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, -1, 1),
        (
            {"$defs": {"n": {"type": "integer"}}, "properties": {"a": {"$ref": "#/$defs/n"}}},
            {"a": 1},
            {"a": "one"},
        ),
        ({"type": "array", "uniqueItems": True}, [1, 2], [1, 1]),
        ({"type": "object", "minProperties": 1}, {"a": 1}, {}),
        ({"not": {"type": "null"}}, 0, None),
        ({"if": {"minimum": 5}, "then": {"multipleOf": 5}}, 10, 7),
    ],
)
def test_keywords_a_hand_written_checker_missed_are_enforced(
    schema: dict[str, Any], valid: Any, invalid: Any
) -> None:
    assert validate(valid, schema) == []
    assert validate(invalid, schema)


def test_a_broken_or_outward_looking_schema_is_reported() -> None:
    with pytest.raises(SchemaError):
        check_schema({"type": "strng"})
    with pytest.raises(SchemaError):
        check_schema({"properties": {"a": {"minimum": "one"}}})
    outward = {"properties": {"a": {"$ref": "https://example.com/schema.json"}}}
    [error] = validate({"a": 1}, outward)
    assert "never fetched" in error


def test_templates_fill_known_placeholders_and_keep_unknown_ones() -> None:
    text = render_template(
        "{{job_title}} at {{ client_name }}: {{resume_text}} {{typo}}",
        {"job_title": "Analyst", "client_name": "Acme", "resume_text": None},
    )
    assert text == "Analyst at Acme:  {{typo}}"
    transcript = (Message("interviewer", "Hi? "), Message("candidate", " Hello"))
    assert format_transcript(transcript) == "Interviewer: Hi?\nCandidate: Hello"


# --- the factory ---------------------------------------------------------------------


async def test_the_factory_builds_what_the_settings_ask_for() -> None:
    async with httpx.AsyncClient() as http:
        assert isinstance(create_provider(SimpleNamespace(), http), OfflineProvider)
        settings = SimpleNamespace(
            ai_provider="openai",
            ai_base_url="http://127.0.0.1:9/v1/",
            ai_model="m",
            ai_api_key=SecretStr("sk-hidden"),
            ai_timeout_seconds=5,
        )
        provider = create_provider(settings, http)
        assert isinstance(provider, OpenAICompatibleProvider)
        assert provider.url == "http://127.0.0.1:9/v1/chat/completions"
        assert provider.timeout == 5.0
        assert "sk-hidden" not in repr(provider)
        assert provider._headers()["authorization"] == "Bearer sk-hidden"
        with pytest.raises(ValueError, match="AI_BASE_URL"):
            create_provider(SimpleNamespace(ai_provider="openai", ai_model="m"), http)
        with pytest.raises(ValueError, match="unknown AI provider"):
            create_provider(SimpleNamespace(ai_provider="magic"), http)


def test_default_schemas_are_valid_json() -> None:
    for schema in (DEFAULT_ANALYSIS_SCHEMA, DEFAULT_EVALUATION_SCHEMA):
        assert json.loads(json.dumps(schema)) == schema
        assert validate(conform({}, schema), schema) == []
