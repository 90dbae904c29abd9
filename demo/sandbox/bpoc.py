"""A stateful fake of BPOC's agency API (``/api/v1``), as ``connectors/bpoc.py`` documents it.

    fake = BpocFake()
    fake.seed(jobs=3, candidates=4, applications=6)
    transport = httpx.ASGITransport(app=fake.app)        # fake.app is wrapped with fake.faults
    ... POST /api/v1/jobs/create {"title": "QA Analyst", "postedBy": RECRUITER_ID} ...
    fake.writes[-1]    # Write(method="POST", path="/jobs/create", body={...}, agency_id=...)
    fake.jobs[id]      # {"status": "pending_approval", "postedBy": RECRUITER_ID, ...}

On a port, with demo data: ``uvicorn --factory demo.sandbox.bpoc:make_app --port 8765``
(key ``MAIN_API_KEY``).

What it holds: three agencies, each with its own ``X-API-Key``. ``MAIN_API_KEY``'s
agency has an admin, a manager, a recruiter (the guide's example UUID) and an
inactive recruiter, plus three clients; ``OTHER_API_KEY``'s agency has one recruiter
of its own (``OTHER_AGENCY_RECRUITER_ID``); ``STARTER_API_KEY``'s agency is not on the
Enterprise tier. Jobs, candidates, applications, interviews and onboarding tasks
come from ``seed``; each key sees only its agency's records.

How it answers:

- no ``X-API-Key``, or an unknown one: 401 ``{"error": "Unauthorized", "message":
  "Missing API key" | "Invalid API key", "status": 401}``; the starter agency's key:
  403 ``{"error": "API access requires the Enterprise plan", "status": 403}``.
- lists ``GET /jobs``, ``/applications`` (each embedding its ``candidate``; seeded
  ones carry a ``statusHistory`` that ends at their ``status``),
  ``/interviews``, ``/onboarding``: ``page`` (1-based, default 1) and ``limit``
  (default 20, at most 100; more is served as 100) ->
  ``{"<items>": [...], "pagination": {"page", "limit", "total", "totalPages"}}``
  in creation order; a bad ``page``/``limit`` is a 400. ``GET /agency/recruiters``
  answers every recruiter at once, inactive ones included.
- every attribution field (``postedBy``, ``approvedBy``, ``releasedBy``, ``rejectedBy``,
  ``interviewerId``, ``scheduledBy``, ``createdBy``, ``reviewedBy``) is checked: a
  recruiter of another agency is 403 ``{"error": "Recruiter does not belong to your
  agency", "status": 403}``; a value that is not a UUID, an unknown id or an inactive
  recruiter is 400 ``{"error": "Invalid recruiter ID", "message": "Invalid recruiter
  ID: ...", "status": 400}``. A missing field is accepted (the guide's "Missing
  Attribution in BPOC" case) and stored as null.
- unknown job/application/task/client: 404 ``{"error": "<Thing> not found"}``;
  releasing an application that is rejected, withdrawn or hired: 409; a missing
  required field: 400.
- accepted writes change the records and are appended to ``writes`` (refused ones
  are not), with the body as sent.

Webhooks (``demo.sandbox.webhook_sender``), once ``fake.enable_webhooks(url, secret,
client)`` is called, for the writes of ``webhook_agency_id``'s agency (the main one; a
subscription belongs to one agency): job create ``job.created``, approve
``job.approved``, release ``application.released``, reject ``application.rejected``,
scheduling ``interview.scheduled``. Onboarding and recruiter writes send nothing. The
API answers without waiting for them; ``await fake.emit("job.closed", job_id=...)``
sends one by hand.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.resumes import extension_of, sandbox_resume
from demo.sandbox.webhook_sender import Provider, WebhookEmitter, WebhookSource

RESUME_HOST = "https://bpoc.io"
"""Where seeded ``resumeUrl``s point; served rewritten to the host the request came to."""
MAIN_API_KEY = "bpoc_sk_live_manila_5f3c9a1e7d204b68"
OTHER_API_KEY = "bpoc_sk_live_cebu_8b21d047aa9c3e15"
STARTER_API_KEY = "bpoc_sk_live_starter_0c6e4f52b7d81a93"

MAIN_AGENCY_ID = "501cce9d-3fdb-4258-9466-616fec7a75ef"
OTHER_AGENCY_ID = "5dd290e9-2766-453c-8b7f-77e8f8d2b920"
STARTER_AGENCY_ID = "f9806b85-f754-48af-9cea-d7a289c7205a"

ADMIN_ID = "33794435-4ab4-48e1-93f3-58ebba9a691e"
MANAGER_ID = "257ae823-33a9-4c8c-8369-a962abc6a3f5"
RECRUITER_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
INACTIVE_RECRUITER_ID = "15ef3a3b-ca2b-494d-a34e-614facd3d1de"
OTHER_AGENCY_RECRUITER_ID = "a9dcc471-a8cf-4684-9d9e-3dbe903d3150"
UNKNOWN_RECRUITER_ID = "c53504a6-1cd3-42fb-aa9f-a6ea1dda44f5"

CLIENT_IDS = (
    "d829a422-f29b-4a56-a473-794ce2da0ebb",
    "a7794402-91f5-4e08-9319-51e92ae58956",
    "a99baaa3-2ee6-4db2-b0e8-2c5019368a81",
)

SEED_TIME = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
"""Seeded records were created and last updated before this."""

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

ROLES = frozenset({"admin", "manager", "recruiter"})
ATTRIBUTION_FIELDS = (
    "postedBy",
    "approvedBy",
    "releasedBy",
    "rejectedBy",
    "interviewerId",
    "scheduledBy",
    "createdBy",
    "reviewedBy",
)

_JOB_TITLES = (
    ("Customer Service Representative", "Makati City"),
    ("Technical Support Specialist", "Cebu City"),
    ("Senior React Developer", "Taguig (BGC)"),
    ("Real Estate Virtual Assistant", "Remote (PH)"),
    ("Bookkeeper", "Quezon City"),
    ("Team Leader - Voice Account", "Clark, Pampanga"),
    ("QA Analyst", "Davao City"),
)
_JOB_STATUSES = ("active", "active", "paused", "active", "closed", "pending_approval")
_FIRST_NAMES = ("Maria", "Jose", "Angelica", "Mark", "Kristine", "John Paul", "Camille", "Rodel")
_LAST_NAMES = ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Dela Cruz", "Ramos")
_CANDIDATE_LOCATIONS = ("Makati City", "Cebu City", "Quezon City", "Davao City", "Iloilo City")
_APPLICATION_STATUSES = (
    "submitted",
    "under_review",
    "shortlisted",
    "released",
    "interviewing",
    "offered",
    "hired",
    "rejected",
)
_ONBOARDING = (
    ("Submit NBI clearance", "document"),
    ("Sign employment contract", "signature"),
    ("Provide SSS, PhilHealth and Pag-IBIG numbers", "form"),
)


def _status_history(status: str, applied: datetime) -> list[tuple[str, datetime, str | None]]:
    """The status changes that led a seeded application to ``status``, ending there:
    (status, when, who). Released ones were released three days after applying, had
    their client interview scheduled an hour later and held two days after release;
    rejections come two days after applying."""
    if status == "rejected":
        path: tuple[tuple[str, timedelta, str | None], ...] = (
            ("submitted", timedelta(0), None),
            ("under_review", timedelta(days=1), RECRUITER_ID),
            ("rejected", timedelta(days=2), MANAGER_ID),
        )
    else:
        released = timedelta(days=3)
        interview = released + timedelta(days=2)
        steps: tuple[tuple[str, timedelta, str | None], ...] = (
            ("submitted", timedelta(0), None),
            ("under_review", timedelta(days=1), RECRUITER_ID),
            ("shortlisted", timedelta(days=2), RECRUITER_ID),
            ("released", released, RECRUITER_ID),
            ("interviewing", released + timedelta(hours=1), RECRUITER_ID),
            ("offered", interview + timedelta(days=1), MANAGER_ID),
            ("hired", interview + timedelta(days=2), MANAGER_ID),
        )
        names = [step for step, _after, _by in steps]
        path = steps[: names.index(status) + 1] if status in names else steps[:1]
    return [(step, applied + after, by) for step, after, by in path]


def iso(moment: datetime) -> str:
    """``datetime(2025, 12, 1, 9, tzinfo=UTC)`` -> ``"2025-12-01T09:00:00Z"``"""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name: str
    api_key: str
    enterprise: bool = True


@dataclass(frozen=True, slots=True)
class Write:
    """An accepted write: ``path`` is relative to ``/api/v1``, ``body`` as sent."""

    method: str
    path: str
    body: dict[str, Any]
    agency_id: str


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.message = message

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error": self.error, "status": self.status}
        if self.message is not None:
            body["message"] = self.message
        return JSONResponse(body, status_code=self.status)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


Record = dict[str, Any]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class BpocFake(WebhookSource):
    """BPOC's state and its Starlette app (``app``, already wrapped with ``faults``)."""

    webhook_provider: ClassVar[Provider] = "bpoc"

    faults: Faults = field(default_factory=Faults)
    now: Callable[[], datetime] = _utcnow
    rng: random.Random = field(default_factory=lambda: random.Random(41_770_915))
    agencies: dict[str, Agency] = field(default_factory=dict)
    recruiters: dict[str, Record] = field(default_factory=dict)
    clients: dict[str, Record] = field(default_factory=dict)
    jobs: dict[str, Record] = field(default_factory=dict)
    candidates: dict[str, Record] = field(default_factory=dict)
    applications: dict[str, Record] = field(default_factory=dict)
    interviews: dict[str, Record] = field(default_factory=dict)
    tasks: dict[str, Record] = field(default_factory=dict)
    invites: dict[str, Record] = field(default_factory=dict)
    writes: list[Write] = field(default_factory=list)
    webhooks: WebhookEmitter | None = None
    webhook_agency_id: str = MAIN_AGENCY_ID
    """The agency whose writes are notified."""
    app: ASGIApp = field(init=False)

    def __post_init__(self) -> None:
        self._agencies()
        self.app = with_faults(self._starlette(), self.faults)

    # state

    def _agencies(self) -> None:
        for agency in (
            Agency(MAIN_AGENCY_ID, "Manila Talent Partners", MAIN_API_KEY),
            Agency(OTHER_AGENCY_ID, "Cebu Staffing Co", OTHER_API_KEY),
            Agency(STARTER_AGENCY_ID, "Starter Agency", STARTER_API_KEY, enterprise=False),
        ):
            self.agencies[agency.api_key] = agency
        people = (
            (ADMIN_ID, MAIN_AGENCY_ID, "Andrea", "Villanueva", "admin", True),
            (MANAGER_ID, MAIN_AGENCY_ID, "Paolo", "Lim", "manager", True),
            (RECRUITER_ID, MAIN_AGENCY_ID, "John", "Recruiter", "recruiter", True),
            (INACTIVE_RECRUITER_ID, MAIN_AGENCY_ID, "Liza", "Tan", "recruiter", False),
            (OTHER_AGENCY_RECRUITER_ID, OTHER_AGENCY_ID, "Ramon", "Uy", "recruiter", True),
        )
        for number, (rid, agency_id, first, last, role, active) in enumerate(people):
            moment = iso(SEED_TIME - timedelta(days=90 - number))
            domain = "cebustaffing.ph" if agency_id == OTHER_AGENCY_ID else "manilatalent.ph"
            self.recruiters[rid] = {
                "id": rid,
                "agencyId": agency_id,
                "email": f"{first}.{last}@{domain}".lower(),
                "firstName": first,
                "lastName": last,
                "role": role,
                "isActive": active,
                "createdAt": moment,
                "updatedAt": moment,
            }
        names = ("Harbour Realty (AU)", "Northwind Logistics (US)", "Kiwi Accounting Ltd (NZ)")
        for cid, name in zip(CLIENT_IDS, names, strict=True):
            self.clients[cid] = {"id": cid, "agencyId": MAIN_AGENCY_ID, "name": name}

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """Add that many records to the main agency, all updated before ``SEED_TIME``.
        Application ``i`` links candidate ``i % candidates`` (so every candidate has one
        when ``applications >= candidates``); released ones get a client interview,
        hired ones three onboarding tasks."""
        start = SEED_TIME - timedelta(days=60)
        active = [r for r in self.recruiters.values() if r["agencyId"] == MAIN_AGENCY_ID]
        active = [r["id"] for r in active if r["isActive"]]
        new_jobs: list[str] = []
        for number in range(jobs):
            serial = len(self.jobs)
            title, location = _JOB_TITLES[serial % len(_JOB_TITLES)]
            client = self.clients[CLIENT_IDS[serial % len(CLIENT_IDS)]]
            status = _JOB_STATUSES[serial % len(_JOB_STATUSES)]
            created = start + timedelta(hours=3 * number)
            job_id = self._uuid()
            self.jobs[job_id] = {
                "id": job_id,
                "agencyId": MAIN_AGENCY_ID,
                "clientId": client["id"],
                "clientName": client["name"],
                "title": title,
                "description": f"{title} for {client['name']}.",
                "requirements": ["Excellent English communication", "1+ year BPO experience"],
                "location": location,
                "employmentType": "full_time",
                "salary_min": 25000 + 5000 * (serial % 5),
                "salary_max": 40000 + 8000 * (serial % 5),
                "currency": "PHP",
                "status": status,
                "postedBy": active[serial % len(active)],
                "approvedBy": None if status == "pending_approval" else MANAGER_ID,
                "approvedAt": None
                if status == "pending_approval"
                else iso(created + timedelta(hours=1)),
                "closedAt": iso(created + timedelta(days=20)) if status == "closed" else None,
                "createdAt": iso(created),
                "updatedAt": iso(created + timedelta(days=20 if status == "closed" else 1)),
            }
            new_jobs.append(job_id)
        new_candidates: list[str] = []
        for number in range(candidates):
            serial = len(self.candidates)
            first = _FIRST_NAMES[serial % len(_FIRST_NAMES)]
            last = _LAST_NAMES[(serial // len(_FIRST_NAMES) + serial) % len(_LAST_NAMES)]
            created = start + timedelta(hours=2 * number)
            candidate_id = self._uuid()
            self.candidates[candidate_id] = {
                "id": candidate_id,
                "agencyId": MAIN_AGENCY_ID,
                "firstName": first,
                "lastName": last,
                "email": f"{first}.{last}.{serial + 1}@example.ph".replace(" ", "").lower(),
                "phone": f"+63 917 555 {1000 + serial:04d}",
                "location": _CANDIDATE_LOCATIONS[serial % len(_CANDIDATE_LOCATIONS)],
                "headline": f"Customer support professional, {1 + serial % 9} years",
                "source": "bpoc_talent_pool",
                "resumeUrl": f"{RESUME_HOST}/resumes/{candidate_id}.{extension_of(serial)}",
                "skills": ["English", "Zendesk"] if serial % 2 else ["English", "Salesforce"],
                "createdAt": iso(created),
                "updatedAt": iso(created + timedelta(hours=1)),
            }
            new_candidates.append(candidate_id)
        job_pool = new_jobs or [j for j, r in self.jobs.items() if r["agencyId"] == MAIN_AGENCY_ID]
        candidate_pool = new_candidates or list(self.candidates)
        if applications and not (job_pool and candidate_pool):
            raise ValueError("applications need seeded jobs and candidates")
        for number in range(applications):
            job_id = job_pool[(number + number // len(candidate_pool)) % len(job_pool)]
            candidate_id = candidate_pool[number % len(candidate_pool)]
            self._seed_application(job_id, candidate_id, start + timedelta(days=2, hours=number))

    def _seed_application(self, job_id: str, candidate_id: str, applied: datetime) -> None:
        serial = len(self.applications)
        status = _APPLICATION_STATUSES[serial % len(_APPLICATION_STATUSES)]
        history = _status_history(status, applied)
        released = next((at for step, at, _by in history if step == "released"), None)
        rejected = next((at for step, at, _by in history if step == "rejected"), None)
        reviewed = status != "submitted"
        updated = history[-1][1]
        application_id = self._uuid()
        self.applications[application_id] = {
            "id": application_id,
            "agencyId": MAIN_AGENCY_ID,
            "jobId": job_id,
            "candidateId": candidate_id,
            "status": status,
            "statusHistory": [
                {"status": step, "changedAt": iso(at), "changedBy": by} for step, at, by in history
            ],
            "appliedAt": iso(applied),
            "reviewedBy": RECRUITER_ID if reviewed else None,
            "releasedAt": iso(released) if released else None,
            "releasedBy": RECRUITER_ID if released else None,
            "releaseNotes": "Strong communicator" if released else None,
            "rejectedAt": iso(rejected) if rejected else None,
            "rejectedBy": MANAGER_ID if rejected else None,
            "rejectionReason": "Skills mismatch" if rejected else None,
            "createdAt": iso(applied),
            "updatedAt": iso(updated + timedelta(hours=1)),
        }
        if released is None:
            return
        interview_at = released + timedelta(days=2)
        interview_id = self._uuid()
        self.interviews[interview_id] = {
            "id": interview_id,
            "agencyId": MAIN_AGENCY_ID,
            "applicationId": application_id,
            "interviewType": "client_round_1",
            "status": "scheduled" if status == "interviewing" else "completed",
            "scheduledAt": iso(interview_at),
            "interviewerId": MANAGER_ID,
            "scheduledBy": RECRUITER_ID,
            "createdAt": iso(released),
            "updatedAt": iso(released + timedelta(hours=1)),
        }
        if status != "hired":
            return
        for number, (title, kind) in enumerate(_ONBOARDING):
            created = interview_at + timedelta(days=3)
            task_id = self._uuid()
            self.tasks[task_id] = {
                "id": task_id,
                "agencyId": MAIN_AGENCY_ID,
                "applicationId": application_id,
                "candidateId": candidate_id,
                "title": title,
                "description": None,
                "taskType": kind,
                "status": ("approved", "submitted", "pending")[number],
                "dueDate": (created + timedelta(days=14)).date().isoformat(),
                "createdBy": RECRUITER_ID,
                "reviewedBy": MANAGER_ID if number == 0 else None,
                "reviewedAt": iso(created + timedelta(days=1)) if number == 0 else None,
                "createdAt": iso(created),
                "updatedAt": iso(created + timedelta(days=1)),
            }

    def touch_job(self, remote_id: str) -> None:
        self.jobs[remote_id]["updatedAt"] = iso(self.now())

    def job_ids(self, agency_id: str = MAIN_AGENCY_ID) -> list[str]:
        return [j for j, r in self.jobs.items() if r["agencyId"] == agency_id]

    # HTTP

    def _starlette(self) -> Starlette:
        routes = [
            Route("/agency/recruiters", self.list_recruiters, methods=["GET"]),
            Route("/recruiters/create", self.create_recruiter, methods=["POST"]),
            Route("/team/invite", self.invite, methods=["POST"]),
            Route("/jobs", self.list_jobs, methods=["GET"]),
            Route("/jobs/create", self.create_job, methods=["POST"]),
            Route("/jobs/{id}/approve", self.approve_job, methods=["POST"]),
            Route("/applications", self.list_applications, methods=["GET"]),
            Route("/applications/{id}/release", self.release, methods=["POST"]),
            Route("/applications/{id}/reject", self.reject, methods=["POST"]),
            Route("/interviews", self.list_interviews, methods=["GET"]),
            Route("/interviews", self.schedule_interview, methods=["POST"]),
            Route("/onboarding", self.list_tasks, methods=["GET"]),
            Route("/onboarding", self.create_tasks, methods=["POST"]),
            Route("/onboarding/{id}", self.review_task, methods=["PUT"]),
        ]
        return Starlette(
            routes=[
                Mount("/api/v1", routes=routes),
                Route("/resumes/{name}", self.resume_file, methods=["GET"]),
            ],
            exception_handlers={ApiError: _api_error},
        )

    def _agency(self, request: Request) -> Agency:
        key = request.headers.get("x-api-key")
        if not key:
            raise ApiError(401, "Unauthorized", "Missing API key")
        agency = self.agencies.get(key)
        if agency is None:
            raise ApiError(401, "Unauthorized", "Invalid API key")
        if not agency.enterprise:
            raise ApiError(403, "API access requires the Enterprise plan")
        return agency

    async def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise ApiError(400, "Invalid JSON body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid JSON body")
        return body

    def _acting(self, agency: Agency, body: Mapping[str, Any]) -> None:
        """Every attribution field present must name an active recruiter of ``agency``."""
        for name in ATTRIBUTION_FIELDS:
            value = body.get(name)
            if value is None:
                continue
            try:
                key = str(uuid.UUID(str(value)))
            except ValueError:
                raise ApiError(
                    400, "Invalid recruiter ID", f"Invalid recruiter ID: {name} is not a UUID"
                ) from None
            recruiter = self.recruiters.get(key)
            if recruiter is None:
                raise ApiError(
                    400, "Invalid recruiter ID", f"Invalid recruiter ID: no recruiter {key}"
                )
            if recruiter["agencyId"] != agency.id:
                raise ApiError(403, "Recruiter does not belong to your agency")
            if not recruiter["isActive"]:
                raise ApiError(
                    400, "Invalid recruiter ID", f"Invalid recruiter ID: {key} is inactive"
                )

    def _owned(
        self, records: dict[str, Record], remote_id: str, agency: Agency, what: str
    ) -> Record:
        record = records.get(remote_id)
        if record is None or record["agencyId"] != agency.id:
            raise ApiError(404, f"{what} not found")
        return record

    def _record_write(self, request: Request, body: dict[str, Any], agency: Agency) -> None:
        path = request.url.path.removeprefix("/api/v1")
        self.writes.append(Write(request.method, path, body, agency.id))

    def _notify(self, agency: Agency, event: str, record: Record) -> None:
        """Notify ``event`` about a job (``record`` a job) or an application (an
        application or interview: its application's job and candidate ride along)."""
        if agency.id != self.webhook_agency_id:
            return
        if event.startswith("job."):
            self.notify(event, job_id=record["id"])
            return
        application = self.applications[record.get("applicationId") or record["id"]]
        self.notify(
            event,
            job_id=application["jobId"],
            application_id=application["id"],
            candidate_id=application["candidateId"],
        )

    @staticmethod
    def _page(request: Request, key: str, records: list[Record]) -> JSONResponse:
        try:
            page = int(request.query_params.get("page", "1"))
            limit = int(request.query_params.get("limit", str(DEFAULT_LIMIT)))
        except ValueError:
            raise ApiError(400, "Invalid pagination parameters") from None
        if page < 1 or limit < 1:
            raise ApiError(400, "Invalid pagination parameters")
        limit = min(limit, MAX_LIMIT)
        start = (page - 1) * limit
        pagination = {
            "page": page,
            "limit": limit,
            "total": len(records),
            "totalPages": math.ceil(len(records) / limit),
        }
        return JSONResponse({key: records[start : start + limit], "pagination": pagination})

    @staticmethod
    def _of(records: dict[str, Record], agency: Agency) -> list[Record]:
        return [r for r in records.values() if r["agencyId"] == agency.id]

    # reads

    async def list_recruiters(self, request: Request) -> Response:
        agency = self._agency(request)
        return JSONResponse({"recruiters": self._of(self.recruiters, agency)})

    async def list_jobs(self, request: Request) -> Response:
        agency = self._agency(request)
        return self._page(request, "jobs", self._of(self.jobs, agency))

    async def list_applications(self, request: Request) -> Response:
        agency = self._agency(request)
        records = [
            {**application, "candidate": self._served(application["candidateId"], request)}
            for application in self._of(self.applications, agency)
        ]
        return self._page(request, "applications", records)

    def _served(self, candidate_id: str, request: Request) -> Record:
        """The candidate with its ``resumeUrl`` on the host the request came to."""
        candidate = self.candidates[candidate_id]
        url = candidate.get("resumeUrl")
        if isinstance(url, str) and url.startswith(RESUME_HOST + "/"):
            here = str(request.base_url).rstrip("/")
            return {**candidate, "resumeUrl": here + url[len(RESUME_HOST) :]}
        return candidate

    async def resume_file(self, request: Request) -> Response:
        """``GET /resumes/{candidateId}.{ext}``: the file, for the candidate's agency's key."""
        agency = self._agency(request)
        candidate_id = request.path_params["name"].rsplit(".", 1)[0]
        candidate = self.candidates.get(candidate_id)
        if candidate is None or candidate["agencyId"] != agency.id:
            raise ApiError(404, "Resume not found")
        resume = sandbox_resume(
            list(self.candidates).index(candidate_id),
            f"{candidate['firstName']} {candidate['lastName']}",
            candidate.get("headline") or "Customer support professional",
            candidate.get("skills") or [],
        )
        return Response(resume.content, media_type=resume.content_type)

    async def list_interviews(self, request: Request) -> Response:
        agency = self._agency(request)
        return self._page(request, "interviews", self._of(self.interviews, agency))

    async def list_tasks(self, request: Request) -> Response:
        agency = self._agency(request)
        return self._page(request, "tasks", self._of(self.tasks, agency))

    # recruiters

    def _new_member(self, agency: Agency, body: Mapping[str, Any]) -> tuple[str, str]:
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise ApiError(400, "Valid email is required")
        role = body.get("role", "recruiter")
        if role not in ROLES:
            raise ApiError(400, "Invalid role", f"role must be one of {sorted(ROLES)}")
        taken = {r["email"].lower() for r in self._of(self.recruiters, agency)}
        if email.lower() in taken:
            raise ApiError(409, "A recruiter with this email already exists")
        return email, str(role)

    async def create_recruiter(self, request: Request) -> Response:
        agency = self._agency(request)
        body = await self._body(request)
        email, role = self._new_member(agency, body)
        recruiter_id, moment = self._uuid(), iso(self.now())
        self.recruiters[recruiter_id] = {
            "id": recruiter_id,
            "agencyId": agency.id,
            "email": email,
            "firstName": body.get("firstName"),
            "lastName": body.get("lastName"),
            "role": role,
            "isActive": True,
            "createdAt": moment,
            "updatedAt": moment,
        }
        self._record_write(request, body, agency)
        return JSONResponse({"success": True, "recruiterId": recruiter_id}, status_code=201)

    async def invite(self, request: Request) -> Response:
        agency = self._agency(request)
        body = await self._body(request)
        email, role = self._new_member(agency, body)
        token = f"inv_{self.rng.getrandbits(96):024x}"
        expires = iso(self.now() + timedelta(days=7))
        self.invites[token] = {
            "agencyId": agency.id,
            "email": email,
            "name": body.get("name"),
            "role": role,
            "expiresAt": expires,
        }
        self._record_write(request, body, agency)
        return JSONResponse(
            {"success": True, "inviteToken": token, "expiresAt": expires}, status_code=201
        )

    # jobs

    async def create_job(self, request: Request) -> Response:
        agency = self._agency(request)
        body = await self._body(request)
        if not isinstance(body.get("title"), str) or not body["title"].strip():
            raise ApiError(400, "title is required")
        client: Record | None = None
        if body.get("clientId") is not None:
            client = self._owned(self.clients, str(body["clientId"]), agency, "Client")
        self._acting(agency, body)
        job_id, moment = self._uuid(), iso(self.now())
        job = {
            **body,
            "id": job_id,
            "agencyId": agency.id,
            "clientId": client["id"] if client else None,
            "clientName": client["name"] if client else None,
            "status": "pending_approval",
            "postedBy": body.get("postedBy"),
            "approvedBy": None,
            "approvedAt": None,
            "closedAt": None,
            "createdAt": moment,
            "updatedAt": moment,
        }
        self.jobs[job_id] = job
        self._record_write(request, body, agency)
        self._notify(agency, "job.created", job)
        return JSONResponse({"success": True, "job": job}, status_code=201)

    async def approve_job(self, request: Request) -> Response:
        agency = self._agency(request)
        body = await self._body(request)
        job = self._owned(self.jobs, request.path_params["id"], agency, "Job")
        self._acting(agency, body)
        moment = iso(self.now())
        job.update(status="active", approvedBy=body.get("approvedBy"), approvedAt=moment)
        job["updatedAt"] = moment
        self._record_write(request, body, agency)
        self._notify(agency, "job.approved", job)
        return JSONResponse({"success": True, "job": job})

    # applications

    @staticmethod
    def _record_status(application: Record, status: str, moment: str, by: Any) -> None:
        """A write's status change goes into the application's history, as BPOC keeps it."""
        history = application.setdefault("statusHistory", [])
        history.append({"status": status, "changedAt": moment, "changedBy": by})

    def _application(self, application: Record) -> Record:
        return {**application, "candidate": self.candidates[application["candidateId"]]}

    async def release(self, request: Request) -> Response:
        agency = self._agency(request)
        body = await self._body(request)
        application = self._owned(
            self.applications, request.path_params["id"], agency, "Application"
        )
        if application["status"] in ("rejected", "withdrawn", "hired"):
            raise ApiError(409, f"Cannot release an application that is {application['status']}")
        self._acting(agency, body)
        moment = iso(self.now())
        application.update(
            status="released",
            releasedAt=moment,
            releasedBy=body.get("releasedBy"),
            releaseNotes=body.get("notes"),
            updatedAt=moment,
        )
        self._record_status(application, "released", moment, body.get("releasedBy"))
        self._record_write(request, body, agency)
        self._notify(agency, "application.released", application)
        return JSONResponse({"success": True, "application": self._application(application)})

    async def reject(self, request: Request) -> Response:
        agency = self._agency(request)
        body = await self._body(request)
        application = self._owned(
            self.applications, request.path_params["id"], agency, "Application"
        )
        if not isinstance(body.get("reason"), str) or not body["reason"].strip():
            raise ApiError(400, "reason is required")
        self._acting(agency, body)
        moment = iso(self.now())
        application.update(
            status="rejected",
            rejectedAt=moment,
            rejectedBy=body.get("rejectedBy"),
            rejectionReason=body["reason"],
            updatedAt=moment,
        )
        self._record_status(application, "rejected", moment, body.get("rejectedBy"))
        self._record_write(request, body, agency)
        self._notify(agency, "application.rejected", application)
        return JSONResponse({"success": True, "application": self._application(application)})

    # interviews

    async def schedule_interview(self, request: Request) -> Response:
        agency = self._agency(request)
        body = await self._body(request)
        application = self._owned(
            self.applications, str(body.get("applicationId")), agency, "Application"
        )
        if not body.get("interviewType"):
            raise ApiError(400, "interviewType is required")
        try:
            scheduled = datetime.fromisoformat(str(body.get("scheduledAt")))
        except ValueError:
            raise ApiError(400, "scheduledAt must be an ISO 8601 date-time") from None
        if scheduled.tzinfo is None:
            raise ApiError(400, "scheduledAt must include a time zone")
        self._acting(agency, body)
        interview_id, moment = self._uuid(), iso(self.now())
        interview = {
            "id": interview_id,
            "agencyId": agency.id,
            "applicationId": application["id"],
            "interviewType": body["interviewType"],
            "status": "scheduled",
            "scheduledAt": iso(scheduled),
            "interviewerId": body.get("interviewerId"),
            "scheduledBy": body.get("scheduledBy"),
            "createdAt": moment,
            "updatedAt": moment,
        }
        self.interviews[interview_id] = interview
        self._record_write(request, body, agency)
        self._notify(agency, "interview.scheduled", interview)
        return JSONResponse({"success": True, "interview": interview}, status_code=201)

    # onboarding

    async def create_tasks(self, request: Request) -> Response:
        agency = self._agency(request)
        body = await self._body(request)
        application = self._owned(
            self.applications, str(body.get("applicationId")), agency, "Application"
        )
        drafts = body.get("tasks")
        if (
            not isinstance(drafts, list)
            or not drafts
            or not all(isinstance(d, dict) and d.get("title") for d in drafts)
        ):
            raise ApiError(400, "tasks must be a non-empty list of tasks with a title")
        self._acting(agency, body)
        moment = iso(self.now())
        created: list[Record] = []
        for draft in drafts:
            task_id = self._uuid()
            task = {
                "id": task_id,
                "agencyId": agency.id,
                "applicationId": application["id"],
                "candidateId": application["candidateId"],
                "title": draft["title"],
                "description": draft.get("description"),
                "taskType": draft.get("taskType"),
                "status": "pending",
                "dueDate": draft.get("dueDate"),
                "createdBy": body.get("createdBy"),
                "reviewedBy": None,
                "reviewedAt": None,
                "createdAt": moment,
                "updatedAt": moment,
            }
            self.tasks[task_id] = task
            created.append(task)
        self._record_write(request, body, agency)
        return JSONResponse({"success": True, "tasks": created}, status_code=201)

    async def review_task(self, request: Request) -> Response:
        agency = self._agency(request)
        body = await self._body(request)
        task = self._owned(self.tasks, request.path_params["id"], agency, "Task")
        action = body.get("action")
        if action not in ("approve", "reject"):
            raise ApiError(400, "action must be approve or reject")
        self._acting(agency, body)
        moment = iso(self.now())
        task.update(
            status="approved" if action == "approve" else "rejected",
            reviewedBy=body.get("reviewedBy"),
            reviewedAt=moment,
            reviewNotes=body.get("notes"),
            updatedAt=moment,
        )
        self._record_write(request, body, agency)
        return JSONResponse({"success": True, "task": task})


def make_app() -> ASGIApp:
    """A fake with demo data, for ``uvicorn --factory demo.sandbox.bpoc:make_app``."""
    fake = BpocFake()
    fake.seed(jobs=8, candidates=20, applications=30)
    return fake.app
