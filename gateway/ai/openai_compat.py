"""A provider over any OpenAI-compatible chat-completions API (OpenAI, Azure's
compatible endpoint, vLLM, llama.cpp's server, Ollama, LM Studio...).

    provider = OpenAICompatibleProvider(http, "http://127.0.0.1:11434/v1", "llama3.1:8b")
    async for delta in provider.interview_turn(turn):      # POST /chat/completions,
        ...                                                # "stream": true, SSE deltas
    await provider.analyze_resume(request)                 # JSON, checked against the schema

Interview turns stream: ``data:`` lines carrying ``choices[0].delta.content`` until
``data: [DONE]``; a server that answers a streaming request with one JSON body is read
too. The system message is the persona's system prompt, the rendered interview prompt
and the plan of ``plan_turn`` (every question, which one to ask now, or to close); the
transcript follows, the interviewer as ``assistant`` and the candidate as ``user``.

Evaluations and analyses ask for JSON: ``response_format`` ``json_schema`` with the
prompt's schema first; a server that refuses that (a 400/422 whose body names the
response format or JSON) is asked again with ``json_object``, then with no
``response_format`` at all, and the step that worked is kept for later requests.
Either way the answer is checked here (``gateway.ai.schema``, then the fields the
result needs); an invalid one is sent back once with what is wrong, and a second
invalid answer is a non-retryable ``ProviderError``.

Failures: 408, 409, 425, 429 and 5xx, timeouts and connection errors are retryable (429's
``Retry-After`` is kept on the error); other 4xx are not. The API key goes in the
``Authorization`` header only: it is never logged nor put in an error message.
``max_concurrency`` bounds the analyses and evaluations in flight from one instance
(bulk work must not crowd a local model server); interview turns are not held back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, TypeVar

import httpx

from gateway.ai.answers import analysis_from_answer, evaluation_from_answer, risk_scale
from gateway.ai.provider import (
    AnalysisResult,
    EvaluationResult,
    InterviewTranscript,
    InterviewTurn,
    ProviderError,
    ResumeRequest,
    plan_turn,
)
from gateway.ai.schema import validate
from gateway.ai.templates import format_transcript

logger = logging.getLogger("talentgraph.ai.openai")

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})
JSON_MODES = ("json_schema", "json_object", "none")
MAX_ERROR_BODY = 300

DEFAULT_ANALYSIS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "risk_score",
        "relevance_summary",
        "pros",
        "cons",
        "red_flags",
        "suggested_questions",
        "compliance_flags",
    ],
    "properties": {
        "risk_score": {"type": "number", "minimum": 0, "maximum": 1},
        "relevance_summary": {"type": "string"},
        "pros": {"type": "array", "items": {"type": "string"}},
        "cons": {"type": "array", "items": {"type": "string"}},
        "red_flags": {"type": "array", "items": {"type": "string"}},
        "suggested_questions": {"type": "array", "items": {"type": "string"}},
        "compliance_flags": {"type": "array", "items": {"type": "string"}},
    },
}
"""What an analysis is asked to satisfy when its prompt has no schema: the fields of
an ``Analysis`` (risk 0-1, higher is riskier)."""

_SCORE = {"type": "integer", "minimum": 1, "maximum": 10}
_STRINGS = {"type": "array", "items": {"type": "string"}}
DEFAULT_EVALUATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "reliability_score",
        "accountability_score",
        "professionalism_score",
        "communication_score",
        "technical_score",
        "growth_potential_score",
        "overall_score",
        "summary",
        "strengths",
        "weaknesses",
        "red_flags",
        "recommendation",
        "next_interview_focus",
    ],
    "properties": {
        "reliability_score": _SCORE,
        "accountability_score": _SCORE,
        "professionalism_score": _SCORE,
        "communication_score": _SCORE,
        "technical_score": _SCORE,
        "growth_potential_score": _SCORE,
        "overall_score": {"type": "integer", "minimum": 0, "maximum": 100},
        "summary": {"type": "string"},
        "strengths": _STRINGS,
        "weaknesses": _STRINGS,
        "red_flags": _STRINGS,
        "recommendation": {"enum": ["strong_yes", "yes", "maybe", "no", "strong_no"]},
        "next_interview_focus": _STRINGS,
    },
}
"""What an evaluation is asked to satisfy when its prompt has no schema."""

DEFAULT_EVALUATION_INSTRUCTIONS = (
    "You evaluate a screening interview. Score the candidate from 1 to 10 on "
    "reliability, accountability, professionalism, communication, technical skill and "
    "growth potential, give an overall score from 0 to 100, a short summary, strengths, "
    "weaknesses, red flags, a recommendation and what a next interview should focus on."
)
EVALUATION_FIELDS = (
    "Besides what the schema asks, include reliability_score, accountability_score, "
    "professionalism_score, communication_score, technical_score and "
    "growth_potential_score (integers 1-10), overall_score (0-100) and recommendation "
    "(strong_yes, yes, maybe, no or strong_no)."
)
KICKOFF = "[The candidate has joined the interview.]"
"""The user message a chat starts with before the candidate has said anything: many
chat templates need a user turn before the assistant's first."""

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL | re.IGNORECASE)


class _Invalid(Exception):
    """The answer is not what was asked for; the message says why, for the retry."""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _status_error(response: httpx.Response, body: bytes, secret: str | None) -> ProviderError:
    """The error for an HTTP failure; ``secret`` (the API key) is cut out of what the
    server said, as some servers repeat the key they refused."""
    status = response.status_code
    retryable = status in RETRYABLE_STATUSES or status >= 500
    detail = body[:MAX_ERROR_BODY].decode("utf-8", "replace").strip()
    try:
        parsed = json.loads(body)
        message = parsed.get("error", {}).get("message") if isinstance(parsed, dict) else None
        if isinstance(message, str) and message:
            detail = message[:MAX_ERROR_BODY]
    except (ValueError, AttributeError):
        pass
    if secret:
        detail = detail.replace(secret, "***")
    return ProviderError(
        f"the model server answered {status}" + (f": {detail}" if detail else ""),
        retryable=retryable,
        retry_after=_retry_after(response) if status == 429 else None,
    )


def _transport_error(exc: httpx.HTTPError) -> ProviderError:
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not be reached"
    return ProviderError(f"the model server {kind} ({type(exc).__name__})", retryable=True)


def parse_json_answer(content: str) -> dict[str, Any]:
    """The JSON object in a model's answer (a ```json fence around it is allowed)."""
    fenced = _FENCE.match(content)
    text = fenced.group(1) if fenced else content.strip()
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise _Invalid(f"the answer is not valid JSON ({exc.args[0]})") from None
    if not isinstance(value, dict):
        raise _Invalid("the answer must be one JSON object")
    return value


class OpenAICompatibleProvider:
    name = "openai"

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        *,
        temperature: float = 0.2,
        max_concurrency: int = 4,
    ) -> None:
        self.http = http
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self._api_key = api_key
        self.timeout = timeout
        self.temperature = temperature
        self._json_mode = 0
        """Index into ``JSON_MODES``: the most the server has accepted so far."""
        self._slots = asyncio.Semaphore(max(1, max_concurrency))

    def __repr__(self) -> str:  # never the key
        return f"OpenAICompatibleProvider(url={self.url!r}, model={self.model!r})"

    def _headers(self) -> dict[str, str]:
        headers = {"content-type": "application/json"}
        if self._api_key:
            headers["authorization"] = f"Bearer {self._api_key}"
        return headers

    # --- interview turns ----------------------------------------------------------------

    def interview_messages(self, turn: InterviewTurn) -> list[dict[str, str]]:
        """The chat messages of one interview turn (see the module docstring)."""
        plan = plan_turn(turn)
        parts = [turn.system_prompt.strip()]
        if turn.instructions and turn.instructions.strip():
            parts.append(turn.instructions.strip())
        where = f" at {turn.company}" if turn.company else ""
        lines = [
            f"You are interviewing {turn.candidate_name} for the {turn.job_title} role{where}.",
            "Ask exactly one question per message, in this order, and do not answer for "
            "the candidate:",
            *(f"{number}. {question}" for number, question in enumerate(plan.questions, 1)),
        ]
        if plan.final:
            lines.append(
                "Every question has been answered. Now thank the candidate briefly, say the "
                "recruiting team will be in touch about next steps, and ask nothing more."
            )
        elif plan.asked == 0:
            lines.append(
                f"Now greet the candidate, say there are {len(plan.questions)} questions, "
                f"and ask question 1: {plan.next_question}"
            )
        elif plan.repeat:
            assert plan.index is not None
            lines.append(
                f"The candidate has not answered yet. Ask question {plan.index + 1} again, "
                f"briefly: {plan.next_question}"
            )
        else:
            assert plan.index is not None
            lines.append(
                f"Now acknowledge the last answer in one short sentence and ask question "
                f"{plan.index + 1}: {plan.next_question}"
            )
        parts.append("\n".join(lines))
        messages = [{"role": "system", "content": "\n\n".join(part for part in parts if part)}]
        if not any(message.role == "candidate" for message in turn.transcript):
            messages.append({"role": "user", "content": KICKOFF})
        roles = {"interviewer": "assistant", "candidate": "user", "system": "system"}
        messages += [
            {"role": roles[message.role], "content": message.content}
            for message in turn.transcript
            if message.content.strip()
        ]
        return messages

    async def interview_turn(self, turn: InterviewTurn) -> AsyncIterator[str]:
        body = {
            "model": self.model,
            "messages": self.interview_messages(turn),
            "temperature": self.temperature,
            "stream": True,
        }
        try:
            async with self.http.stream(
                "POST", self.url, json=body, headers=self._headers(), timeout=self.timeout
            ) as response:
                if response.status_code >= 400:
                    raise _status_error(response, await response.aread(), self._api_key)
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    answer = json.loads(await response.aread())  # a server that won't stream
                    yield _message_content(answer)
                    return
                async for line in response.aiter_lines():
                    delta, done = _stream_delta(line)
                    if delta:
                        yield delta
                    if done:
                        return
        except httpx.HTTPError as exc:
            raise _transport_error(exc) from None
        except ValueError as exc:
            raise ProviderError(
                f"unreadable stream from the model server: {exc}", retryable=True
            ) from None
        raise ProviderError("the model server's stream ended before the answer did", retryable=True)

    # --- JSON answers -------------------------------------------------------------------

    def _refused_format(self, response: httpx.Response) -> bool:
        """A 400/422 that names the response format (or JSON): the server does not do
        the JSON mode asked for. Other 400s are errors of their own."""
        if response.status_code not in (400, 422) or JSON_MODES[self._json_mode] == "none":
            return False
        text = response.content[:2000].decode("utf-8", "replace").lower()
        return "response_format" in text or "json" in text

    async def evaluate(self, transcript: InterviewTranscript) -> EvaluationResult:
        schema = dict(transcript.json_schema or DEFAULT_EVALUATION_SCHEMA)
        conversation = format_transcript(transcript.transcript)
        instructions = (transcript.instructions or "").strip() or DEFAULT_EVALUATION_INSTRUCTIONS
        user = f"Candidate: {transcript.candidate_name}\nRole: {transcript.job_title}\n"
        if conversation not in instructions:
            user += f"\nTranscript:\n{conversation}\n"
        system = "\n\n".join(
            part
            for part in (
                transcript.system_prompt.strip(),
                instructions,
                EVALUATION_FIELDS if transcript.json_schema else "",
                _schema_instruction(schema),
            )
            if part
        )

        def read(answer: dict[str, Any], model: str) -> EvaluationResult:
            try:
                return evaluation_from_answer(answer, model)
            except ValueError as exc:
                raise _Invalid(str(exc)) from None

        async with self._slots:
            return await self._json_call("interview_evaluation", system, user, schema, read)

    async def analyze_resume(self, resume: ResumeRequest) -> AnalysisResult:
        schema = dict(resume.json_schema or DEFAULT_ANALYSIS_SCHEMA)
        scale = risk_scale(schema)
        user = f"Candidate: {resume.candidate_name}\nRequisition: {resume.job_title}\n"
        if resume.job_description and resume.job_description not in resume.prompt:
            user += f"\nRequisition description:\n{resume.job_description}\n"
        if resume.resume_text.strip() not in resume.prompt or not resume.resume_text.strip():
            user += f"\nResume:\n{resume.resume_text.strip() or '(no resume text)'}\n"
        system = "\n\n".join((resume.prompt.strip(), _schema_instruction(schema)))

        def read(answer: dict[str, Any], model: str) -> AnalysisResult:
            try:
                return analysis_from_answer(answer, model, scale=scale)
            except ValueError as exc:
                raise _Invalid(str(exc)) from None

        async with self._slots:
            return await self._json_call("resume_analysis", system, user, schema, read)

    async def _json_call(
        self,
        name: str,
        system: str,
        user: str,
        schema: Mapping[str, Any],
        read: Callable[[dict[str, Any], str], T],
    ) -> T:
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        problem = ""
        for attempt in (1, 2):
            answer = await self._complete(name, messages, schema)
            content, model = _message_content(answer), str(answer.get("model") or self.model)
            try:
                parsed = parse_json_answer(content)
                errors = validate(parsed, schema)
                if errors:
                    raise _Invalid("it does not satisfy the JSON schema: " + "; ".join(errors))
                return read(parsed, model)
            except _Invalid as exc:
                problem = str(exc)
                logger.info("%s answer %d from %s was invalid: %s", name, attempt, model, problem)
            messages = [
                *messages,
                {"role": "assistant", "content": content},
                {
                    "role": "user",
                    "content": f"That answer is invalid: {problem}. Answer again with only "
                    "the corrected JSON object.",
                },
            ]
        raise ProviderError(f"the model answered invalid JSON twice: {problem}", retryable=False)

    async def _complete(
        self, name: str, messages: list[dict[str, str]], schema: Mapping[str, Any]
    ) -> dict[str, Any]:
        """One non-streaming completion, stepping down ``JSON_MODES`` on a refusal."""
        while True:
            mode = JSON_MODES[self._json_mode]
            body: dict[str, Any] = {
                "model": self.model,
                "messages": messages,
                "temperature": self.temperature,
                "stream": False,
            }
            if mode == "json_schema":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": name, "schema": dict(schema)},
                }
            elif mode == "json_object":
                body["response_format"] = {"type": "json_object"}
            try:
                response = await self.http.post(
                    self.url, json=body, headers=self._headers(), timeout=self.timeout
                )
            except httpx.HTTPError as exc:
                raise _transport_error(exc) from None
            if self._refused_format(response) and self._json_mode + 1 < len(JSON_MODES):
                logger.info(
                    "the model server refused response_format %s (%d); trying %s",
                    mode,
                    response.status_code,
                    JSON_MODES[self._json_mode + 1],
                )
                self._json_mode += 1
                continue
            if response.status_code >= 400:
                raise _status_error(response, response.content, self._api_key)
            try:
                answer = response.json()
            except ValueError:
                raise ProviderError(
                    "the model server answered something that is not JSON", retryable=True
                ) from None
            if not isinstance(answer, dict):
                raise ProviderError("the model server's answer has no choices", retryable=True)
            return answer


def _schema_instruction(schema: Mapping[str, Any]) -> str:
    return (
        "Answer with one JSON object and nothing else. It must satisfy this JSON schema:\n"
        + json.dumps(schema, indent=2, sort_keys=True)
    )


def _message_content(answer: Any) -> str:
    try:
        content = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ProviderError("the model server's answer has no message", retryable=True) from None
    return content if isinstance(content, str) else ""


def _stream_delta(line: str) -> tuple[str, bool]:
    """The text one SSE line carries, and whether the answer is complete (``[DONE]``,
    or a choice with a ``finish_reason``)."""
    if not line.startswith("data:"):
        return "", False  # blank separators, comments (": keep-alive"), event: and id: lines
    data = line[5:].strip()
    if data == "[DONE]":
        return "", True
    if not data:
        return "", False
    chunk = json.loads(data)
    if isinstance(chunk, dict) and chunk.get("error"):
        error = chunk["error"]
        message = error.get("message") if isinstance(error, dict) else str(error)
        raise ProviderError(f"the model server failed mid-answer: {message}", retryable=True)
    try:
        choice = chunk["choices"][0]
        content = (choice.get("delta") or {}).get("content")
        finished = bool(choice.get("finish_reason"))
    except (KeyError, IndexError, TypeError, AttributeError):
        return "", False
    return (content if isinstance(content, str) else ""), finished
