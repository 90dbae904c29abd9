"""The resume step of a sync: download and read the resumes of the integration's
candidates whose resume is new, changed, or failed and due again.

    await sync_resumes(deps, connector, state)
    state.counts["resumes"]     # {"created": 12, "updated": 1, "unchanged": 0, "failed": 2, ...}

Which candidates: those of the integration, not deleted at the source, with a
``resume_url`` whose fingerprint (``connectors.resumes.source_fingerprint``: the URL
without its signature, so a presigned link re-signed on every listing is not a change)
differs from the one last tried, plus those whose last try failed and whose pause is
over (``RETRY_AFTER`` doubling per failure in a row, at most ``MAX_RETRY_AFTER``). At
most ``MAX_PER_RUN`` of them per run; the rest are due in the next run.

How: one query reads what the choice needs; the files are fetched ``CONCURRENCY`` at
a time through the connector's HTTP client (``connectors.resumes``) and read in a
thread (``connectors.resume_text``); each ``CHUNK`` of results is written in one
transaction with one executemany ``UPDATE``. A file whose bytes did not change
(same SHA-256) is not read again. A failure fails alone: the candidate keeps the text
it had, the reason is stored (``resume_error``) and listed with the run
(``state.fail("resumes", remote_id, reason)``). A candidate whose ``resume_url`` is
gone at the source loses the text that came from it (counted ``deleted``); text the
gateway did not download (``resume_source`` unset) is never touched.

The step runs in every sync, so when nothing is due it reads once and writes nothing.
A run that dies mid-step keeps the chunks it wrote: resumed, it fetches only what is
still due (a resume stored for the same fingerprint is not due), and the downloads in
flight when the step fails are cancelled, not left running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa

from connectors import resumes
from connectors.base import ConnectorBase
from connectors.resume_text import UnreadableResume, extract_resume_text
from connectors.resumes import ResumeUnavailable, download_resume, source_fingerprint
from gateway.ports import HasSessions
from gateway.store.models import Candidate
from gateway.store.upsert import chunks

logger = logging.getLogger("talentgraph.jobs.sync_resumes")

ENTITY = "resumes"
CONCURRENCY = 4
CHUNK = 50
MAX_PER_RUN = 1_000
RETRY_AFTER = timedelta(minutes=30)
MAX_RETRY_AFTER = timedelta(hours=24)
MAX_REASON = 500
DOWNLOAD_TIME_LIMIT = resumes.TIME_LIMIT
"""Seconds one download may take, redirects included."""


class ResumeRunState(Protocol):
    """What the step needs of the sync's ``RunState``."""

    integration_id: int

    def count(self, model: str, outcome: str, amount: int = 1) -> None: ...
    def fail(self, entity: str, remote_id: str | None, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class _Due:
    id: int
    remote_id: str | None
    url: str
    source: str
    had_text: bool
    sha256: str | None
    failures: int


@dataclass(frozen=True, slots=True)
class _Result:
    due: _Due
    values: dict[str, Any]
    outcome: str
    reason: str | None = None


def retry_pause(failures: int) -> timedelta:
    """``RETRY_AFTER`` after one failure, doubling with each further one in a row."""
    pause: timedelta = RETRY_AFTER * 2 ** max(0, min(failures, 20) - 1)
    return min(MAX_RETRY_AFTER, pause)


async def sync_resumes(
    deps: HasSessions,
    connector: ConnectorBase,
    state: ResumeRunState,
    *,
    now: datetime | None = None,
    fresh_urls: Mapping[str, str] | None = None,
) -> None:
    """Fetch and store the due resumes of ``state.integration_id``'s candidates (the
    step may take minutes: the sync's lease renews itself meanwhile, ``jobs.sync_lease``).

    ``fresh_urls`` (candidate remote id -> resume link) are the links this run's listing
    gave. A presigned link changes on every listing without the candidate counting as
    changed, so the stored one may have expired: the file is fetched through the fresh
    one where it points at the same file."""
    moment = now or datetime.now(UTC)
    due, removed = await _due(deps, state.integration_id, moment)
    if fresh_urls:
        due = [_refreshed(item, fresh_urls) for item in due]
    if removed:
        state.count(ENTITY, "deleted", await _forget_removed(deps, removed))
    limit = asyncio.Semaphore(CONCURRENCY)

    async def fetch(item: _Due) -> _Result:
        async with limit:
            return await _fetch(connector, item, moment)

    for start in range(0, len(due), CHUNK):
        results = await _all(fetch(item) for item in due[start : start + CHUNK])
        await _write(deps, results)
        for result in results:
            if result.reason is not None:
                state.fail(ENTITY, result.due.remote_id, result.reason)
            else:
                state.count(ENTITY, result.outcome)


def _refreshed(item: _Due, fresh_urls: Mapping[str, str]) -> _Due:
    fresh = fresh_urls.get(item.remote_id or "")
    if fresh and fresh != item.url and source_fingerprint(fresh) == item.source:
        return replace(item, url=fresh)
    return item


async def _all(fetches: Iterable[Coroutine[Any, Any, _Result]]) -> list[_Result]:
    """The results of ``fetches`` run together; if one raises (the run is being torn
    down: each fetch catches its own failures), the others are cancelled first."""
    tasks = [asyncio.ensure_future(fetch) for fetch in fetches]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _due(
    deps: HasSessions, integration_id: int, now: datetime
) -> tuple[list[_Due], list[int]]:
    """The candidates to fetch now, and those whose downloaded resume is gone at the
    source, in one query."""
    has_url = sa.and_(Candidate.resume_url.is_not(None), Candidate.resume_url != "")
    async with deps.session_factory() as session:
        rows = (
            await session.execute(
                sa.select(
                    Candidate.id,
                    Candidate.remote_id,
                    Candidate.resume_url,
                    Candidate.resume_source,
                    Candidate.resume_sha256,
                    Candidate.resume_error,
                    Candidate.resume_checked_at,
                    Candidate.resume_failures,
                    Candidate.resume_text.is_not(None).label("had_text"),
                )
                .where(
                    Candidate.integration_id == integration_id,
                    sa.or_(
                        sa.and_(has_url, Candidate.remote_deleted_at.is_(None)),
                        sa.and_(sa.not_(has_url), Candidate.resume_source.is_not(None)),
                    ),
                )
                .order_by(Candidate.id)
            )
        ).all()
    due: list[_Due] = []
    removed: list[int] = []
    for row in rows:
        if not row.resume_url:
            removed.append(row.id)
            continue
        if len(due) >= MAX_PER_RUN:
            continue
        source = source_fingerprint(row.resume_url)
        changed = source != row.resume_source
        retry = row.resume_error is not None and (
            row.resume_checked_at is None
            or row.resume_checked_at + retry_pause(row.resume_failures) <= now
        )
        if changed or retry:
            due.append(
                _Due(
                    id=row.id,
                    remote_id=row.remote_id,
                    url=row.resume_url,
                    source=source,
                    had_text=bool(row.had_text),
                    sha256=row.resume_sha256,
                    failures=0 if changed else row.resume_failures,
                )
            )
    return due, removed


async def _forget_removed(deps: HasSessions, ids: Sequence[int]) -> int:
    """Clear the downloaded resume of ``ids``; the conditions are checked again, so a
    link that came back since the choice keeps its text."""
    removed = 0
    async with deps.session_factory.begin() as session:
        for part in chunks(ids):
            result = await session.execute(
                sa.update(Candidate)
                .where(
                    Candidate.id.in_(part),
                    sa.or_(Candidate.resume_url.is_(None), Candidate.resume_url == ""),
                    Candidate.resume_source.is_not(None),
                )
                .values(
                    resume_text=None,
                    resume_source=None,
                    resume_sha256=None,
                    resume_fetched_at=None,
                    resume_error=None,
                    resume_failures=0,
                )
                .execution_options(synchronize_session=False)
            )
            removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


async def _fetch(connector: ConnectorBase, item: _Due, now: datetime) -> _Result:
    checked = {"id": item.id, "resume_source": item.source, "resume_checked_at": now}
    try:
        file = await download_resume(connector.http, item.url, time_limit=DOWNLOAD_TIME_LIMIT)
        if file.sha256 == item.sha256 and item.had_text:
            values = {**checked, "resume_error": None, "resume_failures": 0}
            return _Result(item, values, "unchanged")
        text = await extract_resume_text(file.content, file.content_type)
    except (ResumeUnavailable, UnreadableResume) as exc:
        return _failed(item, checked, exc.reason)
    except Exception as exc:  # one file must not end the step; logged for a look
        logger.warning("resume of candidate %s: unexpected failure", item.id, exc_info=True)
        return _failed(item, checked, f"unexpected error ({type(exc).__name__})")
    values = {
        **checked,
        "resume_text": text,
        "resume_sha256": file.sha256,
        "resume_fetched_at": now,
        "resume_error": None,
        "resume_failures": 0,
    }
    return _Result(item, values, "updated" if item.had_text else "created")


def _failed(item: _Due, checked: dict[str, Any], reason: str) -> _Result:
    reason = reason[:MAX_REASON]
    values = {**checked, "resume_error": reason, "resume_failures": item.failures + 1}
    return _Result(item, values, "failed", reason)


async def _write(deps: HasSessions, results: Sequence[_Result]) -> None:
    """One executemany ``UPDATE`` per set of columns (success, unchanged, failure)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for result in results:
        groups.setdefault(tuple(sorted(result.values)), []).append(result.values)
    if not groups:
        return
    async with deps.session_factory.begin() as session:
        for rows in groups.values():
            await session.execute(sa.update(Candidate), rows)
