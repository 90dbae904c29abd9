"""``/graphql`` over HTTP: GraphQL-over-HTTP status codes and media types, GraphiQL,
request ids, query limits, error masking and coded expected errors."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.store.enums import Role
from tests.support.gateway import SIZES, Gateway, running_gateway

GRAPHQL_RESPONSE = "application/graphql-response+json"

JOBS_TOTAL = "{ jobs { totalCount } }"
JOBS_FIRST = "query JobsFirst($first: Int) { jobs(first: $first) { totalCount nodes { id } } }"
JOBS_UNKNOWN_FIELD = "{ jobs { totalCount noSuchField } }"
SYNTAX_ERROR = "{ jobs { totalCount "
TYPENAME = "{ __typename }"
PROMPTS = "{ prompts { name } }"
PROMPT_CREATE = """
mutation PromptCreate($input: PromptCreateInput!) {
  promptCreate(input: $input) {
    __typename
    ... on PromptCreateSuccess { prompt { name } }
    ... on PermissionDeniedError { message code permission }
  }
}
"""
PROMPT_CREATE_INLINE = (
    'mutation { promptCreate(input: {name: "%s", promptType: INTERVIEW, '
    'templateContent: "Hello"}) { __typename } }'
)
SETTINGS = "{ settings { lookbackHoursDefault } }"
JOBS_TOO_MANY = "{ jobs(first: 101) { totalCount } }"
JOBS_BAD_CURSOR = '{ jobs(first: 2, after: "definitely-not-a-cursor") { totalCount } }'


def _deep_query(levels: int, leaf: str = "id") -> str:
    """``jobs > nodes``, then ``levels`` times ``applications > nodes > job``, then ``leaf``.

    Depth is counted as the depth limiter counts it: root fields are depth 0, so
    ``_deep_query(3)`` is 11 deep and each field nested inside ``leaf`` adds one.
    """
    head = "{ jobs(first: 1) { nodes { "
    tail = " } } }"
    middle_open = "applications(first: 1) { nodes { job { " * levels
    middle_close = " } } }" * levels
    return head + middle_open + leaf + middle_close + tail


def _aliases_query(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


def _tokens_query(tokens: int) -> str:
    """A valid query of exactly ``tokens`` lexical tokens (graphql-core's count).

    Distinct-looking selections (`__typename @skip(if: false)`, eight tokens) keep the
    field count low enough for graphql-core's overlapping-fields guard.
    """
    body = tokens - 2  # the braces
    directives, plain = divmod(body, 8)
    selections = ["__typename @skip(if: false)"] * directives + ["__typename"] * plain
    return "{ " + " ".join(selections) + " }"


async def _post_raw(
    gateway: Gateway,
    content: bytes | AsyncIterator[bytes],
    *,
    content_type: str | None = "application/json",
    accept: str | None = None,
    extra: dict[str, str] | None = None,
) -> httpx.Response:
    headers = dict(gateway.headers())
    if content_type is not None:
        headers["content-type"] = content_type
    if accept is not None:
        headers["accept"] = accept
    headers.update(extra or {})
    return await gateway.client.post("/graphql", content=content, headers=headers)


async def _post_json(
    gateway: Gateway,
    body: Any,
    *,
    accept: str | None = None,
    role: Role | None = Role.ADMIN,
    tenant: str = "demo",
    extra: dict[str, str] | None = None,
) -> httpx.Response:
    headers = dict(gateway.headers(tenant, role)) if role is not None else {}
    if accept is not None:
        headers["accept"] = accept
    headers.update(extra or {})
    return await gateway.client.post("/graphql", json=body, headers=headers)


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def _codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body["errors"]]


# --- transport --------------------------------------------------------------------------


async def test_post_json_answers_a_query(gateway: Gateway) -> None:
    response = await _post_json(gateway, {"query": JOBS_TOTAL})
    assert response.status_code == 200
    assert _media_type(response) == "application/json"
    assert response.json() == {"data": {"jobs": {"totalCount": SIZES["demo"]["jobs"]}}}


async def test_post_with_variables_and_operation_name(gateway: Gateway) -> None:
    response = await _post_json(
        gateway,
        {"query": JOBS_FIRST, "variables": {"first": 2}, "operationName": "JobsFirst"},
    )
    assert response.status_code == 200, response.text
    jobs = response.json()["data"]["jobs"]
    assert jobs["totalCount"] == SIZES["demo"]["jobs"]
    assert len(jobs["nodes"]) == 2


async def test_get_with_query_string_answers_a_query(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql", params={"query": JOBS_TOTAL}, headers=gateway.headers()
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"jobs": {"totalCount": SIZES["demo"]["jobs"]}}}


async def test_get_with_json_variables(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql",
        params={"query": JOBS_FIRST, "variables": '{"first": 1}'},
        headers=gateway.headers(),
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]["jobs"]["nodes"]) == 1


async def test_get_with_invalid_variables_json_is_400(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql",
        params={"query": JOBS_FIRST, "variables": "{not json"},
        headers=gateway.headers(),
    )
    assert response.status_code == 400
    assert "variables" in response.json()["errors"][0]["message"]


async def test_mutation_over_get_is_405_and_not_executed(gateway: Gateway) -> None:
    name = f"get-mutation-{uuid.uuid4().hex[:8]}"
    response = await gateway.client.get(
        "/graphql",
        params={"query": PROMPT_CREATE_INLINE % name},
        headers=gateway.headers(),
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "POST" in response.json()["errors"][0]["message"]
    names = [prompt["name"] for prompt in (await gateway.execute(PROMPTS))["prompts"]]
    assert name not in names


async def test_mutation_over_post_is_executed(gateway: Gateway) -> None:
    """Control for the GET test: the same mutation over POST does run."""
    name = f"post-mutation-{uuid.uuid4().hex[:8]}"
    data = await gateway.execute(PROMPT_CREATE_INLINE % name)
    assert data["promptCreate"]["__typename"] == "PromptCreateSuccess"
    names = [prompt["name"] for prompt in (await gateway.execute(PROMPTS))["prompts"]]
    assert name in names


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/graphql", None],
)
async def test_post_with_a_non_json_content_type_is_415(
    gateway: Gateway, content_type: str | None
) -> None:
    response = await _post_raw(gateway, b'{"query": "{ __typename }"}', content_type=content_type)
    assert response.status_code == 415
    assert "application/json" in response.json()["errors"][0]["message"]


async def test_json_content_type_with_charset_is_accepted(gateway: Gateway) -> None:
    response = await _post_raw(
        gateway, b'{"query": "{ __typename }"}', content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_malformed_json_body_is_400(gateway: Gateway) -> None:
    response = await _post_raw(gateway, b'{"query": "{ __typename }"')
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert "not valid JSON" in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("body", [b'"{ __typename }"', b"42", b"null", b"true"])
async def test_body_that_is_not_an_object_is_400(gateway: Gateway, body: bytes) -> None:
    response = await _post_raw(gateway, body)
    assert response.status_code == 400
    assert "JSON object" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "body",
    [{}, {"query": ""}, {"query": "   "}, {"query": None}, {"query": 5}, {"variables": {}}],
    ids=["missing", "empty", "blank", "null", "number", "only-variables"],
)
async def test_missing_or_empty_query_is_400(gateway: Gateway, body: dict[str, Any]) -> None:
    response = await _post_json(gateway, body)
    assert response.status_code == 400
    assert "query" in response.json()["errors"][0]["message"]


async def test_get_without_query_and_without_html_accept_is_400(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql", headers={**gateway.headers(), "accept": "application/json"}
    )
    assert response.status_code == 400
    assert "query" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("variables", [[1, 2], "first=2", 3])
async def test_variables_not_an_object_is_400(gateway: Gateway, variables: Any) -> None:
    response = await _post_json(gateway, {"query": JOBS_FIRST, "variables": variables})
    assert response.status_code == 400
    assert "variables" in response.json()["errors"][0]["message"]


async def test_operation_name_not_a_string_is_400(gateway: Gateway) -> None:
    response = await _post_json(gateway, {"query": JOBS_FIRST, "operationName": 3})
    assert response.status_code == 400
    assert "operationName" in response.json()["errors"][0]["message"]


async def test_graphql_response_json_is_returned_when_accepted(gateway: Gateway) -> None:
    response = await _post_json(gateway, {"query": JOBS_TOTAL}, accept=GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert _media_type(response) == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"jobs": {"totalCount": SIZES["demo"]["jobs"]}}}


async def test_graphql_response_json_preferred_when_both_accepted(gateway: Gateway) -> None:
    response = await _post_json(
        gateway, {"query": TYPENAME}, accept=f"{GRAPHQL_RESPONSE}, application/json;q=0.9"
    )
    assert response.status_code == 200
    assert _media_type(response) == GRAPHQL_RESPONSE


@pytest.mark.parametrize("accept", [None, "application/json", "*/*"])
async def test_json_is_the_default_media_type(gateway: Gateway, accept: str | None) -> None:
    response = await _post_json(gateway, {"query": TYPENAME}, accept=accept)
    assert response.status_code == 200
    assert _media_type(response) == "application/json"


@pytest.mark.parametrize(
    ("query", "code"),
    [(SYNTAX_ERROR, "GRAPHQL_PARSE_FAILED"), (JOBS_UNKNOWN_FIELD, None)],
    ids=["syntax", "validation"],
)
async def test_request_errors_are_400_with_graphql_response_json(
    gateway: Gateway, query: str, code: str | None
) -> None:
    response = await _post_json(gateway, {"query": query}, accept=GRAPHQL_RESPONSE)
    assert response.status_code == 400, response.text
    assert _media_type(response) == GRAPHQL_RESPONSE
    body = response.json()
    assert body["errors"]
    assert "data" not in body
    if code is not None:
        assert _codes(body) == [code]


@pytest.mark.parametrize(
    ("query", "code"),
    [(SYNTAX_ERROR, "GRAPHQL_PARSE_FAILED"), (JOBS_UNKNOWN_FIELD, None)],
    ids=["syntax", "validation"],
)
async def test_request_errors_are_200_with_application_json(
    gateway: Gateway, query: str, code: str | None
) -> None:
    response = await _post_json(gateway, {"query": query}, accept="application/json")
    assert response.status_code == 200, response.text
    assert _media_type(response) == "application/json"
    body = response.json()
    assert body["errors"]
    assert "data" not in body
    if code is not None:
        assert _codes(body) == [code]


async def test_syntax_error_has_message_and_location(gateway: Gateway) -> None:
    body = (await _post_json(gateway, {"query": SYNTAX_ERROR})).json()
    error = body["errors"][0]
    assert "Syntax Error" in error["message"]
    assert error["locations"]


async def test_unknown_field_error_names_the_field(gateway: Gateway) -> None:
    body = (await _post_json(gateway, {"query": JOBS_UNKNOWN_FIELD})).json()
    assert any("noSuchField" in error["message"] for error in body["errors"])


async def test_only_unacceptable_media_types_get_406(gateway: Gateway) -> None:
    response = await _post_json(gateway, {"query": TYPENAME}, accept="text/csv")
    assert response.status_code == 406
    assert "text/csv" in response.json()["errors"][0]["message"]


async def test_406_for_get_too(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql",
        params={"query": TYPENAME},
        headers={**gateway.headers(), "accept": "text/csv, text/plain"},
    )
    assert response.status_code == 406


async def test_body_over_max_request_bytes_is_413(gateway: Gateway) -> None:
    limit = gateway.settings.max_request_bytes
    assert limit == 256 * 1024
    query = "{ __typename }\n#" + "x" * (limit + 1024)
    response = await _post_json(gateway, {"query": query})
    assert response.status_code == 413
    assert str(limit) in response.json()["errors"][0]["message"]


async def test_streamed_body_over_max_request_bytes_is_413(gateway: Gateway) -> None:
    """No Content-Length (chunked upload): the limit is enforced while reading."""
    limit = gateway.settings.max_request_bytes

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }\\n#'
        for _ in range(limit // 8192 + 2):
            yield b"x" * 8192
        yield b'"}'

    response = await _post_raw(gateway, chunks())
    assert response.status_code == 413


async def test_body_just_under_the_limit_is_accepted(gateway: Gateway) -> None:
    limit = gateway.settings.max_request_bytes
    query = "{ __typename }\n#" + "x" * (limit - 1024)
    response = await _post_json(gateway, {"query": query})
    assert response.status_code == 200, response.text[:500]
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_browser_get_gets_graphiql(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 200
    assert _media_type(response) == "text/html"
    assert "graphiql" in response.text.lower()


async def test_graphiql_response_carries_a_request_id(gateway: Gateway) -> None:
    sent = f"ide-{uuid.uuid4().hex}"
    response = await gateway.client.get(
        "/graphql", headers={"accept": "text/html", "x-request-id": sent}
    )
    assert response.status_code == 200
    assert response.headers.get("x-request-id") == sent


async def test_browser_get_with_a_query_executes_it(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql",
        params={"query": TYPENAME},
        headers={**gateway.headers(), "accept": "text/html, application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_other_methods_are_405(gateway: Gateway) -> None:
    response = await gateway.client.put("/graphql", json={"query": TYPENAME})
    assert response.status_code == 405


# --- request ids --------------------------------------------------------------------------


async def test_every_response_carries_a_request_id(gateway: Gateway) -> None:
    big = "{ __typename }\n#" + "x" * (gateway.settings.max_request_bytes + 10)
    responses = {
        "ok": await _post_json(gateway, {"query": TYPENAME}),
        "get": await gateway.client.get("/graphql", params={"query": TYPENAME}),
        "syntax": await _post_json(gateway, {"query": SYNTAX_ERROR}, accept=GRAPHQL_RESPONSE),
        "400": await _post_raw(gateway, b"nope"),
        "401": await _post_json(
            gateway, {"query": TYPENAME}, role=None, extra={"authorization": "Token abc"}
        ),
        "405": await gateway.client.get("/graphql", params={"query": "mutation { x }"}),
        "406": await _post_json(gateway, {"query": TYPENAME}, accept="text/csv"),
        "413": await _post_json(gateway, {"query": big}),
        "415": await _post_raw(gateway, b"{}", content_type="text/plain"),
    }
    seen = set()
    for label, response in responses.items():
        request_id = response.headers.get("x-request-id")
        assert request_id, f"{label}: no x-request-id"
        seen.add(request_id)
    assert len(seen) == len(responses), "request ids must be unique per request"


async def test_client_request_id_is_echoed(gateway: Gateway) -> None:
    sent = f"client-{uuid.uuid4().hex}"
    ok = await _post_json(gateway, {"query": TYPENAME}, extra={"X-Request-Id": sent})
    assert ok.headers["x-request-id"] == sent
    refused = await _post_raw(gateway, b"[", extra={"X-Request-Id": sent})
    assert refused.status_code == 400
    assert refused.headers["x-request-id"] == sent
    assert refused.json()["errors"][0]["extensions"]["requestId"] == sent


# --- limits -------------------------------------------------------------------------------


async def test_query_at_the_depth_limit_runs(gateway: Gateway) -> None:
    data = await gateway.execute(_deep_query(3, leaf="integration { id }"))  # 12 deep
    assert data["jobs"]["nodes"]


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_query_deeper_than_the_limit_is_refused(gateway: Gateway, accept: str) -> None:
    assert gateway.settings.max_query_depth == 12
    query = _deep_query(3, leaf="applications(first: 1) { nodes { id } }")  # 13 deep
    response = await _post_json(gateway, {"query": query}, accept=accept)
    assert response.status_code == (400 if accept == GRAPHQL_RESPONSE else 200)
    body = response.json()
    assert "data" not in body
    messages = " ".join(error["message"] for error in body["errors"])
    assert "depth" in messages
    assert str(gateway.settings.max_query_depth) in messages


async def test_aliases_within_the_limit_run(gateway: Gateway) -> None:
    limit = gateway.settings.max_aliases
    data = await gateway.execute(_aliases_query(limit))
    assert len(data) == limit


async def test_more_aliases_than_the_limit_are_refused(gateway: Gateway) -> None:
    limit = gateway.settings.max_aliases
    assert limit == 30
    response = await _post_json(gateway, {"query": _aliases_query(limit + 1)})
    body = response.json()
    assert "data" not in body
    messages = " ".join(error["message"] for error in body["errors"])
    assert "aliases" in messages
    assert str(limit) in messages


async def test_more_tokens_than_the_limit_are_refused(gateway: Gateway) -> None:
    limit = gateway.settings.max_query_tokens
    assert limit == 4000
    response = await _post_json(
        gateway, {"query": _tokens_query(limit + 1)}, accept=GRAPHQL_RESPONSE
    )
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    messages = " ".join(error["message"] for error in body["errors"])
    assert "tokens" in messages
    assert str(limit) in messages


async def test_tokens_within_the_limit_run(gateway: Gateway) -> None:
    data = await gateway.execute(_tokens_query(gateway.settings.max_query_tokens))
    assert data == {"__typename": "Query"}


@pytest.fixture(scope="module")
async def tight(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    """A gateway built with limits tighter than the defaults (SQLite only)."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('tight') / 'limits.db'}"
    async with running_gateway(
        url, max_query_depth=4, max_aliases=3, max_query_tokens=200
    ) as running:
        yield running


async def test_depth_limit_follows_the_app_settings(tight: Gateway) -> None:
    body = (await _post_json(tight, {"query": _deep_query(1)})).json()  # 5 deep
    assert "data" not in body, body
    assert "depth of 4" in " ".join(e["message"] for e in body["errors"])


async def test_alias_limit_follows_the_app_settings(tight: Gateway) -> None:
    body = (await _post_json(tight, {"query": _aliases_query(4)})).json()
    assert "data" not in body, body
    assert "aliases" in " ".join(e["message"] for e in body["errors"])


async def test_token_limit_follows_the_app_settings(tight: Gateway) -> None:
    body = (await _post_json(tight, {"query": _tokens_query(201)})).json()
    assert "data" not in body, body
    assert "200 tokens" in " ".join(e["message"] for e in body["errors"])


# --- masking ------------------------------------------------------------------------------


async def test_unexpected_exception_is_masked_with_the_request_id(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr("resolvers.tenant_settings.queries.ensure_settings_row", explode)
    with caplog.at_level(logging.ERROR):
        response = await gateway.post(SETTINGS)
    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    assert "secret detail" not in response.text
    assert "RuntimeError" not in response.text
    body = response.json()
    [error] = body["errors"]
    assert error["message"] == f"Internal server error (request id {request_id})"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert error["path"] == ["settings"]
    assert body["data"] is None

    records = [r for r in caplog.records if request_id in r.getMessage()]
    assert records, "the request id must be logged"
    assert any(r.exc_info and "secret detail" in str(r.exc_info[1]) for r in records)
    assert "secret detail" in caplog.text
    assert "Traceback" in caplog.text


async def test_masked_error_uses_the_client_request_id(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr("resolvers.tenant_settings.queries.ensure_settings_row", explode)
    sent = f"trace-{uuid.uuid4().hex}"
    response = await _post_json(gateway, {"query": SETTINGS}, extra={"x-request-id": sent})
    [error] = response.json()["errors"]
    assert error["extensions"]["requestId"] == sent
    assert sent in error["message"]


async def test_concurrent_failures_are_each_masked_with_their_own_request_id(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests failing at once: neither leaks the exception, each names its own id."""
    arrived = 0
    both_in = asyncio.Event()

    async def explode(*_args: Any, **_kwargs: Any) -> Any:
        nonlocal arrived
        arrived += 1
        if arrived >= 2:
            both_in.set()
        await asyncio.wait_for(both_in.wait(), timeout=10)
        raise RuntimeError("secret detail")

    monkeypatch.setattr("resolvers.tenant_settings.queries.ensure_settings_row", explode)
    ids = [f"concurrent-{i}-{uuid.uuid4().hex[:8]}" for i in range(2)]
    responses = await asyncio.gather(
        *(_post_json(gateway, {"query": SETTINGS}, extra={"x-request-id": i}) for i in ids)
    )
    for sent, response in zip(ids, responses, strict=True):
        assert "secret detail" not in response.text, response.text
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": sent}


# --- expected errors carry codes -----------------------------------------------------------


async def test_page_size_over_100_is_bad_user_input(gateway: Gateway) -> None:
    response = await gateway.post(JOBS_TOO_MANY)
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "100" in error["message"]


async def test_garbage_cursor_is_bad_user_input(gateway: Gateway) -> None:
    [error] = await gateway.errors(JOBS_BAD_CURSOR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "cursor" in error["message"].lower()


async def test_no_token_is_unauthenticated(gateway: Gateway) -> None:
    response = await gateway.post(JOBS_TOTAL, role=None)
    assert response.status_code == 200
    body = response.json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "secret" not in response.text.lower()


async def test_recruiter_creating_a_prompt_gets_permission_denied(gateway: Gateway) -> None:
    name = f"denied-{uuid.uuid4().hex[:8]}"
    variables = {"input": {"name": name, "promptType": "INTERVIEW", "templateContent": "Hi"}}
    data = await gateway.execute(PROMPT_CREATE, variables, role=Role.RECRUITER)
    result = data["promptCreate"]
    assert result["__typename"] == "PermissionDeniedError"
    assert result["code"]
    assert result["permission"]
    assert result["message"]
    names = [prompt["name"] for prompt in (await gateway.execute(PROMPTS))["prompts"]]
    assert name not in names


async def test_a_get_query_with_a_token_revalidates_with_its_etag(gateway: Gateway) -> None:
    params = {"query": "{ jobs(first: 2) { totalCount } }"}
    headers = {**gateway.headers(), "accept": "application/json"}
    first = await gateway.client.get("/graphql", params=params, headers=headers)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "private, no-cache"
    assert "authorization" in first.headers["vary"].lower()
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    again = await gateway.client.get(
        "/graphql", params=params, headers={**headers, "if-none-match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = await gateway.client.get(
        "/graphql", params=params, headers={**gateway.headers("other"), "if-none-match": etag}
    )
    assert other.status_code == 200, "another user's answer has another tag"


async def test_posts_mutations_and_anonymous_answers_are_never_stored(gateway: Gateway) -> None:
    posted = await gateway.post("{ jobs { totalCount } }")
    assert posted.headers["cache-control"] == "no-store"
    anonymous = await gateway.client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"accept": "application/json"}
    )
    assert anonymous.headers["cache-control"] == "no-store"
    failed = await gateway.client.get(
        "/graphql",
        params={"query": "{ nope }"},
        headers={**gateway.headers(), "accept": "application/json"},
    )
    assert failed.headers["cache-control"] == "no-store"
