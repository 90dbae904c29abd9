"""The OpenAI-compatible provider against the fake chat server, over real HTTP (an ASGI
transport): streamed turns, the chat it sends, JSON answers held to the prompt's schema
with one retry, the response-format fallback, which failures are retryable, and an API
key that appears nowhere but the Authorization header."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from demo.sandbox.openai_compat import DEFAULT_REPLY, FakeChatServer
from gateway.ai.openai_compat import KICKOFF, OpenAICompatibleProvider
from gateway.ai.provider import (
    InterviewTranscript,
    InterviewTurn,
    Message,
    ProviderError,
    ResumeRequest,
    plan_turn,
)

KEY = "sk-test-7f3a9c1e5b"
BASE_URL = "http://model.test/v1"

TURN = InterviewTurn(
    system_prompt="You are a structured interviewer for Demo Agency.",
    instructions="The client wants two questions about escalations.",
    questions=("How do you handle an escalation?",),
    transcript=(),
    candidate_name="Ana",
    job_title="Support Lead",
    company="Acme",
    max_questions=2,
)
RESUME = ResumeRequest(
    prompt="Compare the resume with 'Support Lead'.\n\nResume:\nTen years in support.",
    json_schema=None,
    resume_text="Ten years in support.",
    job_title="Support Lead",
    job_description="Lead a support team.",
    candidate_name="Ana Lopez",
)
ANALYSIS = {
    "risk_score": 0.25,
    "relevance_summary": "Strong match.",
    "pros": ["Ten years in support"],
    "cons": [],
    "red_flags": [],
    "suggested_questions": ["How big was your team?"],
    "compliance_flags": [],
}
EVALUATION = {
    "reliability_score": 8,
    "accountability_score": 7,
    "professionalism_score": 9,
    "communication_score": 8,
    "technical_score": 6,
    "growth_potential_score": 7,
    "overall_score": 76,
    "summary": "Solid.",
    "strengths": ["Clear"],
    "weaknesses": [],
    "red_flags": [],
    "recommendation": "yes",
    "next_interview_focus": ["Leadership"],
}
TRANSCRIPT = InterviewTranscript(
    system_prompt="You are a structured interviewer.",
    instructions="Score the interview.",
    transcript=(Message("interviewer", "How do you escalate?"), Message("candidate", "Early.")),
    job_title="Support Lead",
    candidate_name="Ana Lopez",
)


@pytest.fixture
def fake() -> FakeChatServer:
    return FakeChatServer(api_key=KEY)


@pytest.fixture
async def http(fake: FakeChatServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        yield client


@pytest.fixture
def provider(http: httpx.AsyncClient) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(http, BASE_URL, "fake-model", KEY, timeout=5)


async def _turn(provider: OpenAICompatibleProvider, turn: InterviewTurn = TURN) -> list[str]:
    return [piece async for piece in provider.interview_turn(turn)]


# --- interview turns -----------------------------------------------------------------


async def test_a_turn_streams_the_reply_piece_by_piece(
    provider: OpenAICompatibleProvider, fake: FakeChatServer
) -> None:
    fake.script("Hello Ana, welcome. How do you handle an escalation?")
    pieces = await _turn(provider)
    assert "".join(pieces) == "Hello Ana, welcome. How do you handle an escalation?"
    assert len(pieces) == 9
    sent = fake.requests[-1]
    assert (sent["model"], sent["stream"]) == ("fake-model", True)
    assert "response_format" not in sent
    system = sent["messages"][0]
    assert system["role"] == "system"
    assert system["content"].startswith(TURN.system_prompt)
    assert TURN.instructions is not None and TURN.instructions in system["content"]
    for number, question in enumerate(plan_turn(TURN).questions, 1):
        assert f"{number}. {question}" in system["content"]
    assert "ask question 1: How do you handle an escalation?" in system["content"]
    assert sent["messages"][1:] == [{"role": "user", "content": KICKOFF}]
    fake.reset()
    assert "".join(await _turn(provider)) == DEFAULT_REPLY


async def test_the_transcript_is_sent_as_the_chat_and_the_last_turn_closes(
    provider: OpenAICompatibleProvider, fake: FakeChatServer
) -> None:
    chat = (
        Message("interviewer", "Hi Ana. How do you handle an escalation?"),
        Message("candidate", "I call the customer back within the hour."),
        Message("system", "The candidate asked for a person."),
    )
    await _turn(provider, replace(TURN, transcript=chat))
    messages = fake.requests[-1]["messages"]
    assert messages[1:] == [
        {"role": "assistant", "content": chat[0].content},
        {"role": "user", "content": chat[1].content},
        {"role": "system", "content": chat[2].content},
    ]
    assert "acknowledge the last answer" in messages[0]["content"]
    await _turn(provider, replace(TURN, transcript=chat[:1]))
    assert "has not answered yet" in fake.requests[-1]["messages"][0]["content"]
    assert fake.requests[-1]["messages"][1]["content"] == KICKOFF
    done = (*chat, Message("interviewer", "Q2?"), Message("candidate", "A2"))
    await _turn(provider, replace(TURN, transcript=done))
    assert "Every question has been answered" in fake.requests[-1]["messages"][0]["content"]


async def test_a_server_that_does_not_stream_is_read_whole() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        content = {"choices": [{"message": {"role": "assistant", "content": "All at once."}}]}
        return httpx.Response(200, json=content)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        provider = OpenAICompatibleProvider(http, BASE_URL, "m")
        assert await _turn(provider) == ["All at once."]


async def test_failed_turns_say_whether_to_retry(
    provider: OpenAICompatibleProvider, fake: FakeChatServer, http: httpx.AsyncClient
) -> None:
    fake.faults.rate_limit(times=1, retry_after=3)
    with pytest.raises(ProviderError) as limited:
        await _turn(provider)
    assert (limited.value.retryable, limited.value.retry_after) == (True, 3.0)
    fake.faults.server_errors(times=1, status=500)
    with pytest.raises(ProviderError) as broken:
        await _turn(provider)
    assert broken.value.retryable and "500" in broken.value.message
    wrong = OpenAICompatibleProvider(http, BASE_URL, "fake-model", "sk-wrong-key")
    with pytest.raises(ProviderError) as refused:
        await _turn(wrong)
    assert not refused.value.retryable
    assert "401" in refused.value.message and "sk-wrong-key" not in refused.value.message


async def test_timeouts_and_unreachable_servers_are_retryable() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    for handler, words in ((slow, "timed out"), (down, "could not be reached")):
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            provider = OpenAICompatibleProvider(http, BASE_URL, "m")
            with pytest.raises(ProviderError) as streamed:
                await _turn(provider)
            with pytest.raises(ProviderError) as analysed:
                await provider.analyze_resume(RESUME)
            for error in (streamed.value, analysed.value):
                assert error.retryable and words in error.message


# --- JSON answers --------------------------------------------------------------------


async def test_an_analysis_asks_for_the_schema_and_reads_the_answer(
    provider: OpenAICompatibleProvider, fake: FakeChatServer
) -> None:
    fake.script("```json\n" + json.dumps(ANALYSIS) + "\n```")
    result = await provider.analyze_resume(RESUME)
    assert result.risk_score == 0.25
    assert result.pros == ("Ten years in support",)
    assert result.suggested_questions == ("How big was your team?",)
    assert (result.model, result.raw) == ("fake-model", ANALYSIS)
    sent = fake.requests[-1]
    assert sent["stream"] is False
    assert sent["response_format"]["type"] == "json_schema"
    schema = sent["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["risk_score"] == {"type": "number", "minimum": 0, "maximum": 1}
    system, user = sent["messages"]
    assert system["content"].startswith(RESUME.prompt)
    assert "Resume:" not in user["content"]  # the rendered prompt has it already
    assert "Lead a support team." in user["content"]


async def test_an_invalid_answer_is_sent_back_once_with_what_is_wrong(
    provider: OpenAICompatibleProvider, fake: FakeChatServer
) -> None:
    tenant_schema = {
        "type": "object",
        "required": ["risk_score", "pros"],
        "properties": {"risk_score": {"type": "number", "minimum": 0, "maximum": 100}},
    }
    request = replace(RESUME, json_schema=tenant_schema)
    fake.script(json.dumps({"risk_score": 140}), json.dumps({"risk_score": 40, "pros": []}))
    result = await provider.analyze_resume(request)
    assert result.risk_score == 0.4  # the tenant's 0-100 read as 0-1
    assert len(fake.requests) == 2
    retry = fake.requests[-1]["messages"]
    assert retry[-2] == {"role": "assistant", "content": '{"risk_score": 140}'}
    assert "$.risk_score: 140 is greater than the maximum of 100" in retry[-1]["content"]
    assert "$: 'pros' is a required property" in retry[-1]["content"]


async def test_an_answer_invalid_twice_is_a_final_error(
    provider: OpenAICompatibleProvider, fake: FakeChatServer
) -> None:
    fake.script("I think the candidate is great!", json.dumps({"risk_score": "low"}))
    with pytest.raises(ProviderError) as failure:
        await provider.analyze_resume(RESUME)
    assert not failure.value.retryable
    assert "invalid JSON twice" in failure.value.message
    assert "$.risk_score: 'low' is not of type 'number'" in failure.value.message
    assert "not valid JSON" in fake.requests[-1]["messages"][-1]["content"]


async def test_a_refused_response_format_steps_down_and_stays_down(
    provider: OpenAICompatibleProvider, fake: FakeChatServer
) -> None:
    fake.refuse_formats.update({"json_schema", "json_object"})
    fake.script(json.dumps(ANALYSIS), json.dumps(ANALYSIS))
    assert (await provider.analyze_resume(RESUME)).risk_score == 0.25
    assert [request.get("response_format") for request in fake.requests] == [None]
    assert (await provider.analyze_resume(RESUME)).risk_score == 0.25
    assert len(fake.requests) == 2  # no second round of refusals


async def test_an_evaluation_holds_the_schema_and_the_fields_it_needs(
    provider: OpenAICompatibleProvider, fake: FakeChatServer
) -> None:
    fake.script(json.dumps(EVALUATION))
    verdict = await provider.evaluate(TRANSCRIPT)
    assert (verdict.overall, verdict.recommendation, verdict.technical) == (76, "yes", 6)
    system, user = fake.requests[-1]["messages"]
    assert "Score the interview." in system["content"]
    assert "Interviewer: How do you escalate?\nCandidate: Early." in user["content"]
    seeded = {"type": "object", "required": ["overall_score", "recommendation"]}
    fake.script(json.dumps({"overall_score": 70, "recommendation": "hire"}), json.dumps(EVALUATION))
    verdict = await provider.evaluate(replace(TRANSCRIPT, json_schema=seeded))
    assert verdict.overall == 76
    assert "no numeric reliability_score" in fake.requests[-1]["messages"][-1]["content"]
    assert "reliability_score" in fake.requests[-1]["messages"][0]["content"]


async def test_failures_of_json_calls_say_whether_to_retry(
    provider: OpenAICompatibleProvider, fake: FakeChatServer
) -> None:
    fake.faults.rate_limit(times=1, retry_after=None)
    with pytest.raises(ProviderError) as limited:
        await provider.evaluate(TRANSCRIPT)
    assert limited.value.retryable and limited.value.retry_after is None
    fake.faults.server_errors(times=1, status=502)
    with pytest.raises(ProviderError) as broken:
        await provider.analyze_resume(RESUME)
    assert broken.value.retryable


async def test_the_api_key_is_never_logged_nor_in_errors(
    fake: FakeChatServer, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[Any] = []
    for key in (KEY, "sk-the-wrong-one-42"):
        provider = OpenAICompatibleProvider(http, BASE_URL, "fake-model", key)
        fake.script("not json", json.dumps(ANALYSIS))
        try:
            await provider.analyze_resume(RESUME)
            await _turn(provider)
        except ProviderError as exc:
            errors.append(exc)
        assert key not in repr(provider)
    assert len(errors) == 1 and "401" in errors[0].message
    logged = caplog.text + "".join(str(error) for error in errors)
    assert "answer 1 from fake-model was invalid" in caplog.text
    for key in (KEY, "sk-the-wrong-one-42"):
        assert key not in logged
