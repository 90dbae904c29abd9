"""The resume step inside full syncs against the Recruiterflow fake (presigned document
links on its own host) and a foreign file host, over httpx transports, on SQLite and
PostgreSQL: resumes downloaded, read and stored in a few statements; nothing fetched
again unless the file changed; hostile files failing alone with their reasons, listed
with the run; the API key never sent to a foreign host; failures retried after their
pause; a run killed mid-step resumed without fetching or writing anything twice; the
analysis reading what was stored.

The step's own statements are told apart from the sync's by watching its call from
``jobs.sync_phases`` (``World.step_statements``); ``World.step_now`` runs it at a later time."""

from __future__ import annotations

import asyncio
import io
import itertools
import time
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from demo.sandbox.recruiterflow import FakeRecruiterflow
from demo.sandbox.resumes import PDF, TEXT, pdf_pages, resume_lines
from gateway.ai.offline import OfflineProvider
from gateway.ai.provider import AnalysisResult, ResumeRequest
from gateway.cache import ResponseCache
from gateway.crypto import Keyring, credentials_context
from gateway.locks import LocalLocks
from gateway.pubsub import EventBus
from gateway.services.analysis import AnalysisDeps, analyze_application
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus, SyncStatus
from gateway.store.migrate import upgrade
from gateway.store.models import Application, Candidate, Integration, SyncRun, Tenant
from jobs import sync_phases
from jobs import sync_resumes as step
from jobs.sync import sync_integration
from jobs.sync_api import SyncDeps, SyncMode, SyncOutcome
from tests.support.gateway import ENCRYPTION_KEYS
from tests.support.services import Backend

CANDIDATES = 9
RF = "https://api.recruiterflow.com"
FILES = "https://files.example.test"
_slugs = itertools.count()


class Killed(BaseException):
    """Stands for the process dying: nothing in the sync may catch it."""


@dataclass
class Seen:
    """Requests that reached a host: path and whether they carried the RF key. With
    ``die_at_document`` set, the request for that document (counted from 1) kills the
    run instead of being answered."""

    requests: list[tuple[str, bool]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    die_at_document: int | None = None

    def paths(self, prefix: str = "/") -> list[str]:
        return [path for path, _ in self.requests if path.startswith(prefix)]


def recorded(app: Any, seen: Seen) -> Any:
    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            keyed = any(name.lower() == b"rf-api-key" for name, _ in scope["headers"])
            seen.requests.append((scope["path"], keyed))
            seen.queries.append(scope["query_string"].decode())
            document = scope["path"].startswith("/documents")
            if document and seen.die_at_document == len(seen.paths("/documents")):
                raise Killed()
        await app(scope, receive, send)

    return wrapper


def zip_bomb() -> bytes:
    """A DOCX-shaped ZIP whose one extra part inflates to 40 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/padding.bin", b"\0" * (40 * 1024 * 1024))
    return out.getvalue()


def file_host() -> Starlette:
    """A foreign host serving the files of ``FILE_CASES``."""
    files: dict[str, tuple[int, bytes, str]] = {
        "good.txt": (
            200,
            "\n".join(resume_lines(4, "Foreign Host", "Data Analyst")).encode(),
            TEXT,
        ),
        "bomb.docx": (200, zip_bomb(), "application/octet-stream"),
        "broken.pdf": (200, b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R", PDF),
        "huge.pdf": (200, b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), PDF),
        "photo.png": (200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "image/png"),
        "login.pdf": (200, b"<!DOCTYPE html><html><body>Sign in</body></html>", "text/html"),
        "many.pdf": (200, pdf_pages([[f"Page {n}"] for n in range(400)]), PDF),
    }

    async def serve(request: Request) -> Response:
        name = request.path_params["name"]
        if name == "slow.pdf":
            await asyncio.sleep(3600)
        if name not in files:
            return Response(b"<Error><Code>NoSuchKey</Code></Error>", 404)
        status, content, media_type = files[name]
        return Response(content, status, media_type=media_type)

    return Starlette(routes=[Route("/{name}", serve)])


FILE_CASES = {
    "good.txt": None,
    "many.pdf": None,
    "bomb.docx": "ZIP bomb",
    "broken.pdf": "PDF",
    "huge.pdf": "larger than 10 MB",
    "photo.png": "unsupported file type (image/png)",
    "login.pdf": "HTML page",
    "missing.pdf": "HTTP 404",
    "slow.pdf": "took over",
}
"""File -> what its failure reason says (``None``: it is read)."""


@dataclass
class World:
    deps: SyncDeps
    fake: FakeRecruiterflow
    tenant_id: int
    integration_id: int
    keyring: Keyring
    rf_seen: Seen
    files_seen: Seen
    statements: list[str]
    step_statements: list[list[str]] = field(default_factory=list)
    """The statements of each run of the resume step, in order."""
    step_now: datetime | None = None


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
async def world(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=3, candidates=CANDIDATES, applications=CANDIDATES)
    engine = create_engine(backend.url)
    await upgrade(engine)
    keyring = Keyring.from_setting(ENCRYPTION_KEYS)
    factory = create_session_factory(engine)
    async with factory.begin() as session:
        tenant = Tenant(slug=f"resumes-{next(_slugs)}-{backend.name}", name="Resumes")
        session.add(tenant)
        await session.flush()
        integration = Integration(
            tenant_id=tenant.id,
            provider="recruiterflow",
            name="RF",
            status=IntegrationStatus.ACTIVE,
            config={"pageSize": 4, "rateLimitPerSecond": 10_000},
            credentials_encrypted=keyring.encrypt_json(
                {"apiKey": fake.api_key}, context=credentials_context(tenant.id)
            ),
        )
        session.add(integration)
        await session.flush()
        ids = (tenant.id, integration.id)
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    rf_seen, files_seen = Seen(), Seen()
    client = httpx.AsyncClient(
        mounts={
            RF: httpx.ASGITransport(app=recorded(fake.app, rf_seen)),
            FILES: httpx.ASGITransport(app=recorded(file_host(), files_seen)),
        }
    )
    cache = ResponseCache(Settings(encryption_keys=ENCRYPTION_KEYS))
    deps = SyncDeps(factory, keyring, client, EventBus(), cache, LocalLocks(), no_sleep)
    world = World(deps, fake, ids[0], ids[1], keyring, rf_seen, files_seen, statements)

    async def watched(*args: Any, **kwargs: Any) -> None:
        start = len(statements)
        try:
            await step.sync_resumes(*args, now=world.step_now, **kwargs)
        finally:
            world.step_statements.append(statements[start:])

    monkeypatch.setattr(sync_phases, "sync_resumes", watched)
    try:
        yield world
    finally:
        await client.aclose()
        await cache.close()
        await engine.dispose()


async def full_sync(world: World) -> SyncOutcome:
    return await sync_integration(
        world.deps, world.tenant_id, world.integration_id, mode=SyncMode.FULL
    )


async def synced(world: World) -> SyncOutcome:
    """A full sync, its resume step included, that ended with nothing failed."""
    outcome = await full_sync(world)
    assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
    return outcome


async def listed_failures(world: World, outcome: SyncOutcome) -> list[dict[str, Any]]:
    """The failed records the run stored with itself (what an operator sees)."""
    async with world.deps.session_factory() as session:
        run = await session.get(SyncRun, outcome.run_id)
    assert run is not None
    return list((run.error_details or {}).get("records", []))


def touching_candidates(statements: list[str]) -> list[str]:
    return [s for s in statements if "candidates" in s]


async def candidates(world: World) -> dict[str, Candidate]:
    async with world.deps.session_factory() as session:
        rows = await session.scalars(
            sa.select(Candidate).where(Candidate.integration_id == world.integration_id)
        )
        return {row.remote_id or "": row for row in rows}


def point_at(world: World, remote_id: int, name: str) -> None:
    world.fake.candidates[remote_id]["files"] = [
        {"filename": name, "id": 1, "link": f"{FILES}/{name}"}
    ]


async def test_resumes_are_read_into_the_store_in_a_few_statements_and_once(world: World) -> None:
    outcome = await synced(world)
    assert outcome.counts["resumes"]["created"] == CANDIDATES, outcome.counts
    assert len(world.step_statements) == 1
    touching = touching_candidates(world.step_statements[0])
    assert len(touching) <= 2, touching  # read what is due, one executemany
    stored = await candidates(world)
    names = [(c.remote_data or {})["files"][0]["filename"] for c in stored.values()]
    kinds = {name.rsplit(".", 1)[1] for name in names}
    assert kinds == {"pdf", "docx", "txt"}
    for candidate in stored.values():
        assert candidate.resume_text is not None and candidate.name in candidate.resume_text
        assert "Skills" in candidate.resume_text and candidate.resume_error is None
        assert candidate.resume_sha256 and candidate.resume_fetched_at is not None
    documents = [(p, keyed) for p, keyed in world.rf_seen.requests if p.startswith("/documents")]
    assert len(documents) == CANDIDATES
    assert all(keyed for _, keyed in documents)  # the provider's own host: its auth applies

    world.fake.files_signed_at += timedelta(days=3)  # every link re-signed
    for record in world.fake.candidates.values():  # and stored, with a change of phone
        record["phone_number"] = ["+44 20 7946 0999"]
    again = await synced(world)
    assert again.counts["candidates"]["updated"] == CANDIDATES
    resigned = await candidates(world)
    assert all(resigned[r].resume_url != c.resume_url for r, c in stored.items())
    assert "resumes" not in again.counts, again.counts
    assert len(world.rf_seen.paths("/documents")) == CANDIDATES
    touching = touching_candidates(world.step_statements[1])
    assert len(touching) == 1 and touching[0].lstrip().upper().startswith("SELECT"), touching


async def test_a_new_file_is_read_again_and_the_same_bytes_are_not(world: World) -> None:
    await synced(world)
    renamed, moved = 154651, 154652
    world.fake.candidates[renamed]["name"] = "Renamed Person"
    world.fake.candidates[renamed]["files"][0]["id"] = 9001  # a new upload: a new link
    world.fake.candidates[moved]["files"][0]["id"] = 9002  # same bytes behind a new link
    outcome = await synced(world)
    assert outcome.counts["resumes"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 1,
        "deleted": 0,
        "failed": 0,
    }
    assert len(world.rf_seen.paths("/documents")) == CANDIDATES + 2
    stored = await candidates(world)
    assert "Renamed Person" in (stored[str(renamed)].resume_text or "")


async def test_hostile_files_fail_alone_and_the_key_never_leaves_the_provider(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(step, "DOWNLOAD_TIME_LIMIT", 0.5)
    ids = list(world.fake.candidates)
    for remote_id, name in zip(ids, FILE_CASES, strict=True):
        point_at(world, remote_id, name)
    started = time.monotonic()
    outcome = await full_sync(world)
    assert time.monotonic() - started < 20
    assert outcome.status is SyncStatus.PARTIALLY_FAILED, outcome.error
    assert outcome.counts["candidates"]["created"] == CANDIDATES  # the records all landed
    assert outcome.counts["applications"]["failed"] == 0
    listed = await listed_failures(world, outcome)
    assert {r["entity"] for r in listed} == {"resumes"}, listed
    reasons = {r["remoteId"]: r["reason"] or "" for r in listed}
    stored = await candidates(world)
    for remote_id, (name, expected) in zip(ids, FILE_CASES.items(), strict=True):
        candidate = stored[str(remote_id)]
        if expected is None:
            assert str(remote_id) not in reasons and candidate.resume_text, name
            continue
        assert expected in reasons[str(remote_id)], (name, reasons[str(remote_id)])
        assert candidate.resume_error == reasons[str(remote_id)]
        assert candidate.resume_text is None and candidate.resume_failures == 1
    many = stored[str(ids[list(FILE_CASES).index("many.pdf")])].resume_text or ""
    assert "Page 49" in many and "Page 50" not in many  # at most MAX_PAGES pages read
    assert outcome.counts["resumes"]["failed"] == 7 and outcome.counts["resumes"]["created"] == 2
    assert world.files_seen.requests and not any(k for _, k in world.files_seen.requests)

    fetched = len(world.files_seen.requests)
    soon = await synced(world)  # pausing: nothing due, nothing failed
    assert "resumes" not in soon.counts and len(world.files_seen.requests) == fetched
    world.step_now = datetime.now(UTC) + step.RETRY_AFTER + timedelta(minutes=1)
    retried = await full_sync(world)
    assert retried.status is SyncStatus.PARTIALLY_FAILED
    assert retried.counts["resumes"]["failed"] == 7
    assert len(await listed_failures(world, retried)) == 7
    assert len(world.files_seen.requests) > fetched
    assert (await candidates(world))[str(ids[2])].resume_failures == 2


async def test_a_run_killed_mid_step_fetches_and_writes_nothing_twice(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(step, "CHUNK", 3)
    world.rf_seen.die_at_document = 5  # in the second chunk: the first one is stored
    with pytest.raises(Killed):
        await full_sync(world)
    world.rf_seen.die_at_document = None
    stored = await candidates(world)
    kept = {r: c.resume_fetched_at for r, c in stored.items() if c.resume_text is not None}
    assert len(kept) == 3, kept
    first_attempt = world.rf_seen.paths("/documents")

    outcome = await synced(world)
    async with world.deps.session_factory() as session:
        runs = (
            await session.scalars(
                sa.select(SyncRun.id).where(SyncRun.integration_id == world.integration_id)
            )
        ).all()
    assert runs == [outcome.run_id], "the killed run is resumed"
    assert outcome.counts["resumes"] == {
        "created": CANDIDATES - 3,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "failed": 0,
    }
    resumed = world.rf_seen.paths("/documents")[len(first_attempt) :]
    assert len(resumed) == CANDIDATES - 3
    assert not {path.rsplit("/", 1)[1].split(".")[0] for path in resumed} & set(kept)
    stored = await candidates(world)
    assert all(c.resume_text for c in stored.values())
    assert {r: stored[r].resume_fetched_at for r in kept} == kept  # not written again


async def test_a_resume_gone_at_the_source_is_forgotten(world: World) -> None:
    await synced(world)
    world.fake.candidates[154653]["files"] = []
    outcome = await synced(world)
    assert outcome.counts["resumes"]["deleted"] == 1
    gone = (await candidates(world))["154653"]
    assert gone.resume_text is None and gone.resume_source is None
    assert all(c.resume_text for r, c in (await candidates(world)).items() if r != "154653")

    again = await synced(world)  # forgotten once: nothing left to clear
    assert "resumes" not in again.counts
    writes = [s for s in world.step_statements[-1] if not s.lstrip().upper().startswith("SELECT")]
    assert not touching_candidates(writes), writes


class RecordingProvider(OfflineProvider):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[ResumeRequest] = []

    async def analyze_resume(self, resume: ResumeRequest) -> AnalysisResult:
        self.requests.append(resume)
        return await super().analyze_resume(resume)


async def test_the_analysis_reads_the_synced_resume(world: World) -> None:
    world.fake.candidates[154659]["files"] = []
    outcome = await synced(world)
    assert outcome.counts["resumes"]["created"] == CANDIDATES - 1
    provider = RecordingProvider()
    deps = AnalysisDeps(world.deps.session_factory, EventBus(), world.deps.cache, provider)
    async with world.deps.session_factory() as session:
        rows = (
            await session.execute(
                sa.select(Application.id, Candidate.remote_id, Candidate.resume_text)
                .join(Candidate, Candidate.id == Application.candidate_id)
                .where(Candidate.integration_id == world.integration_id)
                .order_by(Candidate.remote_id)
            )
        ).all()
    results = {}
    for application_id, remote_id, text in rows:
        await analyze_application(deps, world.tenant_id, application_id)
        request = provider.requests[-1]
        assert request.resume_text == (text or "").strip()
        results[remote_id] = await OfflineProvider().analyze_resume(request)
    without = results.pop("154659")
    assert "No resume on file" in without.cons
    assert all("No resume on file" not in r.cons for r in results.values())
    assert len({(r.risk_score, r.relevance_summary) for r in results.values()}) > 1


async def test_a_retry_fetches_through_the_link_the_listing_just_gave(world: World) -> None:
    """A re-signed link does not make the candidate a changed record, so the stored link
    keeps its old signature (which a real store lets expire): a retry must use the link
    the current listing gives."""
    await synced(world)
    due = next(iter(world.fake.candidates))
    async with world.deps.session_factory.begin() as session:
        await session.execute(
            sa.update(Candidate)
            .where(
                Candidate.integration_id == world.integration_id,
                Candidate.remote_id == str(due),
            )
            .values(
                resume_error="HTTP 503",
                resume_failures=1,
                resume_checked_at=datetime(2020, 1, 1, tzinfo=UTC),
            )
        )
    world.fake.files_signed_at += timedelta(days=30)
    fresh = world.fake.files_signed_at.strftime("%Y%m%dT%H%M%SZ")
    before = len(world.rf_seen.queries)
    outcome = await synced(world)
    assert outcome.counts["resumes"]["unchanged"] == 1
    fetched = [
        query
        for (path, _), query in zip(
            world.rf_seen.requests[before:], world.rf_seen.queries[before:], strict=True
        )
        if path.startswith("/documents")
    ]
    assert len(fetched) == 1 and f"X-Amz-Date={fresh}" in fetched[0], fetched
    stored = (await candidates(world))[str(due)]
    assert fresh not in (stored.resume_url or ""), "the candidate itself was not rewritten"
