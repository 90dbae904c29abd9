"""The stage side of writing synced applications: the pipeline stages by name (created
when the source names a new one), and a stage history that always agrees with the
current stage.

    stages = ApplicationStages(tally)
    ids = await stages.ids_of(session, {"Screen", "Offer"})
    await stages.replace(session, changed_with_history, application_ids, ids)
    await stages.follow(session, without_history, application_ids, ids, previous)

A source that keeps a history owns it: a changed application's history is replaced by
the source's, made to agree with its current stage (``agreeing_history``). For a source
that keeps none, the history is built from the stage changes the syncs see.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import RemoteApplication, RemoteStageTransition
from gateway.store.base import table_of, utcnow
from gateway.store.enums import unlisted_position
from gateway.store.models import Application, PipelineStage, StageTransition
from gateway.store.upsert import chunks
from jobs.remote_ids import ids_by_remote_id
from jobs.sync_mapping import clip, stage_kind

STAGE_NAME_LIMIT = 255

CurrentStages = dict[str, tuple[int | None, str | None]]
"""remote id -> (current stage id, its name) of stored applications."""


class StageTally(Protocol):
    """Whose applications these are, and where to count the history rows written."""

    tenant_id: int
    integration_id: int

    def count(self, model: str, outcome: str, amount: int = 1) -> None: ...


def agreeing_history(application: RemoteApplication) -> list[RemoteStageTransition]:
    """The source's history in time order, ending in the current stage: where it stops
    short of it (a source that records some moves and not others), a move into the
    current stage is added when the record last changed; a repeat of the same stage is
    dropped. Each stay but the last is closed when the next one begins."""
    history = sorted(application.transitions, key=lambda t: t.entered_at)
    current = application.current_stage
    if current and (not history or history[-1].to_stage != current):
        last = history[-1] if history else None
        entered = application.remote_updated_at or (last.entered_at if last else None)
        entered = entered or application.applied_at
        if entered is not None:
            if last is not None and entered < last.entered_at:
                entered = last.entered_at
            history.append(
                RemoteStageTransition(
                    from_stage=last.to_stage if last else None, to_stage=current, entered_at=entered
                )
            )
    agreed: list[RemoteStageTransition] = []
    for transition in history:
        if agreed and agreed[-1].to_stage == transition.to_stage:
            continue
        if agreed and agreed[-1].left_at is None:
            agreed[-1] = replace(agreed[-1], left_at=transition.entered_at)
        agreed.append(transition)
    return agreed


def short_stage_names(application: RemoteApplication) -> RemoteApplication:
    """Stage names as the store keeps them (255 characters), so a stage is found under
    the same name everywhere."""
    names = [application.current_stage or ""]
    names += [t.to_stage for t in application.transitions]
    names += [t.from_stage or "" for t in application.transitions]
    if all(len(name) <= STAGE_NAME_LIMIT for name in names):
        return application
    return replace(
        application,
        current_stage=clip(application.current_stage, STAGE_NAME_LIMIT),
        transitions=tuple(
            replace(
                t,
                to_stage=t.to_stage[:STAGE_NAME_LIMIT],
                from_stage=clip(t.from_stage, STAGE_NAME_LIMIT),
            )
            for t in application.transitions
        ),
    )


def stage_names(applications: list[RemoteApplication]) -> set[str]:
    """Every stage the applications name: current, entered or left."""
    names = {a.current_stage for a in applications if a.current_stage}
    names |= {t.to_stage for a in applications for t in a.transitions}
    names |= {t.from_stage for a in applications for t in a.transitions if t.from_stage}
    return names


class ApplicationStages:
    def __init__(self, tally: StageTally) -> None:
        self.tally = tally
        self.stage_ids: dict[str, int] = {}

    async def ids_of(self, session: AsyncSession, names: set[str]) -> dict[str, int]:
        """name -> id of the integration's pipeline stages, creating those not stored."""
        missing = {name for name in names if name not in self.stage_ids}
        if missing:
            existing = await ids_by_remote_id(
                session, PipelineStage, self.tally.integration_id, missing
            )
            new = sorted(missing - existing.keys())
            if new:
                created = await session.execute(
                    sa.insert(table_of(PipelineStage)).returning(
                        PipelineStage.remote_id, PipelineStage.id
                    ),
                    [
                        {
                            "tenant_id": self.tally.tenant_id,
                            "integration_id": self.tally.integration_id,
                            "remote_id": name,
                            "name": name[:255],
                            "kind": stage_kind(name),
                            "position": unlisted_position(stage_kind(name)),
                        }
                        for name in new
                    ],
                )
                existing.update({row.remote_id: row.id for row in created})
            self.stage_ids.update(existing)
        return {name: self.stage_ids[name] for name in names if name in self.stage_ids}

    async def current(self, session: AsyncSession, remote_ids: list[str]) -> CurrentStages:
        """The stored current stage of each of this integration's applications named."""
        found: CurrentStages = {}
        for part in chunks(remote_ids):
            rows = await session.execute(
                sa.select(Application.remote_id, Application.current_stage_id, PipelineStage.name)
                .outerjoin(PipelineStage, PipelineStage.id == Application.current_stage_id)
                .where(
                    Application.integration_id == self.tally.integration_id,
                    Application.remote_id.in_(part),
                )
            )
            found.update({row.remote_id: (row.current_stage_id, row.name) for row in rows})
        return found

    async def replace(
        self,
        session: AsyncSession,
        applications: list[RemoteApplication],
        ids: dict[str, int],
        stages: dict[str, int],
    ) -> None:
        """The source owns the pipeline: a changed application's history is replaced,
        made to agree with its current stage (``agreeing_history``)."""
        local = [ids[a.remote_id] for a in applications if a.remote_id in ids]
        for part in chunks(local):
            await session.execute(
                sa.delete(StageTransition).where(StageTransition.application_id.in_(part))
            )
        rows = [
            self._transition_row(ids[a.remote_id], t, stages)
            for a in applications
            if a.remote_id in ids
            for t in agreeing_history(a)
        ]
        for part in chunks(rows):
            await session.execute(sa.insert(table_of(StageTransition)), list(part))
        if rows:
            self.tally.count("stage_transitions", "created", len(rows))

    async def follow(
        self,
        session: AsyncSession,
        applications: list[RemoteApplication],
        ids: dict[str, int],
        stages: dict[str, int],
        previous: CurrentStages,
    ) -> None:
        """History for a source that keeps none: an application without any recorded
        stay gets one in its current stage (from when it applied), and one whose synced
        stage differs from the stored one leaves its open stay now and enters the new
        stage now. So history and current stage always agree."""
        staged = [a for a in applications if a.current_stage and a.remote_id in ids]
        if not staged:
            return
        with_history = await self._with_history(session, [ids[a.remote_id] for a in staged])
        now = utcnow()
        moved: list[int] = []
        rows_to_add: list[dict[str, Any]] = []
        for application in staged:
            application_id = ids[application.remote_id]
            stage = application.current_stage or ""
            if application_id not in with_history:
                entered = application.applied_at or application.remote_updated_at or now
                transition = RemoteStageTransition(to_stage=stage, entered_at=min(entered, now))
                rows_to_add.append(self._transition_row(application_id, transition, stages))
                continue
            if application.remote_id not in previous:
                continue
            before_id, before_name = previous[application.remote_id]
            if before_id == stages.get(stage):
                continue
            moved.append(application_id)
            transition = RemoteStageTransition(
                from_stage=before_name, to_stage=stage, entered_at=now
            )
            rows_to_add.append(self._transition_row(application_id, transition, stages))
        for part in chunks(moved):
            await session.execute(
                sa.update(StageTransition)
                .where(StageTransition.application_id.in_(part), StageTransition.left_at.is_(None))
                .values(left_at=now)
            )
        for part in chunks(rows_to_add):
            await session.execute(sa.insert(table_of(StageTransition)), list(part))
        if rows_to_add:
            self.tally.count("stage_transitions", "created", len(rows_to_add))

    @staticmethod
    async def _with_history(session: AsyncSession, application_ids: list[int]) -> set[int]:
        """Those of the applications with at least one recorded stay."""
        found: set[int] = set()
        for part in chunks(application_ids):
            rows = await session.execute(
                sa.select(StageTransition.application_id)
                .where(StageTransition.application_id.in_(part))
                .distinct()
            )
            found.update(row.application_id for row in rows)
        return found

    def _transition_row(
        self, application_id: int, t: RemoteStageTransition, stages: dict[str, int]
    ) -> dict[str, Any]:
        return {
            "tenant_id": self.tally.tenant_id,
            "application_id": application_id,
            "integration_id": self.tally.integration_id,
            "from_stage_id": stages.get(t.from_stage or ""),
            "to_stage_id": stages.get(t.to_stage),
            "from_stage_name": clip(t.from_stage, 255),
            "to_stage_name": clip(t.to_stage, 255) or "",
            "entered_at": t.entered_at,
            "left_at": t.left_at,
            "moved_by_name": clip((t.moved_by.name or t.moved_by.email), 255)
            if t.moved_by
            else None,
        }
