"""A fake OpenAI-compatible chat-completions server, for tests and demos.

    fake = FakeChatServer(api_key="sk-test")
    fake.script('{"risk_score": 0.2, ...}')      # the next completion's content
    fake.script("not json", '{"risk_score": 0.2}')   # an invalid answer, then a valid one
    fake.faults.rate_limit(times=1, retry_after=3)   # next request: 429 Retry-After: 3
    fake.faults.server_errors(times=1, status=500)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app))
    provider = OpenAICompatibleProvider(client, "http://fake/v1", "fake-model", "sk-test")
    fake.requests[-1]["response_format"]           # what the provider sent

Like the real API:

- ``POST /v1/chat/completions``; ``GET /v1/models`` lists the one model.
- With an ``api_key``, ``Authorization: Bearer <key>`` is required; otherwise 401
  ``{"error": {"message": "Incorrect API key provided: <the key sent>", ...}}`` (this
  fake repeats the whole key, to prove the client keeps it out of errors and logs).
- ``"stream": true`` answers ``text/event-stream``: ``data: {chunk}`` lines with
  ``choices[0].delta.content`` a word at a time, a chunk with ``finish_reason``, then
  ``data: [DONE]``. Otherwise one ``chat.completion`` object.
- ``response_format`` ``json_schema`` or ``json_object`` is refused with the real 400
  (``"Invalid parameter: 'response_format' of type ... is not supported with this
  model."``) when ``refuse_formats`` names it.
- Unscripted answers: a stream says ``DEFAULT_REPLY``; a JSON request gets the schema's
  neutral object (``gateway.ai.schema.conform``), ``{}`` without a schema.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from demo.sandbox.faults import Faults, with_faults
from gateway.ai.schema import conform

DEFAULT_MODEL = "fake-model"
DEFAULT_REPLY = "Thank you. Could you tell me more about your experience?"


def _error(status: int, message: str, param: str | None = None) -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": param,
                "code": None,
            }
        },
        status_code=status,
    )


@dataclass
class FakeChatServer:
    api_key: str | None = None
    model: str = DEFAULT_MODEL
    refuse_formats: set[str] = field(default_factory=set)
    """``response_format`` types answered with 400 (``{"json_schema"}``...)."""
    answers: deque[str] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    """Every well-formed request body received, in order."""
    faults: Faults = field(default_factory=Faults)
    app: ASGIApp = field(init=False)

    def __post_init__(self) -> None:
        api = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )
        self.app = with_faults(api, self.faults)

    def script(self, *contents: str) -> None:
        """The contents of the next completions, in order."""
        self.answers.extend(contents)

    def reset(self) -> None:
        self.answers.clear()
        self.requests.clear()
        self.refuse_formats.clear()
        self.faults.reset()

    def _authorized(self, request: Request) -> JSONResponse | None:
        if self.api_key is None:
            return None
        sent = request.headers.get("authorization", "")
        if sent != f"Bearer {self.api_key}":
            key = sent.removeprefix("Bearer ").strip()
            return _error(401, f"Incorrect API key provided: {key}.")
        return None

    async def _models(self, request: Request) -> Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        return JSONResponse({"object": "list", "data": [{"id": self.model, "object": "model"}]})

    async def _chat(self, request: Request) -> Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "We could not parse the JSON body of your request.")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return _error(400, "'messages' is a required property", "messages")
        if not body["messages"]:
            return _error(400, "Invalid 'messages': empty array.", "messages")
        response_format = body.get("response_format") or {}
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if kind in self.refuse_formats:
            return _error(
                400,
                f"Invalid parameter: 'response_format' of type '{kind}' is not supported "
                "with this model.",
                "response_format",
            )
        self.requests.append(body)
        content = self.answers.popleft() if self.answers else self._unscripted(body, kind)
        if body.get("stream"):
            return StreamingResponse(self._chunks(content), media_type="text/event-stream")
        return JSONResponse(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": 1_700_000_000,
                "model": self.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )

    def _unscripted(self, body: dict[str, Any], kind: str | None) -> str:
        if body.get("stream"):
            return DEFAULT_REPLY
        if kind == "json_schema":
            schema = body["response_format"].get("json_schema", {}).get("schema") or {}
            return json.dumps(conform({}, schema))
        if kind == "json_object":
            return "{}"
        return DEFAULT_REPLY

    async def _chunks(self, content: str) -> AsyncIterator[str]:
        ident = f"chatcmpl-{len(self.requests)}"

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            payload = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": 1_700_000_000,
                "model": self.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(payload)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        words = content.split(" ")
        for index, word in enumerate(words):
            yield chunk({"content": word + (" " if index < len(words) - 1 else "")})
        yield ": keep-alive\n\n"
        yield chunk({}, "stop")
        yield "data: [DONE]\n\n"
