"""The clients of ``examples/node`` run against a gateway served on a loopback port, as
real frontends would: Apollo Client with persisted queries, batching and relay
pagination; graphql-ws on one socket; graphql-sse; graphql-http's conformance audit.
Skipped, with the reason, where Node or the examples' packages (``cd examples/node &&
npm ci``, which ``.ci/run`` does) are missing; the Python and curl clients, which need
no Node, are in ``tests/test_example_clients_python.py``.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest

from tests.support.example_clients import (
    EXAMPLES,
    Script,
    Served,
    serving_examples,
    subscribed,
    subscriptions_opened,
)

NODE_EXAMPLES = EXAMPLES / "node"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(
        not (NODE_EXAMPLES / "node_modules").is_dir(),
        reason="the examples' packages are not installed: cd examples/node && npm ci",
    ),
]


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    async with serving_examples(tmp_path_factory.mktemp("clients") / "clients.db") as served:
        yield served


def node(name: str, served: Served) -> Script:
    assert NODE is not None
    return Script([NODE, name], NODE_EXAMPLES, served.env())


async def test_apollo_client_with_persisted_queries_batching_and_relay_paging(
    served: Served,
) -> None:
    async with node("apollo.mjs", served) as script:
        paged = await script.line()
        batch = await script.line()
        await script.finish()
    assert paged["paged"] == paged["distinct"] == paged["totalCount"] > 2
    assert paged["hashOnly"] >= 2, "later pages went by hash alone"
    assert paged["withQuery"] == 1, "the text was sent once, after PersistedQueryNotFound"
    assert batch["requests"] == 1 and batch["operationsInFirst"] == 2
    assert batch["email"] and batch["candidates"] > 0


async def test_graphql_ws_runs_everything_over_one_socket(served: Served) -> None:
    async with subscriptions_opened(served.bus) as opened, node("graphql-ws.mjs", served) as script:
        query = await script.line()
        assert query["data"]["jobs"]["totalCount"] > 0
        mutation = await script.line()
        persona = mutation["data"]["personaCreate"]
        assert persona["persona"]["name"] == "Made over graphql-ws"
        assert (await script.line())["check"] == "subscribed"
        await subscribed(opened, served)
        await served.move_an_application()
        update = await script.line()
        await script.finish()
    assert update["data"]["pipelineUpdates"]["jobId"] == served.job_global_id


async def test_graphql_sse_streams_a_query_and_a_subscription(served: Served) -> None:
    async with (
        subscriptions_opened(served.bus) as opened,
        node("graphql-sse.mjs", served) as script,
    ):
        query = await script.line()
        assert query["data"]["jobs"]["totalCount"] > 0
        assert (await script.line())["check"] == "subscribed"
        await subscribed(opened, served)
        await served.move_an_application()
        update = await script.line()
        await script.finish()
    assert update["data"]["pipelineUpdates"]["status"] == "ACTIVE"


async def test_the_graphql_over_http_audit_passes_clean(served: Served) -> None:
    """graphql-http's conformance audit of the GraphQL over HTTP specification: no error
    and no warning (Strawberry as shipped has warnings; batching, persisted queries and
    event streams must not bring any)."""
    async with node("audit.mjs", served) as script:
        audit = await script.line(within=60)
        await script.finish()
    assert audit["ok"] > 30
    assert audit["error"] == 0 and audit["warn"] == 0, audit["failures"]
