"""An application's processing status: how far the gateway's own work on it has come.

    await mark_analyzing(session_factory, tenant_id=1, application_ids=[7, 8])  # queued
    await settle(session, 1, [7])                     # inside the analysis' transaction

The status, in order of precedence (the first that holds wins):

``COMPLETE``
    the application has a completed interview with an evaluation (``hasReport``), or is
    no longer active (released, rejected, hired, withdrawn: nothing more to process).
``ANALYZING``
    a resume analysis of it is queued or running: an ``analyze_application`` job
    (``applicationReprocess``) or an ``analyze_applications`` batch (new applications)
    has been queued for it, or an attempt of one has started.
``ANALYZED``
    it has a resume analysis and no evaluated interview.
``NEW``
    no analysis yet and none queued or running.

``applications.processing_status`` stores the status of an active application and is
moved at each transition, in the transaction that makes it where there is one:
queued (``mark_analyzing``, after the enqueue), an attempt started (``mark_analyzing``),
an analysis stored (``settle`` with ``analyzing=False``), an application skipped by a
batch or an attempt that failed (``settle`` with ``analyzing=False``: back to NEW or
ANALYZED; a retry that starts marks it ANALYZING again), an interview evaluated
(``settle``). Closing an application is not a transition of the column: the status of
an application that is not active is COMPLETE when read (``effective_status``), so the
syncs, webhooks and write-backs that close applications need not know of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.engine import SessionFactory
from gateway.store.enums import ApplicationStatus, InterviewStatus, ProcessingStatus
from gateway.store.models import Analysis, Application, Evaluation, Interview

PENDING = (ProcessingStatus.NEW, ProcessingStatus.ANALYZING)
"""The statuses that still need processing (``Job.pendingCount``)."""


def has_report(application_id: Any) -> sa.ColumnElement[bool]:
    """The application has a report: a completed interview with an evaluation."""
    return sa.exists().where(
        Interview.application_id == application_id,
        Interview.status == InterviewStatus.COMPLETED,
        Evaluation.interview_id == Interview.id,
    )


def has_analysis(application_id: Any) -> sa.ColumnElement[bool]:
    return sa.exists().where(Analysis.application_id == application_id)


def effective_status(columns: Any = None) -> sa.ColumnElement[str]:
    """The status as read: COMPLETE for an application that is not active, else the
    stored one. ``columns``: the ``c`` of an alias of ``applications``, if not the table."""
    c = columns if columns is not None else Application.__table__.c
    return sa.case(
        (c.status != ApplicationStatus.ACTIVE.value, ProcessingStatus.COMPLETE.value),
        else_=c.processing_status,
    )


def status_in(statuses: Iterable[ProcessingStatus]) -> sa.ColumnElement[bool]:
    """Applications whose effective status is one of ``statuses``, as a condition that
    keeps to the stored column where it can."""
    wanted = set(statuses)
    stored = sorted(s.value for s in wanted)
    active = Application.status == ApplicationStatus.ACTIVE
    in_column = Application.processing_status.in_(stored)
    if ProcessingStatus.COMPLETE in wanted:
        return sa.or_(~active, in_column)
    return sa.and_(active, in_column)


def pending() -> sa.ColumnElement[bool]:
    """Active applications still to be processed: NEW or ANALYZING."""
    return status_in(PENDING)


def _recomputed(analyzing: bool | None) -> sa.ColumnElement[str]:
    analyzing_now: sa.ColumnElement[bool] = (
        sa.true()
        if analyzing
        else sa.false()
        if analyzing is False
        else Application.processing_status == ProcessingStatus.ANALYZING.value
    )
    return sa.case(
        (has_report(Application.id), ProcessingStatus.COMPLETE.value),
        (analyzing_now, ProcessingStatus.ANALYZING.value),
        (has_analysis(Application.id), ProcessingStatus.ANALYZED.value),
        else_=ProcessingStatus.NEW.value,
    )


async def settle(
    session: AsyncSession,
    tenant_id: int,
    application_ids: Iterable[int],
    *,
    analyzing: bool | None = None,
) -> None:
    """Recompute the stored status of ``application_ids`` from what the store holds,
    in one statement: ``analyzing`` True (queued or started), False (the analysis is
    stored, skipped or failed) or None (keep whether one is under way)."""
    ids = sorted(set(application_ids))
    if not ids:
        return
    await session.execute(
        sa.update(Application)
        .where(Application.tenant_id == tenant_id, Application.id.in_(ids))
        .values(processing_status=_recomputed(analyzing))
        .execution_options(synchronize_session=False)
    )


async def mark_analyzing(
    session_factory: SessionFactory, tenant_id: int, application_ids: Iterable[int]
) -> None:
    """An analysis of ``application_ids`` was queued or has started."""
    async with session_factory.begin() as session:
        await settle(session, tenant_id, application_ids, analyzing=True)


async def analysis_over(
    session_factory: SessionFactory, tenant_id: int, application_ids: Iterable[int]
) -> None:
    """No analysis of ``application_ids`` is under way any more (skipped or failed)."""
    async with session_factory.begin() as session:
        await settle(session, tenant_id, application_ids, analyzing=False)
