"""Self-service interviews over HTTP: a recruiter creates one and invites the candidate;
the candidate, anonymous, takes it with the offline provider until it completes and is
evaluated. Expiry, forged tokens, one turn at a time, message limits, tenant isolation,
cancellation, provider failures, the maintenance sweep and SMTP delivery."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import email
import email.policy
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.ai.offline import OfflineProvider
from gateway.ai.provider import (
    AnalysisResult,
    EvaluationResult,
    InterviewTranscript,
    InterviewTurn,
    ProviderError,
    ResumeRequest,
)
from gateway.errors import RemoteWriteFailed
from gateway.interview_tokens import hash_token, new_token
from gateway.outbound_events import OutboundEvent, names_for
from gateway.pubsub import Event
from gateway.services.activities import Actor
from gateway.services.interview_deps import InterviewConfig, InterviewDeps
from gateway.services.interview_invites import Delivery, send_invite
from gateway.services.interview_lifecycle import create_self_service
from gateway.services.interview_mail import SmtpConfig
from gateway.services.interview_sweep import sweep_interviews
from gateway.store.base import utcnow
from gateway.store.enums import ActorType, InterviewStatus, LogLevel, Role
from gateway.store.models import (
    Activity,
    Application,
    Interview,
    InterviewMessage,
    Job,
    OperationalLog,
    User,
)
from tests.support.gateway import Gateway

PAGE_FIELDS = """
  candidateName position company status expiresAt startedAt completedAt humanRequested
  questionsTotal questionsAnswered messages { sequence role content createdAt }
"""
ERROR_FIELDS = "... on PublicInterviewError { code message retryable }"

APPLICATIONS = """
{ applications(first: 100, filter: {status: [ACTIVE]}) {
    nodes { id candidate { name email } job { title } interviews { status kind } } } }
"""
CREATE = """
mutation($input: InterviewCreateInput!) {
  interviewCreate(input: $input) {
    __typename
    ... on InterviewCreateSuccess { token publicUrl expiresAt
      interview { id kind status tokenExpiresAt persona { name } } }
    ... on UserError { message code }
  }
}
"""
INVITE = """
mutation($input: InterviewSendInviteInput!) {
  interviewSendInvite(input: $input) {
    __typename
    ... on InterviewSendInviteSuccess { to subject delivery token publicUrl expiresAt
      interview { id inviteSentAt } }
    ... on UserError { message code }
    ... on ValidationError { field }
  }
}
"""
CANCEL = """
mutation($input: InterviewCancelInput!) {
  interviewCancel(input: $input) {
    __typename
    ... on InterviewCancelSuccess { interview { status } }
    ... on UserError { message code }
  }
}
"""
EVALUATE = """
mutation($input: InterviewEvaluateInput!) {
  interviewEvaluate(input: $input) {
    __typename
    ... on InterviewEvaluateSuccess { evaluation { overallScore recommendation } }
    ... on UserError { message code }
  }
}
"""
RECRUITER_VIEW = """
query($id: ID!) {
  interview(id: $id) {
    status kind humanRequested startedAt completedAt messageCount
    application { humanRequested }
    messages { sequence role content }
    invites { to subject body delivery sentAt sentBy }
    evaluation {
      reliabilityScore accountabilityScore professionalismScore communicationScore
      technicalScore growthPotentialScore overallScore summary strengths weaknesses
      redFlags recommendation nextInterviewFocus model createdAt
    }
  }
}
"""
PUBLIC = (
    "query($token: String!) { publicInterview(token: $token) { __typename "
    "... on PublicInterview {" + PAGE_FIELDS + "} " + ERROR_FIELDS + " } }"
)
START = (
    "mutation($token: String!) { publicInterviewStart(input: {token: $token}) { __typename "
    "... on PublicInterviewStartSuccess { interview {"
    + PAGE_FIELDS
    + "} } "
    + ERROR_FIELDS
    + " } }"
)
SEND = (
    "mutation($token: String!, $content: String!) { "
    "publicInterviewSendMessage(input: {token: $token, content: $content}) { __typename "
    "... on PublicInterviewSendMessageSuccess { completed "
    "candidateMessage { sequence role content } interviewerMessage { sequence role content } "
    "interview { status questionsAnswered questionsTotal } } " + ERROR_FIELDS + " } }"
)
HUMAN = (
    "mutation($token: String!, $note: String) { "
    "publicInterviewRequestHuman(input: {token: $token, note: $note}) { __typename "
    "... on PublicInterviewRequestHumanSuccess { interview { status humanRequested } } "
    + ERROR_FIELDS
    + " } }"
)

ANSWERS = [
    "Yes, I'm ready. In my last role I ran the support desk for a 40-person team and "
    "cut the average response time by 30% in six months, for example by triaging tickets.",
    "When I had a tight deadline for a client launch, I split the work into daily goals, "
    "flagged the risks early to my manager and we delivered two days ahead of schedule.",
    "I worked with engineering and sales to fix a billing issue that affected 200 "
    "customers; I organised the calls, wrote the summary and we closed it in a week.",
    "A customer was angry about a late refund. I listened, apologised, explained the "
    "steps and followed up daily until it was paid; they renewed their contract later.",
    "I once sent a report with the wrong numbers. I told my manager at once, corrected "
    "it, and since then I check every figure against the source before I send anything.",
    "I'm improving my SQL and reporting skills with an online course, and I practise by "
    "building the weekly dashboards for my team.",
    "I can start in two weeks; nothing else affects my availability.",
    "Thank you!",
]


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


async def fresh_application(gateway: Gateway, tenant: str = "demo") -> dict[str, Any]:
    """An active application with an email and no open self-service interview; each call
    returns another one."""
    used: set[str] = gateway.__dict__.setdefault("_used_applications", set())
    data = await gateway.execute(APPLICATIONS, tenant=tenant)
    for node in data["applications"]["nodes"]:
        busy = any(
            i["kind"] == "SELF_SERVICE" and i["status"] in ("SCHEDULED", "IN_PROGRESS")
            for i in node["interviews"]
        )
        if node["id"] not in used and not busy and node["candidate"]["email"]:
            used.add(node["id"])
            return node
    raise AssertionError("no free application left in the demo data")


async def create(
    gateway: Gateway, *, tenant: str = "demo", role: Role = Role.RECRUITER
) -> dict[str, Any]:
    application = await fresh_application(gateway, tenant)
    data = await gateway.execute(
        CREATE, {"input": {"applicationId": application["id"]}}, tenant=tenant, role=role
    )
    result = data["interviewCreate"]
    assert result["__typename"] == "InterviewCreateSuccess", result
    result["application"] = application
    return result


async def public(gateway: Gateway, query: str, **variables: Any) -> dict[str, Any]:
    """An anonymous request (no Authorization header) that must not fail as a whole."""
    data = await gateway.execute(query, variables, role=None)
    return next(iter(data.values()))


@contextlib.contextmanager
def provider(gateway: Gateway, replacement: Any) -> Iterator[None]:
    state = gateway.app.state
    before = state.runtime
    state.runtime = dataclasses.replace(before, ai_provider=replacement)
    try:
        yield
    finally:
        state.runtime = before


@contextlib.asynccontextmanager
async def recorded_events(gateway: Gateway, tenant: str = "demo") -> AsyncIterator[list[Event]]:
    events: list[Event] = []
    bus = gateway.app.state.bus

    async def listen() -> None:
        async for event in bus.subscribe(gateway.tenants[tenant].tenant_id):
            events.append(event)

    task = asyncio.create_task(listen())
    await asyncio.sleep(0.01)
    try:
        yield events
    finally:
        await asyncio.sleep(0.01)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def deps_of(gateway: Gateway, config: InterviewConfig | None = None) -> InterviewDeps:
    state = gateway.app.state
    return InterviewDeps(
        state.session_factory,
        state.bus,
        state.locks,
        config or InterviewConfig(public_url="https://jobs.example"),
        OfflineProvider(),
    )


class Gated:
    """The offline interviewer, held at the start of each turn until ``gate`` opens."""

    name = "gated"

    def __init__(self) -> None:
        self.inner = OfflineProvider()
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def interview_turn(self, turn: InterviewTurn) -> AsyncIterator[str]:
        self.entered.set()
        await self.gate.wait()
        async for piece in self.inner.interview_turn(turn):
            yield piece

    async def evaluate(self, transcript: InterviewTranscript) -> EvaluationResult:
        return await self.inner.evaluate(transcript)

    async def analyze_resume(self, resume: ResumeRequest) -> AnalysisResult:
        return await self.inner.analyze_resume(resume)


class Failing(Gated):
    async def interview_turn(self, turn: InterviewTurn) -> AsyncIterator[str]:
        yield "Thank"
        raise ProviderError("model overloaded", retryable=True)


# -- the whole interview ----------------------------------------------------------------


async def test_a_whole_interview_taken_anonymously(gateway: Gateway) -> None:
    created = await create(gateway)
    token, interview_id = created["token"], created["interview"]["id"]
    assert token.startswith("iv_")
    assert created["publicUrl"] == f"http://testserver/interview/{token}"  # the request's host
    assert created["interview"]["kind"] == "SELF_SERVICE"
    assert created["interview"]["status"] == "SCHEDULED"
    assert created["interview"]["persona"]["name"] == "Friendly Interviewer"  # the default
    expires = created["expiresAt"]
    async with gateway.app.state.session_factory() as session:
        row = await session.get(Interview, pk(interview_id))
        assert row is not None
        assert row.token_hash == hash_token(token)  # only the hash is stored
        assert (row.token_expires_at - row.created_at).days == 7  # the tenant's setting

    invited = (
        await gateway.execute(INVITE, {"input": {"interviewId": interview_id, "token": token}})
    )["interviewSendInvite"]
    assert invited["__typename"] == "InterviewSendInviteSuccess", invited
    assert invited["delivery"] == "QUEUED"  # no SMTP configured
    assert invited["token"] == token and invited["expiresAt"] == expires
    assert invited["to"] == created["application"]["candidate"]["email"]

    page = await public(gateway, PUBLIC, token=token)
    assert page["__typename"] == "PublicInterview"
    assert page["status"] == "SCHEDULED" and page["messages"] == []
    assert page["candidateName"] == created["application"]["candidate"]["name"].split()[0]
    assert page["position"] == created["application"]["job"]["title"]
    assert page["company"] and page["expiresAt"] == expires

    async with recorded_events(gateway) as events:
        started = await public(gateway, START, token=token)
        assert started["__typename"] == "PublicInterviewStartSuccess", started
        first = started["interview"]
        assert first["status"] == "IN_PROGRESS" and first["startedAt"]
        assert [m["role"] for m in first["messages"]] == ["ASSISTANT"]
        assert page["candidateName"] in first["messages"][0]["content"]

        replies = []
        for answer in ANSWERS:
            sent = await public(gateway, SEND, token=token, content=answer)
            assert sent["__typename"] == "PublicInterviewSendMessageSuccess", sent
            replies.append(sent)
            if sent["completed"]:
                break
        assert replies[-1]["completed"] and replies[-1]["interview"]["status"] == "COMPLETED"
        assert len(replies) == replies[-1]["interview"]["questionsTotal"] == 6
        assert replies[-1]["interview"]["questionsAnswered"] == 6
        assert all(not r["completed"] for r in replies[:-1])
        sequences = [
            (r["candidateMessage"]["sequence"], r["interviewerMessage"]["sequence"])
            for r in replies
        ]
        assert sequences == [(2 * n, 2 * n + 1) for n in range(1, 7)]

        refused = await public(gateway, SEND, token=token, content="One more thing")
        assert refused["code"] == "COMPLETED"

    kinds = [e.type for e in events]
    interview_pk = pk(interview_id)
    assert kinds.count("interview.message") == 13
    assert "interview.delta" in kinds
    deltas = [e for e in events if e.type == "interview.delta" and e.data["sequence"] == 3]
    stored = next(e for e in events if e.type == "interview.message" and e.data["sequence"] == 3)
    assert "".join(e.data["delta"] for e in deltas).strip() == stored.data["content"]
    assert stored.data == {
        "interviewId": interview_pk,
        "messageId": stored.data["messageId"],
        "sequence": 3,
        "role": "assistant",
        "content": stored.data["content"],
    }
    moves = [
        (e.data["previousStatus"], e.data["status"])
        for e in events
        if e.type == "interview.status_changed"
    ]
    assert moves == [("scheduled", "in_progress"), ("in_progress", "completed")]
    completed = [e for e in events if e.type == "interview.completed"]
    assert len(completed) == 1 and names_for(completed[0]) == [OutboundEvent.INTERVIEW_COMPLETED]
    assert any(e.type == "interview.evaluated" for e in events)

    view = (await gateway.execute(RECRUITER_VIEW, {"id": interview_id}, role=Role.RECRUITER))[
        "interview"
    ]
    assert view["status"] == "COMPLETED" and view["completedAt"] and view["messageCount"] == 13
    assert [m["sequence"] for m in view["messages"]] == list(range(1, 14))
    assert [m["role"] for m in view["messages"]] == ["ASSISTANT", "CANDIDATE"] * 6 + ["ASSISTANT"]
    evaluation = view["evaluation"]
    assert evaluation is not None and all(v is not None for v in evaluation.values()), evaluation
    for name in (
        "reliabilityScore",
        "accountabilityScore",
        "professionalismScore",
        "communicationScore",
        "technicalScore",
        "growthPotentialScore",
    ):
        assert 1 <= evaluation[name] <= 10
    assert 0 <= evaluation["overallScore"] <= 100
    assert evaluation["recommendation"] in {"strong_yes", "yes", "maybe", "no", "strong_no"}
    assert evaluation["summary"] and evaluation["nextInterviewFocus"]
    (invite,) = view["invites"]
    assert invite["delivery"] == "QUEUED" and invite["to"] == invited["to"]
    assert invite["subject"] == invited["subject"]
    assert token not in invite["body"] and "/interview/iv_" in invite["body"]

    async with gateway.app.state.session_factory() as session:
        stored_activity = await session.scalars(
            sa.select(Activity.details).where(Activity.subject_id == interview_pk)
        )
        assert all(token not in str(details) for details in stored_activity)


async def test_the_public_page_shows_the_candidate_nothing_of_the_recruiter(
    gateway: Gateway,
) -> None:
    created = await create(gateway)
    await public(gateway, START, token=created["token"])
    response = await gateway.post(
        '{ __type(name: "PublicInterview") { fields { name } } }', role=None
    )
    fields = {f["name"] for f in response.json()["data"]["__type"]["fields"]}
    assert fields == {
        "candidateName",
        "position",
        "company",
        "status",
        "expiresAt",
        "startedAt",
        "completedAt",
        "humanRequested",
        "questionsTotal",
        "questionsAnswered",
        "messages",
    }
    response = await gateway.post(
        '{ __type(name: "PublicInterviewMessage") { fields { name } } }', role=None
    )
    message_fields = {f["name"] for f in response.json()["data"]["__type"]["fields"]}
    assert message_fields == {"sequence", "role", "content", "createdAt"}

    # anonymous callers reach the public fields only
    errors = await gateway.errors(
        "query($id: ID!) { interview(id: $id) { status } }",
        {"id": created["interview"]["id"]},
        role=None,
    )
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    errors = await gateway.errors(
        CREATE, {"input": {"applicationId": created["application"]["id"]}}, role=None
    )
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


# -- tokens -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nonsense",
        "iv_" + "A" * 43,  # well formed, never issued
        "iv_" + "A" * 500,
        "iv_abc'; DROP TABLE interviews; --",
        "demo:7:interview:1",  # the seeded interviews' token shape
    ],
)
async def test_forged_and_malformed_tokens_find_nothing(gateway: Gateway, token: str) -> None:
    for query, variables in (
        (PUBLIC, {}),
        (START, {}),
        (SEND, {"content": "hello"}),
        (HUMAN, {"note": None}),
    ):
        result = await public(gateway, query, token=token, **variables)
        assert result["__typename"] == "PublicInterviewError"
        assert result["code"] == "NOT_FOUND", result
        assert "not valid" in result["message"]


async def test_a_new_invitation_replaces_the_link(gateway: Gateway) -> None:
    created = await create(gateway)
    old = created["token"]
    invited = (
        await gateway.execute(
            INVITE,
            {"input": {"interviewId": created["interview"]["id"], "email": "Other@Example.com"}},
            role=Role.RECRUITER,
        )
    )["interviewSendInvite"]
    assert invited["__typename"] == "InterviewSendInviteSuccess", invited
    assert invited["to"] == "other@example.com"
    assert invited["token"] != old and invited["expiresAt"] >= created["expiresAt"]
    assert (await public(gateway, PUBLIC, token=old))["code"] == "NOT_FOUND"
    assert (await public(gateway, PUBLIC, token=invited["token"]))["status"] == "SCHEDULED"

    wrong = (
        await gateway.execute(
            INVITE, {"input": {"interviewId": created["interview"]["id"], "token": old}}
        )
    )["interviewSendInvite"]
    assert wrong["__typename"] == "ValidationError" and wrong["field"] == "token"
    bad_email = (
        await gateway.execute(
            INVITE, {"input": {"interviewId": created["interview"]["id"], "email": "nope"}}
        )
    )["interviewSendInvite"]
    assert bad_email["__typename"] == "ValidationError" and bad_email["field"] == "email"


async def test_an_expired_link_is_refused_and_marked(gateway: Gateway) -> None:
    created = await create(gateway)
    token = created["token"]
    interview_pk = pk(created["interview"]["id"])
    async with gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Interview)
            .where(Interview.id == interview_pk)
            .values(token_expires_at=utcnow() - timedelta(minutes=1))
        )
    async with recorded_events(gateway) as events:
        for query, variables in ((START, {}), (HUMAN, {"note": "hi"})):
            refused = await public(gateway, query, token=token, **variables)
            assert refused["code"] == "EXPIRED", refused
            assert "expired" in refused["message"]
        page = await public(gateway, PUBLIC, token=token)
    assert page["status"] == "EXPIRED"
    moves = [e.data for e in events if e.type == "interview.status_changed"]
    assert moves == [
        {"interviewId": interview_pk, "status": "expired", "previousStatus": "scheduled"}
    ]
    invite = (
        await gateway.execute(INVITE, {"input": {"interviewId": created["interview"]["id"]}})
    )["interviewSendInvite"]
    assert invite["__typename"] == "ValidationError" and "expired" in invite["message"]
    # an expired interview no longer blocks a new one for the same application
    again = await gateway.execute(
        CREATE, {"input": {"applicationId": created["application"]["id"]}}
    )
    assert again["interviewCreate"]["__typename"] == "InterviewCreateSuccess"


# -- the chat ---------------------------------------------------------------------------


async def test_messages_before_the_start_and_out_of_bounds_are_refused(
    gateway: Gateway,
) -> None:
    created = await create(gateway)
    token = created["token"]
    assert (await public(gateway, SEND, token=token, content="Hi"))["code"] == "NOT_STARTED"
    await public(gateway, START, token=token)
    for content, code in (
        ("", "INVALID_MESSAGE"),
        ("   \n ", "INVALID_MESSAGE"),
        ("x" * 4001, "MESSAGE_TOO_LONG"),
        ("hello \u202e world", "INVALID_MESSAGE"),
    ):
        refused = await public(gateway, SEND, token=token, content=content)
        assert refused["code"] == code, (content, refused)
    response = await gateway.post(SEND, {"token": token, "content": "bell \x07"}, role=None)
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    page = await public(gateway, PUBLIC, token=token)
    assert len(page["messages"]) == 1  # only the interviewer's first message
    fine = await public(gateway, SEND, token=token, content="y" * 4000)
    assert fine["__typename"] == "PublicInterviewSendMessageSuccess"

    refused = await public(gateway, HUMAN, token=token, note="n" * 1001)
    assert refused["code"] == "INVALID_MESSAGE"


async def test_the_message_count_is_bounded(gateway: Gateway) -> None:
    created = await create(gateway)
    deps = deps_of(gateway, InterviewConfig(max_messages=4, max_questions=6))
    from gateway.services import interview_chat as chat

    await chat.start(deps, created["token"])
    await chat.send_message(deps, created["token"], "first answer")
    with pytest.raises(chat.InterviewRefused) as refused:
        await chat.send_message(deps, created["token"], "second answer")
    assert refused.value.reason is chat.PublicCode.TOO_MANY_MESSAGES
    async with gateway.app.state.session_factory() as session:
        count = await session.scalar(
            sa.select(sa.func.count()).where(
                InterviewMessage.interview_id == pk(created["interview"]["id"])
            )
        )
    assert count == 3


async def test_two_messages_at_once_never_interleave(gateway: Gateway) -> None:
    created = await create(gateway)
    token = created["token"]
    await public(gateway, START, token=token)
    gated = Gated()
    with provider(gateway, gated):
        first = asyncio.create_task(public(gateway, SEND, token=token, content="Answer one"))
        await asyncio.wait_for(gated.entered.wait(), 5)
        second = await public(gateway, SEND, token=token, content="Answer two")
        assert second["code"] == "BUSY" and second["retryable"] is True
        again = await public(gateway, START, token=token)
        assert again["code"] == "BUSY"
        invite = (
            await gateway.execute(INVITE, {"input": {"interviewId": created["interview"]["id"]}})
        )["interviewSendInvite"]
        assert invite["__typename"] == "ValidationError"  # no new link mid-turn
        gated.gate.set()
        done = await asyncio.wait_for(first, 10)
    assert done["__typename"] == "PublicInterviewSendMessageSuccess"
    page = await public(gateway, PUBLIC, token=token)
    assert [(m["sequence"], m["role"]) for m in page["messages"]] == [
        (1, "ASSISTANT"),
        (2, "CANDIDATE"),
        (3, "ASSISTANT"),
    ]
    assert page["messages"][1]["content"] == "Answer one"


async def test_a_failed_turn_keeps_the_answer_and_resumes(gateway: Gateway) -> None:
    created = await create(gateway)
    token = created["token"]
    await public(gateway, START, token=token)
    with provider(gateway, Failing()):
        failed = await public(gateway, SEND, token=token, content="My answer")
    assert failed["code"] == "INTERVIEWER_UNAVAILABLE" and failed["retryable"] is True
    page = await public(gateway, PUBLIC, token=token)
    assert [m["role"] for m in page["messages"]] == ["ASSISTANT", "CANDIDATE"]
    resumed = await public(gateway, START, token=token)
    assert [m["role"] for m in resumed["interview"]["messages"]] == [
        "ASSISTANT",
        "CANDIDATE",
        "ASSISTANT",
    ]


async def test_asking_for_a_person_flags_without_moving(gateway: Gateway) -> None:
    created = await create(gateway)
    token = created["token"]
    async with recorded_events(gateway) as events:
        asked = await public(gateway, HUMAN, token=token, note="Could we talk by phone?")
        again = await public(gateway, HUMAN, token=token, note=None)
    assert asked["interview"] == {"status": "SCHEDULED", "humanRequested": True}
    assert again["interview"]["humanRequested"] is True
    flagged = [e.data for e in events if e.type == "interview.human_requested"]
    assert flagged == [{"interviewId": pk(created["interview"]["id"])}]  # once
    view = (await gateway.execute(RECRUITER_VIEW, {"id": created["interview"]["id"]}))["interview"]
    assert view["humanRequested"] and view["application"]["humanRequested"]
    assert view["status"] == "SCHEDULED"
    announced = [e for e in events if e.type == "application.human_requested"]
    assert [e.data["note"] for e in announced] == ["Could we talk by phone?"]  # once
    assert names_for(announced[0]) == [OutboundEvent.APPLICATION_HUMAN_REQUESTED]
    async with gateway.app.state.session_factory() as session:
        logged = await session.scalar(
            sa.select(sa.func.count()).where(
                OperationalLog.application_id == announced[0].data["id"],
                OperationalLog.source == "processing",
                OperationalLog.level == LogLevel.WARNING,
            )
        )
    assert logged == 1


async def test_a_request_for_a_person_mails_the_recruiter(gateway: Gateway) -> None:
    created = await create(gateway)
    async with SmtpSink() as sink:
        smtp = SmtpConfig(host="127.0.0.1", port=sink.port, starttls=False, timeout=5)
        deps = deps_of(gateway, InterviewConfig(smtp=smtp))
        from gateway.services import interview_chat as chat

        await chat.request_human(deps, created["token"], note="Please call me")
        await chat.request_human(deps, created["token"], note="again")
    ((sender, recipients, raw),) = sink.received  # once
    async with gateway.app.state.session_factory() as session:
        owner = await session.scalar(
            sa.select(User.email)
            .join(Job, Job.recruiter_id == User.id)
            .join(Application, Application.job_id == Job.id)
            .where(Application.id == pk(created["application"]["id"]))
        )
    assert owner is not None
    assert sender == "talent@demo.example" and recipients == [owner], "the requisition's owner"
    message = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert "asked to speak with a person" in message["Subject"]
    assert "Please call me" in message.get_content()


# -- recruiters' side -------------------------------------------------------------------


async def test_tenants_and_roles(gateway: Gateway) -> None:
    demo_application = await fresh_application(gateway)
    other = await gateway.execute(
        CREATE, {"input": {"applicationId": demo_application["id"]}}, tenant="other"
    )
    assert other["interviewCreate"]["__typename"] == "NotFoundError"
    readonly = await gateway.execute(
        CREATE, {"input": {"applicationId": demo_application["id"]}}, role=Role.READONLY
    )
    assert readonly["interviewCreate"]["__typename"] == "PermissionDeniedError"

    personas = await gateway.execute("{ personas { id } }", tenant="other")
    foreign_persona = personas["personas"][0]["id"]
    refused = await gateway.execute(
        CREATE,
        {"input": {"applicationId": demo_application["id"], "personaId": foreign_persona}},
    )
    assert refused["interviewCreate"]["__typename"] == "NotFoundError"

    created = await create(gateway)
    assert (
        await gateway.execute(RECRUITER_VIEW, {"id": created["interview"]["id"]}, tenant="other")
    )["interview"] is None
    for mutation, name in ((INVITE, "interviewSendInvite"), (CANCEL, "interviewCancel")):
        result = await gateway.execute(
            mutation, {"input": {"interviewId": created["interview"]["id"]}}, tenant="other"
        )
        assert result[name]["__typename"] == "NotFoundError"
    # the candidate's token works whoever asks: it is the credential
    page = await gateway.execute(PUBLIC, {"token": created["token"]}, tenant="other")
    assert page["publicInterview"]["status"] == "SCHEDULED"

    duplicate = await gateway.execute(
        CREATE, {"input": {"applicationId": created["application"]["id"]}}
    )
    assert duplicate["interviewCreate"]["__typename"] == "ValidationError"


async def test_cancel_closes_the_link_and_evaluate_needs_a_finished_interview(
    gateway: Gateway,
) -> None:
    created = await create(gateway)
    interview_id = created["interview"]["id"]
    premature = await gateway.execute(EVALUATE, {"input": {"interviewId": interview_id}})
    assert premature["interviewEvaluate"]["__typename"] == "ValidationError"
    async with recorded_events(gateway) as events:
        cancelled = await gateway.execute(
            CANCEL, {"input": {"interviewId": interview_id}}, role=Role.RECRUITER
        )
    assert cancelled["interviewCancel"] == {
        "__typename": "InterviewCancelSuccess",
        "interview": {"status": "CANCELLED"},
    }
    outbound = [names_for(e) for e in events if names_for(e)]
    assert outbound == [[OutboundEvent.INTERVIEW_CANCELLED]]
    assert (await public(gateway, START, token=created["token"]))["code"] == "CANCELLED"
    twice = await gateway.execute(CANCEL, {"input": {"interviewId": interview_id}})
    assert twice["interviewCancel"]["__typename"] == "ValidationError"


async def test_evaluate_again(gateway: Gateway) -> None:
    created = await create(gateway)
    deps = deps_of(gateway, InterviewConfig(max_questions=1))
    from gateway.services import interview_chat as chat

    await chat.start(deps, created["token"])
    exchange = await chat.send_message(deps, created["token"], ANSWERS[0])
    assert exchange.completed and exchange.view.status is InterviewStatus.COMPLETED
    result = await gateway.execute(
        EVALUATE, {"input": {"interviewId": created["interview"]["id"]}}, role=Role.RECRUITER
    )
    evaluation = result["interviewEvaluate"]
    assert evaluation["__typename"] == "InterviewEvaluateSuccess"
    assert evaluation["evaluation"]["recommendation"]


# -- maintenance and mail ---------------------------------------------------------------


async def test_the_sweep_abandons_idle_interviews_and_expires_old_links(
    gateway: Gateway,
) -> None:
    deps = deps_of(gateway)
    actor = Actor(gateway.tenants["demo"].tenant_id, ActorType.USER, "1", "Test", None)
    idle = await create_self_service(
        deps, actor, application_id=pk((await fresh_application(gateway))["id"]), persona_id=None
    )
    waiting = await create_self_service(
        deps, actor, application_id=pk((await fresh_application(gateway))["id"]), persona_id=None
    )
    from gateway.services import interview_chat as chat

    await chat.start(deps, idle.token)
    later = utcnow() + timedelta(hours=30)  # past abandonment, not yet past expiry
    report = await sweep_interviews(
        deps.session_factory, deps.bus, now=later, abandon_after=timedelta(hours=24)
    )
    assert report["interviews_abandoned"] >= 1
    async with deps.session_factory() as session:
        assert (await session.get(Interview, idle.interview_id)).status is (  # type: ignore[union-attr]
            InterviewStatus.ABANDONED
        )
        assert (await session.get(Interview, waiting.interview_id)).status is (  # type: ignore[union-attr]
            InterviewStatus.SCHEDULED
        )
    with pytest.raises(chat.InterviewRefused) as refused:
        await chat.send_message(deps, idle.token, "Sorry, I'm back")
    assert refused.value.reason is chat.PublicCode.ABANDONED

    report = await sweep_interviews(
        deps.session_factory, deps.bus, now=utcnow() + timedelta(days=8)
    )
    assert report["interviews_expired"] >= 1
    async with deps.session_factory() as session:
        assert (await session.get(Interview, waiting.interview_id)).status is (  # type: ignore[union-attr]
            InterviewStatus.EXPIRED
        )


class SmtpSink:
    """A tiny SMTP server that keeps what it is sent (or refuses with ``refuse``)."""

    def __init__(self, refuse: str | None = None) -> None:
        self.received: list[tuple[str, list[str], str]] = []
        self.refuse = refuse
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> SmtpSink:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sender, recipients = "", []

        async def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        await say("220 sink ready")
        while line := (await reader.readline()).decode().rstrip("\r\n"):
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                await say("250 sink")
            elif verb == "MAIL":
                sender = line.split(":", 1)[1].strip(" <>")
                await say("250 ok")
            elif verb == "RCPT":
                if self.refuse:
                    await say(self.refuse)
                    continue
                recipients.append(line.split(":", 1)[1].strip(" <>"))
                await say("250 ok")
            elif verb == "DATA":
                await say("354 go on")
                lines = []
                while (data := (await reader.readline()).decode()) != ".\r\n":
                    lines.append(data)
                self.received.append((sender, recipients, "".join(lines)))
                await say("250 queued")
            elif verb == "QUIT":
                await say("221 bye")
                break
            else:
                await say("250 ok")
        writer.close()


async def test_invitations_go_out_over_smtp(gateway: Gateway) -> None:
    actor = Actor(gateway.tenants["demo"].tenant_id, ActorType.USER, "1", "Test", None)
    application = await fresh_application(gateway)
    async with SmtpSink() as sink:
        smtp = SmtpConfig(host="127.0.0.1", port=sink.port, starttls=False, timeout=5)
        deps = deps_of(gateway, InterviewConfig(public_url="https://jobs.example", smtp=smtp))
        issued = await create_self_service(
            deps, actor, application_id=pk(application["id"]), persona_id=None
        )
        invited = await send_invite(
            deps, actor, interview_id=issued.interview_id, token=issued.token
        )
    assert invited.delivery is Delivery.SMTP and invited.token == issued.token
    ((sender, recipients, raw),) = sink.received
    assert sender == "talent@demo.example"  # the tenant's from address
    assert recipients == [application["candidate"]["email"]]
    message = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["From"] == "Demo Agency Talent Team <talent@demo.example>"
    assert message["Subject"].startswith("Your interview for ")
    body = message.get_content()
    assert f"https://jobs.example/interview/{issued.token}" in body
    # the seeded interview_email template, rendered
    assert "Thanks for applying for" in body and "valid for 7 days" in body


async def test_a_refused_invitation_changes_nothing(gateway: Gateway) -> None:
    actor = Actor(gateway.tenants["demo"].tenant_id, ActorType.USER, "1", "Test", None)
    application = await fresh_application(gateway)
    async with SmtpSink(refuse="550 no such user") as sink:
        smtp = SmtpConfig(host="127.0.0.1", port=sink.port, starttls=False, timeout=5)
        deps = deps_of(gateway, InterviewConfig(smtp=smtp))
        issued = await create_self_service(
            deps, actor, application_id=pk(application["id"]), persona_id=None
        )
        with pytest.raises(RemoteWriteFailed) as failed:
            await send_invite(deps, actor, interview_id=issued.interview_id)
    assert failed.value.retryable is False
    async with deps.session_factory() as session:
        row = await session.get(Interview, issued.interview_id)
        assert row is not None
        assert row.token_hash == hash_token(issued.token) and row.invite_sent_at is None
    assert new_token() != issued.token


async def test_one_turn_at_a_time_across_processes_with_redis(
    gateway: Gateway, redis_url: str, redis_prefix: str
) -> None:
    """Two gateways sharing Redis: the lock is Redis's, so the second process is refused."""
    from gateway.locks import create_locks
    from gateway.services import interview_chat as chat

    created = await create(gateway)
    one, two = create_locks(redis_url, redis_prefix), create_locks(redis_url, redis_prefix)
    try:
        gated = Gated()
        first_deps = InterviewDeps(
            gateway.app.state.session_factory, gateway.app.state.bus, one, InterviewConfig(), gated
        )
        second_deps = InterviewDeps(
            gateway.app.state.session_factory,
            gateway.app.state.bus,
            two,
            InterviewConfig(),
            OfflineProvider(),
        )
        starting = asyncio.create_task(chat.start(first_deps, created["token"]))
        await asyncio.wait_for(gated.entered.wait(), 5)
        with pytest.raises(chat.InterviewRefused) as busy:
            await chat.start(second_deps, created["token"])
        assert busy.value.reason is chat.PublicCode.BUSY
        gated.gate.set()
        page = await asyncio.wait_for(starting, 10)
        assert [m.sequence for m in page.messages] == [1]
        await chat.send_message(second_deps, created["token"], "Now it's my turn")
    finally:
        await one.close()
        await two.close()
