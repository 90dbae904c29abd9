"""Keyed loaders stay inside the caller's tenant even when another tenant's rows carry
the same keys.

Foreign keys name a row by id alone, so nothing in the database stops a row of tenant
``other`` from pointing at an application, interview or user of tenant ``demo``. The
fixture plants such rows (one per keyed loader, each marked ``LEAK``) and every field
that resolves through ``RowsByKeyLoader`` or ``LatestByKeyLoader`` is asked for, as
``demo``, over real GraphQL requests: a loader that forgot the tenant would hand the
planted rows to ``demo``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.enums import MessageRole, Provider
from gateway.store.models import (
    Analysis,
    Application,
    Evaluation,
    Integration,
    Interview,
    InterviewMessage,
    Offer,
    OnboardingTask,
    RecruiterLink,
    StageTransition,
)
from resolvers import dataloaders
from resolvers.applications.loaders import (
    AnalysisByApplicationIdLoader,
    OffersByApplicationIdLoader,
    OnboardingTasksByApplicationIdLoader,
    StageTransitionsByApplicationIdLoader,
)
from resolvers.interviews.loaders import (
    EvaluationByInterviewIdLoader,
    InterviewsByApplicationIdLoader,
    MessagesByInterviewIdLoader,
)
from resolvers.recruiters.loaders import RecruiterLinksByUserIdLoader
from resolvers.relay import from_global_id, to_global_id
from tests.support.gateway import Gateway

LEAK = "LEAK-from-tenant-other"

APPLICATION = """
query Application($id: ID!) {
  application(id: $id) {
    id
    stageHistory { toStageName }
    interviews { id interviewType }
    analysis { id relevanceSummary }
    offers { id remoteId }
    onboardingTasks { id title }
  }
}
"""
APPLICATION_NODE = """
query ApplicationNode($id: ID!) {
  node(id: $id) {
    ... on Application {
      stageHistory { toStageName }
      interviews { id interviewType }
      analysis { id relevanceSummary }
      offers { id remoteId }
      onboardingTasks { id title }
    }
  }
}
"""
INTERVIEW = """
query Interview($id: ID!) {
  interview(id: $id) {
    id
    messageCount
    messages { id content }
    evaluation { id summary }
  }
}
"""
PAGED_APPLICATIONS = """
fragment Relations on Application {
  id
  stageHistory { toStageName }
  interviews { id interviewType }
  analysis { id relevanceSummary }
  offers { id remoteId }
  onboardingTasks { id title }
}
query Paged($job: ID!, $candidate: ID!) {
  job(id: $job) { applications(first: 100) { nodes { ...Relations } } }
  candidate(id: $candidate) { applications(first: 100) { nodes { ...Relations } } }
}
"""
RECRUITER = """
query Recruiter($id: ID!) {
  recruiter(id: $id) { id links { remoteId } }
}
"""


@dataclass(frozen=True)
class Planted:
    """Ids of ``demo`` that rows of ``other`` were made to point at."""

    application_id: int
    job_id: int
    candidate_id: int
    interview_id: int
    user_id: int


def _now() -> datetime:
    return datetime.now(UTC)


async def _tenant_integration(session: AsyncSession, tenant_id: int) -> int:
    found = await session.scalar(
        sa.select(Integration.id).where(Integration.tenant_id == tenant_id).order_by(Integration.id)
    )
    if found is not None:
        return int(found)
    integration = Integration(
        tenant_id=tenant_id, provider=Provider.RECRUITERFLOW, name="Other's Recruiterflow"
    )
    session.add(integration)
    await session.flush()
    return integration.id


@pytest.fixture(scope="module")
async def planted(gateway: Gateway) -> Planted:
    demo = gateway.tenants["demo"].tenant_id
    other = gateway.tenants["other"].tenant_id
    async with gateway.app.state.session_factory.begin() as session:
        application = (
            await session.execute(
                sa.select(Application.id, Application.job_id, Application.candidate_id)
                .where(Application.tenant_id == demo)
                .order_by(Application.id)
                .limit(1)
            )
        ).one()
        application_id = application.id
        own_interview = Interview(tenant_id=demo, application_id=application_id)
        session.add(own_interview)
        await session.flush()
        integration_id = await _tenant_integration(session, other)
        session.add_all(
            [
                Interview(tenant_id=other, application_id=application_id, interview_type=LEAK),
                InterviewMessage(
                    tenant_id=other,
                    interview_id=own_interview.id,
                    sequence=1,
                    role=MessageRole.CANDIDATE,
                    content=LEAK,
                ),
                Evaluation(tenant_id=other, interview_id=own_interview.id, summary=LEAK),
                StageTransition(
                    tenant_id=other,
                    application_id=application_id,
                    to_stage_name=LEAK,
                    entered_at=_now(),
                ),
                Analysis(
                    tenant_id=other,
                    application_id=application_id,
                    relevance_summary=LEAK,
                    created_at=_now() + timedelta(days=3650),
                ),
                Offer(tenant_id=other, application_id=application_id, remote_id=LEAK),
                OnboardingTask(tenant_id=other, application_id=application_id, title=LEAK),
                RecruiterLink(
                    tenant_id=other,
                    user_id=gateway.tenants["demo"].admin_user_id,
                    integration_id=integration_id,
                    remote_id=LEAK,
                ),
            ]
        )
    return Planted(
        application_id,
        application.job_id,
        application.candidate_id,
        own_interview.id,
        gateway.tenants["demo"].admin_user_id,
    )


async def _own_ids(gateway: Gateway, model: Any, key: str, value: int) -> list[int]:
    """Ids of ``demo``'s own rows of ``model`` whose ``key`` is ``value``."""
    demo = gateway.tenants["demo"].tenant_id
    column = getattr(model, key)
    async with gateway.app.state.session_factory() as session:
        rows = await session.scalars(
            sa.select(model.id).where(model.tenant_id == demo, column == value)
        )
        return sorted(rows)


def _pks(nodes: list[dict[str, Any]]) -> list[int]:
    return sorted(from_global_id(node["id"])[1] for node in nodes)


def _no_leak(data: dict[str, Any]) -> None:
    assert LEAK not in json.dumps(data), f"tenant other's rows reached tenant demo: {data}"


async def test_the_planted_rows_really_share_demos_keys(gateway: Gateway, planted: Planted) -> None:
    """The test is only worth something if the foreign rows exist under demo's keys."""
    other = gateway.tenants["other"].tenant_id
    async with gateway.app.state.session_factory() as session:
        for model, key, value in [
            (Interview, "application_id", planted.application_id),
            (InterviewMessage, "interview_id", planted.interview_id),
            (Evaluation, "interview_id", planted.interview_id),
            (StageTransition, "application_id", planted.application_id),
            (Analysis, "application_id", planted.application_id),
            (Offer, "application_id", planted.application_id),
            (OnboardingTask, "application_id", planted.application_id),
            (RecruiterLink, "user_id", planted.user_id),
        ]:
            count = await session.scalar(
                sa.select(sa.func.count())
                .select_from(model)
                .where(model.tenant_id == other, getattr(model, key) == value)
            )
            assert count == 1, model


@pytest.mark.parametrize("document", [APPLICATION, APPLICATION_NODE], ids=["application", "node"])
async def test_application_relations_are_the_callers_tenants_only(
    gateway: Gateway, planted: Planted, document: str
) -> None:
    data = await gateway.execute(
        document, {"id": to_global_id("Application", planted.application_id)}
    )
    _no_leak(data)
    application = data.get("application") or data["node"]
    key = planted.application_id
    assert _pks(application["interviews"]) == await _own_ids(
        gateway, Interview, "application_id", key
    )
    assert _pks(application["offers"]) == await _own_ids(gateway, Offer, "application_id", key)
    assert _pks(application["onboardingTasks"]) == await _own_ids(
        gateway, OnboardingTask, "application_id", key
    )
    assert len(application["stageHistory"]) == len(
        await _own_ids(gateway, StageTransition, "application_id", key)
    )
    own_analyses = await _own_ids(gateway, Analysis, "application_id", key)
    if application["analysis"] is None:
        assert own_analyses == []
    else:
        assert _pks([application["analysis"]])[0] in own_analyses


async def test_application_pages_carry_the_callers_tenants_relations_only(
    gateway: Gateway, planted: Planted
) -> None:
    """Pages of applications prefetch some relations and load the rest per key."""
    data = await gateway.execute(
        PAGED_APPLICATIONS,
        {
            "job": to_global_id("Job", planted.job_id),
            "candidate": to_global_id("Candidate", planted.candidate_id),
        },
    )
    _no_leak(data)
    for parent in ("job", "candidate"):
        ids = [node["id"] for node in data[parent]["applications"]["nodes"]]
        assert to_global_id("Application", planted.application_id) in ids


async def test_interview_messages_and_evaluation_are_the_callers_tenants_only(
    gateway: Gateway, planted: Planted
) -> None:
    data = await gateway.execute(INTERVIEW, {"id": to_global_id("Interview", planted.interview_id)})
    _no_leak(data)
    interview = data["interview"]
    assert interview["messages"] == []
    assert interview["messageCount"] == 0
    assert interview["evaluation"] is None


async def test_recruiter_links_are_the_callers_tenants_only(
    gateway: Gateway, planted: Planted
) -> None:
    data = await gateway.execute(RECRUITER, {"id": to_global_id("Recruiter", planted.user_id)})
    _no_leak(data)
    assert len(data["recruiter"]["links"]) == len(
        await _own_ids(gateway, RecruiterLink, "user_id", planted.user_id)
    )


def _keyed_loaders() -> set[type]:
    """Every loader class built on the keyed shapes, wherever it is declared."""
    found: set[type] = set()
    pending: list[type] = [dataloaders.RowsByKeyLoader, dataloaders.LatestByKeyLoader]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.add(subclass)
            pending.append(subclass)
    return found


COVERED = {
    InterviewsByApplicationIdLoader,
    StageTransitionsByApplicationIdLoader,
    AnalysisByApplicationIdLoader,
    OffersByApplicationIdLoader,
    OnboardingTasksByApplicationIdLoader,
    MessagesByInterviewIdLoader,
    EvaluationByInterviewIdLoader,
    RecruiterLinksByUserIdLoader,
}
"""The loaders whose fields the tests above ask for, with a planted row each."""


def test_every_keyed_loader_is_covered_here() -> None:
    """A new keyed loader needs a planted row and a query above."""
    import resolvers.loaders  # noqa: F401  (imports every domain's loaders)

    assert _keyed_loaders() == COVERED
