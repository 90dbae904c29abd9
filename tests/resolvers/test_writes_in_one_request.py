"""Several mutations in one request, on SQLite and PostgreSQL: each one's answer shows
what the ones before it wrote. A request's loaders cache what they read; a write must
not leave an earlier read of what it wrote to answer a later field. Self-service
interviews (an invitation, then ``interviewCancel``) and Recruiterflow stage moves (two
in a row, the history included) here, and every mutation field of the schema wrapped
so; webhook subscriptions (their stats and log after a test message) in
``tests/resolvers/webhooks/test_webhook_subscriptions.py``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from strawberry.types.base import get_object_definition

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.store.enums import ApplicationStatus
from gateway.store.models import Application
from resolvers.mutation import FreshReadsAroundWrites, fresh_reads_around_writes
from resolvers.relay import to_global_id
from resolvers.schema import Mutation
from tests.resolvers.interviews.test_self_service_interviews import create
from tests.support.gateway import Gateway, running_gateway
from tests.support.graphql_fragments import WRITE_ERRORS
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world

INVITE_THEN_CANCEL = """
mutation($id: ID!) {
  invite: interviewSendInvite(input: {interviewId: $id}) {
    __typename
    ... on InterviewSendInviteSuccess { interview { id status inviteSentAt } }
  }
  cancel: interviewCancel(input: {interviewId: $id}) {
    __typename
    ... on InterviewCancelSuccess { interview { id status inviteSentAt } }
  }
  again: interviewCancel(input: {interviewId: $id}) {
    __typename
    ... on ValidationError { message }
  }
}
"""

APPLICATION = "application { status currentStage { name } stageHistory { toStageName } }"
TWO_MOVES = f"""
mutation($id: ID!, $first: String!, $second: String!) {{
  first: applicationMoveStage(input: {{applicationId: $id, stage: $first}}) {{
    __typename
    ... on ApplicationWriteSuccess {{ {APPLICATION} }}
    {WRITE_ERRORS}
  }}
  second: applicationMoveStage(input: {{applicationId: $id, stage: $second}}) {{
    __typename
    ... on ApplicationWriteSuccess {{ {APPLICATION} }}
    {WRITE_ERRORS}
  }}
}}
"""


@pytest.fixture(scope="module")
async def gateway(backend: Backend) -> AsyncIterator[Gateway]:
    async with running_gateway(backend.url) as running:
        yield running


@pytest.fixture(scope="module")
async def rf(backend: Backend) -> AsyncIterator[tuple[GatewayWorld, int]]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=2, candidates=4, applications=6)
    async with gateway_world(backend, {"https://api.recruiterflow.com": fake.app}) as world:
        integration_id = await world.add_integration(
            "recruiterflow", "RF in one request", {"apiKey": fake.api_key}
        )
        await world.link(world.demo.admin_user_id, integration_id, "10447")
        await world.sync(integration_id)
        yield world, integration_id


async def test_interview_cancel_after_another_write_answers_the_fresh_status(
    gateway: Gateway,
) -> None:
    created = await create(gateway)
    interview_id = created["interview"]["id"]
    assert created["interview"]["status"] == "SCHEDULED"
    data = await gateway.execute(INVITE_THEN_CANCEL, {"id": interview_id})
    invite, cancel = data["invite"], data["cancel"]
    assert invite["__typename"] == "InterviewSendInviteSuccess", invite
    assert invite["interview"]["status"] == "SCHEDULED" and invite["interview"]["inviteSentAt"]
    assert cancel["__typename"] == "InterviewCancelSuccess", cancel
    assert cancel["interview"]["status"] == "CANCELLED", "the invitation's read was served"
    assert cancel["interview"]["inviteSentAt"] == invite["interview"]["inviteSentAt"]
    assert data["again"]["__typename"] == "ValidationError", "the cancel is seen as done"
    reread = await gateway.execute(
        "query($id: ID!) { interview(id: $id) { status } }", {"id": interview_id}
    )
    assert reread["interview"]["status"] == "CANCELLED"


async def test_two_stage_moves_in_one_request_each_show_their_own_stage(
    rf: tuple[GatewayWorld, int],
) -> None:
    world, integration_id = rf
    pk = await world.scalar(
        sa.select(sa.func.min(Application.id)).where(
            Application.integration_id == integration_id,
            Application.status == ApplicationStatus.ACTIVE,
        )
    )
    response = await world.post(
        TWO_MOVES,
        {"id": to_global_id("Application", pk), "first": "Client Interview", "second": "Offer"},
        None,
    )
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body
    first, second = body["data"]["first"], body["data"]["second"]
    assert first["__typename"] == second["__typename"] == "ApplicationWriteSuccess", body
    assert first["application"]["currentStage"]["name"] == "Client Interview"
    assert first["application"]["stageHistory"][-1]["toStageName"] == "Client Interview"
    assert second["application"]["currentStage"]["name"] == "Offer", "the first move's read"
    history = [step["toStageName"] for step in second["application"]["stageHistory"]]
    assert history[-2:] == ["Client Interview", "Offer"]
    assert len(history) == len(first["application"]["stageHistory"]) + 1


def test_every_mutation_field_reads_fresh_around_its_write() -> None:
    """Whatever helper a mutation uses (``run_mutation``, the self-service helpers, the
    public interview fields), the schema's ``Mutation`` type wraps each of its fields."""
    fields = get_object_definition(Mutation, strict=True).fields
    assert len(fields) > 40
    bare = [
        field.python_name
        for field in fields
        if not any(isinstance(e, FreshReadsAroundWrites) for e in field.extensions)
    ]
    assert bare == []
    assert fresh_reads_around_writes(Mutation) is Mutation
    assert all(
        sum(isinstance(e, FreshReadsAroundWrites) for e in field.extensions) == 1
        for field in fields
    ), "applied twice"
