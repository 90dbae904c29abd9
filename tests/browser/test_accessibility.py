"""The accessibility the pages claim, measured in a real Chromium in the light and the
dark colour scheme: text contrast, names of controls, alt text, one h1, a main
landmark, the page's language and a visible focus ring on every tab stop (see
``tests.support.a11y``), on every state of the landing page, the README page, GraphiQL's
own bar, the candidate's interview page and the pipeline board."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.async_api import expect

from gateway.interview_tokens import hash_token
from gateway.store.engine import create_engine
from gateway.store.enums import Role
from gateway.store.models import Interview
from tests.support.a11y import assert_accessible
from tests.support.browser import (
    WebGateway,
    guarded_page,
    save_screenshot,
)

APPLICATIONS = "query { applications(first: 40) { nodes { id } } }"
CREATE_INTERVIEW = """mutation($input: InterviewCreateInput!) { interviewCreate(input: $input) {
  __typename ... on InterviewCreateSuccess { token publicUrl } } }"""
JOBS = "{ jobs(first: 100) { nodes { id title applicationCount isActive } } }"


GATEWAY_SETTINGS = {"interview_max_questions": 1}
"""Interviews one question long."""


@pytest.fixture(params=["light", "dark"])
async def themed(
    request: pytest.FixtureRequest, browser: Any, web_gateway: WebGateway
) -> AsyncIterator[Any]:
    """A guarded page (see ``tests.support.browser``) in each colour scheme."""
    opened = await guarded_page(browser, web_gateway, color_scheme=request.param)
    opened.scheme = request.param
    yield opened
    await opened.context.close()
    assert opened.guard.offsite == [], opened.guard.offsite
    assert opened.guard.page_errors == [], opened.guard.page_errors


class Interviews:
    """Interviews created as the demo admin, each for an application of its own."""

    def __init__(self, gateway: WebGateway) -> None:
        self.gateway = gateway
        self.used: set[str] = set()

    async def create(self) -> tuple[str, str]:
        """A new interview's page and token."""
        applications = (await self.gateway.execute(APPLICATIONS))["applications"]["nodes"]
        for application in applications:
            if application["id"] in self.used:
                continue
            self.used.add(application["id"])
            variables = {"input": {"applicationId": application["id"]}}
            created = (await self.gateway.execute(CREATE_INTERVIEW, variables))["interviewCreate"]
            if created["__typename"] == "InterviewCreateSuccess":
                return urlsplit(created["publicUrl"]).path, created["token"]
        pytest.fail("no application takes an interview")


@pytest.fixture(scope="module")
def interviews(web_gateway: WebGateway) -> Interviews:
    return Interviews(web_gateway)


async def expire(gateway: WebGateway, token: str) -> None:
    engine = create_engine(gateway.env["TALENTGRAPH_DATABASE_URL"])
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.update(Interview)
                .where(Interview.token_hash == hash_token(token))
                .values(token_expires_at=datetime.now(UTC) - timedelta(minutes=5))
            )
    finally:
        await engine.dispose()


async def test_the_landing_page_is_accessible(themed: Any) -> None:
    await themed.goto("/")
    await expect(themed.get_by_role("heading", name="talentgraph", exact=True)).to_be_visible()
    await assert_accessible(themed)
    if themed.scheme == "dark":
        await save_screenshot(themed, "landing-dark")


async def test_the_readme_page_is_accessible(themed: Any) -> None:
    await themed.goto("/readme#in-a-browser")
    await expect(themed.get_by_role("heading", name="In a browser", exact=True)).to_be_visible()
    await assert_accessible(themed)


async def test_the_graphiql_bar_is_accessible(themed: Any) -> None:
    """GraphiQL itself is vendored; only the gateway's bar above it is checked."""
    await themed.goto("/graphql")
    await expect(themed.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()
    await expect(themed.get_by_role("button", name="Use the demo admin token")).to_be_visible()
    await assert_accessible(themed, scope=".tg-bar", structure=False)
    await themed.get_by_role("button", name="Use the demo admin token").click()
    await expect(themed.get_by_role("status")).to_contain_text("demo admin's token")
    await assert_accessible(themed, scope=".tg-bar", structure=False)


async def test_every_state_of_the_interview_page_is_accessible(
    themed: Any, web_gateway: WebGateway, interviews: Interviews
) -> None:
    path, _ = await interviews.create()
    await themed.goto(path)
    await expect(themed.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    await assert_accessible(themed)

    await themed.get_by_role("button", name="Start the interview").click()
    turns = themed.get_by_role("log").locator("li.interview-message-assistant[data-sequence]")
    await expect(turns).to_have_count(1)
    await themed.get_by_role("textbox", name="Your answer").fill("I rebuilt our reporting.")
    await assert_accessible(themed)
    if themed.scheme == "dark":
        await save_screenshot(themed, "interview-dark")

    await themed.get_by_role("button", name="Send answer").click()
    await expect(themed.get_by_role("heading", name=re.compile("^Thank you"))).to_be_visible()
    await assert_accessible(themed)

    expired, token = await interviews.create()
    await expire(web_gateway, token)
    await themed.goto(expired)
    await expect(
        themed.get_by_role("heading", name="This interview link has expired")
    ).to_be_visible()
    await assert_accessible(themed)

    for unknown in ("/interview/iv_" + "A" * 43, "/interview/not-a-token"):
        await themed.goto(unknown)
        await expect(
            themed.get_by_role("heading", name="We couldn't find this interview")
        ).to_be_visible()
        await assert_accessible(themed)


async def test_the_board_and_its_sign_in_are_accessible(
    themed: Any, web_gateway: WebGateway
) -> None:
    token = web_gateway.token(role=Role.RECRUITER)
    jobs = (await web_gateway.execute(JOBS, token=token))["jobs"]["nodes"]
    job = max((job for job in jobs if job["isActive"]), key=lambda job: job["applicationCount"])

    await themed.goto(f"/board#job={job['id']}")
    await expect(
        themed.get_by_role("heading", name="Sign in to the pipeline board")
    ).to_be_visible()
    await assert_accessible(themed)

    await themed.get_by_label("Access token").fill("eyJhbGciOiJIUzI1NiJ9.not-a-token.at-all")
    await themed.get_by_role("button", name="Sign in").click()
    await expect(themed.get_by_role("alert").filter(has_text="not accepted")).to_be_visible()
    await assert_accessible(themed)

    await themed.get_by_label("Access token").fill(token)
    await themed.get_by_role("button", name="Sign in").click()
    await expect(themed.get_by_role("heading", level=1)).to_have_text(job["title"])
    await expect(themed.locator(".board-live")).to_have_text("Live")
    await assert_accessible(themed)
    if themed.scheme == "dark":
        await save_screenshot(themed, "board-dark")
