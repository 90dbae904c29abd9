"""gql, the Python GraphQL client, against talentgraph: over HTTP (its HTTPX transport)
relay pagination, a batch and a mutation; over WebSocket (its websockets transport) a
query and a subscription in each subprotocol the gateway serves, graphql-transport-ws
and the legacy graphql-ws.

    pip install "gql[httpx,websockets]>=4.4"
    TALENTGRAPH_URL=http://127.0.0.1:8000/graphql TALENTGRAPH_WS_URL=ws://127.0.0.1:8000/graphql \\
      TALENTGRAPH_TOKEN=<jwt> TALENTGRAPH_JOB_ID=<a Job's global id> python gql_client.py

Prints one JSON line per result; "subscribed" as each subscription is sent, then the
first pipeline update of the job that arrives (move one of its applications to see
it). Exits non-zero, with gql's error, when anything fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from typing import Any

from gql import Client, GraphQLRequest, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

URL = os.environ["TALENTGRAPH_URL"]
WS_URL = os.environ["TALENTGRAPH_WS_URL"]
TOKEN = os.environ["TALENTGRAPH_TOKEN"]
JOB_ID = os.environ["TALENTGRAPH_JOB_ID"]

PAGE_SIZE = 2

JOBS_PAGE = gql(
    """
    query JobsPage($first: Int!, $after: String) {
      jobs(first: $first, after: $after) {
        totalCount
        edges { cursor node { id title } }
        pageInfo { hasNextPage endCursor }
      }
    }
    """
)
ME = gql("query Me { me { email } }")
CANDIDATE_COUNT = gql("query Count { candidates { totalCount } }")
CREATE_PERSONA = gql(
    """
    mutation Create($name: String!, $template: String!) {
      personaCreate(input: {name: $name, systemPromptTemplate: $template}) {
        __typename
        ... on PersonaCreateSuccess { persona { id name } }
      }
    }
    """
)
JOB = gql("query Job($id: ID!) { job(id: $id) { id title } }")
MOVES = gql(
    """
    subscription Moves($jobId: ID!) {
      pipelineUpdates(jobId: $jobId) { kind jobId applicationId stage status }
    }
    """
)


def emit(line: dict[str, Any]) -> None:
    print(json.dumps(line), flush=True)


async def over_http() -> None:
    transport = HTTPXAsyncTransport(url=URL, headers={"authorization": f"Bearer {TOKEN}"})
    async with Client(transport=transport) as session:
        # relay pagination: follow endCursor until the last page
        nodes: list[dict[str, Any]] = []
        pages = 0
        after: str | None = None
        while True:
            result = await session.execute(
                GraphQLRequest(JOBS_PAGE, variable_values={"first": PAGE_SIZE, "after": after})
            )
            jobs = result["jobs"]
            pages += 1
            nodes += [edge["node"] for edge in jobs["edges"]]
            if not jobs["pageInfo"]["hasNextPage"]:
                break
            after = jobs["pageInfo"]["endCursor"]
        emit(
            {
                "check": "http-paged",
                "totalCount": jobs["totalCount"],
                "pages": pages,
                "ids": [node["id"] for node in nodes],
                "titles": [node["title"] for node in nodes],
            }
        )
        # two operations in one request (the gateway answers JSON arrays)
        me, count = await session.execute_batch([ME, CANDIDATE_COUNT])
        emit(
            {
                "check": "http-batch",
                "email": me["me"]["email"],
                "candidates": count["candidates"]["totalCount"],
            }
        )
        created = await session.execute(
            GraphQLRequest(
                CREATE_PERSONA,
                variable_values={
                    "name": "Made over gql",
                    "template": "You interview for {{job_title}}.",
                },
            )
        )
        emit({"check": "http-mutation", "data": created})


async def over_websocket(subprotocol: str) -> None:
    transport = WebsocketsTransport(
        url=WS_URL,
        subprotocols=[subprotocol],
        init_payload={"authorization": f"Bearer {TOKEN}"},
    )
    async with Client(transport=transport) as session:
        job = await session.execute(GraphQLRequest(JOB, variable_values={"id": JOB_ID}))
        emit({"check": "ws-query", "protocol": transport.subprotocol, "data": job})
        updates = session.subscribe(GraphQLRequest(MOVES, variable_values={"jobId": JOB_ID}))
        emit({"check": "subscribed", "protocol": transport.subprotocol})
        async with contextlib.aclosing(updates):  # stops the subscription on the server
            update = await anext(updates)
        emit({"check": "ws-subscription", "protocol": transport.subprotocol, "data": update})


async def main() -> None:
    await over_http()
    for subprotocol in (
        WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL,  # "graphql-transport-ws"
        WebsocketsTransport.APOLLO_SUBPROTOCOL,  # "graphql-ws", the legacy one
    ):
        await over_websocket(subprotocol)


if __name__ == "__main__":
    asyncio.run(main())
