"""What Harvest v3 keeps in resources of their own, read for a page of records.

    related = Related(connector._records)
    await related.attachments(["57683957", "57683958"])  # GET /attachments?candidate_ids=...
    # -> {"57683957": [{"type": "resume", "url": ...}, ...]}, newest first

v1 embedded these in the records (a candidate's ``attachments``, a job's
``hiring_team`` and ``departments``, an application's ``rejection_reason``); v3 lists
them apart, filtered by their parents' ids (at most ``ID_BATCH`` a request), so a page
of records costs one request per kind of related record, and nothing asked sends
nothing. Account-wide names (departments, offices, job interviews, rejection reasons)
are read once per ``Related``, which lives as long as its connector.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from connectors import lenient
from connectors.base import collected
from connectors.http import Params

ID_BATCH = 50
"""Ids per ``ids=``/``candidate_ids=``/``job_ids=`` filter of one request (v3's limit)."""

Reader = Callable[[str, Params | None], AsyncIterator[Any]]
Collect = Callable[[str, AsyncIterator[Any]], Awaitable[list[Any]]]
Record = Mapping[str, Any]


def is_id(value: str) -> bool:
    """Greenhouse ids are ASCII digits (``"²".isdigit()`` is true, ``int("²")`` fails)."""
    return value.isascii() and value.isdigit()


def batches(ids: Sequence[str]) -> list[str]:
    """The distinct Greenhouse ids among ``ids``, comma-joined ``ID_BATCH`` at a time."""
    wanted = list(dict.fromkeys(i for i in ids if is_id(i)))
    return [",".join(wanted[at : at + ID_BATCH]) for at in range(0, len(wanted), ID_BATCH)]


def ids_of(page: Sequence[Any]) -> list[str]:
    """The ids of a page's records that have one."""
    return [i for i in (lenient.identifier(lenient.mapping(raw).get("id")) for raw in page) if i]


def id_of(raw: object) -> str:
    return lenient.identifier(lenient.mapping(raw).get("id")) or ""


def _newest_first(records: list[Record]) -> list[Record]:
    def created(record: Record) -> float:
        moment = lenient.timestamp(record.get("created_at"))
        return moment.timestamp() if moment else float("-inf")

    return sorted(records, key=created, reverse=True)


class Related:
    """``collect(path, records)`` reads a listing whole: the connector's
    ``optional_all``, so a listing the key may not read (403) or that is not there (404)
    leaves the records it would have enriched without it."""

    def __init__(self, read: Reader, collect: Collect | None = None) -> None:
        self.read = read
        self.collect: Collect = collect or (lambda _path, records: collected(records))
        self._names: dict[str, dict[str, str]] = {}

    async def names(self, path: str, params: Params | None = None) -> dict[str, str]:
        """Id -> name of every record of a listing."""
        found: dict[str, str] = {}
        for raw in await self.collect(path, self.read(path, params)):
            record = lenient.mapping(raw)
            record_id = lenient.identifier(record.get("id"))
            name = lenient.text(record.get("name"))
            if record_id and name:
                found[record_id] = name
        return found

    async def reference(self, path: str) -> dict[str, str]:
        """``names`` of a small account-wide listing, read once."""
        if path not in self._names:
            self._names[path] = await self.names(path)
        return self._names[path]

    async def grouped(
        self, path: str, key: str, parent_ids: Sequence[str], parent: str, **params: str
    ) -> dict[str, list[Record]]:
        """The records of ``path`` whose ``parent`` is one of ``parent_ids`` (asked for
        with ``key=1,2``), by parent id."""
        found: dict[str, list[Record]] = {}
        for batch in batches(parent_ids):
            for raw in await self.collect(path, self.read(path, {key: batch, **params})):
                record = lenient.mapping(raw)
                owner = lenient.identifier(record.get(parent))
                if owner:
                    found.setdefault(owner, []).append(record)
        return found

    async def recruiters(self, job_ids: Sequence[str]) -> dict[str, str]:
        """Job id -> its recruiter's user id (``/v3/job_owners`` of type ``recruiter``,
        the responsible one first)."""
        owners = await self.grouped("/job_owners", "job_ids", job_ids, "job_id", type="recruiter")
        found: dict[str, str] = {}
        for job_id, rows in owners.items():
            recruiters = [row for row in rows if row.get("type") in (None, "recruiter")]
            recruiters.sort(key=lambda row: lenient.boolean(row.get("responsible")) is not True)
            user = _first_user(recruiters)
            if user:
                found[job_id] = user
        return found

    async def attachments(self, candidate_ids: Sequence[str]) -> dict[str, list[Record]]:
        """Candidate id -> their ``/v3/attachments``, newest first."""
        listed = await self.grouped("/attachments", "candidate_ids", candidate_ids, "candidate_id")
        return {key: _newest_first(rows) for key, rows in listed.items()}

    async def stage_history(self, application_ids: Sequence[str]) -> dict[str, list[Record]]:
        """Application id -> its ``/v3/application_stages``."""
        return await self.grouped(
            "/application_stages", "application_ids", application_ids, "application_id"
        )

    async def rejection_reasons(self, application_ids: Sequence[str]) -> dict[str, str]:
        """Application id -> the name of its rejection reason (``/v3/rejection_details``
        named through ``/v3/rejection_reasons``)."""
        details = await self.grouped(
            "/rejection_details", "application_ids", application_ids, "application_id"
        )
        if not details:
            return {}
        names = await self.reference("/rejection_reasons")
        found: dict[str, str] = {}
        for application_id, rows in details.items():
            for row in rows:
                name = names.get(lenient.identifier(row.get("rejection_reason_id")) or "")
                if name:
                    found[application_id] = name
        return found

    async def interviewers(self, interview_ids: Sequence[str]) -> dict[str, str]:
        """Interview id -> the user id of its first ``/v3/interviewers`` entry that is a
        Greenhouse user."""
        listed = await self.grouped("/interviewers", "interview_ids", interview_ids, "interview_id")
        return {key: user for key, rows in listed.items() if (user := _first_user(rows))}


def _first_user(rows: Sequence[Record]) -> str | None:
    return next(filter(None, (lenient.identifier(row.get("user_id")) for row in rows)), None)
