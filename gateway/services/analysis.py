"""Resume analysis: the tenant's prompt, the provider's answer, the stored ``Analysis``.

    deps = AnalysisDeps(session_factory, bus, cache, provider)
    done = await analyze_application(deps, tenant_id=1, application_id=7, trigger="reprocess")
    done.analysis_id, done.risk_score          # 31, 0.42: the application's current analysis

    await request_reprocess(session_factory, queue, 1, 7, requested_by=3)   # queued
    await enqueue_new_application_analyses(queue, 1, [7, 8, 9], trigger="sync")

The prompt is the tenant's ``RESUME_ANALYSIS`` prompt for the application's requisition
(``job_id`` set; a default one first, then the newest), else the tenant's default one,
else ``DEFAULT_TEMPLATE``. It is rendered with the candidate, the requisition and the
resume (``gateway.ai.templates``); its ``schema_content`` is the JSON schema the answer
must satisfy, else ``DEFAULT_ANALYSIS_SCHEMA`` (the fields of an ``Analysis``).

Each analysis is a new row (the newest is current, the older ones stay as history); the
application's ``risk_score`` (0-1) follows the newest, and compliance flags set its
``compliance_review`` (never clear it: a person may have set it). The same transaction
records the activity ``application.analyzed`` and stages the bus event
``application.analyzed`` ``{id, applicationId, analysisId, jobId, candidateId,
riskScore}`` (``id`` is the application, as in every ``application.*`` event).

New applications (from a sync, a webhook, ``candidateAddToJob``) are analysed in the
background in batches of ``BATCH_SIZE``: one ``analyze_applications`` job per batch,
which analyses the batch's applications that are still active and have no analysis
yet, so a retry or a duplicate does no work twice. ``applicationReprocess`` queues one
``analyze_application`` job under the key ``analysis:{application_id}``: asking again
while it waits reports the queued one. Settings (read with defaults until declared):
``ai_auto_analyze`` (True) turns the automatic analyses off, ``ai_auto_analyze_full_sync``
(True) only those of full syncs (a first import of 20,000 historical applications).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ai.openai_compat import DEFAULT_ANALYSIS_SCHEMA
from gateway.ai.provider import AIProvider, AnalysisResult, ProviderError, ResumeRequest
from gateway.ai.templates import first_name, render_template
from gateway.cache import ResponseCache
from gateway.errors import NotFound
from gateway.events import ApplicationCreated, EventName, application_analyzed, read
from gateway.outbox import Outbox, stage
from gateway.ports import HasSessions
from gateway.pubsub import Event, EventBus
from gateway.queue import Enqueued, TaskQueue
from gateway.services.activities import Actor, record_activity
from gateway.services.processing import analysis_over, mark_analyzing, settle
from gateway.store.engine import SessionFactory
from gateway.store.enums import ActorType, ApplicationStatus, PromptType
from gateway.store.models import Analysis, Application, Candidate, Job, Prompt, Tenant

logger = logging.getLogger("talentgraph.analysis")

ANALYZE_APPLICATION = "analyze_application"
ANALYZE_APPLICATIONS = "analyze_applications"
BATCH_SIZE = 100
"""New applications per ``analyze_applications`` job."""
ANALYZED = EventName.APPLICATION_ANALYZED.value
"""The activity a resume analysis records is named after its event."""

DEFAULT_TEMPLATE = (
    "You are an experienced recruiter. Assess how well {{candidate_name}} fits the "
    "requisition '{{job_title}}' for {{client_name}}.\n\nRequisition:\n{{job_description}}"
    "\n\nResume:\n{{resume_text}}\n\nGive a risk score from 0 (great fit) to 1 (poor fit), "
    "a one-paragraph relevance summary, pros, cons, red flags, compliance flags (e.g. the "
    "right to work, protected personal data on the resume) and interview questions that "
    "would settle the open points."
)
"""The resume-analysis prompt of a tenant that has none."""


@dataclass(frozen=True, slots=True)
class AnalysisDeps:
    session_factory: SessionFactory
    bus: EventBus
    cache: ResponseCache
    provider: AIProvider


@dataclass(frozen=True, slots=True)
class Analyzed:
    application_id: int
    analysis_id: int
    risk_score: float
    model: str


@dataclass(slots=True)
class BatchReport:
    analyzed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    """Gone, not active any more, or analysed already."""
    failed: dict[int, ProviderError] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Prepared:
    request: ResumeRequest
    prompt_id: int | None
    job_id: int
    candidate_id: int


def analysis_key(application_id: int) -> str:
    return f"analysis:{application_id}"


def analysis_batch_key(application_ids: Sequence[int]) -> str:
    digest = hashlib.sha256(",".join(map(str, sorted(application_ids))).encode()).hexdigest()
    return f"analysis-batch:{digest[:24]}"


# --- one analysis -----------------------------------------------------------------------


async def resume_prompt(session: AsyncSession, tenant_id: int, job_id: int) -> Prompt | None:
    """The requisition's own resume-analysis prompt, else the tenant's default one."""
    own: Prompt | None = await session.scalar(
        sa.select(Prompt)
        .where(
            Prompt.tenant_id == tenant_id,
            Prompt.prompt_type == PromptType.RESUME_ANALYSIS,
            Prompt.job_id == job_id,
        )
        .order_by(Prompt.is_default.desc(), Prompt.updated_at.desc(), Prompt.id.desc())
        .limit(1)
    )
    if own is not None:
        return own
    default: Prompt | None = await session.scalar(
        sa.select(Prompt)
        .where(
            Prompt.tenant_id == tenant_id,
            Prompt.prompt_type == PromptType.RESUME_ANALYSIS,
            Prompt.job_id.is_(None),
            Prompt.is_default.is_(True),
        )
        .order_by(Prompt.id.desc())
        .limit(1)
    )
    return default


def prompt_schema(prompt: Prompt | None) -> dict[str, Any]:
    """The prompt's JSON schema, or the default one (also for a schema that no longer
    parses: prompts are checked when written, so that is logged, not fatal)."""
    if prompt is None or not (prompt.schema_content or "").strip():
        return dict(DEFAULT_ANALYSIS_SCHEMA)
    try:
        schema = json.loads(prompt.schema_content or "")
    except ValueError:
        schema = None
    if not isinstance(schema, dict):
        logger.warning("prompt %s has an unreadable schema; using the default", prompt.id)
        return dict(DEFAULT_ANALYSIS_SCHEMA)
    return schema


async def _prepare(session: AsyncSession, tenant_id: int, application_id: int) -> _Prepared:
    row = (
        await session.execute(
            sa.select(Application, Job, Candidate, Tenant.name)
            .join(Job, Job.id == Application.job_id)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .join(Tenant, Tenant.id == Application.tenant_id)
            .where(Application.id == application_id, Application.tenant_id == tenant_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("Application", application_id)
    application, job, candidate, tenant_name = row
    prompt = await resume_prompt(session, tenant_id, job.id)
    description = "\n\n".join(
        part for part in (job.description, job.detailed_description) if part and part.strip()
    )
    resume = (candidate.resume_text or "").strip()
    values: dict[str, object | None] = {
        "candidate_name": candidate.name,
        "candidate_first_name": candidate.first_name or first_name(candidate.name),
        "job_title": job.title,
        "job_description": description or None,
        "job_location": job.location,
        "client_name": job.client_name or tenant_name,
        "company": job.client_name or tenant_name,
        "resume_text": resume or "(no resume text)",
        "interview_instructions": job.interview_instructions,
    }
    template = prompt.template_content if prompt is not None else DEFAULT_TEMPLATE
    request = ResumeRequest(
        prompt=render_template(template, values),
        json_schema=prompt_schema(prompt),
        resume_text=resume,
        job_title=job.title,
        job_description=description or None,
        candidate_name=candidate.name,
    )
    return _Prepared(request, prompt.id if prompt else None, job.id, application.candidate_id)


async def analyze_application(
    deps: AnalysisDeps,
    tenant_id: int,
    application_id: int,
    *,
    trigger: str = "manual",
    requested_by: int | None = None,
) -> Analyzed:
    """Analyse the application's resume now and store the result as its current
    analysis. Raises ``NotFound`` and the provider's ``ProviderError``; on either the
    store is unchanged."""
    async with deps.session_factory() as session:
        prepared = await _prepare(session, tenant_id, application_id)
    result = await deps.provider.analyze_resume(prepared.request)
    return await _store(deps, tenant_id, application_id, prepared, result, trigger, requested_by)


async def _store(
    deps: AnalysisDeps,
    tenant_id: int,
    application_id: int,
    prepared: _Prepared,
    result: AnalysisResult,
    trigger: str,
    requested_by: int | None,
) -> Analyzed:
    risk = max(0.0, min(1.0, float(result.risk_score)))
    model = result.model or deps.provider.name
    async with deps.session_factory.begin() as session:
        application = await session.get(Application, application_id, with_for_update=True)
        if application is None or application.tenant_id != tenant_id:
            raise NotFound("Application", application_id)  # deleted while we waited
        analysis = Analysis(
            tenant_id=tenant_id,
            application_id=application_id,
            risk_score=risk,
            relevance_summary=result.relevance_summary or None,
            pros=list(result.pros),
            cons=list(result.cons),
            red_flags=list(result.red_flags),
            suggested_questions=list(result.suggested_questions),
            compliance_flags=list(result.compliance_flags),
            raw=dict(result.raw),
            model=model[:128],
            prompt_id=prepared.prompt_id,
        )
        session.add(analysis)
        application.risk_score = risk
        if result.compliance_flags:
            application.compliance_review = True
        await session.flush()
        await settle(session, tenant_id, [application_id], analyzing=False)
        actor = Actor(tenant_id, ActorType.SYSTEM, "analysis", "Resume analysis")
        details: dict[str, Any] = {
            "analysisId": analysis.id,
            "riskScore": risk,
            "model": model,
            "promptId": prepared.prompt_id,
            "trigger": trigger,
        }
        if requested_by is not None:
            details["requestedBy"] = requested_by
        record_activity(
            session,
            actor,
            action=ANALYZED,
            subject_type="Application",
            subject_id=application_id,
            description=f"Resume analysed ({model}): risk {risk:.2f}",
            job_id=prepared.job_id,
            candidate_id=prepared.candidate_id,
            application_id=application_id,
            details=details,
        )
        event = application_analyzed(
            tenant_id,
            application_id=application_id,
            analysis_id=analysis.id,
            job_id=prepared.job_id,
            candidate_id=prepared.candidate_id,
            risk_score=risk,
        )
        staged = await stage(session, [event])
        analysis_id = analysis.id
    await deps.cache.invalidate(tenant_id)
    await Outbox(deps.session_factory, deps.bus).release(staged)
    return Analyzed(application_id, analysis_id, risk, model)


# --- new applications, in batches -------------------------------------------------------


async def _awaiting_analysis(deps: HasSessions, tenant_id: int, ids: Sequence[int]) -> set[int]:
    """Of ``ids``, the tenant's active applications without any analysis."""
    async with deps.session_factory() as session:
        analysed = sa.exists().where(Analysis.application_id == Application.id)
        rows = await session.scalars(
            sa.select(Application.id).where(
                Application.tenant_id == tenant_id,
                Application.id.in_(list(ids)),
                Application.status == ApplicationStatus.ACTIVE,
                Application.remote_deleted_at.is_(None),
                ~analysed,
            )
        )
        return set(rows)


async def analyze_new_applications(
    deps: AnalysisDeps, tenant_id: int, application_ids: Sequence[int], *, trigger: str = "new"
) -> BatchReport:
    """Analyse those of ``application_ids`` that still need it, one at a time; a failure
    of one does not stop the others (they are in the report). Those that need it are
    ANALYZING while the batch runs; the skipped and the failed are settled at the end."""
    report = BatchReport()
    waiting = await _awaiting_analysis(deps, tenant_id, application_ids)
    await mark_analyzing(deps.session_factory, tenant_id, waiting)
    for application_id in dict.fromkeys(application_ids):
        if application_id not in waiting:
            report.skipped.append(application_id)
            continue
        try:
            await analyze_application(deps, tenant_id, application_id, trigger=trigger)
        except NotFound:
            report.skipped.append(application_id)
        except ProviderError as exc:
            logger.info("analysis of application %s failed: %s", application_id, exc.message)
            report.failed[application_id] = exc
        else:
            report.analyzed.append(application_id)
    await analysis_over(deps.session_factory, tenant_id, [*report.skipped, *report.failed])
    return report


# --- queueing ---------------------------------------------------------------------------


async def enqueue_analysis(
    queue: TaskQueue,
    tenant_id: int,
    application_id: int,
    trigger: str = "manual",
    *,
    requested_by: int | None = None,
) -> Enqueued:
    """Queue a fresh analysis of one application (``analysis:{id}``; a duplicate while
    one waits or runs reports that one)."""
    payload: dict[str, Any] = {"application_id": application_id, "trigger": trigger}
    if requested_by is not None:
        payload["requested_by"] = requested_by
    return await queue.enqueue(
        ANALYZE_APPLICATION, key=analysis_key(application_id), tenant_id=tenant_id, payload=payload
    )


async def request_reprocess(
    session_factory: SessionFactory,
    queue: TaskQueue,
    tenant_id: int,
    application_id: int,
    *,
    requested_by: int | None,
) -> Enqueued:
    """A user's "reprocess": the application must be in the tenant (``NotFound``); it
    is ANALYZING from now on (``gateway.services.processing``)."""
    async with session_factory() as session:
        found = await session.scalar(
            sa.select(Application.id).where(
                Application.id == application_id, Application.tenant_id == tenant_id
            )
        )
    if found is None:
        raise NotFound("Application", application_id)
    queued = await enqueue_analysis(
        queue, tenant_id, application_id, "reprocess", requested_by=requested_by
    )
    await mark_analyzing(session_factory, tenant_id, [application_id])
    return queued


async def enqueue_new_application_analyses(
    queue: TaskQueue,
    tenant_id: int,
    application_ids: Iterable[int],
    *,
    trigger: str = "new",
) -> list[Enqueued]:
    """One ``analyze_applications`` job per ``BATCH_SIZE`` of ``application_ids``."""
    ids = list(dict.fromkeys(application_ids))
    queued: list[Enqueued] = []
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        queued.append(
            await queue.enqueue(
                ANALYZE_APPLICATIONS,
                key=analysis_batch_key(batch),
                tenant_id=tenant_id,
                payload={"application_ids": batch, "trigger": trigger},
            )
        )
    return queued


def new_application_ids(events: Iterable[Event]) -> list[int]:
    """The ids of the active applications that ``application.created`` events announce
    (what a sync batch, a webhook or ``candidateAddToJob`` staged)."""
    found: list[int] = []
    for event in events:
        created = read(event, ApplicationCreated)
        if created is not None and created.status == ApplicationStatus.ACTIVE:
            found.append(created.application_id)
    return found


def auto_analysis_enabled(settings: object, *, full_sync: bool = False) -> bool:
    if not getattr(settings, "ai_auto_analyze", True):
        return False
    return not full_sync or bool(getattr(settings, "ai_auto_analyze_full_sync", True))


class NewApplicationAnalyses:
    """The hook that queues the analyses of new applications after their commit.

        hook = NewApplicationAnalyses(settings)      # built before the queue exists
        hook.bind(queue)                             # once it does
        await hook(tenant_id, new_application_ids(staged.events), trigger="sync",
                   full_sync=True)

    It never raises: the applications are committed already, and a queue that fails
    here must not fail their sync (the error is logged; ``applicationReprocess`` or the
    next run catches up). Without a bound queue it does nothing. With a
    ``session_factory``, the queued applications are marked ANALYZING; without one they
    are when their batch starts.
    """

    def __init__(
        self,
        settings: object,
        queue: TaskQueue | None = None,
        session_factory: SessionFactory | None = None,
    ) -> None:
        self.settings = settings
        self.queue = queue
        self.session_factory = session_factory

    def bind(self, queue: TaskQueue) -> None:
        self.queue = queue

    async def __call__(
        self,
        tenant_id: int,
        application_ids: Iterable[int],
        *,
        trigger: str,
        full_sync: bool = False,
    ) -> int:
        """How many applications were queued (in however many jobs)."""
        ids = list(dict.fromkeys(application_ids))
        if not ids or self.queue is None:
            return 0
        if not auto_analysis_enabled(self.settings, full_sync=full_sync):
            return 0
        try:
            await enqueue_new_application_analyses(self.queue, tenant_id, ids, trigger=trigger)
            if self.session_factory is not None:
                await mark_analyzing(self.session_factory, tenant_id, ids)
        except Exception:
            logger.exception(
                "could not queue the analyses of %d new application(s) of tenant %s",
                len(ids),
                tenant_id,
            )
            return 0
        return len(ids)
