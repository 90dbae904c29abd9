"""What a hostile request gets at ``/graphql`` before anything executes: ambiguous
operations refused, nothing but queries over GET, subscriptions pointed at the
WebSocket, the rate limit counting what runs, request ids bounded, forwarded headers
believed only from trusted proxies, and the production posture (introspection and
suggestions for admins only, no GraphiQL, metrics behind a token)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app as cli
from gateway.settings import Settings
from gateway.store.enums import Role
from tests.support.gateway import Gateway, running_gateway

TWO_OPERATIONS = """
mutation M { settingsUpdate(input: {staleStageDays: 45}) { __typename } }
query Q { me { email } }
"""
ME = "{ me { email } }"


def _error(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    [error] = body["errors"]
    assert "data" not in body or body["data"] is None
    return error  # type: ignore[no-any-return]


async def _interval(gateway: Gateway) -> int:
    data = await gateway.execute("{ settings { staleStageDays } }")
    return int(data["settings"]["staleStageDays"])


async def test_several_operations_without_a_name_are_refused_before_anything_runs(
    gateway: Gateway,
) -> None:
    before = await _interval(gateway)
    response = await gateway.post(TWO_OPERATIONS)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert "operationName" in str(_error(response)["message"])
    assert await _interval(gateway) == before


@pytest.mark.parametrize("name", ["Nope", "", "M" * 5000])
async def test_an_unknown_operation_name_is_a_json_400(gateway: Gateway, name: str) -> None:
    response = await gateway.client.post(
        "/graphql",
        json={"query": TWO_OPERATIONS, "operationName": name},
        headers=gateway.headers(),
    )
    assert response.status_code == 400, response.text
    error = _error(response)
    assert error["extensions"]["code"] == "BAD_REQUEST"  # type: ignore[index]
    assert len(str(error["message"])) < 300


async def test_a_document_of_fragments_only_is_a_json_400(gateway: Gateway) -> None:
    response = await gateway.post("fragment F on Query { __typename }")
    assert response.status_code in (200, 400)
    assert response.json()["errors"]


async def test_get_never_runs_a_mutation_whatever_else_the_document_holds(
    gateway: Gateway,
) -> None:
    before = await _interval(gateway)
    for params in (
        {"query": TWO_OPERATIONS},
        {"query": TWO_OPERATIONS, "operationName": "Q"},
        {"query": TWO_OPERATIONS, "operationName": "M"},
    ):
        response = await gateway.client.get("/graphql", params=params, headers=gateway.headers())
        assert response.status_code == 405, response.text
        assert response.headers["allow"] == "POST"
    assert await _interval(gateway) == before


async def test_the_named_operation_runs_and_only_it(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql",
        json={"query": TWO_OPERATIONS, "operationName": "Q"},
        headers=gateway.headers(),
    )
    assert response.status_code == 200
    assert set(response.json()["data"]) == {"me"}


async def test_a_subscription_over_http_points_at_the_websocket(gateway: Gateway) -> None:
    query = 'subscription { syncProgress(integrationId: "SW50ZWdyYXRpb246MQ==") { phase } }'
    response = await gateway.post(query)
    assert response.status_code == 400
    assert "WebSocket" in str(_error(response)["message"])


async def test_every_operation_is_counted_whatever_the_document_holds(
    backend_url: str,
) -> None:
    async with running_gateway(backend_url, rate_limit_user_per_minute=2) as gateway:
        assert (await gateway.post(ME)).status_code == 200
        assert (await gateway.post(ME)).status_code == 200
        for body in (
            {"query": TWO_OPERATIONS},
            {"query": TWO_OPERATIONS, "operationName": "Q"},
            {"query": "query A { me { email } } query B { me { name } }", "operationName": "B"},
        ):
            response = await gateway.client.post("/graphql", json=body, headers=gateway.headers())
            assert response.status_code in (400, 429), response.text
            assert response.status_code == 429 or "operationName" in response.text
        named = {"query": TWO_OPERATIONS, "operationName": "Q"}
        response = await gateway.client.post("/graphql", json=named, headers=gateway.headers())
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1


@pytest.fixture
def backend_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'guards.db'}"


@pytest.mark.parametrize(
    "given",
    ["x" * 5000, "abc\x01def", "has space", "<script>", "é" * 10, "a" * 129],
    ids=["long", "control", "space", "markup", "unicode", "129"],
)
async def test_hostile_request_ids_are_replaced(gateway: Gateway, given: str) -> None:
    response = await gateway.client.post(
        "/graphql",
        json={"query": ME},
        headers={**gateway.headers(), "x-request-id": given.encode()},
    )
    assert response.status_code == 200
    echoed = response.headers["x-request-id"]
    assert echoed != given and len(echoed) <= 128 and echoed.isascii() and echoed.isalnum()


async def test_a_sane_request_id_is_kept(gateway: Gateway) -> None:
    given = "req-" + "a" * 124
    response = await gateway.client.post(
        "/graphql", json={"query": ME}, headers={**gateway.headers(), "x-request-id": given}
    )
    assert response.headers["x-request-id"] == given


async def test_forwarded_for_from_an_untrusted_peer_changes_nothing(backend_url: str) -> None:
    async with running_gateway(backend_url, rate_limit_public_per_minute=3) as gateway:
        statuses = []
        for n in range(5):
            response = await gateway.client.post(
                "/graphql",
                json={"query": "{ __typename }"},
                headers={"x-forwarded-for": f"203.0.113.{n}"},
            )
            statuses.append(response.status_code)
        assert statuses == [200, 200, 200, 429, 429]


async def test_forwarded_for_from_a_trusted_proxy_names_the_client(backend_url: str) -> None:
    async with running_gateway(
        backend_url, rate_limit_public_per_minute=2, trusted_proxies="127.0.0.0/8"
    ) as gateway:

        async def status(forwarded: str) -> int:
            response = await gateway.client.post(
                "/graphql",
                json={"query": "{ __typename }"},
                headers={"x-forwarded-for": forwarded},
            )
            return response.status_code

        # the client-written left part proves nothing: the proxy appended the real peer
        assert [await status(f"10.9.9.{n}, 198.51.100.1") for n in range(3)] == [200, 200, 429]
        assert await status("198.51.100.2") == 200


# --- production posture ---------------------------------------------------------------------


@pytest.fixture(scope="module")
async def production(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('posture') / 'prod.db'}"
    async with running_gateway(url, environment="production", metrics_token="m" * 40) as running:
        yield running


TYPO = "{ jb { id } }"


@pytest.mark.parametrize("role", [None, Role.READONLY, Role.RECRUITER])
async def test_no_field_suggestions_in_production_but_for_admins(
    production: Gateway, role: Role | None
) -> None:
    response = await production.post(TYPO, role=role)
    message = str(response.json()["errors"][0]["message"])
    assert "jb" in message and "Did you mean" not in message


async def test_admins_and_development_get_suggestions(
    production: Gateway, gateway: Gateway
) -> None:
    for running in (production, gateway):
        response = await running.post(TYPO, role=Role.ADMIN)
        assert "Did you mean" in str(response.json()["errors"][0]["message"])


@pytest.mark.parametrize(("role", "status"), [(None, 401), (Role.READONLY, 403)])
async def test_introspection_is_for_admins_in_production(
    production: Gateway, role: Role | None, status: int
) -> None:
    query = "{ __schema { queryType { name } } }"
    assert (await production.post(query, role=role)).status_code == status
    assert (await production.post(query, role=Role.ADMIN)).status_code == 200
    assert (await production.post("{ __typename }", role=role)).status_code == 200


async def test_graphiql_is_off_in_production_unless_enabled(
    production: Gateway, tmp_path: Path
) -> None:
    html = {"accept": "text/html"}
    response = await production.client.get("/graphql", headers=html)
    assert "text/html" not in response.headers["content-type"]
    url = f"sqlite+aiosqlite:///{tmp_path / 'ide.db'}"
    async with running_gateway(url, environment="production", graphiql=True) as enabled:
        response = await enabled.client.get("/graphql", headers=html)
        assert response.headers["content-type"].startswith("text/html")


async def test_metrics_need_the_token_in_production(production: Gateway, tmp_path: Path) -> None:
    assert (await production.client.get("/metrics")).status_code == 401
    wrong = {"authorization": "Bearer " + "n" * 40}
    assert (await production.client.get("/metrics", headers=wrong)).status_code == 401
    right = {"authorization": "Bearer " + "m" * 40}
    response = await production.client.get("/metrics", headers=right)
    assert response.status_code == 200 and "talentgraph_" in response.text
    url = f"sqlite+aiosqlite:///{tmp_path / 'nometrics.db'}"
    async with running_gateway(url, environment="production") as untokened:
        assert (await untokened.client.get("/metrics")).status_code == 403


def test_a_short_jwt_secret_is_refused() -> None:
    with pytest.raises(RuntimeError, match="32 bytes"):
        Settings(jwt_secret="x").resolved_jwt_secret()
    assert Settings(jwt_secret="x" * 32).resolved_jwt_secret() == "x" * 32


def test_serve_refuses_a_short_secret_and_the_demo_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALENTGRAPH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("TALENTGRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TALENTGRAPH_ENVIRONMENT", "production")
    monkeypatch.setenv("TALENTGRAPH_ENCRYPTION_KEYS", "k1:" + "A" * 43 + "=")
    monkeypatch.setenv("TALENTGRAPH_JWT_SECRET", "s")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2 and "32 bytes" in result.output
    monkeypatch.setenv("TALENTGRAPH_JWT_SECRET", "s" * 48)
    for command in (["serve", "--demo"], ["demo"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2 and "production" in result.output
    assert not (tmp_path / "p.db").exists(), "nothing was started or seeded"


# --- cost and time --------------------------------------------------------------------------

NESTED = (
    "{ jobs(first: 100) { edges { node { applications(first: 100) { edges { node {"
    " job { applications(first: 100) { edges { node { id } } } } } } } } } } }"
)


async def test_a_costly_query_is_refused_with_its_cost_and_the_limit(gateway: Gateway) -> None:
    for role in (Role.ADMIN, Role.READONLY, None):
        response = await gateway.post(NESTED, role=role)
        assert response.status_code == 200, response.text  # refused as validation errors are
        strict = await gateway.post(
            NESTED, role=role, headers={"accept": "application/graphql-response+json"}
        )
        assert strict.status_code == 400
        error = _error(response)
        extensions = error["extensions"]
        assert extensions["code"] == "QUERY_TOO_COSTLY"  # type: ignore[index]
        assert extensions["cost"] > extensions["limit"]  # type: ignore[index,operator]


async def test_the_cost_is_reported_to_clients_that_ask(gateway: Gateway) -> None:
    query = "{ jobs(first: 10) { totalCount edges { node { id title } } } }"
    response = await gateway.client.post(
        "/graphql",
        json={"query": query, "extensions": {"cost": True}},
        headers=gateway.headers(role=Role.READONLY),
    )
    body = response.json()
    assert body["extensions"]["cost"] == {
        "requested": 33,
        "limit": gateway.settings.max_query_cost_readonly,
    }
    plain = await gateway.post(query, role=Role.READONLY)
    assert "extensions" not in plain.json()


async def test_a_query_over_the_time_limit_is_stopped(backend_url: str) -> None:
    async with running_gateway(backend_url, max_request_seconds=0.000001) as gateway:
        response = await gateway.post("{ jobs(first: 50) { edges { node { id title } } } }")
        assert response.status_code == 504
        assert _error(response)["extensions"]["code"] == "TIMEOUT"  # type: ignore[index]


def test_the_demo_app_refuses_to_start_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from demo.sync import create_demo_app

    monkeypatch.setenv("TALENTGRAPH_ENVIRONMENT", "production")
    with pytest.raises(RuntimeError, match="production"):
        create_demo_app()
