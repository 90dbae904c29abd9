"""The example clients that need no Node run against a gateway served on a loopback
port: ``examples/python/gql_client.py`` (gql over HTTP and over WebSocket, in both
subprotocols) and ``examples/curl.sh`` (POST, a persisted query over GET, Server-Sent
Events). gql is a dev dependency, so its test always runs; the curl one skips, saying
why, without curl. The Node clients are in ``tests/test_example_clients.py``.
"""

from __future__ import annotations

import asyncio
import math
import shutil
import sys
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from gateway.store.models import Candidate, Job, Persona, User
from resolvers.relay import to_global_id
from tests.support.example_clients import (
    EXAMPLES,
    Script,
    Served,
    serving_examples,
    subscribed,
    subscriptions_opened,
)

CURL = shutil.which("curl")


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    async with serving_examples(tmp_path_factory.mktemp("clients") / "clients.db") as served:
        yield served


async def demo_jobs(served: Served) -> dict[str, str]:
    """The demo tenant's jobs as the store has them: global id to title."""
    async with served.gateway.app.state.session_factory() as session:
        rows = await session.execute(
            sa.select(Job.id, Job.title).where(Job.tenant_id == served.tenant_id)
        )
        return {to_global_id("Job", row.id): row.title for row in rows}


async def test_gql_pages_batches_and_writes_over_http_and_subscribes_over_both_ws_protocols(
    served: Served,
) -> None:
    jobs = await demo_jobs(served)
    async with (
        subscriptions_opened(served.bus) as opened,
        Script([sys.executable, "gql_client.py"], EXAMPLES / "python", served.env()) as script,
    ):
        paged = await script.line()
        batch = await script.line()
        mutation = await script.line()
        updates = []
        for protocol in ("graphql-transport-ws", "graphql-ws"):
            query = await script.line()
            assert query == {
                "check": "ws-query",
                "protocol": protocol,
                "data": {"job": {"id": served.job_global_id, "title": jobs[served.job_global_id]}},
            }
            assert await script.line() == {"check": "subscribed", "protocol": protocol}
            await subscribed(opened, served)
            await served.move_an_application()
            updates.append(await script.line())
        await script.finish()

    assert paged["check"] == "http-paged"
    assert paged["totalCount"] == len(jobs) > 2
    assert paged["pages"] == math.ceil(len(jobs) / 2), "every page, two jobs a page"
    assert len(paged["ids"]) == len(set(paged["ids"])), "no job twice"
    assert dict(zip(paged["ids"], paged["titles"], strict=True)) == jobs

    demo = served.gateway.tenants["demo"]
    async with served.gateway.app.state.session_factory() as session:
        admin_email = await session.scalar(
            sa.select(User.email).where(User.id == demo.admin_user_id)
        )
        candidates = await session.scalar(
            sa.select(sa.func.count()).where(Candidate.tenant_id == served.tenant_id)
        )
        personas = (
            await session.execute(
                sa.select(Persona.id).where(
                    Persona.tenant_id == served.tenant_id, Persona.name == "Made over gql"
                )
            )
        ).all()
    assert candidates
    assert batch == {"check": "http-batch", "email": admin_email, "candidates": candidates}

    persona = mutation["data"]["personaCreate"]
    assert persona["__typename"] == "PersonaCreateSuccess"
    assert persona["persona"]["name"] == "Made over gql"
    assert [to_global_id("Persona", row.id) for row in personas] == [persona["persona"]["id"]]

    for update, protocol in zip(updates, ("graphql-transport-ws", "graphql-ws"), strict=True):
        assert update["check"] == "ws-subscription" and update["protocol"] == protocol
        assert update["data"]["pipelineUpdates"] == {
            "kind": "MOVED",
            "jobId": served.job_global_id,
            "applicationId": to_global_id("Application", served.application_id),
            "stage": "Offer",
            "status": "ACTIVE",
        }


def curl_sh(served: Served, **env: str) -> Script:
    return Script(["sh", "curl.sh"], EXAMPLES, {**served.env(), **env})


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
async def test_curl_posts_gets_a_persisted_query_and_reads_server_sent_events(
    served: Served,
) -> None:
    jobs = await demo_jobs(served)
    async with curl_sh(served) as script:
        lines = [await script.line() for _ in range(6)]
        await script.finish()
    checks = [line["check"] for line in lines]
    assert checks == [
        "post",
        "get-hash-unknown",
        "get-hash-and-query",
        "get-hash-known",
        "sse-next",
        "sse-complete",
    ]
    post, unknown, registered, known, sse, complete = (line["response"] for line in lines)

    titles = post["data"]["jobs"]
    assert titles["totalCount"] == len(jobs)
    edges = titles["edges"]
    assert len(edges) == 3
    assert all(jobs[edge["node"]["id"]] == edge["node"]["title"] for edge in edges)

    [error] = unknown["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered == known == post, "the text once, then the hash alone runs it"
    assert sse == post and complete is None


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
async def test_curl_script_fails_when_a_request_fails(served: Served) -> None:
    async with curl_sh(served, TALENTGRAPH_TOKEN="not-a-token") as script:
        code = await asyncio.wait_for(script.process.wait(), 20)
        assert script.process.stdout is not None and script.process.stderr is not None
        printed = await script.process.stdout.read()
        errors = (await script.process.stderr.read()).decode()
    assert code != 0
    assert printed == b"", "nothing printed for the refused request"
    assert "401" in errors, errors
