"""A whole self-service interview, live across processes: two ``talentgraph serve``
processes share PostgreSQL and Redis and no model is configured (the offline
interviewer). A candidate takes the interview over plain HTTP on gateway A, with only
the token; a recruiter watches it on gateway B over WebSocket and sees every message,
the interviewer's replies as they stream, and the completion; the evaluation is there
at the end."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from gateway.store.models import Application, Integration
from resolvers.relay import to_global_id
from tests.support.gateway import running_gateway
from tests.support.processes import process_env, processes, talentgraph, until_ready
from tests.support.serving import free_port

CREATE = """mutation($input: InterviewCreateInput!) { interviewCreate(input: $input) {
  __typename ... on InterviewCreateSuccess { token interview { id } } } }"""
WATCH = """subscription($id: ID!) { interviewChat(interviewId: $id) {
  kind sequence role content delta status } }"""
START = """mutation($token: String!) { publicInterviewStart(input: {token: $token}) {
  __typename ... on PublicInterviewStartSuccess { interview { status messages { content } } }
  ... on PublicInterviewError { code message } } }"""
ANSWER = """mutation($token: String!, $content: String!) {
  publicInterviewSendMessage(input: {token: $token, content: $content}) {
    __typename
    ... on PublicInterviewSendMessageSuccess { completed interviewerMessage { sequence content } }
    ... on PublicInterviewError { code message } } }"""
EVALUATION = """query($id: ID!) { node(id: $id) { ... on Interview { status
  evaluation { overallScore recommendation summary } } } }"""


async def graphql(
    http: httpx.AsyncClient, port: int, query: str, variables: dict[str, Any], token: str | None
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
    )
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


async def test_a_candidate_interview_on_one_gateway_is_watched_live_on_another(
    private_postgres_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    prefix = f"{redis_prefix}live-{uuid.uuid4().hex[:6]}"
    async with running_gateway(
        private_postgres_url, redis_url=redis_url, redis_prefix=prefix
    ) as setup:
        async with setup.app.state.session_factory() as session:
            application_id = await session.scalar(
                sa.select(Application.id)
                .join(Integration, Integration.id == Application.integration_id)
                .where(Application.tenant_id == setup.tenants["demo"].tenant_id)
                .order_by(Application.id)
                .limit(1)
            )
        created = (
            await setup.execute(
                CREATE,
                {"input": {"applicationId": to_global_id("Application", int(application_id))}},
            )
        )["interviewCreate"]
        assert created["__typename"] == "InterviewCreateSuccess", created
        candidate_token, interview_id = created["token"], created["interview"]["id"]
        recruiter_token = setup.token()

    env = process_env(private_postgres_url, redis_url, prefix, interview_max_questions=3)
    a_port, b_port = free_port(), free_port()
    logs = [tmp_path / "serve-a.log", tmp_path / "serve-b.log"]
    with processes(
        talentgraph(["serve", "--port", str(a_port)], env, logs[0]),
        talentgraph(["serve", "--port", str(b_port)], env, logs[1]),
    ):
        async with httpx.AsyncClient(timeout=30) as http:
            await until_ready(http, a_port, logs[0])
            await until_ready(http, b_port, logs[1])
            async with connect(
                f"ws://127.0.0.1:{b_port}/graphql",
                subprotocols=[Subprotocol("graphql-transport-ws")],
            ) as watcher:
                await watcher.send(
                    orjson.dumps(
                        {
                            "type": "connection_init",
                            "payload": {"authorization": f"Bearer {recruiter_token}"},
                        }
                    ).decode()
                )
                assert orjson.loads(await watcher.recv()) == {"type": "connection_ack"}
                subscribe = {"query": WATCH, "variables": {"id": interview_id}}
                await watcher.send(
                    orjson.dumps({"type": "subscribe", "id": "w", "payload": subscribe}).decode()
                )
                seen: list[dict[str, Any]] = []

                async def watch() -> None:
                    while True:
                        frame = orjson.loads(await watcher.recv())
                        assert frame["type"] == "next", frame
                        event = frame["payload"]["data"]["interviewChat"]
                        seen.append(event)
                        if event["kind"] == "STATUS" and event["status"] == "COMPLETED":
                            return

                watching = asyncio.create_task(watch())
                await asyncio.sleep(0.3)  # the subscription is registered on B's bus

                started = await graphql(http, a_port, START, {"token": candidate_token}, None)
                assert started["publicInterviewStart"]["__typename"] == (
                    "PublicInterviewStartSuccess"
                ), started
                said: list[str] = [
                    m["content"] for m in started["publicInterviewStart"]["interview"]["messages"]
                ]
                answers = 0
                while True:
                    answers += 1
                    reply = (
                        await graphql(
                            http,
                            a_port,
                            ANSWER,
                            {
                                "token": candidate_token,
                                "content": f"Answer {answers}: I led a team to a deadline "
                                "and kept the customer informed.",
                            },
                            None,
                        )
                    )["publicInterviewSendMessage"]
                    assert reply["__typename"] == "PublicInterviewSendMessageSuccess", reply
                    said.append(f"Answer {answers}")
                    said.append(reply["interviewerMessage"]["content"])
                    if reply["completed"]:
                        break
                    assert answers < 20, "the offline interviewer never closed the interview"
                try:
                    await asyncio.wait_for(watching, 20)
                finally:
                    watching.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await watching

            messages = [e for e in seen if e["kind"] == "MESSAGE"]
            assert [m["role"] for m in messages].count("CANDIDATE") == answers
            interviewer = [m["content"] for m in messages if m["role"] != "CANDIDATE"]
            assert interviewer == [s for s in said if not s.startswith("Answer ")]
            assert [m["sequence"] for m in messages] == sorted(m["sequence"] for m in messages)
            assert any(e["kind"] == "DELTA" for e in seen), "replies stream to watchers"
            statuses = [e["status"] for e in seen if e["kind"] == "STATUS"]
            assert statuses == ["IN_PROGRESS", "COMPLETED"]

            evaluated = await graphql(
                http, b_port, EVALUATION, {"id": interview_id}, recruiter_token
            )
            interview = evaluated["node"]
            assert interview["status"] == "COMPLETED"
            assert interview["evaluation"] is not None
            assert 0 <= interview["evaluation"]["overallScore"] <= 100
