"""Who did it, as ``Recruiter`` nodes: ``Interview.interviewer`` and ``scheduledBy``,
``Offer.createdBy``, ``OnboardingTask.createdBy`` and ``reviewedBy``,
``StageTransition.movedBy``. Each matches the stored user id, is null where the id is,
stays in the caller's tenant, and is batched (statements do not grow with rows)."""

from __future__ import annotations

import base64
from typing import Any

import sqlalchemy as sa

from gateway.global_ids import to_global_id
from gateway.store.models import Interview, Offer, OnboardingTask, StageTransition, User
from tests.support.gateway import Gateway

MAX_USER_READS = 4

ATTRIBUTED = """
{
  applications(first: 100) {
    nodes {
      id
      interviews { id interviewer { id name } scheduledBy { id name } }
      offers { id createdBy { id name } }
      onboardingTasks { id createdBy { id } reviewedBy { id } }
      stageHistory { toStageName enteredAt movedByName movedBy { id name } }
    }
  }
}
"""


def _recruiter(pk: int | None) -> str | None:
    return None if pk is None else to_global_id("Recruiter", pk)


def _id_of(node: dict[str, Any] | None) -> str | None:
    return None if node is None else str(node["id"])


async def _stored(gateway: Gateway, tenant: str) -> dict[str, dict[int, tuple[int | None, ...]]]:
    tenant_id = gateway.tenants[tenant].tenant_id
    async with gateway.app.state.session_factory() as session:
        interviews = await session.execute(
            sa.select(
                Interview.id, Interview.interviewer_user_id, Interview.scheduled_by_user_id
            ).where(Interview.tenant_id == tenant_id)
        )
        offers = await session.execute(
            sa.select(Offer.id, Offer.created_by_user_id).where(Offer.tenant_id == tenant_id)
        )
        tasks = await session.execute(
            sa.select(
                OnboardingTask.id,
                OnboardingTask.created_by_user_id,
                OnboardingTask.reviewed_by_user_id,
            ).where(OnboardingTask.tenant_id == tenant_id)
        )
        moves = await session.execute(
            sa.select(StageTransition.id, StageTransition.moved_by_user_id).where(
                StageTransition.tenant_id == tenant_id
            )
        )
    return {
        "interviews": {row[0]: tuple(row[1:]) for row in interviews},
        "offers": {row[0]: tuple(row[1:]) for row in offers},
        "tasks": {row[0]: tuple(row[1:]) for row in tasks},
        "moves": {row[0]: tuple(row[1:]) for row in moves},
    }


def _pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":", 1)[1])


async def _attribute_one_round_and_review(gateway: Gateway) -> None:
    """The seed has no scheduled rounds and may have no reviewed task: give one of each."""
    demo = gateway.tenants["demo"]
    async with gateway.app.state.session_factory.begin() as session:
        interview = await session.scalar(
            sa.select(sa.func.min(Interview.id)).where(Interview.tenant_id == demo.tenant_id)
        )
        task = await session.scalar(
            sa.select(sa.func.min(OnboardingTask.id)).where(
                OnboardingTask.tenant_id == demo.tenant_id
            )
        )
        await session.execute(
            sa.update(Interview)
            .where(Interview.id == interview)
            .values(interviewer_user_id=demo.recruiter_user_ids[1])
        )
        await session.execute(
            sa.update(OnboardingTask)
            .where(OnboardingTask.id == task)
            .values(reviewed_by_user_id=demo.admin_user_id)
        )
    await gateway.app.state.cache.invalidate(demo.tenant_id)


async def test_attribution_ids_are_the_stored_users(gateway: Gateway) -> None:
    await _attribute_one_round_and_review(gateway)
    stored = await _stored(gateway, "demo")
    data = await gateway.execute(ATTRIBUTED)
    applications = data["applications"]["nodes"]
    interviews = [i for a in applications for i in a["interviews"]]
    offers = [o for a in applications for o in a["offers"]]
    tasks = [t for a in applications for t in a["onboardingTasks"]]
    assert interviews and offers and tasks

    for interview in interviews:
        interviewer, scheduled_by = stored["interviews"][_pk(interview["id"])]
        assert _id_of(interview["interviewer"]) == _recruiter(interviewer)
        assert _id_of(interview["scheduledBy"]) == _recruiter(scheduled_by)
    assert {i["interviewer"] is None for i in interviews} == {True, False}
    assert any(i["scheduledBy"] is not None for i in interviews)
    for offer in offers:
        assert _id_of(offer["createdBy"]) == _recruiter(stored["offers"][_pk(offer["id"])][0])
    assert any(o["createdBy"] is not None for o in offers)
    for task in tasks:
        created_by, reviewed_by = stored["tasks"][_pk(task["id"])]
        assert _id_of(task["createdBy"]) == _recruiter(created_by)
        assert _id_of(task["reviewedBy"]) == _recruiter(reviewed_by)
    assert {t["reviewedBy"] is None for t in tasks} == {True, False}

    moved_by = {user for (user,) in stored["moves"].values()}
    shown = {
        _pk(move["movedBy"]["id"])
        for a in applications
        for move in a["stageHistory"]
        if move["movedBy"] is not None
    }
    assert shown and shown <= moved_by


async def test_attribution_names_only_the_callers_tenants_users(gateway: Gateway) -> None:
    data = await gateway.execute(ATTRIBUTED, tenant="other")
    async with gateway.app.state.session_factory() as session:
        demo_users = set(
            await session.scalars(
                sa.select(User.id).where(User.tenant_id == gateway.tenants["demo"].tenant_id)
            )
        )
    named: set[int] = set()
    for application in data["applications"]["nodes"]:
        for interview in application["interviews"]:
            for who in (interview["interviewer"], interview["scheduledBy"]):
                if who is not None:
                    named.add(_pk(who["id"]))
        for move in application["stageHistory"]:
            if move["movedBy"] is not None:
                named.add(_pk(move["movedBy"]["id"]))
    assert named
    assert not named & demo_users


async def test_attribution_fields_are_batched(gateway: Gateway) -> None:
    """One users statement per list the attributed rows come in (interviews, offers,
    tasks, moves), at most, whatever the number of rows: dozens of attributed rows here."""
    for tenant in ("other", "demo"):
        gateway.statements.reset()
        response = await gateway.post(ATTRIBUTED, tenant=tenant)
        assert response.status_code == 200
        assert not response.json().get("errors")
        user_reads = [
            s for s in gateway.statements.statements[1:] if "FROM users" in s
        ]  # the first is the caller's own token lookup
        assert 1 <= len(user_reads) <= MAX_USER_READS, gateway.statements.statements
        assert gateway.statements.count <= 6 + MAX_USER_READS, gateway.statements.statements
