"""The live pipeline board at ``/board``: sign in with a pasted token, pick a
requisition, read its funnel, and watch a stage move made through GraphQL arrive.

The live test moves an application of the Recruiterflow sandbox's requisition
(``tests.support.live_sandbox``): the move goes through the real write-back path, then
the event reaches the page over the WebSocket.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from playwright.async_api import expect

from gateway.store.enums import Role
from tests.support.browser import (
    WebGateway,
    save_screenshot,
)
from tests.support.live_sandbox import LiveJob

PIPELINE = """query($id: ID!) { job(id: $id) { title pipeline {
  staleAfterDays bottleneck { name }
  stages { name currentCount staleCount medianSeconds } } } }"""

JOBS = "{ jobs(first: 100) { nodes { id title applicationCount isActive } } }"

APPLICATIONS = """query($id: ID!) { job(id: $id) { applications(first: 100,
  filter: { status: [ACTIVE] }) { nodes { id candidate { name } currentStage { name } } } } }"""

MOVE = """mutation($input: ApplicationMoveStageInput!) { applicationMoveStage(input: $input) {
  __typename
  ... on ApplicationWriteSuccess { application { currentStage { name } } }
  ... on UserError { message code } } }"""


GATEWAY_SETTINGS = {"connector_allow_private_targets": "true"}
"""The gateway writes stage moves to the Recruiterflow sandbox on a loopback port."""


# --- helpers ----------------------------------------------------------------------------------


async def sign_in(page: Any, token: str) -> None:
    await page.get_by_label("Access token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def funnel_rows(page: Any) -> dict[str, tuple[int, int]]:
    """Stage -> (in stage now, stale) as the funnel's text alternative states them."""
    table = page.get_by_role("table", name=re.compile("^Funnel of"))
    rows = await table.locator("tbody tr").all()
    found = {}
    for row in rows:
        name = (await row.locator("th").inner_text()).strip()
        cells = [text.strip() for text in await row.locator("td").all_inner_texts()]
        found[name] = (int(cells[0]), int(cells[1]))
    return found


async def median_cells(page: Any) -> dict[str, str]:
    """Stage -> the median time in stage as the funnel's text alternative states it."""
    table = page.get_by_role("table", name=re.compile("^Funnel of"))
    headers = [text.strip() for text in await table.locator("thead th").all_inner_texts()]
    column_index = headers.index("Median time in stage") - 1
    found = {}
    for row in await table.locator("tbody tr").all():
        name = (await row.locator("th").inner_text()).strip()
        found[name] = (await row.locator("td").nth(column_index).inner_text()).strip()
    return found


async def page_duration(page: Any, seconds: float | None) -> str | None:
    """``seconds`` as the board's own formatter writes it."""
    shown: str | None = await page.evaluate(
        """async (seconds) =>
          (await import("/static/js/board-format.js")).humanDuration(seconds)""",
        seconds,
    )
    return shown


def column(page: Any, stage: str) -> Any:
    return page.locator(f'.board-column[data-stage-name="{stage}"]')


async def busiest_demo_job(gateway: WebGateway, token: str) -> dict[str, Any]:
    jobs = (await gateway.execute(JOBS, token=token))["jobs"]["nodes"]
    return max((job for job in jobs if job["isActive"]), key=lambda job: job["applicationCount"])


# --- tests --------------------------------------------------------------------------------------


async def test_a_bad_token_is_refused_with_a_clear_message(
    page: Any, web_gateway: WebGateway
) -> None:
    response = await page.goto("/board")
    assert response.status == 200
    await expect(page.get_by_role("heading", name="Sign in to the pipeline board")).to_be_visible()
    await save_screenshot(page, "board-signin")

    await page.get_by_label("Access token").fill("eyJhbGciOiJIUzI1NiJ9.not-a-token.at-all")
    await page.get_by_role("button", name="Sign in").click()

    alert = page.get_by_role("alert").filter(has_text="not accepted")
    await expect(alert).to_contain_text("may have expired")
    await expect(page.get_by_label("Access token")).to_be_visible()
    await expect(page.get_by_label("Access token")).to_have_value("")
    assert await page.evaluate("Object.keys(sessionStorage).length") == 0
    assert "token" not in page.url


async def test_the_funnel_shows_the_requisitions_numbers(
    page: Any, web_gateway: WebGateway
) -> None:
    token = web_gateway.token(role=Role.RECRUITER)
    job = await busiest_demo_job(web_gateway, token)
    expected = (await web_gateway.execute(PIPELINE, {"id": job["id"]}, token=token))["job"]
    stages = expected["pipeline"]["stages"]
    assert sum(stage["currentCount"] for stage in stages) > 0, "pick a job with applications"

    await page.goto("/board")
    await sign_in(page, token)
    picker = page.get_by_label("Requisition", exact=True)
    await page.get_by_label("Find a requisition").fill(job["title"].split()[0])
    option = picker.locator("option", has_text=job["title"]).first
    await picker.select_option(value=await option.get_attribute("value"))

    await expect(page).to_have_url(re.compile(r"#job="))
    assert token not in page.url
    await expect(page.get_by_role("heading", level=1)).to_have_text(job["title"])
    await expect(page.get_by_role("table", name=re.compile("^Funnel of"))).to_be_attached()
    shown = await funnel_rows(page)
    assert list(shown) == [stage["name"] for stage in stages], "every stage, in pipeline order"
    assert shown == {
        stage["name"]: (stage["currentCount"], stage["staleCount"]) for stage in stages
    }
    medians = await median_cells(page)
    assert any(stage["medianSeconds"] for stage in stages), "a job with completed stays"
    for stage in stages:
        bar = page.locator(f'.board-bar-row[data-stage-name="{stage["name"]}"]')
        await expect(bar.locator(".board-bar-count")).to_have_text(str(stage["currentCount"]))
        shown = await page_duration(page, stage["medianSeconds"])
        assert medians[stage["name"]] == (shown or "none yet"), stage
        await expect(bar.locator(".board-bar-median")).to_have_text(
            f"median {shown}" if shown else "no median yet"
        )
        await expect(column(page, stage["name"]).locator(".board-card")).to_have_count(
            stage["currentCount"]
        )
        if stage["staleCount"]:
            await expect(bar.locator(".board-badge-stale")).to_have_text(
                f"{stage['staleCount']} stale"
            )
    bottleneck = expected["pipeline"]["bottleneck"]
    if bottleneck:
        marked = page.locator(".board-bar-row.is-bottleneck")
        await expect(marked).to_have_attribute("data-stage-name", bottleneck["name"])
        await expect(marked).to_contain_text("Bottleneck")
    await expect(page.locator(".board-live")).to_have_text("Live")
    await save_screenshot(page, "board")

    await page.reload()
    await expect(page.get_by_role("heading", level=1)).to_have_text(job["title"])

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("Access token")).to_be_visible()
    assert await page.evaluate("Object.keys(sessionStorage).length") == 0


async def test_a_stage_move_reaches_the_board_within_a_second(
    page: Any, web_gateway: WebGateway, live_job: LiveJob
) -> None:
    token = web_gateway.token(role=Role.ADMIN)
    metrics_asked: list[float] = []
    refreshed = asyncio.Event()

    def on_request(sent: Any) -> None:
        if "BoardPipeline" in (sent.post_data or ""):
            metrics_asked.append(time.monotonic())
            refreshed.set()

    page.on("request", on_request)
    await page.goto(f"/board#job={live_job.id}")
    await sign_in(page, token)
    await expect(page.get_by_role("heading", level=1)).to_have_text(live_job.title)
    await expect(page.locator(".board-live")).to_have_text("Live")

    found = await web_gateway.execute(APPLICATIONS, {"id": live_job.id}, token=token)
    application = found["job"]["applications"]["nodes"][0]
    name = application["candidate"]["name"]
    before_stage = application["currentStage"]["name"]
    target = "Offer" if before_stage != "Offer" else "Client Interview"
    counts = await funnel_rows(page)
    await expect(column(page, before_stage).get_by_text(name)).to_be_visible()

    refreshed.clear()
    moved = await web_gateway.execute(
        MOVE, {"input": {"applicationId": application["id"], "stage": target}}, token=token
    )
    answered = time.monotonic()
    result = moved["applicationMoveStage"]
    assert result["__typename"] == "ApplicationWriteSuccess", result

    await expect(column(page, target).get_by_text(name)).to_be_visible(timeout=1000)
    assert time.monotonic() - answered < 1.0
    await expect(column(page, before_stage).get_by_text(name)).to_have_count(0, timeout=1000)
    await expect(column(page, target).locator(".board-column-count")).to_have_text(
        str(counts.get(target, (0, 0))[0] + 1), timeout=1000
    )
    await expect(column(page, before_stage).locator(".board-column-count")).to_have_text(
        str(counts[before_stage][0] - 1)
    )
    after = await funnel_rows(page)
    assert after[target][0] == counts.get(target, (0, 0))[0] + 1
    assert after[before_stage][0] == counts[before_stage][0] - 1
    await asyncio.wait_for(refreshed.wait(), 5)
    await asyncio.sleep(1.5)
    assert len([at for at in metrics_asked if at > answered]) == 1, "one debounced re-fetch"
    api = (await web_gateway.execute(PIPELINE, {"id": live_job.id}, token=token))["job"]
    assert {s["name"]: s["currentCount"] for s in api["pipeline"]["stages"]} == {
        stage: now for stage, (now, _stale) in after.items()
    }


async def test_on_a_phone_only_the_columns_scroll_sideways(
    page: Any, web_gateway: WebGateway
) -> None:
    token = web_gateway.token(role=Role.RECRUITER)
    job = await busiest_demo_job(web_gateway, token)
    await page.set_viewport_size({"width": 375, "height": 740})
    await page.goto(f"/board#job={job['id']}")
    await sign_in(page, token)
    await expect(page.get_by_role("heading", level=1)).to_have_text(job["title"])
    await expect(page.locator(".board-live")).to_have_text("Live")

    widths = await page.evaluate(
        """() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth,
          columns: document.getElementById('board-columns').scrollWidth,
          area: document.getElementById('board-columns').clientWidth })"""
    )
    assert widths["page"] <= widths["view"] == 375, widths
    assert widths["columns"] > widths["area"], "the stage columns scroll inside their area"
    columns = page.get_by_role("region", name=re.compile("Stage columns"))
    await columns.focus()
    await page.keyboard.press("End")
    assert await columns.evaluate("node => node.scrollLeft") > 0, "the keyboard scrolls them"
    await save_screenshot(page, "board-phone")


async def test_durations_read_as_people_write_them(page: Any) -> None:
    await page.goto("/board")
    written = {
        seconds: await page_duration(page, seconds)
        for seconds in (None, 45, 600, 5 * 3600, 23.99 * 3600, 86400, 3.2 * 86400, 12.4 * 86400)
    }
    assert written == {
        None: None,
        45: "under a minute",
        600: "10 min",
        5 * 3600: "5 h",
        23.99 * 3600: "1 day",
        86400: "1 day",
        3.2 * 86400: "3.2 days",
        12.4 * 86400: "12 days",
    }
