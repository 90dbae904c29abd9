"""A vendor API replayed from a recording, over real HTTP.

A recording (``tests/fixtures/recordings/<provider>/<name>.json``) lists request/response
exchanges as a vendor answered them:

    {
      "provider": "recruiterflow",
      "description": "where the responses come from",
      "credentials": {"apiKey": "k"},
      "config": {"pageSize": 2},
      "exchanges": [
        {"request": {"method": "GET", "path": "/api/external/job/list",
                     "query": {"current_page": "1"}},
         "response": {"status": 200, "json": [...]}}
      ],
      "expect": {"jobs": {"stored": 3, "failed": 1}}
    }

A request is answered by the first exchange with the same method and path whose
``query`` parameters it carries (others are ignored), and the top-level ``json`` body
fields where the exchange names some (an RPC API that pages in the body, Ashby), that
has not answered yet; once all of those have, by the last of them again; by a 404 where
nothing matches. Paths
are what the connector appends to its base URL. ``"{replay}"`` in a credential or config
value is the server's origin (Workday's ``tenantUrl``, so its token exchange is
replayed too); the config's ``baseUrl`` is ``"{replay}"`` unless the recording sets one.
In a JSON response it is the origin too (Workable's ``paging.next`` is a full URL).

``TALENTGRAPH_RECORDINGS`` names more folders of recordings (``os.pathsep``-separated),
so recordings of real traffic kept outside the repository run through the same test.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.support.serving import served_on_loopback

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
PLACEHOLDER = "{replay}"


@dataclass
class Recording:
    path: Path
    provider: str
    credentials: dict[str, Any]
    config: dict[str, Any]
    exchanges: list[dict[str, Any]]
    expect: dict[str, dict[str, int]] = field(default_factory=dict)
    description: str = ""

    @classmethod
    def load(cls, path: Path) -> Recording:
        data = orjson.loads(path.read_bytes())
        return cls(
            path=path,
            provider=str(data["provider"]),
            credentials=dict(data.get("credentials") or {}),
            config=dict(data.get("config") or {}),
            exchanges=list(data.get("exchanges") or []),
            expect=dict(data.get("expect") or {}),
            description=str(data.get("description") or ""),
        )

    def resolved(self, origin: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(credentials, config) with the placeholder replaced by ``origin``."""
        config = {"baseUrl": PLACEHOLDER, **self.config}
        return _substitute(self.credentials, origin), _substitute(config, origin)


def _substitute(values: Mapping[str, Any], origin: str) -> dict[str, Any]:
    return {
        key: value.replace(PLACEHOLDER, origin) if isinstance(value, str) else value
        for key, value in values.items()
    }


def recording_paths() -> Iterator[Path]:
    folders = [RECORDINGS]
    extra = os.environ.get("TALENTGRAPH_RECORDINGS", "")
    folders += [Path(part) for part in extra.split(os.pathsep) if part.strip()]
    for folder in folders:
        if folder.is_dir():
            yield from sorted(folder.rglob("*.json"))


class Replayer:
    """The ASGI app answering from one recording; ``unmatched`` lists what it could not."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.used: set[int] = set()
        self.unmatched: list[str] = []
        self.requests: list[str] = []
        self.origin = ""

    def _answer(
        self, method: str, path: str, query: Mapping[str, str], body: Any = None
    ) -> dict[str, Any] | None:
        matches = [
            index
            for index, exchange in enumerate(self.recording.exchanges)
            if _matches(exchange.get("request") or {}, method, path, query, body)
        ]
        if not matches:
            return None
        fresh = [index for index in matches if index not in self.used]
        chosen = fresh[0] if fresh else matches[-1]
        self.used.add(chosen)
        return dict(self.recording.exchanges[chosen].get("response") or {})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        raw = await request.body()
        query = dict(request.query_params)
        self.requests.append(f"{request.method} {request.url.path}?{request.url.query}")
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            body = None
        answer = self._answer(request.method, request.url.path, query, body)
        response: Response
        if answer is None:
            self.unmatched.append(f"{request.method} {request.url.path}?{request.url.query}")
            response = JSONResponse({"error": "not recorded"}, status_code=404)
        elif "json" in answer:
            body = orjson.dumps(answer["json"])
            if self.origin:
                body = body.replace(PLACEHOLDER.encode(), self.origin.encode())
            response = Response(
                body,
                status_code=int(answer.get("status", 200)),
                headers={"content-type": "application/json", **(answer.get("headers") or {})},
            )
        else:
            response = Response(
                str(answer.get("body", "")),
                status_code=int(answer.get("status", 200)),
                headers=dict(answer.get("headers") or {}),
            )
        await response(scope, receive, send)


def _matches(
    recorded: Mapping[str, Any],
    method: str,
    path: str,
    query: Mapping[str, str],
    body: Any = None,
) -> bool:
    if str(recorded.get("method", "GET")).upper() != method.upper():
        return False
    if str(recorded.get("path", "")).rstrip("/") != path.rstrip("/"):
        return False
    wanted = recorded.get("query") or {}
    if not all(query.get(str(key)) == str(value) for key, value in wanted.items()):
        return False
    fields = recorded.get("json") or {}
    sent = body if isinstance(body, dict) else {}
    return all(key in sent and sent[key] == value for key, value in fields.items())


@asynccontextmanager
async def replaying(recording: Recording) -> AsyncIterator[tuple[Replayer, str]]:
    """The recording served on a loopback port: (the replayer, its origin)."""
    replayer = Replayer(recording)
    async with served_on_loopback(replayer) as loopback:
        replayer.origin = loopback.url
        yield replayer, loopback.url
