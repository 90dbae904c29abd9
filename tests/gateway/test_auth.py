"""Bearer tokens at ``/graphql``: signature, expiry, header shape, the user behind the
token (deleted, disabled, demoted), tenant isolation, and introspection by environment."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest

from gateway.auth import AuthenticationError, bearer_token, decode_token, issue_token
from gateway.store.enums import Role
from resolvers.relay import from_global_id, to_global_id
from tests.support.gateway import JWT_SECRET, SIZES, Gateway, running_gateway

ME = "{ me { id email role } }"
JOBS_TOTAL = "{ jobs { totalCount } }"
JOB_IDS = "{ jobs(first: 100) { nodes { id title } } }"
NODE = "query Node($id: ID!) { node(id: $id) { __typename id ... on Job { title } } }"
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"
JOB = "query Job($id: ID!) { job(id: $id) { id title } }"
INTROSPECTION = "{ __schema { queryType { name } } }"
TYPE_INTROSPECTION = '{ __type(name: "Job") { name } }'
RECRUITER_CREATE = """
mutation RecruiterCreate($input: RecruiterCreateInput!) {
  recruiterCreate(input: $input) {
    __typename
    ... on RecruiterCreateSuccess { recruiter { id email role } }
    ... on UserError { message code }
  }
}
"""
RECRUITER_UPDATE = """
mutation RecruiterUpdate($input: RecruiterUpdateInput!) {
  recruiterUpdate(input: $input) {
    __typename
    ... on UserError { message code }
  }
}
"""
RECRUITER_DELETE = """
mutation RecruiterDelete($input: RecruiterDeleteInput!) {
  recruiterDelete(input: $input) {
    __typename
    ... on RecruiterDeleteSuccess { deletedId }
    ... on UserError { message code }
  }
}
"""
PROMPT_CREATE = """
mutation PromptCreate($input: PromptCreateInput!) {
  promptCreate(input: $input) {
    __typename
    ... on PermissionDeniedError { permission }
  }
}
"""


async def _graphql(
    gateway: Gateway, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return await gateway.client.post("/graphql", json=body, headers=headers)


def _token_for(
    gateway: Gateway,
    user_id: int,
    *,
    tenant: str = "demo",
    role: Role = Role.ADMIN,
    secret: str = JWT_SECRET,
    ttl_seconds: int = 3600,
) -> str:
    return issue_token(
        secret,
        tenant_id=gateway.tenants[tenant].tenant_id,
        tenant_slug=tenant,
        user_id=user_id,
        role=role,
        ttl_seconds=ttl_seconds,
    )


def _assert_refused(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    body: dict[str, Any] = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    refused: dict[str, Any] = error
    return refused


async def _create_user(gateway: Gateway, role: str = "RECRUITER") -> tuple[str, int, str]:
    """A throwaway user in tenant demo: (global id, primary key, email)."""
    email = f"throwaway-{uuid.uuid4().hex[:10]}@example.com"
    data = await gateway.execute(
        RECRUITER_CREATE, {"input": {"name": "Throwaway", "email": email, "role": role}}
    )
    result = data["recruiterCreate"]
    assert result["__typename"] == "RecruiterCreateSuccess", result
    global_id = result["recruiter"]["id"]
    type_name, pk = from_global_id(global_id)
    assert type_name == "Recruiter"
    return global_id, pk, email


# --- tokens ---------------------------------------------------------------------------------


async def test_issue_and_decode_round_trip() -> None:
    token = issue_token(
        JWT_SECRET, tenant_id=3, tenant_slug="acme", user_id=42, role=Role.RECRUITER
    )
    claims = decode_token(JWT_SECRET, token)
    assert (claims.tenant_id, claims.tenant_slug, claims.user_id, claims.role) == (
        3,
        "acme",
        42,
        Role.RECRUITER,
    )
    raw = jwt.decode(token, JWT_SECRET, algorithms=["HS256"], issuer="talentgraph")
    assert raw["sub"] == "42"
    assert raw["exp"] > time.time()


async def test_decode_refuses_expired_forged_and_garbage_tokens() -> None:
    expired = issue_token(
        JWT_SECRET, tenant_id=1, tenant_slug="demo", user_id=1, role=Role.ADMIN, ttl_seconds=-10
    )
    with pytest.raises(AuthenticationError, match="expired"):
        decode_token(JWT_SECRET, expired)
    forged = issue_token(
        "another-secret-" + "y" * 40, tenant_id=1, tenant_slug="demo", user_id=1, role=Role.ADMIN
    )
    with pytest.raises(AuthenticationError, match="invalid"):
        decode_token(JWT_SECRET, forged)
    with pytest.raises(AuthenticationError):
        decode_token(JWT_SECRET, "not.a.jwt")
    unsigned = jwt.encode(
        {
            "iss": "talentgraph",
            "sub": "1",
            "tid": 1,
            "tenant": "demo",
            "role": "admin",
            "exp": int(time.time()) + 60,
        },
        key="",
        algorithm="none",
    )
    with pytest.raises(AuthenticationError):
        decode_token(JWT_SECRET, unsigned)
    unknown_role = jwt.encode(
        {
            "iss": "talentgraph",
            "sub": "1",
            "tid": 1,
            "tenant": "demo",
            "role": "root",
            "exp": int(time.time()) + 60,
        },
        JWT_SECRET,
        algorithm="HS256",
    )
    with pytest.raises(AuthenticationError):
        decode_token(JWT_SECRET, unknown_role)


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("", None), ("Bearer abc", "abc"), ("bearer  abc ", "abc")],
)
async def test_bearer_token_parsing(header: str | None, expected: str | None) -> None:
    assert bearer_token(header) == expected


@pytest.mark.parametrize("header", ["Token abc", "Bearer ", "Bearer", "Basic dXNlcjpwdw=="])
async def test_bearer_token_refuses_other_shapes(header: str) -> None:
    with pytest.raises(AuthenticationError, match="Bearer"):
        bearer_token(header)


# --- tokens at /graphql -----------------------------------------------------------------------


async def test_valid_token_acts_as_its_user(gateway: Gateway) -> None:
    data = await gateway.execute(ME)
    assert data["me"]["id"] == to_global_id("Recruiter", gateway.tenants["demo"].admin_user_id)
    assert data["me"]["role"] == "ADMIN"


async def test_expired_token_is_401(gateway: Gateway) -> None:
    token = _token_for(gateway, gateway.tenants["demo"].admin_user_id, ttl_seconds=-10)
    error = _assert_refused(await _graphql(gateway, JOBS_TOTAL, authorization=f"Bearer {token}"))
    assert "expired" in error["message"]


async def test_token_signed_with_another_secret_is_401(gateway: Gateway) -> None:
    token = _token_for(
        gateway, gateway.tenants["demo"].admin_user_id, secret="another-secret-" + "z" * 40
    )
    error = _assert_refused(await _graphql(gateway, JOBS_TOTAL, authorization=f"Bearer {token}"))
    assert "invalid" in error["message"]


async def test_tampered_token_is_401(gateway: Gateway) -> None:
    token = _token_for(gateway, gateway.tenants["demo"].readonly_user_id, role=Role.READONLY)
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[::-1]}"
    _assert_refused(await _graphql(gateway, JOBS_TOTAL, authorization=f"Bearer {tampered}"))


@pytest.mark.parametrize(
    "authorization", ["Token abc", "Bearer ", "Bearer", "Basic dXNlcjpwdw==", "Bearer garbage"]
)
async def test_malformed_authorization_header_is_401(gateway: Gateway, authorization: str) -> None:
    response = await _graphql(gateway, JOBS_TOTAL, authorization=authorization)
    _assert_refused(response)
    assert response.headers["x-request-id"]


async def test_refused_token_is_401_even_over_get(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql", params={"query": JOBS_TOTAL}, headers={"authorization": "Token abc"}
    )
    _assert_refused(response)


async def test_refused_token_is_401_whatever_the_accept_header(gateway: Gateway) -> None:
    response = await _graphql(
        gateway,
        JOBS_TOTAL,
        authorization="Token abc",
        accept="application/graphql-response+json",
    )
    _assert_refused(response)


async def test_token_of_a_deleted_user_is_401(gateway: Gateway) -> None:
    global_id, pk, email = await _create_user(gateway)
    token = _token_for(gateway, pk, role=Role.RECRUITER)
    before = await _graphql(gateway, ME, authorization=f"Bearer {token}")
    assert before.status_code == 200, before.text
    assert before.json()["data"]["me"]["email"] == email

    deleted = await gateway.execute(RECRUITER_DELETE, {"input": {"id": global_id}})
    assert deleted["recruiterDelete"] == {
        "__typename": "RecruiterDeleteSuccess",
        "deletedId": global_id,
    }

    error = _assert_refused(await _graphql(gateway, ME, authorization=f"Bearer {token}"))
    assert "no longer exists" in error["message"]


async def test_token_of_a_disabled_user_is_401(gateway: Gateway) -> None:
    global_id, pk, _email = await _create_user(gateway)
    token = _token_for(gateway, pk, role=Role.RECRUITER)
    assert (await _graphql(gateway, ME, authorization=f"Bearer {token}")).status_code == 200

    updated = await gateway.execute(
        RECRUITER_UPDATE, {"input": {"id": global_id, "isActive": False}}
    )
    assert updated["recruiterUpdate"]["__typename"] == "RecruiterUpdateSuccess"

    _assert_refused(await _graphql(gateway, ME, authorization=f"Bearer {token}"))


async def test_token_for_a_user_that_never_existed_is_401(gateway: Gateway) -> None:
    token = _token_for(gateway, 987_654_321)
    _assert_refused(await _graphql(gateway, JOBS_TOTAL, authorization=f"Bearer {token}"))


async def test_token_pairing_a_user_with_another_tenant_is_401(gateway: Gateway) -> None:
    """A demo user id under the other tenant's id: the user is looked up within the tenant."""
    token = _token_for(gateway, gateway.tenants["demo"].admin_user_id, tenant="other")
    _assert_refused(await _graphql(gateway, JOBS_TOTAL, authorization=f"Bearer {token}"))


async def test_role_comes_from_the_store_not_the_token(gateway: Gateway) -> None:
    readonly = gateway.tenants["demo"].readonly_user_id
    token = _token_for(gateway, readonly, role=Role.ADMIN)
    auth = f"Bearer {token}"

    me = await _graphql(gateway, ME, authorization=auth)
    assert me.status_code == 200, me.text
    assert me.json()["data"]["me"]["role"] == "READONLY"

    name = f"escalation-{uuid.uuid4().hex[:8]}"
    variables = {"input": {"name": name, "promptType": "INTERVIEW", "templateContent": "x"}}
    prompt = await _graphql(gateway, PROMPT_CREATE, variables, authorization=auth)
    assert prompt.json()["data"]["promptCreate"]["__typename"] == "PermissionDeniedError"

    email = f"escalation-{uuid.uuid4().hex[:8]}@example.com"
    variables = {"input": {"name": "Escalation", "email": email, "role": "ADMIN"}}
    created = await _graphql(gateway, RECRUITER_CREATE, variables, authorization=auth)
    assert created.json()["data"]["recruiterCreate"]["__typename"] == "PermissionDeniedError"


async def test_demoted_user_loses_admin_rights_at_once(gateway: Gateway) -> None:
    global_id, pk, _email = await _create_user(gateway, role="ADMIN")
    auth = f"Bearer {_token_for(gateway, pk, role=Role.ADMIN)}"
    me = await _graphql(gateway, ME, authorization=auth)
    assert me.json()["data"]["me"]["role"] == "ADMIN"

    updated = await gateway.execute(
        RECRUITER_UPDATE, {"input": {"id": global_id, "role": "READONLY"}}
    )
    assert updated["recruiterUpdate"]["__typename"] == "RecruiterUpdateSuccess"

    me = await _graphql(gateway, ME, authorization=auth)
    assert me.json()["data"]["me"]["role"] == "READONLY"
    variables = {"input": {"name": "x", "promptType": "INTERVIEW", "templateContent": "x"}}
    prompt = await _graphql(gateway, PROMPT_CREATE, variables, authorization=auth)
    assert prompt.json()["data"]["promptCreate"]["__typename"] == "PermissionDeniedError"


# --- tenant isolation -------------------------------------------------------------------------


async def test_each_tenant_counts_only_its_own_jobs(gateway: Gateway) -> None:
    demo = await gateway.execute(JOBS_TOTAL, tenant="demo")
    other = await gateway.execute(JOBS_TOTAL, tenant="other")
    assert demo["jobs"]["totalCount"] == SIZES["demo"]["jobs"]
    assert other["jobs"]["totalCount"] == SIZES["other"]["jobs"]
    assert demo != other


async def test_other_tenant_cannot_fetch_demo_jobs_by_id(gateway: Gateway) -> None:
    demo_jobs = (await gateway.execute(JOB_IDS, tenant="demo"))["jobs"]["nodes"]
    other_jobs = (await gateway.execute(JOB_IDS, tenant="other"))["jobs"]["nodes"]
    assert len(demo_jobs) == SIZES["demo"]["jobs"]
    assert not {job["id"] for job in demo_jobs} & {job["id"] for job in other_jobs}

    demo_job = demo_jobs[0]
    own = await gateway.execute(NODE, {"id": demo_job["id"]}, tenant="demo")
    assert own["node"] == {"__typename": "Job", "id": demo_job["id"], "title": demo_job["title"]}

    for role in (Role.ADMIN, Role.READONLY):
        node = await gateway.execute(NODE, {"id": demo_job["id"]}, tenant="other", role=role)
        assert node["node"] is None
        job = await gateway.execute(JOB, {"id": demo_job["id"]}, tenant="other", role=role)
        assert job["job"] is None


async def test_nodes_is_scoped_to_the_callers_tenant(gateway: Gateway) -> None:
    demo_jobs = (await gateway.execute(JOB_IDS, tenant="demo"))["jobs"]["nodes"]
    ids = [job["id"] for job in demo_jobs]
    own = await gateway.execute(NODES, {"ids": ids}, tenant="demo")
    assert own["nodes"] == [{"id": job_id} for job_id in ids]
    other = await gateway.execute(NODES, {"ids": ids}, tenant="other")
    assert other["nodes"] == [None] * len(ids)


async def test_other_tenant_cannot_fetch_demo_users_by_id(gateway: Gateway) -> None:
    admin_id = to_global_id("Recruiter", gateway.tenants["demo"].admin_user_id)
    node = await gateway.execute(NODE, {"id": admin_id}, tenant="other")
    assert node["node"] is None


# --- introspection ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", [INTROSPECTION, TYPE_INTROSPECTION])
async def test_introspection_without_token_in_development(gateway: Gateway, query: str) -> None:
    assert gateway.settings.is_development
    response = await _graphql(gateway, query)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()


@pytest.fixture(scope="module")
async def production(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('production') / 'prod.db'}"
    async with running_gateway(url, environment="production") as running:
        yield running


@pytest.mark.parametrize("query", [INTROSPECTION, TYPE_INTROSPECTION])
async def test_introspection_needs_a_token_in_production(production: Gateway, query: str) -> None:
    assert not production.settings.is_development
    error = _assert_refused(await _graphql(production, query))
    assert "introspection" in error["message"]

    token = production.token()
    allowed = await _graphql(production, query, authorization=f"Bearer {token}")
    assert allowed.status_code == 200, allowed.text
    assert "errors" not in allowed.json()


async def test_introspection_over_get_needs_a_token_in_production(production: Gateway) -> None:
    response = await production.client.get("/graphql", params={"query": INTROSPECTION})
    _assert_refused(response)


@pytest.mark.parametrize(
    "query",
    [
        "query { ...Intro } fragment Intro on Query { __schema { queryType { name } } }",
        "{ ... on Query { __schema { queryType { name } } } }",
    ],
    ids=["named-fragment", "inline-fragment"],
)
async def test_introspection_hidden_in_a_fragment_needs_a_token_in_production(
    production: Gateway, query: str
) -> None:
    response = await _graphql(production, query)
    body = response.json()
    assert response.status_code == 401 or "__schema" not in (body.get("data") or {}), body


async def test_introspection_aliased_needs_a_token_in_production(production: Gateway) -> None:
    response = await _graphql(production, "{ s: __schema { queryType { name } } }")
    body = response.json()
    assert response.status_code == 401 or not (body.get("data") or {}).get("s"), body


async def test_introspection_next_to_another_field_needs_a_token_in_production(
    production: Gateway,
) -> None:
    response = await _graphql(production, "{ __typename __schema { queryType { name } } }")
    body = response.json()
    assert response.status_code == 401 or "__schema" not in (body.get("data") or {}), body
