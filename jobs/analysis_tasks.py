"""The resume analysis tasks (``gateway.services.analysis``): ``analyze_application``
(one application, queued by ``applicationReprocess`` as ``analysis:{id}``) and
``analyze_applications`` (a batch of new ones, queued after a sync or webhook commits
them).

A provider failure that a retry can help (429, 5xx, timeouts) is retried; any other (an
answer invalid twice, a refused request) makes the record dead at once. The provider is
``TaskContext.ai``, else the one the settings describe.

The analysis is called through this module's name ``analyze_application``, so a test
can replace it here.
"""

from __future__ import annotations

from gateway.ai.provider import ProviderError
from gateway.oplog import LogEntry, write_log
from gateway.services.analysis import (
    Analyzed,
    BatchReport,
    analyze_new_applications,
)
from gateway.services.analysis import analyze_application as analyze_application
from gateway.services.processing import analysis_over, mark_analyzing
from gateway.store.enums import LogLevel
from jobs.task_context import PermanentTaskError, TaskContext, TaskError

SOURCE = "processing"


async def analyze_application_task(
    ctx: TaskContext,
    tenant_id: int,
    application_id: int,
    *,
    trigger: str = "manual",
    requested_by: int | None = None,
) -> Analyzed:
    """A fresh analysis of one application (``NotFound`` when it is gone: dead). The
    application is ANALYZING while the attempt runs, and settles when it fails."""
    await mark_analyzing(ctx.session_factory, tenant_id, [application_id])
    try:
        return await analyze_application(
            ctx.analysis_deps(),
            tenant_id,
            application_id,
            trigger=trigger,
            requested_by=requested_by,
        )
    except ProviderError as exc:
        await analysis_over(ctx.session_factory, tenant_id, [application_id])
        await write_log(ctx.session_factory, _failed(tenant_id, application_id, exc))
        if exc.retryable:
            raise TaskError(exc.message) from None
        raise PermanentTaskError(exc.message) from None


async def analyze_applications_task(
    ctx: TaskContext, tenant_id: int, application_ids: list[int], *, trigger: str = "new"
) -> BatchReport:
    """Analyse the new applications of a batch that still need it. Failures fail the
    attempt after the others are done: retried when any could succeed on a retry (the
    retry skips what is analysed by then), dead otherwise."""
    report = await analyze_new_applications(
        ctx.analysis_deps(), tenant_id, application_ids, trigger=trigger
    )
    entries = [_failed(tenant_id, ident, error) for ident, error in report.failed.items()]
    if report.analyzed:
        entries.append(
            LogEntry(
                tenant_id,
                LogLevel.INFO,
                SOURCE,
                f"Analysed {len(report.analyzed)} new application(s)",
                extra={"applicationIds": report.analyzed[:100], "trigger": trigger},
            )
        )
    await write_log(ctx.session_factory, *entries)
    if report.failed:
        first_id, first = next(iter(report.failed.items()))
        summary = (
            f"{len(report.failed)} of {len(application_ids)} analyses failed "
            f"({len(report.analyzed)} done); application {first_id}: {first.message}"
        )
        if any(error.retryable for error in report.failed.values()):
            raise TaskError(summary)
        raise PermanentTaskError(summary)
    return report


def _failed(tenant_id: int, application_id: int, error: ProviderError) -> LogEntry:
    return LogEntry(
        tenant_id,
        LogLevel.WARNING if error.retryable else LogLevel.ERROR,
        SOURCE,
        f"Resume analysis failed{' (will retry)' if error.retryable else ''}: {error.message}",
        application_id=application_id,
    )
