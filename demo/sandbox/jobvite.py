"""A fake Jobvite: API v2 requisitions and candidates, and the sealed Onboarding API.

fake = JobviteFake(jobvite_private_key=theirs, customer_public_key=ours_public)
fake.seed(jobs=3, candidates=4, applications=5)
app = with_faults(build_app(fake), faults)      # what the harness serves

Like the real API (``tests/fixtures/specs/README.md`` (Jobvite)):

- every route wants ``x-jvi-api``/``x-jvi-sc`` or the signed ``X-JVI-API``/
  ``X-JVI-EPOCH``/``X-JVI-SIGN`` headers (epoch within five minutes); anything else,
  query-string credentials included, gets the 401 ``{"status": {...}}`` body;
- ``GET /api/v2/job`` and ``GET /api/v2/candidate`` page with ``start`` (0-based) and
  ``count`` (silently capped at 500), filter ``datestart``/``dateend`` (epoch ms) on
  ``lastUpdatedDate``, and answer ``{"total", "requisitions"}`` / ``{"total", "candidates"}``;
  a candidate row is one person with one application (a person with none has no
  ``application``);
- ``POST /api/v2/process``, ``/task``, ``/task/create``, ``/task/update`` take and give
  ``{"key", "payload"}`` envelopes: the fake opens requests with its own private key
  and seals answers for the customer's public key.

The fake opens an onboarding process for every seeded application (two tasks each),
so onboarding writes can target any application. Writes are kept, opened, in
``fake.writes``; every request's method, path, query and auth scheme in ``fake.requests``.

Webhooks (``demo.sandbox.webhook_sender``), once ``fake.enable_webhooks(url, secret,
client)`` is called: creating or updating onboarding tasks (the only writes) sends
``candidate.updated`` for the hire's candidate and requisition to ``<url>/candidate``,
with ``companyId`` = ``fake.company_id``. Everything else (stage changes, jobs) is sent
by hand after changing the records: ``await fake.emit("job.closed", requisition_id=eid)``.
"""

from __future__ import annotations

import hmac
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.errors import InvalidResponseError
from connectors.jobvite import signature
from connectors.jobvite_onboarding import decrypt_envelope, encrypt_envelope
from demo.sandbox.resumes import sandbox_resume
from demo.sandbox.webhook_sender import Provider, WebhookEmitter, WebhookSource

MAX_COUNT = 500
DEFAULT_COUNT = 100
SIGNATURE_TOLERANCE = 300
UNAUTHORIZED = {
    "status": {
        "code": 401,
        "messages": ["Invalid api/secret. Try again with a valid api/secret"],
    }
}
BASE_TIME_MS = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

_TITLES = (
    ("Senior Backend Engineer", "Engineering"),
    ("Customer Support Specialist", "Operations"),
    ("Account Executive", "Sales"),
    ("Registered Nurse", "Healthcare"),
    ("Payroll Analyst", "Finance"),
)
_JOB_STATES = ("Open", "Open", "On Hold", "Filled", "Draft", "Closed")
_WORKFLOW = (
    ("New", None),
    ("Reviewed", None),
    ("Phone Screen", None),
    ("Interview", None),
    ("Offer", None),
    ("Hired", None),
    ("Rejected", "Not a fit for the role"),
    ("Withdrawn", "Accepted another offer"),
)
_PEOPLE = (
    ("Ana", "Reyes", "Austin", "TX"),
    ("Ben", "Okafor", "Chicago", "IL"),
    ("Chloe", "Nguyen", "Seattle", "WA"),
    ("Dev", "Patel", "Boston", "MA"),
    ("Elena", "Rossi", "Denver", "CO"),
    ("Farid", "Haddad", "Miami", "FL"),
)
_TASKS = (("Sign offer letter", "DOC"), ("Complete Form I-9", "I9"))
_TASK_STATUSES = ("pending", "completed", "approved", "rejected")
_RECRUITER = {
    "userId": "uRecr001",
    "userName": "priya.raman@demoagency.example",
    "firstName": "Priya",
    "lastName": "Raman",
}
RECRUITERS = (_RECRUITER,)
"""The company's recruiters, as its requisitions name them."""


def generate_key_pair() -> tuple[RSAPrivateKey, str]:
    """A fresh RSA-2048 key and its public half as PEM text."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, public_pem(key.public_key())


def public_pem(key: RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def private_pem(key: RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@dataclass
class FakeApplication:
    candidate_eid: str
    job_eid: str
    data: dict[str, Any]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    scheme: Literal["plain", "signed"] | None


@dataclass(frozen=True)
class RecordedWrite:
    path: str
    payload: dict[str, Any]


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _status(code: int, *messages: str) -> JSONResponse:
    return JSONResponse({"status": {"code": code, "messages": list(messages)}}, status_code=code)


@dataclass
class JobviteFake(WebhookSource):
    webhook_provider: ClassVar[Provider] = "jobvite"

    jobvite_private_key: RSAPrivateKey
    customer_public_key: RSAPublicKey | None
    api_key: str = "jv-api-key"
    api_secret: str = "jv-api-secret"
    clock: Callable[[], float] = time.time
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)
    applications: dict[str, FakeApplication] = field(default_factory=dict)
    processes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    writes: list[RecordedWrite] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(20240401))
    company_id: str = "demo-agency"
    """The Jobvite company: ``companyId`` in webhooks."""
    webhooks: WebhookEmitter | None = None

    # --- state ------------------------------------------------------------------------

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _eid(self, taken: Mapping[str, object]) -> str:
        while True:
            eid = "o" + "".join(self.rng.choices(_ALNUM, k=7))
            if eid not in taken:
                return eid

    def _object_id(self, taken: Mapping[str, object]) -> str:
        while True:
            oid = f"{self.rng.getrandbits(96):024x}"
            if oid not in taken:
                return oid

    def add_job(self, **fields: Any) -> dict[str, Any]:
        n = len(self.jobs)
        title, department = _TITLES[n % len(_TITLES)]
        job: dict[str, Any] = {
            "eId": self._eid(self.jobs),
            "requisitionId": str(4100 + n),
            "title": title,
            "jobState": _JOB_STATES[n % len(_JOB_STATES)],
            "department": department,
            "category": department,
            "location": "Austin, TX",
            "locationCity": "Austin",
            "locationState": "TX",
            "locationCountry": "United States",
            "jobType": "Full-Time",
            "description": f"<p>{title} for Demo Agency's client.</p>",
            "company": "Demo Agency",
            "primaryRecruiter": dict(_RECRUITER),
            "recruiters": [dict(_RECRUITER)],
            "createdDate": BASE_TIME_MS + n * 3_600_000,
            "lastUpdatedDate": BASE_TIME_MS + n * 3_600_000 + 60_000,
            **fields,
        }
        self.jobs[job["eId"]] = job
        return job

    def add_candidate(self, **fields: Any) -> dict[str, Any]:
        n = len(self.candidates)
        first, last, city, state = _PEOPLE[n % len(_PEOPLE)]
        candidate: dict[str, Any] = {
            "eId": self._eid(self.candidates),
            "firstName": first,
            "lastName": f"{last}{n // len(_PEOPLE) or ''}",
            "email": f"{first.lower()}.{last.lower()}{n}@mail.example",
            "homePhone": f"555-010-{n:04d}",
            "mobile": "",
            "workPhone": "",
            "address": f"{100 + n} Main Street",
            "city": city,
            "state": state,
            "country": "USA",
            "postalCode": "73301",
            "location": f"{city}, {state}",
            "title": "Specialist",
            "companyName": "Previous Co",
            "workStatus": "US Citizen",
            "lastUpdatedDate": BASE_TIME_MS + n * 600_000,
            **fields,
        }
        self.candidates[candidate["eId"]] = candidate
        return candidate

    def add_application(
        self, candidate_eid: str, job_eid: str, *, onboarding: bool = True, **fields: Any
    ) -> FakeApplication:
        n = len(self.applications)
        state, disposition = _WORKFLOW[n % len(_WORKFLOW)]
        data: dict[str, Any] = {
            "eId": self._eid(self.applications),
            "workflowState": state,
            "workflowStateEId": f"wf{_WORKFLOW.index((state, disposition)):06d}",
            "jobviteChannel": "Career Site",
            "source": "Demo Agency - Desktop",
            "sourceType": "Demo Agency Career Site",
            "sentDate": BASE_TIME_MS + n * 900_000,
            "lastUpdatedDate": BASE_TIME_MS + n * 900_000 + 120_000,
            "gender": "Decline to Self Identify",
            "hasArtifacts": False,
            **fields,
        }
        if disposition:
            data.setdefault("disposition", disposition)
        application = FakeApplication(candidate_eid, job_eid, data)
        self.applications[data["eId"]] = application
        if onboarding:
            self.add_process(application)
        return application

    def add_process(self, application: FakeApplication) -> dict[str, Any]:
        candidate = self.candidates[application.candidate_eid]
        process: dict[str, Any] = {
            "id": self._object_id(self.processes),
            "candidateId": application.candidate_eid,
            "applicationId": application.data["eId"],
            "jobId": application.job_eid,
            "status": "active",
            "hireDate": "2024-03-01",
            "firstName": candidate["firstName"],
            "lastName": candidate["lastName"],
            "email": candidate["email"],
            "lastUpdatedDate": application.data["lastUpdatedDate"],
        }
        self.processes[process["id"]] = process
        for name, kind in _TASKS:
            n = len(self.tasks)
            task = {
                "id": self._object_id(self.tasks),
                "processId": process["id"],
                "name": name,
                "description": f"{name} before the start date.",
                "type": kind,
                "status": _TASK_STATUSES[n % len(_TASK_STATUSES)],
                "dueDate": "2024-02-15",
                "lastUpdatedDate": process["lastUpdatedDate"] + n * 1000,
            }
            self.tasks[task["id"]] = task
        return process

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """Applications pair candidate ``c`` with job ``(c + k) % jobs`` for k = 0, 1, ...
        so no pair repeats; at most ``jobs * candidates`` of them."""
        if applications and (not jobs or not candidates):
            raise ValueError("applications need jobs and candidates")
        if applications > jobs * candidates:
            raise ValueError("more applications than distinct candidate/job pairs")
        job_ids = [self.add_job()["eId"] for _ in range(jobs)]
        candidate_ids = [self.add_candidate()["eId"] for _ in range(candidates)]
        pairs = (
            (candidate_ids[c], job_ids[(c + k) % jobs])
            for k in range(jobs)
            for c in range(candidates)
        )
        for _, (candidate_eid, job_eid) in zip(range(applications), pairs, strict=False):
            self.add_application(candidate_eid, job_eid)

    def touch_job(self, eid: str) -> None:
        self.jobs[eid]["lastUpdatedDate"] = self.now_ms()

    def touch_application(self, eid: str) -> None:
        self.applications[eid].data["lastUpdatedDate"] = self.now_ms()

    def candidate_rows(self) -> Iterator[dict[str, Any]]:
        """``/candidate`` rows: each person once per application, in seeding order."""
        by_candidate: dict[str, list[FakeApplication]] = {}
        for application in self.applications.values():
            by_candidate.setdefault(application.candidate_eid, []).append(application)
        for eid, candidate in self.candidates.items():
            applications = by_candidate.get(eid)
            if not applications:
                yield dict(candidate)
                continue
            for application in applications:
                job = self.jobs[application.job_eid]
                summary = {
                    key: job[key]
                    for key in (
                        "eId",
                        "requisitionId",
                        "title",
                        "company",
                        "department",
                        "location",
                        "jobType",
                        "primaryRecruiter",
                        "recruiters",
                    )
                    if key in job
                }
                yield {**candidate, "application": {**application.data, "job": summary}}

    def webhook_defaults(self) -> dict[str, Any]:
        return {"company_id": self.company_id}

    def notify_candidate_of(self, process_id: str) -> None:
        """``candidate.updated`` for the hire an onboarding process belongs to."""
        process = self.processes[process_id]
        self.notify(
            "candidate.updated",
            candidate_id=process["candidateId"],
            requisition_id=process["jobId"],
        )

    # --- auth -------------------------------------------------------------------------

    def auth_scheme(self, request: Request) -> Literal["plain", "signed"] | None:
        """The scheme whose credentials are right, ``None`` when none is."""
        headers = request.headers
        if "x-jvi-sign" in headers:
            epoch = headers.get("x-jvi-epoch", "")
            if not epoch.isdigit() or abs(self.clock() - int(epoch)) > SIGNATURE_TOLERANCE:
                return None
            expected = signature(self.api_key, self.api_secret, int(epoch))
            ok = hmac.compare_digest(headers.get("x-jvi-api", ""), self.api_key)
            return "signed" if ok and hmac.compare_digest(headers["x-jvi-sign"], expected) else None
        key_ok = hmac.compare_digest(headers.get("x-jvi-api", ""), self.api_key)
        secret_ok = hmac.compare_digest(headers.get("x-jvi-sc", ""), self.api_secret)
        return "plain" if key_ok and secret_ok else None

    # --- onboarding envelope ------------------------------------------------------------

    async def open_request(self, request: Request) -> dict[str, Any]:
        try:
            envelope = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            raise BadRequest("Request body is not JSON") from None
        try:
            return decrypt_envelope(envelope, self.jobvite_private_key)
        except InvalidResponseError:
            raise BadRequest("Unable to decrypt the request") from None

    def seal(self, payload: Mapping[str, Any]) -> JSONResponse:
        if self.customer_public_key is None:
            return _status(500, "No customer public key on file")
        return JSONResponse(dict(encrypt_envelope(payload, self.customer_public_key)))


# --- query helpers -------------------------------------------------------------------------


def _int_param(request: Request, name: str, default: int | None) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"Invalid value for {name}: {value!r}") from None


def _window(request: Request) -> tuple[int, int, int | None, int | None]:
    start = _int_param(request, "start", 0) or 0
    count = _int_param(request, "count", DEFAULT_COUNT) or DEFAULT_COUNT
    if start < 0 or count < 1:
        raise BadRequest("start must be >= 0 and count >= 1")
    return (
        start,
        min(count, MAX_COUNT),
        _int_param(request, "datestart", None),
        _int_param(request, "dateend", None),
    )


def _updated(row: Mapping[str, Any]) -> int:
    application = row.get("application") or {}
    return max(int(row.get("lastUpdatedDate") or 0), int(application.get("lastUpdatedDate") or 0))


def _page(
    rows: list[dict[str, Any]], key: str, request: Request
) -> dict[str, int | list[dict[str, Any]]]:
    start, count, datestart, dateend = _window(request)
    selected = [
        row
        for row in rows
        if (datestart is None or _updated(row) >= datestart)
        and (dateend is None or _updated(row) <= dateend)
    ]
    return {"total": len(selected), key: selected[start : start + count]}


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda value, arg: value == arg,
    "in": lambda value, arg: value in arg,
    "nin": lambda value, arg: value not in arg,
    "lt": lambda value, arg: value is not None and value < arg,
    "lte": lambda value, arg: value is not None and value <= arg,
    "gt": lambda value, arg: value is not None and value > arg,
    "gte": lambda value, arg: value is not None and value >= arg,
}


def _matches(record: Mapping[str, Any], criteria: Mapping[str, Any]) -> bool:
    for name, condition in criteria.items():
        if not isinstance(condition, dict):
            raise BadRequest(f"Filter on {name} must be an object of operators")
        for operator, argument in condition.items():
            test = _OPERATORS.get(operator)
            if test is None:
                raise BadRequest(f"Unknown filter operator {operator}")
            if operator in ("in", "nin") and not isinstance(argument, list):
                raise BadRequest(f"Operator {operator} needs a list")
            try:
                if not test(record.get(name), argument):
                    return False
            except TypeError:
                raise BadRequest(f"Cannot compare {name} with {argument!r}") from None
    return True


def _search(
    records: Mapping[str, dict[str, Any]], entity: str, key: str, body: Mapping[str, Any]
) -> dict[str, Any]:
    start, count = body.get("start", 0), body.get("count", DEFAULT_COUNT)
    if not isinstance(start, int) or not isinstance(count, int) or start < 0 or count < 1:
        raise BadRequest("start must be >= 0 and count >= 1")
    raw_filter = body.get("filter") or {}
    criteria = raw_filter.get(entity, {}) if isinstance(raw_filter, dict) else None
    if not isinstance(criteria, dict):
        raise BadRequest("filter must be an object")
    selected = [record for record in records.values() if _matches(record, criteria)]
    return {
        "total": len(selected),
        "start": start,
        "count": min(count, MAX_COUNT),
        key: selected[start : start + min(count, MAX_COUNT)],
    }


_TASK_FIELDS = ("name", "description", "type", "dueDate", "notes")
_UPDATE_FIELDS = (*_TASK_FIELDS, "status", "completedBy", "reviewedBy")
_STATUSES = frozenset(_TASK_STATUSES)


def build_app(fake: JobviteFake) -> Starlette:
    """The fake's routes under ``/api/v2``; wrap it with ``with_faults`` to serve it."""

    Handler = Callable[[Request], Awaitable[Response]]

    def guarded(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            scheme = fake.auth_scheme(request)
            fake.requests.append(
                RecordedRequest(
                    request.method, request.url.path, dict(request.query_params), scheme
                )
            )
            if scheme is None:
                return JSONResponse(UNAUTHORIZED, status_code=401)
            try:
                return await handler(request)
            except BadRequest as error:
                return _status(error.status, error.message)

        return endpoint

    async def jobs(request: Request) -> Response:
        return JSONResponse(_page(list(fake.jobs.values()), "requisitions", request))

    async def candidates(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        rows = [
            {**row, "resumeUrl": f"{base}/api/v2/candidate/{row['eId']}/resume"}
            for row in fake.candidate_rows()
        ]
        return JSONResponse(_page(rows, "candidates", request))

    async def resume(request: Request) -> Response:
        """``GET /api/v2/candidate/{eId}/resume``: the candidate's resume file."""
        eid = request.path_params["eid"]
        if eid not in fake.candidates:
            return _status(404, f"Candidate {eid} not found")
        candidate = fake.candidates[eid]
        title = candidate.get("title") or "Specialist"
        file = sandbox_resume(
            list(fake.candidates).index(eid),
            f"{candidate['firstName']} {candidate['lastName']}",
            f"{title} at {candidate.get('companyName') or 'a previous employer'}",
        )
        return Response(file.content, media_type=file.content_type)

    async def processes(request: Request) -> Response:
        body = await fake.open_request(request)
        return fake.seal(_search(fake.processes, "process", "processes", body))

    async def tasks(request: Request) -> Response:
        body = await fake.open_request(request)
        return fake.seal(_search(fake.tasks, "task", "tasks", body))

    async def create_tasks(request: Request) -> Response:
        body = await fake.open_request(request)
        drafts = body.get("tasks")
        if not isinstance(drafts, list) or not drafts:
            raise BadRequest("tasks must be a non-empty list")
        for draft in drafts:
            if not isinstance(draft, dict) or not draft.get("name"):
                raise BadRequest("every task needs a name")
            if draft.get("processId") not in fake.processes:
                raise BadRequest(f"Process {draft.get('processId')} not found", status=404)
        fake.writes.append(RecordedWrite(request.url.path, body))
        created = []
        for draft in drafts:
            task = {
                "id": fake._object_id(fake.tasks),
                "processId": draft["processId"],
                **{name: draft[name] for name in _TASK_FIELDS if name in draft},
                "status": "pending",
                "createdBy": draft.get("createdBy"),
                "lastUpdatedDate": fake.now_ms(),
            }
            fake.tasks[task["id"]] = task
            created.append(task)
        for process_id in dict.fromkeys(task["processId"] for task in created):
            fake.notify_candidate_of(process_id)
        return fake.seal({"tasks": created})

    async def update_task(request: Request) -> Response:
        body = await fake.open_request(request)
        changes = body.get("task")
        if not isinstance(changes, dict) or not changes.get("id"):
            raise BadRequest("task.id is required")
        task = fake.tasks.get(changes["id"])
        if task is None:
            raise BadRequest(f"Task {changes['id']} not found", status=404)
        if "status" in changes and changes["status"] not in _STATUSES:
            raise BadRequest(f"Invalid status {changes['status']!r}")
        fake.writes.append(RecordedWrite(request.url.path, body))
        task.update({name: changes[name] for name in _UPDATE_FIELDS if name in changes})
        task["lastUpdatedDate"] = fake.now_ms()
        if task.get("processId") in fake.processes:
            fake.notify_candidate_of(task["processId"])
        return fake.seal({"task": task})

    return Starlette(
        routes=[
            Route("/api/v2/job", guarded(jobs), methods=["GET"]),
            Route("/api/v2/candidate", guarded(candidates), methods=["GET"]),
            Route("/api/v2/candidate/{eid}/resume", guarded(resume), methods=["GET"]),
            Route("/api/v2/process", guarded(processes), methods=["POST"]),
            Route("/api/v2/task", guarded(tasks), methods=["POST"]),
            Route("/api/v2/task/create", guarded(create_tasks), methods=["POST"]),
            Route("/api/v2/task/update", guarded(update_task), methods=["POST"]),
        ]
    )
