"""The candidate's interview page at ``/interview/<token>``, in a real Chromium against
a real ``talentgraph serve`` with the offline interviewer: a whole interview taken
with the replies streaming in, by keyboard alone and on a phone, asking for a person,
the pages of expired, cancelled and unknown links, and the token kept out of the
server's log."""

from __future__ import annotations

import asyncio
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
from gateway.store.models import Interview
from tests.support.browser import (
    WebGateway,
    guarded_page,
    save_screenshot,
)

QUESTIONS = 3

APPLICATIONS = "query { applications(first: 40) { nodes { id } } }"
CREATE = """mutation($input: InterviewCreateInput!) { interviewCreate(input: $input) {
  __typename ... on InterviewCreateSuccess { token publicUrl interview { id } }
  ... on ValidationError { message } } }"""
CANCEL = """mutation($id: ID!) { interviewCancel(input: {interviewId: $id}) { __typename } }"""
RECRUITER_VIEW = """query($id: ID!) { node(id: $id) { ... on Interview {
  status humanRequested } } }"""
PUBLIC = """query($token: String!) { publicInterview(token: $token) {
  ... on PublicInterview { company position candidateName } } }"""

ANSWERS = [
    "I led the migration of our reporting to a new warehouse; for example, I cut the "
    "nightly load from 6 hours to 40 minutes.",
    "When a stakeholder disagreed with my numbers, I walked them through the query and "
    "we found a filter they had missed.",
    "I want to grow into a role where I own the data model end to end.",
]

STREAM_WATCH = """() => {
  window.streamed = [];
  const log = document.getElementById("interview-log");
  new MutationObserver(() => {
    const bubble = log.querySelector(".interview-message-streaming");
    if (bubble) {
      window.streamed.push({
        length: bubble.querySelector(".interview-text").textContent.length,
        hidden: bubble.getAttribute("aria-hidden"),
      });
    }
  }).observe(log, { childList: true, subtree: true, characterData: true });
}"""


GATEWAY_SETTINGS = {"interview_max_questions": QUESTIONS}


class Invitations:
    """Interviews created as the demo admin, each for an application of its own."""

    def __init__(self, gateway: WebGateway) -> None:
        self.gateway = gateway
        self.applications: list[str] = []
        self.tokens: list[str] = []

    async def create(self) -> dict[str, Any]:
        """Skips applications that take no interview (e.g. closed ones)."""
        if not self.applications:
            data = await self.gateway.execute(APPLICATIONS)
            self.applications = [node["id"] for node in data["applications"]["nodes"]]
        refusals = []
        while self.applications:
            application_id = self.applications.pop(0)
            data = await self.gateway.execute(CREATE, {"input": {"applicationId": application_id}})
            created: dict[str, Any] = data["interviewCreate"]
            if created["__typename"] == "InterviewCreateSuccess":
                break
            refusals.append(created)
        else:
            pytest.fail(f"no application takes an interview: {refusals}")
        self.tokens.append(created["token"])
        created["path"] = urlsplit(created["publicUrl"]).path
        assert created["path"] == f"/interview/{created['token']}"
        return created


@pytest.fixture(scope="module")
def invitations(web_gateway: WebGateway) -> Invitations:
    return Invitations(web_gateway)


@pytest.fixture
async def phone(browser: Any, web_gateway: WebGateway) -> AsyncIterator[Any]:
    opened = await guarded_page(
        browser, web_gateway, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    yield opened
    await opened.context.close()
    assert opened.guard.offsite == [], opened.guard.offsite
    assert opened.guard.page_errors == [], opened.guard.page_errors


def heading(page: Any, name: str | re.Pattern[str]) -> Any:
    return page.get_by_role("heading", name=name)


def interviewer_turns(page: Any) -> Any:
    return page.get_by_role("log").locator("li.interview-message-assistant[data-sequence]")


async def answer(page: Any, text: str) -> None:
    turns = await interviewer_turns(page).count()
    await page.get_by_role("textbox", name="Your answer").fill(text)
    await page.get_by_role("button", name="Send answer").click()
    await expect(interviewer_turns(page)).to_have_count(turns + 1)


async def assert_every_control_is_named(page: Any) -> None:
    """Playwright's accessibility tree: no button, textbox or progress bar unnamed."""
    tree = await page.locator("body").aria_snapshot()
    for line in tree.splitlines():
        control = re.match(r"\s*- (button|textbox|progressbar|link)\b(.*)", line)
        if control:
            assert control.group(2).startswith(' "'), f"a control without a name: {line}"


async def assert_fits_the_screen(page: Any) -> None:
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"horizontal scroll at this width: {widths}"


async def test_a_candidate_takes_the_whole_interview(
    page: Any, web_gateway: WebGateway, invitations: Invitations
) -> None:
    invitation = await invitations.create()
    public = (await web_gateway.execute(PUBLIC, {"token": invitation["token"]}))["publicInterview"]
    sent: list[tuple[str, dict[str, str]]] = []

    async def record(request: Any) -> None:
        sent.append((request.url, await request.all_headers()))

    page.on("request", record)

    response = await page.goto(invitation["path"])
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert await page.evaluate("() => document.referrer") == ""

    await expect(page.get_by_role("heading", level=1)).to_have_text(public["position"])
    await expect(page.get_by_role("banner")).to_contain_text(public["company"])
    await expect(page.get_by_role("banner")).to_contain_text(re.compile(r"Open until .+\(in "))
    await expect(heading(page, f"Welcome, {public['candidateName']}")).to_be_visible()
    await expect(page.get_by_role("main")).to_contain_text(f"There are {QUESTIONS} questions")
    await expect(page.get_by_role("contentinfo")).to_be_visible()
    await assert_every_control_is_named(page)
    await save_screenshot(page, "interview-welcome")

    await page.evaluate(STREAM_WATCH)
    await page.get_by_role("button", name="Start the interview").click()
    log = page.get_by_role("log")
    await expect(log).to_have_attribute("aria-live", "polite")
    await expect(interviewer_turns(page)).to_have_count(1)
    await expect(log).to_contain_text(f"Hi {public['candidateName']}")
    progress = page.get_by_role("progressbar", name="Questions answered")
    await expect(progress).to_have_attribute("max", str(QUESTIONS))
    await expect(page.get_by_text(f"0 of {QUESTIONS} answered")).to_be_visible()

    await answer(page, ANSWERS[0])
    await expect(page.get_by_text(f"1 of {QUESTIONS} answered")).to_be_visible()
    await expect(log.locator("li.interview-message-candidate")).to_have_count(1)
    await expect(log.locator("li.interview-message-candidate")).to_contain_text("nightly load")
    await assert_every_control_is_named(page)
    await save_screenshot(page, "interview-chat")

    for text in ANSWERS[1:]:
        await answer(page, text)
    await expect(heading(page, f"Thank you, {public['candidateName']}!")).to_be_visible()
    await expect(page.get_by_role("main")).to_contain_text("Your interview is complete")
    await expect(page.get_by_role("textbox", name="Your answer")).to_be_hidden()
    await expect(page.get_by_text(f"{QUESTIONS} of {QUESTIONS} answered")).to_be_visible()
    assert await log.locator("[data-sequence]").count() == 2 * QUESTIONS + 1
    assert await log.locator(".interview-message-streaming").count() == 0
    await save_screenshot(page, "interview-complete")

    streamed: list[dict[str, Any]] = await page.evaluate("() => window.streamed")
    lengths = sorted({entry["length"] for entry in streamed})
    assert len(lengths) >= 10, f"the replies did not stream in: {streamed[:20]}"
    assert {entry["hidden"] for entry in streamed} == {"true"}, (
        "the streaming reply must be hidden from assistive technology until it is whole"
    )

    recruiter = await web_gateway.execute(RECRUITER_VIEW, {"id": invitation["interview"]["id"]})
    assert recruiter["node"]["status"] == "COMPLETED"

    page_url = web_gateway.base_url + invitation["path"]
    assert [url for url, _ in sent if invitation["token"] in url] == [page_url], (
        "the token is in the page's own address only"
    )
    assert len(sent) > 5 and all("referer" not in headers for _, headers in sent), (
        "no request of the page says where it came from"
    )

    await page.reload()
    await expect(heading(page, f"Thank you, {public['candidateName']}!")).to_be_visible()
    await expect(interviewer_turns(page)).to_have_count(QUESTIONS + 1)


async def test_the_interview_works_with_the_keyboard_alone(
    page: Any, invitations: Invitations
) -> None:
    invitation = await invitations.create()
    await page.goto(invitation["path"])
    start = page.get_by_role("button", name="Start the interview")
    await expect(start).to_be_visible()
    for _ in range(12):
        await page.keyboard.press("Tab")
        if await start.evaluate("(button) => button === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the start button")
    outline = await start.evaluate("(button) => getComputedStyle(button).outlineStyle")
    assert outline != "none", "the focused button shows no focus ring"
    await page.keyboard.press("Enter")

    await expect(interviewer_turns(page)).to_have_count(1)
    answer_box = page.get_by_role("textbox", name="Your answer")
    await expect(answer_box).to_be_focused()
    await page.keyboard.type("First line of my answer.")
    await page.keyboard.press("Shift+Enter")
    await page.keyboard.type("Second line.")
    await expect(answer_box).to_have_value("First line of my answer.\nSecond line.")
    await expect(page.get_by_text("37 / 4000 characters")).to_be_visible()
    await page.keyboard.press("Enter")

    await expect(interviewer_turns(page)).to_have_count(2)
    candidate = page.get_by_role("log").locator("li.interview-message-candidate")
    await expect(candidate).to_have_count(1)
    await expect(candidate.locator(".interview-text")).to_have_text(
        "First line of my answer.\nSecond line."
    )
    await expect(answer_box).to_have_value("")
    await expect(page.get_by_role("button", name="Send answer")).to_be_enabled()


async def test_without_the_live_stream_the_replies_still_come_whole(
    page: Any, invitations: Invitations
) -> None:
    refused: list[str] = []

    async def refuse(socket: Any) -> None:
        refused.append(socket.url)
        await socket.close(code=1011, reason="unavailable")

    await page.route_web_socket(re.compile(r"/graphql$"), refuse)
    invitation = await invitations.create()
    await page.goto(invitation["path"])
    await page.get_by_role("button", name="Start the interview").click()
    await expect(interviewer_turns(page)).to_have_count(1)
    await answer(page, ANSWERS[0])
    await expect(page.get_by_text(f"1 of {QUESTIONS} answered")).to_be_visible()
    assert refused, "the page never tried the stream"


async def test_a_reconnected_stream_shows_every_message_once(
    page: Any, invitations: Invitations, web_gateway: WebGateway
) -> None:
    sockets: list[Any] = []
    deltas_on: list[int] = []

    async def through(socket: Any) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    def count_deltas(socket: Any) -> None:
        number = len(deltas_on)
        deltas_on.append(0)

        def received(payload: Any) -> None:
            if '"kind":"DELTA"' in str(payload):
                deltas_on[number] += 1

        socket.on("framereceived", received)

    await page.route_web_socket(re.compile(r"/graphql$"), through)
    page.on("websocket", count_deltas)
    invitation = await invitations.create()
    await page.goto(invitation["path"])
    await page.get_by_role("button", name="Start the interview").click()
    await expect(interviewer_turns(page)).to_have_count(1)
    await answer(page, ANSWERS[0])
    opened = await web_gateway.bus_subscriptions_opened()

    async with page.expect_websocket(timeout=10_000):
        await sockets[-1].close(code=1012, reason="restart")
    await web_gateway.until_bus_subscriptions_opened(opened + 1)
    await page.wait_for_load_state("networkidle")  # the page's resync after reconnecting
    for text in ANSWERS[1:]:
        await answer(page, text)
    assert len(deltas_on) == 2 and deltas_on[1] > 0, f"no stream after reconnecting: {deltas_on}"
    await expect(page.get_by_role("heading", name=re.compile("^Thank you"))).to_be_visible()
    sequences = (
        await page.get_by_role("log")
        .locator("[data-sequence]")
        .evaluate_all("(items) => items.map((item) => Number(item.dataset.sequence))")
    )
    assert sequences == list(range(1, 2 * QUESTIONS + 2)), sequences


async def test_an_empty_or_too_long_answer_is_explained_not_sent(
    page: Any, invitations: Invitations
) -> None:
    invitation = await invitations.create()
    await page.goto(invitation["path"])
    await page.get_by_role("button", name="Start the interview").click()
    await expect(interviewer_turns(page)).to_have_count(1)

    await page.get_by_role("button", name="Send answer").click()
    await expect(page.get_by_role("alert")).to_have_text("Write your answer first, then send it.")

    box = page.get_by_role("textbox", name="Your answer")
    await box.fill("x" * 4005)
    await expect(page.get_by_text("5 characters over the limit of 4000")).to_be_visible()
    await box.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("please keep it to 4000")
    await expect(box).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("log").locator("li.interview-message-candidate")).to_have_count(0)
    await box.fill("A short answer.")
    await expect(box).to_have_attribute("aria-invalid", "false")
    await expect(page.get_by_role("alert")).to_have_count(0)


async def test_the_candidate_can_ask_for_a_person(
    page: Any, web_gateway: WebGateway, invitations: Invitations
) -> None:
    invitation = await invitations.create()
    await page.goto(invitation["path"])
    ask = page.get_by_role("button", name="Ask for a person")
    await expect(ask).to_have_attribute("aria-expanded", "false")
    await ask.click()
    await expect(ask).to_have_attribute("aria-expanded", "true")
    note = page.get_by_role("textbox", name="Anything you'd like them to know? (optional)")
    await expect(note).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(note).to_be_hidden()
    await expect(ask).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(note).to_be_focused()
    await note.fill("Could we talk by phone instead?")
    await expect(page.get_by_text("31 / 1000 characters")).to_be_visible()
    await page.get_by_role("button", name="Send request").click()

    done = page.get_by_role("status").filter(has_text="We've let the recruiting team")
    await expect(done).to_be_visible()
    await expect(done).to_be_focused()
    await expect(ask).to_be_hidden()
    recruiter = await web_gateway.execute(RECRUITER_VIEW, {"id": invitation["interview"]["id"]})
    assert recruiter["node"]["humanRequested"] is True
    await save_screenshot(page, "interview-human-requested")

    await page.reload()
    await expect(page.get_by_text("We've let the recruiting team")).to_be_visible()
    await expect(page.get_by_role("button", name="Start the interview")).to_be_visible()


async def _expire(web_gateway: WebGateway, token: str) -> None:
    engine = create_engine(web_gateway.env["TALENTGRAPH_DATABASE_URL"])
    try:
        async with engine.begin() as connection:
            updated = await connection.execute(
                sa.update(Interview)
                .where(Interview.token_hash == hash_token(token))
                .values(token_expires_at=datetime.now(UTC) - timedelta(minutes=5))
            )
            assert updated.rowcount == 1
    finally:
        await engine.dispose()


async def test_an_expired_link_says_so(
    page: Any, web_gateway: WebGateway, invitations: Invitations
) -> None:
    invitation = await invitations.create()
    await _expire(web_gateway, invitation["token"])
    await page.goto(invitation["path"])
    await expect(heading(page, "This interview link has expired")).to_be_visible()
    await expect(page.get_by_role("main")).to_contain_text(
        "ask your recruiter to send you a new link"
    )
    await expect(page.get_by_role("button", name="Start the interview")).to_be_hidden()
    await expect(page.get_by_role("main")).not_to_contain_text("EXPIRED")
    await save_screenshot(page, "interview-expired")


async def test_a_cancelled_interview_says_so(
    page: Any, web_gateway: WebGateway, invitations: Invitations
) -> None:
    invitation = await invitations.create()
    await web_gateway.execute(CANCEL, {"id": invitation["interview"]["id"]})
    await page.goto(invitation["path"])
    await expect(heading(page, "This interview was cancelled")).to_be_visible()
    await expect(page.get_by_role("main")).to_contain_text("contact your recruiter")
    await expect(page.get_by_role("button", name="Ask for a person")).to_be_hidden()
    await save_screenshot(page, "interview-cancelled")


async def test_a_cancellation_during_the_interview_shows_at_once(
    page: Any, web_gateway: WebGateway, invitations: Invitations
) -> None:
    invitation = await invitations.create()
    await page.goto(invitation["path"])
    await page.get_by_role("button", name="Start the interview").click()
    await expect(interviewer_turns(page)).to_have_count(1)
    await web_gateway.execute(CANCEL, {"id": invitation["interview"]["id"]})
    cancelled = heading(page, "This interview was cancelled")
    await expect(cancelled).to_be_visible()
    await expect(cancelled).to_be_focused()


async def test_unknown_and_malformed_links_say_so(page: Any) -> None:
    response = await page.goto("/interview/iv_" + "A" * 43)
    assert response.status == 200
    await expect(heading(page, "We couldn't find this interview")).to_be_visible()
    await expect(page.get_by_role("main")).to_contain_text("copied the whole link")
    await expect(page.get_by_role("main")).not_to_contain_text("NOT_FOUND")
    await save_screenshot(page, "interview-not-found")

    response = await page.goto("/interview/not-a-token")
    assert response.status == 404
    assert response.headers["cache-control"] == "no-store"
    await expect(heading(page, "We couldn't find this interview")).to_be_visible()


async def test_the_interview_fits_a_phone(phone: Any, invitations: Invitations) -> None:
    invitation = await invitations.create()
    await phone.emulate_media(reduced_motion="reduce")
    await phone.goto(invitation["path"])
    await expect(phone.get_by_role("button", name="Start the interview")).to_be_visible()
    await assert_fits_the_screen(phone)
    await phone.get_by_role("button", name="Start the interview").click()
    await expect(interviewer_turns(phone)).to_have_count(1)
    await answer(phone, ANSWERS[0])
    await assert_fits_the_screen(phone)
    await save_screenshot(phone, "interview-phone")
    await phone.reload()
    await expect(interviewer_turns(phone)).to_have_count(2)
    await expect(phone.get_by_text(f"1 of {QUESTIONS} answered")).to_be_visible()
    await expect(phone.get_by_role("button", name="Send answer")).to_be_enabled()
    await phone.set_viewport_size({"width": 360, "height": 740})
    await assert_fits_the_screen(phone)


async def test_no_interview_token_reaches_the_server_log(
    page: Any, web_gateway: WebGateway, invitations: Invitations
) -> None:
    invitation = await invitations.create()
    await page.goto(invitation["path"])
    await expect(page.get_by_role("button", name="Start the interview")).to_be_visible()
    await page.goto("/interview/not-a-token")

    deadline = asyncio.get_running_loop().time() + 10
    while web_gateway.log_text().count('"GET /interview/') < 2:
        assert asyncio.get_running_loop().time() < deadline, "no access log lines for the pages"
        await asyncio.sleep(0.1)
    log = web_gateway.log_text()
    assert invitations.tokens, "the module created no interviews"
    for token in [*invitations.tokens, "not-a-token"]:
        assert token not in log, "an interview token is in the server's log"
    assert '"GET /interview/[redacted] HTTP/1.1" 200' in log
    assert '"GET /interview/[redacted] HTTP/1.1" 404' in log
