"""Resume analysis on SQLite and PostgreSQL: the prompt chosen and rendered, the answer
stored as the application's current analysis with its activity and event, batches of
new applications analysed once, and both background tasks run through the in-process
queue with their records, retries and dead ends."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from demo.seed import seed_demo
from gateway.ai.offline import OfflineProvider
from gateway.ai.provider import AnalysisResult, ProviderError, ResumeRequest
from gateway.cache import ResponseCache
from gateway.errors import NotFound
from gateway.events import (
    EventName,
    application_created,
    application_updated,
    candidate_created,
)
from gateway.locks import LocalLocks
from gateway.pubsub import Event, EventBus
from gateway.queue import Enqueued
from gateway.services import analysis as service
from gateway.services.analysis import (
    ANALYZE_APPLICATION,
    ANALYZE_APPLICATIONS,
    DEFAULT_TEMPLATE,
    AnalysisDeps,
    NewApplicationAnalyses,
    analysis_key,
    analyze_application,
    analyze_new_applications,
    enqueue_analysis,
    enqueue_new_application_analyses,
    new_application_ids,
    request_reprocess,
)
from gateway.settings import Settings
from gateway.store.engine import SessionFactory, create_engine, create_session_factory
from gateway.store.enums import ApplicationStatus, BackgroundJobStatus, LogLevel, PromptType
from gateway.store.migrate import upgrade
from gateway.store.models import (
    Activity,
    Analysis,
    Application,
    BackgroundJob,
    Candidate,
    Job,
    OperationalLog,
    Prompt,
)
from jobs import analysis_tasks
from jobs.queue_arq import ArqQueue, arq_redis
from jobs.queue_local import InProcessQueue
from jobs.sync_api import SyncDeps
from jobs.task_context import PermanentTaskError, TaskContext
from jobs.task_registry import TASKS
from jobs.worker import create_worker
from tests.support.gateway import ENCRYPTION_KEYS, JWT_SECRET
from tests.support.services import Backend


class RecordingBus(EventBus):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[Event] = []

    async def publish(self, event: Event) -> None:
        self.events.append(event)


class ScriptedProvider(OfflineProvider):
    """The offline provider, recording what it is asked and failing on request."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[ResumeRequest] = []
        self.failures: deque[ProviderError] = deque()
        self.gate = asyncio.Event()
        self.gate.set()

    async def analyze_resume(self, resume: ResumeRequest) -> AnalysisResult:
        self.requests.append(resume)
        await self.gate.wait()
        if self.failures:
            raise self.failures.popleft()
        return await super().analyze_resume(resume)


@dataclass
class World:
    session_factory: SessionFactory
    tenant_id: int
    other_tenant_id: int
    bus: RecordingBus
    provider: ScriptedProvider
    deps: AnalysisDeps
    context: TaskContext
    queue: InProcessQueue
    applications: list[int] = field(default_factory=list)
    other_applications: list[int] = field(default_factory=list)


async def _application_ids(factory: SessionFactory, tenant_id: int) -> list[int]:
    async with factory() as session:
        return list(
            await session.scalars(
                sa.select(Application.id)
                .where(Application.tenant_id == tenant_id)
                .order_by(Application.id)
            )
        )


@pytest.fixture(scope="module")
async def world(backend: Backend) -> AsyncIterator[World]:
    engine = create_engine(backend.url)
    http = httpx.AsyncClient()
    settings = Settings(
        database_url=backend.url,
        jwt_secret=JWT_SECRET,
        encryption_keys=ENCRYPTION_KEYS,
        task_retry_base_seconds=0.01,
    )
    cache = ResponseCache(settings)
    queue: InProcessQueue | None = None
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        sizes = {"jobs": 6, "candidates": 20, "applications": 16}
        demo = await seed_demo(factory, slug="analysis", seed=5, **sizes)
        other = await seed_demo(factory, slug="analysis-other", seed=9, **sizes)
        bus = RecordingBus()
        provider = ScriptedProvider()
        deps = SyncDeps(factory, settings.keyring(), http, bus, cache, LocalLocks())
        context = TaskContext(deps, settings, ai=provider)
        queue = InProcessQueue(context)
        yield World(
            factory,
            demo.tenant_id,
            other.tenant_id,
            bus,
            provider,
            context.analysis_deps(),
            context,
            queue,
            await _application_ids(factory, demo.tenant_id),
            await _application_ids(factory, other.tenant_id),
        )
    finally:
        if queue is not None:
            await queue.close()
        await http.aclose()
        await cache.close()
        await engine.dispose()


@pytest.fixture
def fresh(world: World) -> Iterator[World]:
    world.provider.requests.clear()
    world.provider.failures.clear()
    world.provider.gate.set()
    world.bus.events.clear()
    yield world
    world.provider.gate.set()


async def _analyses(world: World, application_id: int) -> list[Analysis]:
    async with world.session_factory() as session:
        return list(
            await session.scalars(
                sa.select(Analysis)
                .where(Analysis.application_id == application_id)
                .order_by(Analysis.created_at, Analysis.id)
            )
        )


async def _record(world: World, record_id: int) -> BackgroundJob:
    async with world.session_factory() as session:
        record = await session.get(BackgroundJob, record_id)
    assert record is not None
    return record


async def _logged(world: World, application_id: int) -> list[OperationalLog]:
    async with world.session_factory() as session:
        return list(
            await session.scalars(
                sa.select(OperationalLog)
                .where(OperationalLog.application_id == application_id)
                .order_by(OperationalLog.id)
            )
        )


async def _drain(world: World) -> None:
    await asyncio.wait_for(world.queue.drain(), timeout=20)


async def _without_analyses(world: World, ids: list[int]) -> None:
    async with world.session_factory.begin() as session:
        await session.execute(sa.delete(Analysis).where(Analysis.application_id.in_(ids)))
        await session.execute(
            sa.update(Application)
            .where(Application.id.in_(ids))
            .values(status=ApplicationStatus.ACTIVE, remote_deleted_at=None)
        )


# --- one analysis ----------------------------------------------------------------------


async def test_an_analysis_is_stored_as_the_current_one(fresh: World) -> None:
    world = fresh
    application_id = world.applications[0]
    before = await _analyses(world, application_id)
    first = await analyze_application(world.deps, world.tenant_id, application_id)
    second = await analyze_application(
        world.deps, world.tenant_id, application_id, trigger="reprocess", requested_by=5
    )
    stored = await _analyses(world, application_id)
    assert len(stored) == len(before) + 2
    assert [row.id for row in stored[-2:]] == [first.analysis_id, second.analysis_id]
    current = stored[-1]
    assert current.model == "offline-1"
    assert 0 <= (current.risk_score or 0) <= 1
    assert current.suggested_questions and current.relevance_summary
    assert current.raw and current.raw["risk_score"] is not None
    async with world.session_factory() as session:
        application = await session.get(Application, application_id)
        activity = await session.scalar(
            sa.select(Activity)
            .where(Activity.application_id == application_id)
            .order_by(Activity.id.desc())
            .limit(1)
        )
    assert application is not None and application.risk_score == second.risk_score
    assert activity is not None and activity.action == "application.analyzed"
    assert activity.details["analysisId"] == second.analysis_id
    assert (activity.details["trigger"], activity.details["requestedBy"]) == ("reprocess", 5)
    analyzed = [event for event in world.bus.events if event.type == "application.analyzed"]
    assert [event.data["analysisId"] for event in analyzed] == [
        first.analysis_id,
        second.analysis_id,
    ]
    assert analyzed[-1].tenant_id == world.tenant_id
    assert analyzed[-1].data["id"] == analyzed[-1].data["applicationId"] == application_id
    assert analyzed[-1].data["riskScore"] == second.risk_score
    assert analyzed[-1].data["jobId"] == application.job_id


async def test_the_tenant_prompt_is_rendered_and_its_schema_enforced(fresh: World) -> None:
    world = fresh
    application_id = world.applications[1]
    async with world.session_factory() as session:
        application = await session.get(Application, application_id)
        assert application is not None
        job = await session.get(Job, application.job_id)
        candidate = await session.get(Candidate, application.candidate_id)
        default = await session.scalar(
            sa.select(Prompt).where(
                Prompt.tenant_id == world.tenant_id,
                Prompt.prompt_type == PromptType.RESUME_ANALYSIS,
                Prompt.is_default.is_(True),
            )
        )
    assert job is not None and candidate is not None and default is not None
    done = await analyze_application(world.deps, world.tenant_id, application_id)
    request = world.provider.requests[-1]
    assert f"requisition '{job.title}'" in request.prompt
    assert "{{" not in request.prompt
    assert (candidate.resume_text or "").strip() in request.prompt
    assert request.json_schema == json.loads(default.schema_content or "")
    assert (await _analyses(world, application_id))[-1].prompt_id == default.id

    percent = {
        "type": "object",
        "required": ["risk_score", "summary"],
        "properties": {"risk_score": {"type": "integer", "minimum": 0, "maximum": 100}},
    }
    async with world.session_factory.begin() as session:
        own = Prompt(
            tenant_id=world.tenant_id,
            name="For this requisition",
            prompt_type=PromptType.RESUME_ANALYSIS,
            template_content="Judge {{candidate_first_name}} for {{job_title}}: {{unknown}}",
            schema_content=json.dumps(percent),
            job_id=job.id,
            is_default=False,
        )
        session.add(own)
    try:
        again = await analyze_application(world.deps, world.tenant_id, application_id)
        request = world.provider.requests[-1]
        first = candidate.first_name or candidate.name.split()[0]
        assert request.prompt == f"Judge {first} for {job.title}: {{{{unknown}}}}"
        latest = (await _analyses(world, application_id))[-1]
        assert latest.prompt_id == own.id
        assert latest.raw is not None and latest.raw["risk_score"] == round(again.risk_score * 100)
        assert again.risk_score == done.risk_score  # same resume, same job, other scale
    finally:
        async with world.session_factory.begin() as session:
            await session.execute(sa.delete(Prompt).where(Prompt.id == own.id))


async def test_without_any_prompt_the_built_in_one_is_used(
    fresh: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_prompt(*_args: Any) -> None:
        return None

    monkeypatch.setattr(service, "resume_prompt", no_prompt)
    await analyze_application(fresh.deps, fresh.tenant_id, fresh.applications[2])
    request = fresh.provider.requests[-1]
    assert request.prompt.startswith(DEFAULT_TEMPLATE.split("{{")[0])
    assert request.json_schema == service.DEFAULT_ANALYSIS_SCHEMA
    assert (await _analyses(fresh, fresh.applications[2]))[-1].prompt_id is None


async def test_other_tenants_applications_and_failures_change_nothing(fresh: World) -> None:
    world = fresh
    with pytest.raises(NotFound):
        await analyze_application(world.deps, world.tenant_id, world.other_applications[0])
    with pytest.raises(NotFound):
        await analyze_application(world.deps, world.tenant_id, 10**9)
    target = world.applications[3]
    before = await _analyses(world, target)
    world.provider.failures.append(ProviderError("model down", retryable=True))
    with pytest.raises(ProviderError):
        await analyze_application(world.deps, world.tenant_id, target)
    assert await _analyses(world, target) == before
    assert not world.bus.events


# --- new applications ------------------------------------------------------------------


async def test_a_batch_analyses_only_active_applications_without_one(fresh: World) -> None:
    world = fresh
    ids = world.applications[4:9]
    await _without_analyses(world, ids)
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.update(Application)
            .where(Application.id == ids[1])
            .values(status=ApplicationStatus.REJECTED)
        )
    await analyze_application(world.deps, world.tenant_id, ids[2])
    world.provider.failures.append(ProviderError("slow down", retryable=True))
    report = await analyze_new_applications(
        world.deps, world.tenant_id, [*ids, ids[0], world.other_applications[1]], trigger="sync"
    )
    assert list(report.failed) == [ids[0]]
    assert report.analyzed == [ids[3], ids[4]]
    assert sorted(report.skipped) == sorted([ids[1], ids[2], world.other_applications[1]])
    again = await analyze_new_applications(world.deps, world.tenant_id, ids)
    assert again.analyzed == [ids[0]] and not again.failed


def test_new_application_ids_come_from_created_events() -> None:
    def added(pk: int, status: str, build: Callable[..., Event] = application_created) -> Event:
        return build(
            1,
            application_id=pk,
            remote_id=f"A-{pk}",
            job_id=2,
            candidate_id=3,
            stage="New",
            status=status,
        )

    events = [
        added(7, "active"),
        added(8, "rejected"),
        added(9, "active", application_updated),
        Event(EventName.APPLICATION_CREATED, 1, {"id": 10}),
        candidate_created(1, candidate_id=11, remote_id="C-11"),
        added(12, "active"),
    ]
    assert new_application_ids(events) == [7, 12]


async def test_the_hook_queues_batches_unless_turned_off(
    fresh: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Queue:
        def __init__(self) -> None:
            self.calls: list[tuple[str, str, dict[str, Any]]] = []

        async def enqueue(
            self, task: str, *, key: str, tenant_id: int, payload: dict[str, Any]
        ) -> Enqueued:
            self.calls.append((task, key, payload))
            return Enqueued(len(self.calls), duplicate=False)

    monkeypatch.setattr(service, "BATCH_SIZE", 2)
    queue = Queue()
    hook = NewApplicationAnalyses(SimpleNamespace())
    assert await hook(1, [1, 2, 3], trigger="sync") == 0  # no queue bound yet
    hook.bind(queue)  # type: ignore[arg-type]
    assert await hook(1, [1, 2, 3, 3, 4, 5], trigger="sync") == 5
    assert [call[2]["application_ids"] for call in queue.calls] == [[1, 2], [3, 4], [5]]
    assert {call[0] for call in queue.calls} == {ANALYZE_APPLICATIONS}
    assert len({call[1] for call in queue.calls}) == 3
    assert queue.calls[0][2]["trigger"] == "sync"
    off = NewApplicationAnalyses(SimpleNamespace(ai_auto_analyze=False), queue)  # type: ignore[arg-type]
    no_imports = NewApplicationAnalyses(
        SimpleNamespace(ai_auto_analyze_full_sync=False),
        queue,  # type: ignore[arg-type]
    )
    assert await off(1, [9], trigger="webhook") == 0
    assert await no_imports(1, [9], trigger="sync", full_sync=True) == 0
    assert await no_imports(1, [9], trigger="webhook") == 1

    class Broken:
        async def enqueue(self, *_args: Any, **_kwargs: Any) -> Enqueued:
            raise ConnectionError("redis is down")

    caplog.set_level(logging.ERROR, logger="talentgraph.analysis")
    assert await NewApplicationAnalyses(SimpleNamespace(), Broken())(1, [1], trigger="x") == 0  # type: ignore[arg-type]
    assert "could not queue the analyses of 1 new application(s)" in caplog.text


# --- the background tasks --------------------------------------------------------------


async def test_reprocess_is_queued_once_and_recorded(fresh: World) -> None:
    world = fresh
    application_id = world.applications[9]
    before = len(await _analyses(world, application_id))
    world.provider.gate.clear()
    first = await request_reprocess(
        world.session_factory, world.queue, world.tenant_id, application_id, requested_by=3
    )
    again = await enqueue_analysis(world.queue, world.tenant_id, application_id, "reprocess")
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.job_record_id == first.job_record_id
    with pytest.raises(NotFound):
        await request_reprocess(
            world.session_factory,
            world.queue,
            world.tenant_id,
            world.other_applications[0],
            requested_by=3,
        )
    world.provider.gate.set()
    await _drain(world)
    record = await _record(world, first.job_record_id)
    assert (record.job_type, record.job_key) == (ANALYZE_APPLICATION, analysis_key(application_id))
    assert (record.status, record.attempts) == (BackgroundJobStatus.SUCCEEDED, 1)
    assert record.payload == {
        "application_id": application_id,
        "trigger": "reprocess",
        "requested_by": 3,
    }
    assert len(await _analyses(world, application_id)) == before + 1
    fresh_one = await enqueue_analysis(world.queue, world.tenant_id, application_id)
    assert not fresh_one.duplicate  # the key is free once the job is done
    await _drain(world)


async def test_retryable_failures_are_retried_and_others_are_final(fresh: World) -> None:
    world = fresh
    application_id = world.applications[10]
    before = len(await _analyses(world, application_id))
    world.provider.failures.extend(
        [ProviderError("429", retryable=True), ProviderError("503", retryable=True)]
    )
    retried = await enqueue_analysis(world.queue, world.tenant_id, application_id)
    await _drain(world)
    record = await _record(world, retried.job_record_id)
    assert (record.status, record.attempts) == (BackgroundJobStatus.SUCCEEDED, 3)
    assert len(await _analyses(world, application_id)) == before + 1

    world.provider.failures.append(ProviderError("invalid JSON twice", retryable=False))
    dead = await enqueue_analysis(world.queue, world.tenant_id, application_id)
    await _drain(world)
    record = await _record(world, dead.job_record_id)
    assert (record.status, record.attempts) == (BackgroundJobStatus.DEAD, 1)
    assert record.last_error == "invalid JSON twice"
    logged = await _logged(world, application_id)
    assert [(entry.level, entry.source) for entry in logged] == [
        (LogLevel.WARNING, "processing"),
        (LogLevel.WARNING, "processing"),
        (LogLevel.ERROR, "processing"),
    ], "each failed attempt, the final one an error"
    assert "invalid JSON twice" in logged[-1].message

    gone = await enqueue_analysis(world.queue, world.tenant_id, world.other_applications[2])
    await _drain(world)
    record = await _record(world, gone.job_record_id)
    assert (record.status, record.attempts) == (BackgroundJobStatus.DEAD, 1)
    assert TASKS[ANALYZE_APPLICATION].max_attempts == 4


async def test_a_batch_job_retries_only_what_is_left(fresh: World) -> None:
    world = fresh
    ids = world.applications[11:15]
    await _without_analyses(world, ids)
    world.provider.failures.append(ProviderError("overloaded", retryable=True))
    queued = await enqueue_new_application_analyses(
        world.queue, world.tenant_id, ids, trigger="sync"
    )
    assert len(queued) == 1
    await _drain(world)
    record = await _record(world, queued[0].job_record_id)
    assert (record.job_type, record.status, record.attempts) == (
        ANALYZE_APPLICATIONS,
        BackgroundJobStatus.SUCCEEDED,
        2,
    )
    assert len(world.provider.requests) == len(ids) + 1  # the failed one, once more
    for application_id in ids:
        assert len(await _analyses(world, application_id)) == 1

    await _without_analyses(world, ids[:1])
    world.provider.failures.append(ProviderError("refused", retryable=False))
    dead = await enqueue_new_application_analyses(world.queue, world.tenant_id, ids)
    await _drain(world)
    record = await _record(world, dead[0].job_record_id)
    assert (record.status, record.attempts) == (BackgroundJobStatus.DEAD, 1)
    assert record.last_error is not None
    assert record.last_error.startswith("1 of 4 analyses failed (0 done)")
    async with world.session_factory() as session:
        batches = (
            await session.scalars(
                sa.select(OperationalLog).where(
                    OperationalLog.source == "processing", OperationalLog.application_id.is_(None)
                )
            )
        ).all()
    done = [ident for entry in batches for ident in entry.extra["applicationIds"]]
    assert sorted(done) == sorted(ids), "each analysed once, over the two attempts"


async def test_a_misconfigured_provider_is_a_dead_end(world: World) -> None:
    settings = SimpleNamespace(ai_provider="openai", task_retry_base_seconds=0.01)
    context = TaskContext(world.context.deps, settings)  # type: ignore[arg-type]
    with pytest.raises(PermanentTaskError, match="AI_BASE_URL"):
        context.provider()
    assert isinstance(
        TaskContext(world.context.deps, world.context.settings).provider(), OfflineProvider
    )


# --- on arq ----------------------------------------------------------------------------


async def test_a_real_worker_runs_both_tasks_and_retries(
    fresh: World,
    backend: Backend,
    redis_url: str,
    redis_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through Redis and an arq worker in burst mode, whose provider comes from the
    settings (offline): one reprocess failing once (retried), one batch."""
    world = fresh
    settings = Settings(
        database_url=backend.url,
        jwt_secret=JWT_SECRET,
        encryption_keys=ENCRYPTION_KEYS,
        redis_url=redis_url,
        redis_prefix=f"{redis_prefix}a{secrets.token_hex(4)}",
        task_retry_base_seconds=0.01,
    )
    failures = [ProviderError("busy", retryable=True)]
    analyze = analysis_tasks.analyze_application

    async def flaky(deps: AnalysisDeps, tenant_id: int, application_id: int, **kw: Any) -> Any:
        assert isinstance(deps.provider, OfflineProvider)
        if failures:
            raise failures.pop()
        return await analyze(deps, tenant_id, application_id, **kw)

    monkeypatch.setattr(analysis_tasks, "analyze_application", flaky)
    single, *batch = world.applications[:3]
    await _without_analyses(world, batch)
    queue = ArqQueue(arq_redis(settings), world.session_factory, settings.redis_prefix)
    try:
        reprocess = await enqueue_analysis(queue, world.tenant_id, single, "reprocess")
        new = await enqueue_new_application_analyses(queue, world.tenant_id, batch)
        worker = create_worker(
            settings, burst=True, handle_signals=False, cron_jobs=[], poll_delay=0.01
        )
        try:
            await worker.async_run()
        finally:
            await worker.close()
    finally:
        await queue.close()
    assert (worker.jobs_complete, worker.jobs_retried, worker.jobs_failed) == (2, 1, 0)
    first = await _record(world, reprocess.job_record_id)
    assert (first.status, first.attempts) == (BackgroundJobStatus.SUCCEEDED, 2)
    assert (await _record(world, new[0].job_record_id)).status is BackgroundJobStatus.SUCCEEDED
    for application_id in batch:
        assert [row.model for row in await _analyses(world, application_id)] == ["offline-1"]
