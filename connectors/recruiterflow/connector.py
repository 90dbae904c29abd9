"""``RecruiterflowConnector``: the reads and writes over ``HttpClient``."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from connectors import lenient
from connectors.assembly import ConnectorSettings, Count, Text, setting
from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import AuthError, InvalidRecruiterError, NotFoundError, UnprocessableError
from connectors.http import ApiKeyHeaderAuth, PageNumberPaginator
from connectors.models import (
    Attribution,
    CheckResult,
    RemoteActivity,
    RemoteApplication,
    RemoteCandidate,
    RemoteCustomField,
    RemoteJob,
    RemoteStage,
    RemoteUser,
    WriteResult,
)
from connectors.recruiterflow.account import (
    custom_field_from_raw,
    custom_field_value,
    stages_from_raw,
    user_from_raw,
)
from connectors.recruiterflow.applications import (
    application_from_raw,
    application_id,
    split_application_id,
)
from connectors.recruiterflow.candidates import activity_from_raw, candidate_from_raw
from connectors.recruiterflow.fields import DEFAULT_BASE_URL, changed_at, id_of, newer
from connectors.recruiterflow.jobs import job_from_raw
from connectors.recruiterflow.responses import (
    API,
    DEFAULT_PAGE_SIZE,
    StageMovementPaginator,
    answered,
    data_of,
    movement_key,
    records_of,
)

DEFAULT_CONCURRENCY = 4
"""Candidates whose stage movements are read at once (config ``concurrency``)."""


class RecruiterflowAuth(ApiKeyHeaderAuth):
    """Adds ``RF-Api-Key: <key>`` to every request."""

    header = "RF-Api-Key"


@dataclass(frozen=True, kw_only=True)
class RecruiterflowSettings(ConnectorSettings):
    page_size: int = setting("pageSize", Count(default=DEFAULT_PAGE_SIZE))
    """No documented maximum: any positive size is sent as asked."""
    concurrency: int = setting("concurrency", Count(default=DEFAULT_CONCURRENCY))
    fee_field: str | None = setting("feeCustomField", Text())
    """The job custom field holding the fee, instead of ``fee``/``expected_fee``."""


def _application_of(candidate_id: str) -> Callable[[Any, Any], RemoteApplication]:
    """``application_from_raw`` for one candidate, taking the record first as
    ``map_record`` passes it."""

    def mapper(raw: Any, listing: Any) -> RemoteApplication:
        return application_from_raw(candidate_id, raw, listing)

    return mapper


def _user_id(attribution: Attribution | None) -> dict[str, int]:
    if attribution is None:
        return {}
    if not attribution.remote_id.isdigit():
        raise InvalidRecruiterError(
            f"Recruiterflow user ids are numeric, got {attribution.remote_id!r}"
        )
    return {"user_id": int(attribution.remote_id)}


def _numeric(remote_id: str, what: str) -> int:
    if not remote_id.isdigit():
        raise UnprocessableError(f"not a Recruiterflow {what} id: {remote_id!r}")
    return int(remote_id)


class RecruiterflowConnector(ConnectorBase):
    """Reads jobs, candidates, applications (from stage movements), activities, users,
    stages and job custom fields; moves, adds, disqualifies, notes, and writes job custom
    fields back (a rank, say) as the acting Recruiterflow user where the API allows."""

    provider: ClassVar[str] = "recruiterflow"
    capabilities: ClassVar[Capability] = (
        Capability.USERS
        | Capability.ACTIVITIES
        | Capability.MOVE_STAGE
        | Capability.ADD_TO_JOB
        | Capability.REJECT
        | Capability.NOTES
        | Capability.CUSTOM_FIELDS
        | Capability.ATTRIBUTION
        | Capability.APPLICATIONS_BY_CANDIDATE
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("apiKey",)

    settings_model = RecruiterflowSettings
    settings: RecruiterflowSettings
    base_url = DEFAULT_BASE_URL
    passthrough_paths = (f"{API}/job", f"{API}/candidate", f"{API}/user")

    def __init__(
        self, context: ConnectorContext, settings: ConnectorSettings | None = None
    ) -> None:
        super().__init__(context, settings)
        self.concurrency = self.settings.concurrency
        self.fee_field = self.settings.fee_field
        self._custom_fields: list[RemoteCustomField] | None = None

    @classmethod
    def auth_for(
        cls, credentials: Mapping[str, str], settings: ConnectorSettings
    ) -> RecruiterflowAuth:
        return RecruiterflowAuth(credentials["apiKey"])

    async def check(self) -> CheckResult:
        """``POST /api/external/info`` -> ``CheckResult(ok=True, detail="Recruiterflow
        account 'RF (company)'")``; bad keys raise ``AuthError``."""
        data = data_of(await self.http.json("POST", f"{API}/info", idempotent=True))
        name = data.get("display_name") if isinstance(data, dict) else None
        return CheckResult(ok=True, detail=f"Recruiterflow account {name or 'reachable'!r}")

    # reads

    def _paginator(self) -> PageNumberPaginator:
        return PageNumberPaginator(size=self.page_size)

    async def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        """Every job, a page at a time; ``updated_since`` keeps jobs whose ``updated_at``
        is at or after it (and jobs that carry no update time). A job that cannot be
        mapped is reported through ``on_failure`` and skipped."""
        async for page in self.http.pages(f"{API}/job/list", self._paginator()):
            for raw in page:
                if newer(changed_at(raw), updated_since):
                    job = self.map_record("jobs", job_from_raw, raw, fee_field=self.fee_field)
                    if job is not None:
                        yield job

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        async for raw in self._raw_candidates():
            if newer(changed_at(raw), updated_since):
                candidate = self._candidate(raw)
                if candidate is not None:
                    yield candidate

    def _candidate(self, raw: Any) -> RemoteCandidate | None:
        return self.map_record("candidates", candidate_from_raw, raw, base_url=self.http.base_url)

    async def _raw_candidates(self) -> AsyncIterator[Any]:
        async for page in self.http.pages(f"{API}/candidate/list", self._paginator()):
            for raw in page:
                yield raw

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        """For each candidate, their stage movements: one application per job, with its
        transitions. Candidates whose listing shows no jobs cost no extra request; one
        deleted since the listing was read is passed over, and so is one without a
        numeric id (the candidates phase reports it; the API could not be asked).

        The movements of up to ``concurrency`` candidates are read at once (one request
        per candidate is what makes this the slow phase); applications still come out
        in candidate order, and the first failure, in that order, is raised."""
        in_flight: deque[asyncio.Task[list[RemoteApplication]]] = deque()
        try:
            async for candidate in self._raw_candidates():
                if movement_key(candidate) is None:
                    continue
                in_flight.append(asyncio.create_task(self._applications_unless_gone(candidate)))
                if len(in_flight) < self.concurrency:
                    continue
                for application in await in_flight.popleft():
                    if newer(application.remote_updated_at, updated_since):
                        yield application
            while in_flight:
                for application in await in_flight.popleft():
                    if newer(application.remote_updated_at, updated_since):
                        yield application
        finally:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)

    async def _applications_unless_gone(
        self, candidate: Mapping[str, Any]
    ) -> list[RemoteApplication]:
        try:
            return await self._applications_of(candidate)
        except NotFoundError:
            return []

    async def _applications_of(self, candidate: Mapping[str, Any]) -> list[RemoteApplication]:
        """One candidate's applications; every stage-movement page is read first, since a
        job's transitions may continue on the next page. A movement entry that cannot be
        mapped is reported and skipped; the others stand."""
        candidate_id = movement_key(candidate)
        if candidate_id is None:
            return []
        listing: dict[str, Mapping[str, Any]] = {}
        for entry in lenient.objects(candidate.get("jobs")):
            job_id = id_of(entry.get("job_id"))
            if job_id is not None:
                listing.setdefault(job_id, entry)
        merged: dict[str, dict[str, Any]] = {}
        unreadable: list[Any] = []
        paginator = StageMovementPaginator(size=self.page_size)
        path = f"{API}/candidate/activities/stage-movement/list"
        async for page in self.http.pages(path, paginator, {"id": candidate_id}):
            for raw in page:
                key = id_of(raw.get("id")) if isinstance(raw, Mapping) else None
                if key is None:
                    unreadable.append(raw)
                elif key in merged:
                    previous = merged[key]
                    previous["transitions"] = [
                        *lenient.items(previous.get("transitions")),
                        *lenient.items(raw.get("transitions")),
                    ]
                else:
                    merged[key] = dict(raw)
        pairs: list[tuple[Any, Any]] = [(raw, listing.get(k)) for k, raw in merged.items()]
        pairs += [(raw, None) for raw in unreadable]
        pairs += [({}, entry) for job_id, entry in listing.items() if job_id not in merged]
        found: list[RemoteApplication] = []
        for raw, entry in pairs:
            application = self.map_record("applications", _application_of(candidate_id), raw, entry)
            if application is not None:
                found.append(application)
        return found

    async def activities(self, candidate_remote_id: str) -> AsyncIterator[RemoteActivity]:
        """``GET /candidate/activity/list?id=22``, page by page. An activity that cannot be
        mapped is reported and skipped; a candidate the API does not know (deleted, or an
        id that cannot be one) has none."""
        if not candidate_remote_id.isdigit():
            return
        params = {"id": candidate_remote_id}
        pages = self.http.pages(f"{API}/candidate/activity/list", self._paginator(), params)
        try:
            async for page in pages:
                for raw in page:
                    activity = self.map_record(
                        "activities", activity_from_raw, raw, candidate_remote_id
                    )
                    if activity is not None:
                        yield activity
        except NotFoundError:
            return

    async def users(self) -> AsyncIterator[RemoteUser]:
        body = await self.http.get_json(f"{API}/user/list")
        for raw in records_of(body, "users"):
            user = self.map_record("users", user_from_raw, raw)
            if user is not None:
                yield user

    async def stages(self) -> list[RemoteStage]:
        """The account's stages in pipeline order, positions 0, 1, 2... (see
        ``stages_from_raw`` for what that order rests on): ``/job/pipeline`` for the
        default pipeline, then ``/job/stage_names`` for names used in other pipelines.
        A pipeline the API does not answer leaves ``stage_names`` alone."""
        try:
            pipeline = await self.http.get_json(f"{API}/job/pipeline")
        except NotFoundError:
            pipeline = None
        return stages_from_raw(pipeline, await self.http.get_json(f"{API}/job/stage_names"))

    async def custom_fields(self) -> list[RemoteCustomField]:
        """Job custom fields (``/job/custom-field/list``); remembered for this connector."""
        if self._custom_fields is None:
            body = await self.http.get_json(f"{API}/job/custom-field/list")
            mapped = (
                self.map_record("custom_fields", custom_field_from_raw, raw)
                for raw in records_of(body, "fields")
            )
            self._custom_fields = [field for field in mapped if field is not None]
        return self._custom_fields

    async def _custom_field(self, name: str) -> RemoteCustomField | None:
        wanted = name.strip().lower()
        return next((f for f in await self.custom_fields() if f.name.lower() == wanted), None)

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        """Each job's detail (``GET /job?job_id=``, which names the client company);
        unknown ids are left out, a detail that cannot be mapped is reported."""
        found: list[RemoteJob] = []
        for remote_id in remote_ids:
            if not remote_id.isdigit():
                continue
            try:
                body = await self.http.get_json(f"{API}/job", {"job_id": remote_id})
            except NotFoundError:
                continue
            for raw in answered(body):
                job = self.map_record("jobs", job_from_raw, raw, fee_field=self.fee_field)
                if job is not None:
                    found.append(job)
        return found

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        """``GET /candidate/get?id=`` for each (it answers a one-element list)."""
        found: list[RemoteCandidate] = []
        for remote_id in remote_ids:
            for raw in await self._candidate_detail(remote_id):
                candidate = self._candidate(raw)
                if candidate is not None:
                    found.append(candidate)
        return found

    async def _candidate_detail(self, remote_id: str) -> list[Any]:
        """``GET /candidate/get?id=``: the candidate, with the ``jobs`` they are in;
        nothing for an unknown (or non-numeric) id."""
        if not remote_id.isdigit():
            return []
        try:
            body = await self.http.get_json(f"{API}/candidate/get", {"id": remote_id})
        except NotFoundError:
            return []
        return answered(body)

    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]:
        """``get_applications(["154651"])`` -> ``[RemoteApplication(remote_id="154651:1001",
        ...), ...]``: for each candidate, ``GET /candidate/get?id=`` then, if that lists
        any job, their stage movements, built exactly as ``applications()`` builds them.

        A candidate in no job costs one request; an unknown one, or one deleted between
        the two reads, yields nothing. Up to ``concurrency`` candidates are read at once;
        applications come out in the order the candidates were asked for (repeats
        ignored), and the first failure in that order is raised."""
        semaphore = asyncio.Semaphore(self.concurrency)

        async def of(remote_id: str) -> list[RemoteApplication]:
            async with semaphore:
                found: list[RemoteApplication] = []
                for raw in await self._candidate_detail(remote_id):
                    if movement_key(raw) is not None:
                        found += await self._applications_unless_gone(raw)
                return found

        tasks = [asyncio.create_task(of(i)) for i in dict.fromkeys(candidate_remote_ids)]
        try:
            return [application for task in tasks for application in await task]
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # writes

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        """POST and check the answer: ``{"RESULT": "FAILURE"}`` is a refusal whatever the
        status; a 403 about the acting user is ``InvalidRecruiterError``."""
        try:
            answer = await self.http.json("POST", f"{API}{path}", json=body)
        except AuthError as exc:
            if exc.status == 403 and "user is not present" in (exc.detail or "").lower():
                raise InvalidRecruiterError(
                    f"acting user {body.get('user_id') or body.get('created_by')} is not in "
                    "this Recruiterflow account",
                    status=403,
                ) from exc
            raise
        if isinstance(answer, dict) and str(answer.get("RESULT", "")).upper() == "FAILURE":
            raise UnprocessableError(
                f"Recruiterflow refused {path}: {answer.get('message') or 'no message'}"
            )
        return answer

    async def move_stage(
        self, application_remote_id: str, stage: str, attribution: Attribution | None
    ) -> WriteResult:
        """``move_stage("154651:12", "Client Interview", Attribution(remote_id="10447"))``
        -> ``POST /candidate/move-to-stage {"id": 154651, "job_id": 12,
        "stage": {"name": "Client Interview"}, "user_id": 10447}``."""
        candidate, job = split_application_id(application_remote_id)
        body = {"id": candidate, "job_id": job, "stage": {"name": stage}, **_user_id(attribution)}
        answer = await self._post("/candidate/move-to-stage", body)
        return WriteResult(remote_id=application_remote_id, raw=_raw(answer))

    async def add_to_job(
        self, candidate_remote_id: str, job_remote_id: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /candidate/add-to-job {"id": 154651, "job_id": 12}``; the candidate lands
        in the first stage (Sourced). The endpoint has no acting-user field, so the
        attribution cannot be sent. Returns the application id ``"154651:12"``."""
        candidate = _numeric(candidate_remote_id, "candidate")
        job = _numeric(job_remote_id, "job")
        answer = await self._post("/candidate/add-to-job", {"id": candidate, "job_id": job})
        return WriteResult(remote_id=application_id(str(candidate), str(job)), raw=_raw(answer))

    async def reject(
        self, application_remote_id: str, reason: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /candidate/disqualify {"id", "job_id", "reason", "user_id"}``."""
        candidate, job = split_application_id(application_remote_id)
        body = {"id": candidate, "job_id": job, "reason": reason, **_user_id(attribution)}
        answer = await self._post("/candidate/disqualify", body)
        return WriteResult(remote_id=application_remote_id, raw=_raw(answer))

    async def add_note(
        self, candidate_remote_id: str, text: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /candidate/notes/add {"id": 154651, "value": text, "created_by": 10447}``
        -> ``WriteResult(remote_id=<note_id>)``."""
        body: dict[str, Any] = {"id": _numeric(candidate_remote_id, "candidate"), "value": text}
        if attribution is not None:
            body["created_by"] = _user_id(attribution)["user_id"]
        answer = await self._post("/candidate/notes/add", body)
        note_id = answer.get("note_id") if isinstance(answer, dict) else None
        return WriteResult(remote_id=id_of(note_id), raw=_raw(answer))

    async def update_job_custom_field(
        self, job_remote_id: str, field_name: str, value: str
    ) -> WriteResult:
        """``update_job_custom_field("12", "Current Rank", "3")`` -> ``POST /job/update
        {"job_id": 12, "custom_fields": [{"id": 71, "value": 3}]}``: the field is found
        by name (case-insensitive) and only that field is sent."""
        job = _numeric(job_remote_id, "job")
        remembered = self._custom_fields is not None
        field = await self._custom_field(field_name)
        if field is None and remembered:
            self._custom_fields = None  # created since we last looked?
            field = await self._custom_field(field_name)
        if field is None:
            raise NotFoundError(f"no Recruiterflow job custom field named {field_name!r}")
        entry = {"id": int(field.remote_id), "value": custom_field_value(field.field_type, value)}
        answer = await self._post("/job/update", {"job_id": job, "custom_fields": [entry]})
        return WriteResult(remote_id=job_remote_id, raw=_raw(answer))


def _raw(answer: Any) -> Mapping[str, Any]:
    return answer if isinstance(answer, dict) else {}
