"""``JobviteOnboardingClient``: Jobvite's Onboarding API (processes and tasks), every
call sealed in the envelope (``connectors.jobvite.envelope``).

It speaks the API over the shared ``HttpClient`` (same auth headers as v2). Every call
is a ``POST`` whose body is the envelope; lists take ``start``/``count`` and a
``filter`` of operators (``eq``, ``in``, ``nin``, ``lt``, ``lte``, ``gt``, ``gte``) per
entity:

    POST /process      {"start", "count", "filter": {"process": {...}}} -> {"total", "processes"}
    POST /task         {"start", "count", "filter": {"task": {...}}}    -> {"total", "tasks"}
    POST /task/create  {"tasks": [{processId, name, ...}]}              -> {"tasks": [...]}
    POST /task/update  {"task": {"id", "status", ...}}                  -> {"task": {...}}

The facts in ``tests/fixtures/specs/README.md`` vouch for ``POST /api/v2/task`` and the
envelope; the create/update paths and field names are this module's reading of the
Onboarding API and live in ``PATHS`` so they are corrected in one place.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, cast

import httpx
import orjson

from connectors.errors import InvalidResponseError, NotFoundError, PaginationLoopError
from connectors.http import HttpClient, OffsetPaginator, Params, decode_json
from connectors.jobvite.envelope import (
    PrivateKeyLike,
    PublicKeyLike,
    decrypt_envelope,
    encrypt_envelope,
    load_private_key,
    load_public_key,
)
from connectors.jobvite.onboarding_tasks import (
    OnboardingProcessRaw,
    OnboardingTaskRaw,
    acting_person,
    task_from_raw,
    task_payload,
)
from connectors.jobvite.wire import status_error, to_epoch_ms
from connectors.lenient import dig, identifier
from connectors.models import Attribution, OnboardingTaskDraft, RemoteOnboardingTask

READ_OPERATIONS = frozenset({"processes", "tasks"})
"""Lookups sent as POST: safe to repeat after a 5xx, unlike the writes."""

PATHS = {
    "processes": "/process",
    "tasks": "/task",
    "create_tasks": "/task/create",
    "update_task": "/task/update",
}


TaskMapper = Callable[[Any, OnboardingProcessRaw | None], RemoteOnboardingTask | None]
"""Makes a task from its raw row and process; ``None`` skips it."""

Criteria = Mapping[str, Mapping[str, Any]]
"""Per-field operators, e.g. ``{"processId": {"in": ["p1", "p2"]}}``."""


class JobviteOnboardingClient:
    """Processes and tasks of Jobvite Onboarding, every call through the envelope.

    onboarding = JobviteOnboardingClient(http, private_key=ours, jobvite_public_key=theirs)
    async for task in onboarding.remote_tasks(updated_since=last_sync):
        ...                                  # RemoteOnboardingTask, hire ids filled in
    await onboarding.review_task("t1", approve=True, attribution=Attribution(remote_id="u9"))
    """

    def __init__(
        self,
        http: HttpClient,
        *,
        private_key: PrivateKeyLike,
        jobvite_public_key: PublicKeyLike,
        base_url: str | None = None,
        page_size: int = 100,
    ) -> None:
        self.http = http
        self.private_key = load_private_key(private_key)
        self.jobvite_public_key = load_public_key(jobvite_public_key)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.page_size = page_size

    async def call(self, operation: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``payload`` sealed for Jobvite to ``PATHS[operation]``; the answer, opened."""
        _, body = await self._exchange(operation, payload)
        return body

    async def _exchange(
        self, operation: str, payload: Mapping[str, Any]
    ) -> tuple[httpx.Response, dict[str, Any]]:
        path = PATHS[operation]
        url = f"{self.base_url}{path}" if self.base_url else path
        envelope = encrypt_envelope(payload, self.jobvite_public_key)
        reads = operation in READ_OPERATIONS
        response = await self.http.request("POST", url, json=envelope, idempotent=reads)
        body = decode_json(response)
        error = status_error(body)
        if error is not None:
            raise error
        return response, decrypt_envelope(body, self.private_key)

    async def _pages(
        self, operation: str, entity: str, items_key: str, criteria: Criteria | None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        paginator = OffsetPaginator(items_key=items_key, count=self.page_size)
        request: Params | None = paginator.first(
            {"filter": {entity: dict(criteria)}} if criteria else {}
        )
        seen: set[bytes] = set()
        while request is not None:
            response, body = await self._exchange(operation, request)
            items = paginator.items(body)
            fingerprint = hashlib.blake2b(orjson.dumps(items), digest_size=16).digest()
            if items and fingerprint in seen:
                raise PaginationLoopError(f"{PATHS[operation]}: the same page was served twice")
            seen.add(fingerprint)
            if items:
                yield items
            request = paginator.next(request, response, body, items)

    def processes(self, criteria: Criteria | None = None) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of onboarding processes, e.g. ``processes({"status": {"eq": "active"}})``."""
        return self._pages("processes", "process", "processes", criteria)

    def tasks(self, criteria: Criteria | None = None) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of tasks, e.g. ``tasks({"processId": {"in": ["p1"]}})``."""
        return self._pages("tasks", "task", "tasks", criteria)

    def process_tasks(self, process_id: str) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of one process's tasks."""
        return self.tasks({"processId": {"eq": process_id}})

    async def check(self) -> int:
        """One small, sealed round trip; the number of processes Jobvite reports."""
        _, body = await self._exchange("processes", {"start": 0, "count": 1})
        total = body.get("total")
        return total if isinstance(total, int) else 0

    async def processes_by_id(self, ids: Sequence[str]) -> dict[str, OnboardingProcessRaw]:
        found: dict[str, OnboardingProcessRaw] = {}
        if not ids:
            return found
        async for page in self.processes({"id": {"in": list(ids)}}):
            for process in page:
                process_id = identifier(dig(process, "id"))
                if process_id is not None:
                    found[process_id] = cast(OnboardingProcessRaw, process)
        return found

    async def process_for_application(self, application_id: str) -> OnboardingProcessRaw:
        """The onboarding process of a hire; ``NotFoundError`` when there is none."""
        _, body = await self._exchange(
            "processes",
            {
                "start": 0,
                "count": 1,
                "filter": {"process": {"applicationId": {"eq": application_id}}},
            },
        )
        processes = body.get("processes")
        if not isinstance(processes, list):
            raise InvalidResponseError("expected an object with a 'processes' list")
        if not processes:
            raise NotFoundError(f"no onboarding process for application {application_id!r}")
        return _process(processes[0])

    async def remote_tasks(
        self,
        updated_since: datetime | None = None,
        *,
        mapper: TaskMapper = task_from_raw,
    ) -> AsyncGenerator[RemoteOnboardingTask, None]:
        """Every task (changed since ``updated_since``), page by page, each with the
        application and candidate of its process (looked up once per process).

        ``mapper(raw, process)`` makes each task; a connector passes one that reports a
        task it cannot map and answers ``None``, so that task is skipped alone."""
        criteria: dict[str, Mapping[str, Any]] = {}
        if updated_since is not None:
            criteria["lastUpdatedDate"] = {"gte": to_epoch_ms(updated_since)}
        known: dict[str, OnboardingProcessRaw] = {}
        async for page in self.tasks(criteria or None):
            process_ids = [identifier(dig(item, "processId")) for item in page]
            missing = sorted({pid for pid in process_ids if pid} - known.keys())
            known.update(await self.processes_by_id(missing))
            for item, process_id in zip(page, process_ids, strict=True):
                task = mapper(item, known.get(process_id) if process_id else None)
                if task is not None:
                    yield task

    async def create_tasks(
        self,
        process_id: str,
        drafts: Sequence[OnboardingTaskDraft],
        attribution: Attribution,
    ) -> list[OnboardingTaskRaw]:
        """Create tasks in one process, in order; the created tasks as Jobvite answers them."""
        body = await self.call(
            "create_tasks",
            {"tasks": [task_payload(process_id, draft, attribution) for draft in drafts]},
        )
        created = body.get("tasks")
        if not isinstance(created, list) or len(created) != len(drafts):
            raise InvalidResponseError("expected one created task per draft")
        return [_task(item) for item in created]

    async def update_task(self, task_id: str, changes: Mapping[str, Any]) -> OnboardingTaskRaw:
        """Change fields of one task: ``update_task("t1", {"dueDate": "2025-03-01"})``."""
        body = await self.call("update_task", {"task": {**changes, "id": task_id}})
        return _task(body.get("task"))

    async def complete_task(self, task_id: str, attribution: Attribution) -> OnboardingTaskRaw:
        """Mark a task done (``status: completed``) on behalf of ``attribution``."""
        return await self.update_task(
            task_id, {"status": "completed", "completedBy": acting_person(attribution)}
        )

    async def review_task(
        self,
        task_id: str,
        *,
        approve: bool,
        attribution: Attribution,
        notes: str | None = None,
    ) -> OnboardingTaskRaw:
        """Approve or reject a submitted task; the reviewer goes in ``reviewedBy``."""
        status: Literal["approved", "rejected"] = "approved" if approve else "rejected"
        changes: dict[str, Any] = {"status": status, "reviewedBy": acting_person(attribution)}
        if notes is not None:
            changes["notes"] = notes
        return await self.update_task(task_id, changes)


def _task(value: Any) -> OnboardingTaskRaw:
    if not isinstance(value, dict) or not value.get("id") or not value.get("processId"):
        raise InvalidResponseError("expected an onboarding task with an id and a processId")
    return cast(OnboardingTaskRaw, value)


def _process(value: Any) -> OnboardingProcessRaw:
    if not isinstance(value, dict) or not value.get("id"):
        raise InvalidResponseError("expected an onboarding process with an id")
    return cast(OnboardingProcessRaw, value)
