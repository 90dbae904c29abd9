"""GraphiQL on ``/graphql``, served by the gateway alone: it renders with every other
origin blocked, opens on the talentgraph example and the headers template, runs
queries with a pasted token, runs subscriptions over the gateway's WebSocket with the
headers' Authorization, and in development fills in the demo admin's token.

The gateway is the browser tests' own ``talentgraph serve`` over the standard test
store, whose ``demo`` tenant is what the demo token button looks for. The subscription
hears a stage move of an application synced from the Recruiterflow sandbox
(``tests.support.live_sandbox``), so the move is written back to a running source as in
the demo; the demo itself (``talentgraph demo``) is tested in ``tests/demo``."""

from __future__ import annotations

import json
from typing import Any

from playwright.async_api import expect

from tests.support.browser import WebGateway, save_screenshot
from tests.support.live_sandbox import LiveJob

PLACEHOLDER = "Bearer <paste a token from: talentgraph token>"
EXAMPLE_JOBS = """{ jobs(first: 5, filter: {status: [OPEN]}) { nodes { id title } } }"""
LIVE_APPLICATION = """query($id: ID!) { job(id: $id) {
  applications(first: 1, filter: {status: [ACTIVE]}) { nodes { id currentStage { name } } }
} }"""
MOVE = """mutation($input: ApplicationMoveStageInput!) { applicationMoveStage(input: $input) {
  __typename ... on ApplicationWriteSuccess { application { currentStage { name } } }
} }"""


GATEWAY_SETTINGS = {"connector_allow_private_targets": "true"}
"""The gateway writes stage moves to the Recruiterflow sandbox on a loopback port."""


async def editor_text(page: Any, editor: str) -> str:
    """The whole text of GraphiQL's ``query`` or ``headers`` editor (CodeMirror renders
    only the lines in view)."""
    selector = {
        "query": ".graphiql-query-editor .CodeMirror",
        "headers": ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror",
    }[editor]
    text: str = await page.locator(selector).evaluate("element => element.CodeMirror.getValue()")
    return text


async def set_editor(page: Any, editor: str, text: str) -> None:
    selector = {
        "query": ".graphiql-query-editor .CodeMirror",
        "headers": ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror",
    }[editor]
    await page.locator(selector).evaluate(
        "(element, text) => element.CodeMirror.setValue(text)", text
    )
    if editor == "query":
        # GraphiQL reads the operation name from an edit 100 ms after it happens; the
        # same step stores the query, then React renders the new name.
        await page.wait_for_function(
            "(text) => localStorage.getItem('graphiql:query') === text", arg=text
        )
        await page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")


async def open_graphiql(page: Any) -> None:
    response = await page.goto("/graphql")
    assert response.status == 200
    await expect(page).to_have_title("talentgraph GraphiQL")
    await expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()


def response_pane(page: Any) -> Any:
    return page.locator(".graphiql-response")


async def test_graphiql_renders_offline_on_the_example_and_the_headers_template(
    page: Any, web_gateway: WebGateway
) -> None:
    await open_graphiql(page)
    query = await editor_text(page, "query")
    assert "query OpenJobs {" in query
    assert "pipelineUpdates(jobId:" in query, "points at a subscription example"
    headers = json.loads(await editor_text(page, "headers"))
    assert headers == {"Authorization": PLACEHOLDER}
    scripts = await page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    assert scripts and all(src.startswith(web_gateway.base_url + "/static/") for src in scripts)
    await page.get_by_role("button", name="Show GraphiQL Explorer").click()
    await expect(page.locator(".graphiql-explorer-root")).to_contain_text("pipelineMetrics")
    await save_screenshot(page, "graphiql")


async def test_the_example_query_runs_with_a_pasted_token(
    page: Any, web_gateway: WebGateway
) -> None:
    expected = (await web_gateway.execute(EXAMPLE_JOBS))["jobs"]["nodes"]
    await open_graphiql(page)
    await set_editor(
        page, "headers", json.dumps({"Authorization": f"Bearer {web_gateway.token()}"})
    )
    await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    await expect(response_pane(page)).to_contain_text(expected[0]["title"])
    answer = json.loads(
        await response_pane(page)
        .locator(".CodeMirror")
        .evaluate("element => element.CodeMirror.getValue()")
    )
    assert [job["id"] for job in answer["data"]["jobs"]["nodes"]] == [j["id"] for j in expected]


async def test_without_a_token_the_answer_says_so(page: Any, web_gateway: WebGateway) -> None:
    await open_graphiql(page)
    await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    await expect(response_pane(page)).to_contain_text("UNAUTHENTICATED")


async def test_a_subscription_started_in_graphiql_receives_a_stage_move(
    page: Any, web_gateway: WebGateway, live_job: LiveJob
) -> None:
    found = await web_gateway.execute(LIVE_APPLICATION, {"id": live_job.id})
    application = found["job"]["applications"]["nodes"][0]
    stage = "Offer" if application["currentStage"]["name"] != "Offer" else "Client Interview"
    token = web_gateway.token()
    sent: list[str] = []

    def record(socket: Any) -> None:
        socket.on("framesent", lambda payload: sent.append(payload))

    page.on("websocket", record)

    await open_graphiql(page)
    await set_editor(page, "headers", json.dumps({"Authorization": f"Bearer {token}"}))
    await set_editor(
        page,
        "query",
        f'subscription PipelineUpdates {{\n  pipelineUpdates(jobId: "{live_job.id}") {{\n'
        "    kind\n    stage\n    previousStage\n    applicationId\n  }\n}\n",
    )
    opened = await web_gateway.bus_subscriptions_opened()
    await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    await web_gateway.until_bus_subscriptions_opened(opened + 1)

    moved = await web_gateway.execute(
        MOVE, {"input": {"applicationId": application["id"], "stage": stage}}
    )
    assert moved["applicationMoveStage"]["__typename"] == "ApplicationWriteSuccess", moved
    await expect(response_pane(page)).to_contain_text('"kind": "MOVED"', timeout=15_000)
    await expect(response_pane(page)).to_contain_text(f'"stage": "{stage}"')
    await expect(response_pane(page)).to_contain_text(application["id"])

    assert page.guard.sockets == [web_gateway.base_url.replace("http", "ws", 1) + "/graphql"]
    init = json.loads(sent[0])
    assert init["type"] == "connection_init"
    assert init["payload"]["Authorization"] == f"Bearer {token}", "the headers editor's token"
    await save_screenshot(page, "graphiql-subscription")


async def test_the_demo_admin_token_button_fills_the_headers_in_development(
    page: Any, web_gateway: WebGateway
) -> None:
    expected = (await web_gateway.execute(EXAMPLE_JOBS))["jobs"]["nodes"]
    await open_graphiql(page)
    await page.get_by_role("button", name="Use the demo admin token").click()
    await expect(page.get_by_role("status")).to_have_text(
        "The demo admin's token is in the headers."
    )
    headers = json.loads(await editor_text(page, "headers"))
    assert headers["Authorization"].startswith("Bearer ey")
    me = await web_gateway.execute(
        "{ me { role email } }", token=headers["Authorization"].removeprefix("Bearer ")
    )
    assert me["me"] == {"role": "ADMIN", "email": "admin@demo.example"}
    await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    await expect(response_pane(page)).to_contain_text(expected[0]["title"])
