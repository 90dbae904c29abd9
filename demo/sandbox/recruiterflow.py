"""A stateful fake of Recruiterflow's external API, in the shapes of its OpenAPI examples.

    fake = FakeRecruiterflow()
    fake.seed(jobs=12, candidates=8, applications=20)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app), base_url="http://fake")
    await client.get("/api/external/job/list", headers={"RF-Api-Key": fake.api_key},
                     params={"items_per_page": 5, "current_page": 3})   # -> [job, job]
    fake.writes[-1]   # RecordedWrite(path="/api/external/candidate/move-to-stage", body={...})

Like the real API:

- ``RF-Api-Key`` is required; missing or wrong -> 401 ``{"RESULT": "FAILURE", "message": ...}``.
- Lists page with ``current_page`` (1-based) and ``items_per_page`` (default 10). The
  job list is a bare array, other lists ``{"data": [...]}``; ``include_count=true`` makes
  both ``{"data": [...], "total_items": N}``. Past the end a page is empty.
- ``/candidate/activities/stage-movement/list`` pages over the candidate's jobs.
- Writes answer ``{"RESULT": "SUCCESS"}`` (notes ``{"note_id": N}``), refusals
  ``{"RESULT": "FAILURE", "message": ...}`` with 400/404, and an unknown ``user_id`` /
  ``created_by`` the 403 "The specified user is not present in your account".
- Unknown paths answer an HTML page (the real host serves its marketing site there; 404 here).

Beyond the spec's examples, jobs carry ``company``, ``created_at`` (the integration design
names both) and ``updated_at``, so ``touch_job`` has something to move.

Webhooks (``demo.sandbox.webhook_sender``), once ``fake.enable_webhooks(url, secret,
client)`` is called: an accepted move-to-stage or disqualify sends
``candidate.stage_changed`` (with the stage), add-to-job ``candidate.added_to_job``, a job
update ``job.updated``; notes send nothing. The API answers without waiting for them;
``await fake.emit("job.archived", job_id=1001)`` sends one by hand.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.resumes import extension_of, sandbox_resume
from demo.sandbox.webhook_sender import Provider, WebhookEmitter, WebhookSource

API = "/api/external"
BASE_TIME = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
DEFAULT_ITEMS_PER_PAGE = 10
NOT_IN_ACCOUNT = "The specified user is not present in your account"

JSON = dict[str, Any]
Handler = Callable[[Request], Any]

PIPELINE: tuple[str, ...] = (
    "Sourced",
    "Applied",
    "Recruiter Screen",
    "Company Submission",
    "Client Interview",
    "Offer",
    "Hired",
    "Disqualified",
)
OTHER_STAGE_NAMES: tuple[str, ...] = ("Phone Interview", "Onsite Interview")

ACTIVITY_TYPES: dict[str, JSON] = {
    "note": {"id": 1, "name": "Note"},
    "added": {"id": 9, "name": "Added to job"},
    "moved": {"id": 10, "name": "Stage changed"},
    "disqualified": {"id": 11, "name": "Disqualified"},
    "emailed": {"id": 3, "name": "Email sent"},
}

_TITLES = ("Senior Backend Engineer", "Account Executive", "Data Analyst", "Nurse Practitioner")
_COMPANIES = ("Guarented I", "Mindtree", "Acme Health", "Northwind")
_FIRST = ("Sumit", "Steve", "Thor", "Wanda", "Peter", "Natasha", "Bruce", "Carol")
_LAST = ("Neogi", "Rogers", "Odinson", "Maximoff", "Parker", "Romanoff", "Banner", "Danvers")


def rf_time(when: datetime) -> str:
    """``2023-03-29T14:26:43+0000``: how Recruiterflow writes times."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _failure(status: int, message: str) -> JSONResponse:
    return JSONResponse({"RESULT": "FAILURE", "message": message}, status_code=status)


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class RecordedWrite:
    path: str
    body: JSON


@dataclass
class Application:
    candidate_id: int
    job_id: int
    added_by: JSON
    transitions: list[JSON] = field(default_factory=list)
    disqualification_reason: str | None = None

    @property
    def stage(self) -> str | None:
        return self.transitions[-1]["to"] if self.transitions else None


class ApplicationTable(dict[tuple[int, int], Application]):
    """The applications by ``(candidate_id, job_id)``, also indexed by candidate as they
    change (``del fake.applications[key]`` included), so a candidate's applications are
    found without scanning them all: the benchmarks serve tens of thousands."""

    def __init__(self, items: Mapping[tuple[int, int], Application] | None = None) -> None:
        super().__init__()
        self._by_candidate: dict[int, dict[tuple[int, int], Application]] = {}
        self.update(items or {})

    def __setitem__(self, key: tuple[int, int], value: Application) -> None:
        self._unindex(key)
        super().__setitem__(key, value)
        self._by_candidate.setdefault(value.candidate_id, {})[key] = value

    def __delitem__(self, key: tuple[int, int]) -> None:
        self._unindex(key)
        super().__delitem__(key)

    def _unindex(self, key: tuple[int, int]) -> None:
        value = super().get(key)
        if value is None:
            return
        mine = self._by_candidate.get(value.candidate_id, {})
        mine.pop(key, None)
        if not mine:
            self._by_candidate.pop(value.candidate_id, None)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def pop(self, key: tuple[int, int], *default: Any) -> Any:
        if key in self:
            self._unindex(key)
        return super().pop(key, *default)

    def popitem(self) -> tuple[tuple[int, int], Application]:
        if not self:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self))
        return key, self.pop(key)

    def setdefault(self, key: tuple[int, int], default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        super().clear()
        self._by_candidate.clear()

    # dict's own ``__ior__`` needs the same ignore in typeshed; without this override
    # ``|=`` would bypass the index.
    def __ior__(self, other: Any) -> Self:  # type: ignore[misc, override]
        self.update(other)
        return self

    def of_candidate(self, candidate_id: int) -> list[Application]:
        """Their applications, by job id."""
        return sorted(self._by_candidate.get(candidate_id, {}).values(), key=lambda a: a.job_id)


@dataclass
class FakeRecruiterflow(WebhookSource):
    webhook_provider: ClassVar[Provider] = "recruiterflow"

    api_key: str = "rf-fake-key-3f9a1c"
    display_name: str = "RF (company)"
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    faults: Faults = field(default_factory=Faults)
    users: dict[int, JSON] = field(default_factory=dict)
    jobs: dict[int, JSON] = field(default_factory=dict)
    candidates: dict[int, JSON] = field(default_factory=dict)
    applications: dict[tuple[int, int], Application] = field(default_factory=ApplicationTable)
    activities: dict[int, list[JSON]] = field(default_factory=dict)
    notes: dict[int, list[JSON]] = field(default_factory=dict)
    job_custom_fields: list[JSON] = field(default_factory=list)
    writes: list[RecordedWrite] = field(default_factory=list)
    webhooks: WebhookEmitter | None = None
    files_signed_at: datetime = BASE_TIME
    """When the candidates' file links were presigned (``X-Amz-Date``). The real API signs
    them anew on every listing; here they change only when a test moves this."""
    _next_activity: int = 1000
    _next_note: int = 1

    def __post_init__(self) -> None:
        self.users = {
            40201: _user(40201, "Manish", "Kotian", "manish.kotian36@outlook.com", "Admin"),
            10447: _user(10447, "Chérôme", "Shenoy", "admin@rfstaging.xyz", "Recruiter"),
            18993: _user(18993, "Bikash", "Shaw", "bikash@rfstaging.xyz", "Recruiter"),
        }
        self.job_custom_fields = [
            {"id": 65, "name": "JobCFDate", "type": "date"},
            {"id": 64, "name": "Number field", "type": "number"},
            {
                "choices": [{"id": 683, "name": "Active"}, {"id": 684, "name": "Lead"}],
                "id": 52,
                "name": "Status",
                "type": "single_select",
            },
            {"id": 63, "name": "Input field", "type": "long_text"},
            {"id": 50, "name": "Active", "type": "yes_no"},
            {"id": 70, "name": "Placement Fee", "type": "money"},
            {"id": 71, "name": "Current Rank", "type": "number"},
        ]
        self.app: ASGIApp = with_faults(self._starlette(), self.faults)

    @property
    def owner(self) -> JSON:
        """The user the API key belongs to: who acts when a write names nobody."""
        return self.users[40201]

    # seeding

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """``seed(jobs=3, candidates=4, applications=5)``: deterministic records, all
        updated in the past; applications pair candidate ``a % candidates`` with a job."""
        if applications > jobs * candidates:
            raise ValueError("more applications than candidate x job pairs")
        job_ids = [self.add_job(n) for n in range(jobs)]
        candidate_ids = [self.add_candidate(n) for n in range(candidates)]
        for a in range(applications):
            c, k = a % candidates, a // candidates
            self._seed_application(a, candidate_ids[c], job_ids[(k + c) % jobs])

    def add_job(self, n: int, **overrides: Any) -> int:
        job_id = 1001 + len(self.jobs)
        created = BASE_TIME + timedelta(hours=n)
        state = ("Open", "Open", "Open", "Open", "Open", "On Hold", "Closed")[n % 7]
        recruiter = self.users[10447]
        self.jobs[job_id] = {
            "about_position": f"<div>{_TITLES[n % len(_TITLES)]} for a growing team</div>",
            "apply_link": f"https://rfstaging.xyz/recruiterflowstaging/jobs/{job_id}",
            "company": {"id": 1 + n % len(_COMPANIES), "name": _COMPANIES[n % len(_COMPANIES)]},
            "contacts": {"email": "firstcontact@company.com", "id": 1, "name": "First Contact"},
            "created_at": rf_time(created),
            "current_opening": 1,
            "custom_fields": [
                {"id": 70, "name": "Placement Fee", "value": {"currency": "USD", "number": 20000}},
                {"id": 63, "name": "Input field", "value": "edfvfd"},
            ],
            "department": "Engineering",
            "employment_type": "Full time",
            "expected_fee": {"currency": "USD", "number": 25000 + 500 * n},
            "hiring_team": [
                {
                    "email": recruiter["email"],
                    "first_name": recruiter["first_name"],
                    "img_link": None,
                    "last_name": recruiter["last_name"],
                    "name": recruiter["name"],
                    "role": "Recruiter",
                    "role_id": 2,
                    "user_id": recruiter["id"],
                }
            ],
            "id": job_id,
            "is_open": state != "Closed",
            "job_status": {"color": "#FF0000", "id": 1 + n % 7 // 5, "name": state},
            "job_type": {"id": 1, "name": "Contingent"},
            "job_visibility_id": 1,
            "job_visibility_info": {
                "close_reasons": [1] if state == "Closed" else [],
                "closed_on": (created + timedelta(days=30)).date().isoformat()
                if state == "Closed"
                else None,
                "visibility_id": 1,
            },
            "last_opened": rf_time(created),
            "locations": [
                {
                    "city": "London",
                    "country": "United Kingdom",
                    "id": 4,
                    "iso_3166_1_alpha_2_code": "GB",
                    "name": "London",
                    "postal_code": "SE1 9BG",
                    "state": None,
                    "zipcode": "SE1 9BG",
                }
            ],
            "name": f"{_TITLES[n % len(_TITLES)]} {job_id}",
            "number_of_openings": 1,
            "publish_to_careers_page": True,
            "remote_status": {"id": 2, "name": "Not Remote"},
            "salary_range_currency": "USD",
            "salary_range_end": 125000,
            "salary_range_start": 100000,
            "skills": [],
            "title": f"{_TITLES[n % len(_TITLES)]} {job_id}",
            "updated_at": rf_time(created + timedelta(days=1)),
            **overrides,
        }
        return job_id

    def add_candidate(self, n: int, **overrides: Any) -> int:
        candidate_id = 154651 + len(self.candidates)
        first, last = _FIRST[n % len(_FIRST)], _LAST[n % len(_LAST)]
        added = BASE_TIME + timedelta(hours=n)
        adder = self.users[18993]
        self.candidates[candidate_id] = {
            "added_by": {"id": adder["id"], "img_link": None, "name": adder["name"]},
            "added_time": rf_time(added),
            "client": None,
            "client_company_id": None,
            "current_designation": "Software Engineer",
            "current_organization": "Initech",
            "custom_fields": [],
            "do_not_email": False,
            "education": [],
            "email": [f"{first.lower()}.{last.lower()}{n}@example.com"],
            "experience": [],
            "files": [
                {
                    "filename": f"{candidate_id}.{extension_of(n)}",
                    "id": 3202 + n,
                    "permission": 1,
                    "upload_time": rf_time(added),
                }
            ],
            "first_name": first,
            "id": candidate_id,
            "img_link": None,
            "last_contact_type": None,
            "last_contacted": None,
            "last_engaged": None,
            "last_engagement_type": None,
            "last_name": last,
            "latest_activity_time": rf_time(added),
            "lead_owner": {"id": adder["id"], "img_link": None, "name": adder["name"]},
            "linkedin_profile": f"{first.lower()}{last.lower()}{n}",
            "location": {
                "city": "London",
                "country": "United Kingdom",
                "google_place_id": "",
                "location": "London, United Kingdom",
                "postal_code": "",
                "state": "",
                "street_address_1": "",
                "street_address_2": "",
            },
            "name": f"{first} {last}",
            "notes": [],
            "phone_number": [f"+44 20 7946 {n:04d}"],
            "prospect_id": candidate_id,
            "prospect_type_id": 1,
            "skills": [],
            "source_name": "LinkedIn",
            "status": {"id": None, "name": None},
            "submission_times": [],
            "tags": ["seeded"],
            "upcoming_activities": {},
            **overrides,
        }
        self.activities.setdefault(candidate_id, [])
        return candidate_id

    def _seed_application(self, a: int, candidate_id: int, job_id: int) -> None:
        start = BASE_TIME + timedelta(days=2, hours=a)
        mover = _ref(self.users[10447])
        app = Application(candidate_id, job_id, added_by=mover)
        self.applications[candidate_id, job_id] = app
        self._log(candidate_id, job_id, "added", start, self.users[10447])
        path = [PIPELINE[i] for i in range(a % 5 + 1)]
        if a % 6 == 5:
            path.append("Disqualified")
            app.disqualification_reason = "Not a fit"
        for step, stage in enumerate(path):
            when = start + timedelta(days=step)
            self._move(app, stage, when, mover)
            if step:
                kind = "disqualified" if stage == "Disqualified" else "moved"
                self._log(candidate_id, job_id, kind, when, self.users[10447])
        if a % 3 == 0:
            when = start + timedelta(days=len(path), hours=3)
            self._log(candidate_id, job_id, "emailed", when, self.users[10447])

    def touch_job(self, job_id: int) -> None:
        """Mark a job as updated now (rounded up to the whole second, as Recruiterflow
        times have no fraction)."""
        now = self.now()
        self.jobs[job_id]["updated_at"] = rf_time(
            datetime.fromtimestamp(math.ceil(now.timestamp()), UTC)
        )

    # state changes shared by seeding and writes

    def _move(self, app: Application, stage: str, when: datetime, mover: JSON) -> None:
        previous = app.stage
        if app.transitions:
            app.transitions[-1]["left"] = rf_time(when)
        app.transitions.append(
            {
                "entered": rf_time(when),
                "from": previous,
                "left": None,
                "stage_moved_by": mover,
                "to": stage,
            }
        )

    def _log(
        self, candidate_id: int, job_id: int | None, kind: str, when: datetime, user: JSON
    ) -> None:
        self._next_activity += 1
        candidate = self.candidates[candidate_id]
        job = self.jobs.get(job_id) if job_id is not None else None
        subject = {
            "note": "Note added",
            "added": "Candidate added to job",
            "moved": "Stage changed",
            "disqualified": "Candidate disqualified",
            "emailed": "Email sent to candidate",
        }[kind]
        self.activities.setdefault(candidate_id, []).append(
            {
                "activity_id": self._next_activity,
                "associated_entities": {
                    "candidates": [{"id": candidate_id, "name": candidate["name"]}],
                    "clients": [],
                    "contacts": [],
                    "deals": [],
                    "jobs": [{"id": job_id, "name": job["name"]}] if job else [],
                },
                "candidate_id": candidate_id,
                "contact_id": None,
                "interview_plan_id": None,
                "is_custom": False,
                "job_id": job_id,
                "subject": subject,
                "text": f"{user['name']}: {subject.lower()}",
                "time": when.astimezone(UTC).replace(microsecond=0).isoformat(),
                "type": ACTIVITY_TYPES[kind],
                "user": {k: user[k] for k in ("email", "first_name", "id", "last_name", "name")},
            }
        )
        candidate["latest_activity_time"] = rf_time(when)

    # views

    def job_view(self, job: JSON, *, detail: bool) -> JSON:
        if detail:
            return dict(job)
        hidden = {"contacts", "job_visibility_info", "remote_status", "skills"}
        return {k: v for k, v in job.items() if k not in hidden}

    def candidate_view(self, candidate: JSON, base_url: str = "https://fake/") -> JSON:
        jobs = []
        for app in self._applications_of(candidate["id"]):
            job = self.jobs[app.job_id]
            jobs.append(
                {
                    "added_to_job_by": {"id": app.added_by["id"], "name": app.added_by["name"]},
                    "client_company_id": job["company"]["id"],
                    "client_company_name": job["company"]["name"],
                    "department_name": job["department"],
                    "disqualification_reason": app.disqualification_reason,
                    "is_open": job["is_open"],
                    "job_id": job["id"],
                    "job_visibility_id": job["job_visibility_id"],
                    "name": job["name"],
                    "stage_moved": app.transitions[-1]["entered"] if app.transitions else None,
                    "stage_name": app.stage,
                    "starred": 0,
                }
            )
        files = [self._signed_file(f, base_url) for f in candidate.get("files") or []]
        return {**candidate, "files": files, "jobs": jobs}

    # resume files: like the real API's, presigned document-store links (here on the
    # fake's own host, checked by signature and not by RF-Api-Key)

    def _file_signature(self, file_id: int, filename: str) -> str:
        message = f"{file_id}/{filename}".encode()
        return hmac.new(self.api_key.encode(), message, hashlib.sha256).hexdigest()

    def _signed_file(self, file: JSON, base_url: str) -> JSON:
        """The file with a presigned ``link`` (see ``files_signed_at``)."""
        if "link" in file or "id" not in file:
            return dict(file)
        stamp = self.files_signed_at.strftime("%Y%m%dT%H%M%SZ")
        query = (
            f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={stamp}&X-Amz-Expires=604700"
            f"&X-Amz-SignedHeaders=host"
            f"&X-Amz-Signature={self._file_signature(file['id'], file['filename'])}"
        )
        path = f"documents/{file['id']}/{file['filename']}"
        return {**file, "link": f"{base_url.rstrip('/')}/{path}?{query}"}

    async def document(self, request: Request) -> Response:
        """``GET /documents/{id}/{filename}``: the resume file, for a valid signature."""
        file_id, filename = request.path_params["file_id"], request.path_params["filename"]
        given = request.query_params.get("X-Amz-Signature", "")
        expected = self._file_signature(file_id, filename)
        for candidate_id, candidate in self.candidates.items():
            for file in candidate.get("files") or []:
                if file.get("id") != file_id or file.get("filename") != filename:
                    continue
                if not hmac.compare_digest(given.encode(), expected.encode()):
                    break
                designation = candidate.get("current_designation") or "Professional"
                resume = sandbox_resume(
                    candidate_id - 154651,
                    candidate.get("name") or "Candidate",
                    designation,
                    [
                        s.get("name", "") if isinstance(s, dict) else str(s)
                        for s in candidate.get("skills") or []
                    ],
                )
                return Response(resume.content, media_type=resume.content_type)
        body = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
        return Response(body, status_code=403, media_type="application/xml")

    def _applications_of(self, candidate_id: int) -> list[Application]:
        if not isinstance(self.applications, ApplicationTable):  # replaced by a plain dict
            self.applications = ApplicationTable(self.applications)
        return self.applications.of_candidate(candidate_id)

    # the app

    def _starlette(self) -> Starlette:
        get, post = ["GET"], ["POST"]
        routes = [
            Route(f"{API}/info", self._guard(self.info), methods=post),
            Route(f"{API}/job/list", self._guard(self.job_list), methods=get),
            Route(f"{API}/job", self._guard(self.job_get), methods=get),
            Route(f"{API}/job/custom-field/list", self._guard(self.custom_field_list), methods=get),
            Route(f"{API}/job/pipeline", self._guard(self.pipeline), methods=get),
            Route(f"{API}/job/stage_names", self._guard(self.stage_names), methods=get),
            Route(f"{API}/job/update", self._guard(self.job_update), methods=post),
            Route(f"{API}/candidate/list", self._guard(self.candidate_list), methods=get),
            Route(f"{API}/candidate/get", self._guard(self.candidate_get), methods=get),
            Route(
                f"{API}/candidate/activities/stage-movement/list",
                self._guard(self.stage_movements),
                methods=get,
            ),
            Route(f"{API}/candidate/activity/list", self._guard(self.activity_list), methods=get),
            Route(f"{API}/candidate/move-to-stage", self._guard(self.move_to_stage), methods=post),
            Route(f"{API}/candidate/add-to-job", self._guard(self.add_to_job), methods=post),
            Route(f"{API}/candidate/disqualify", self._guard(self.disqualify), methods=post),
            Route(f"{API}/candidate/notes/add", self._guard(self.add_note), methods=post),
            Route(f"{API}/user/list", self._guard(self.user_list), methods=get),
            Route("/documents/{file_id:int}/{filename}", self.document, methods=get),
        ]
        app = Starlette(routes=routes)
        app.add_exception_handler(404, _marketing_page)
        return app

    def _guard(self, handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            given = request.headers.get("rf-api-key", "")
            if not hmac.compare_digest(given.encode(), self.api_key.encode()):
                return _failure(401, "Unauthorized: invalid or missing RF-Api-Key")
            try:
                result = await handler(request)
            except Refused as refused:
                return _failure(refused.status, refused.message)
            return result if isinstance(result, Response) else JSONResponse(result)

        return endpoint

    # reads

    async def info(self, request: Request) -> Any:
        return {"data": {"display_name": self.display_name}}

    async def job_list(self, request: Request) -> Any:
        jobs = [self.job_view(job, detail=False) for _, job in sorted(self.jobs.items())]
        if request.query_params.get("only_open") == "1":
            jobs = [job for job in jobs if job["is_open"]]
        page, total = _page(request, jobs)
        if not _include_count(request):
            return page
        openings = sum(int(job.get("current_opening") or 0) for job in jobs)
        return {"data": page, "total_items": total, "total_current_openings": openings}

    async def job_get(self, request: Request) -> Any:
        job = self.jobs.get(_int(request.query_params.get("job_id"), "job_id"))
        if job is None:
            raise Refused(404, "Job not found")
        return self.job_view(job, detail=True)

    async def custom_field_list(self, request: Request) -> Any:
        return _wrapped(request, list(self.job_custom_fields))

    async def pipeline(self, request: Request) -> Any:
        job_id = request.query_params.get("job_id")
        apps = list(self.applications.values())
        if job_id:
            if _int(job_id, "job_id") not in self.jobs:
                raise Refused(404, "Job not found")
            apps = [a for a in apps if a.job_id == int(job_id)]
        summary = [
            {"count": sum(1 for a in apps if a.stage == name), "id": i + 1, "name": name}
            for i, name in enumerate(PIPELINE)
        ]
        return {"detail": [], "summary": summary}

    async def stage_names(self, request: Request) -> Any:
        return {"data": [*sorted(PIPELINE), *OTHER_STAGE_NAMES]}

    async def candidate_list(self, request: Request) -> Any:
        page, total = _page(request, [c for _, c in sorted(self.candidates.items())])
        base = str(request.base_url)
        items = [self.candidate_view(c, base) for c in page]  # only the page's views
        if _include_count(request):
            return {"data": items, "total_items": total}
        return {"data": items}

    async def candidate_get(self, request: Request) -> Any:
        candidate = self.candidates.get(_int(request.query_params.get("id"), "id"))
        if candidate is None:
            raise Refused(404, "Candidate not found")
        return [self.candidate_view(candidate, str(request.base_url))]

    async def stage_movements(self, request: Request) -> Any:
        candidate_id = _int(request.query_params.get("id"), "id")
        candidate = self.candidates.get(candidate_id)
        if candidate is None:
            raise Refused(404, "Candidate not found")
        after = _time_param(request, "after")
        before = _time_param(request, "before")
        jobs = []
        for app in self._applications_of(candidate_id):
            transitions = [
                t
                for t in app.transitions
                if (after is None or _parse(t["entered"]) >= after)
                and (before is None or _parse(t["entered"]) < before)
            ]
            if transitions:
                jobs.append(
                    {
                        "added_by": app.added_by,
                        "id": app.job_id,
                        "name": self.jobs[app.job_id]["name"],
                        "transitions": [dict(t) for t in transitions],
                    }
                )
        page, total = _page(request, jobs)
        body: JSON = {"data": {"id": str(candidate_id), "jobs": page, "name": candidate["name"]}}
        if _include_count(request):
            body["total_items"] = total
        return body

    async def activity_list(self, request: Request) -> Any:
        candidate_id = _int(request.query_params.get("id"), "id")
        if candidate_id not in self.candidates:
            raise Refused(404, "Candidate not found")
        items = sorted(self.activities.get(candidate_id, []), key=lambda a: -a["activity_id"])
        return _wrapped(request, items, paged=True)

    async def user_list(self, request: Request) -> Any:
        return _wrapped(request, [u for _, u in sorted(self.users.items())])

    # writes

    async def _body(self, request: Request) -> JSON:
        try:
            body = await request.json()
        except ValueError as exc:
            raise Refused(400, "Invalid JSON body") from exc
        if not isinstance(body, dict):
            raise Refused(400, "Invalid JSON body")
        self.writes.append(RecordedWrite(request.url.path, body))
        return body

    def _acting(self, body: JSON, key: str) -> JSON:
        user_id = body.get(key)
        if user_id is None:
            return self.owner
        user = self.users.get(user_id) if isinstance(user_id, int) else None
        if user is None:
            raise Refused(403, NOT_IN_ACCOUNT)
        return user

    def _application(self, body: JSON) -> Application:
        candidate_id, job_id = _key(body, "id"), _key(body, "job_id")
        if candidate_id not in self.candidates:
            raise Refused(404, "Candidate not found")
        if job_id not in self.jobs:
            raise Refused(404, "Job not found")
        app = self.applications.get((candidate_id, job_id))
        if app is None:
            raise Refused(400, "Candidate is not added to this job")
        return app

    def _when(self, body: JSON) -> datetime:
        added = body.get("added_time")
        return _parse(added) if isinstance(added, str) else self.now()

    async def move_to_stage(self, request: Request) -> Any:
        body = await self._body(request)
        user = self._acting(body, "user_id")
        app = self._application(body)
        stage = body.get("stage") or {}
        names = {name.lower(): name for name in PIPELINE}
        if isinstance(stage.get("id"), int) and 1 <= stage["id"] <= len(PIPELINE):
            name = PIPELINE[stage["id"] - 1]
        elif isinstance(stage.get("name"), str) and stage["name"].strip().lower() in names:
            name = names[stage["name"].strip().lower()]
        else:
            raise Refused(400, "Please provide a valid stage")
        when = self._when(body)
        self._move(app, name, when, _ref(user))
        self._log(app.candidate_id, app.job_id, "moved", when, user)
        self.notify(
            "candidate.stage_changed", job_id=app.job_id, candidate_id=app.candidate_id, stage=name
        )
        return {"RESULT": "SUCCESS"}

    async def add_to_job(self, request: Request) -> Any:
        body = await self._body(request)
        candidate_id, job_id = _key(body, "id"), _key(body, "job_id")
        if candidate_id not in self.candidates:
            raise Refused(404, "Candidate not found")
        if job_id not in self.jobs:
            raise Refused(404, "Job not found")
        if (candidate_id, job_id) in self.applications:
            raise Refused(400, "Candidate already exists in the job")
        when, owner = self._when(body), self.owner
        app = Application(candidate_id, job_id, added_by=_ref(owner))
        self.applications[candidate_id, job_id] = app
        self._move(app, PIPELINE[0], when, _ref(owner))
        self._log(candidate_id, job_id, "added", when, owner)
        self.notify("candidate.added_to_job", job_id=job_id, candidate_id=candidate_id)
        return {"RESULT": "SUCCESS"}

    async def disqualify(self, request: Request) -> Any:
        body = await self._body(request)
        user = self._acting(body, "user_id")
        app = self._application(body)
        when = self._when(body)
        app.disqualification_reason = str(body.get("reason") or "") or None
        self._move(app, "Disqualified", when, _ref(user))
        self._log(app.candidate_id, app.job_id, "disqualified", when, user)
        self.notify(
            "candidate.stage_changed",
            job_id=app.job_id,
            candidate_id=app.candidate_id,
            stage="Disqualified",
        )
        return {"RESULT": "SUCCESS"}

    async def add_note(self, request: Request) -> Any:
        body = await self._body(request)
        user = self._acting(body, "created_by")
        candidate_id = _key(body, "id")
        if candidate_id not in self.candidates:
            raise Refused(404, "Candidate not found")
        if not isinstance(body.get("value"), str) or not body["value"].strip():
            raise Refused(400, "Note value is required")
        note_id, self._next_note = self._next_note, self._next_note + 1
        self.notes.setdefault(candidate_id, []).append(
            {"id": note_id, "value": body["value"], "created_by": user["id"]}
        )
        self._log(candidate_id, None, "note", self.now(), user)
        return {"note_id": note_id}

    async def job_update(self, request: Request) -> Any:
        body = await self._body(request)
        job = self.jobs.get(_key(body, "job_id"))
        if job is None:
            raise Refused(404, "Job not found")
        definitions = {cf["id"]: cf for cf in self.job_custom_fields}
        values = {cf["id"]: cf for cf in job["custom_fields"]}
        for entry in body.get("custom_fields") or []:
            definition = definitions.get(entry.get("id"))
            if definition is None:
                raise Refused(400, f"Invalid custom field id {entry.get('id')}")
            value = entry.get("value")
            if definition["type"] == "number" and not isinstance(value, int | float):
                raise Refused(400, f"Custom field {definition['name']} expects a number")
            values[definition["id"]] = {
                "id": definition["id"],
                "name": definition["name"],
                "value": value,
            }
        job["custom_fields"] = list(values.values())
        for key in ("name", "title", "about_position", "number_of_openings"):
            if key in body:
                job[key] = body[key]
        job["updated_at"] = rf_time(self.now())
        self.notify("job.updated", job_id=job["id"])
        return {"RESULT": "SUCCESS"}


def _user(user_id: int, first: str, last: str, email: str, role: str) -> JSON:
    return {
        "email": email,
        "first_name": first,
        "id": user_id,
        "img_link": None,
        "last_name": last,
        "middle_name": "",
        "name": f"{first} {last}",
        "roles": [{"id": 1 if role == "Admin" else 2, "name": role}],
    }


def _ref(user: Mapping[str, Any]) -> JSON:
    return {"email": user["email"], "id": user["id"], "name": user["name"]}


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _time_param(request: Request, name: str) -> datetime | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return _parse(value)
    except ValueError as exc:
        raise Refused(400, f"Invalid {name}: ISO format expected") from exc


def _int(value: str | None, name: str) -> int:
    if value is None or not value.strip().isdigit():
        raise Refused(400, f"Please provide a valid {name}")
    return int(value)


def _key(body: JSON, name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Refused(400, f"Please provide a valid {name}")
    return value


def _include_count(request: Request) -> bool:
    return request.query_params.get("include_count", "").lower() in ("true", "1")


def _page(request: Request, items: list[JSON]) -> tuple[list[JSON], int]:
    raw_size = request.query_params.get("items_per_page")
    raw_page = request.query_params.get("current_page")
    size = _int(raw_size, "items_per_page") if raw_size is not None else DEFAULT_ITEMS_PER_PAGE
    page = _int(raw_page, "current_page") if raw_page is not None else 1
    if size < 1 or page < 1:
        raise Refused(400, "items_per_page and current_page start at 1")
    return items[(page - 1) * size : page * size], len(items)


def _wrapped(request: Request, items: list[JSON], *, paged: bool = False) -> JSON:
    page, total = _page(request, items) if paged else (items, len(items))
    if _include_count(request):
        return {"data": page, "total_items": total}
    return {"data": page}


async def _marketing_page(request: Request, exc: Exception) -> Response:
    return HTMLResponse(
        "<!DOCTYPE html><html><head><title>Recruiterflow</title></head>"
        "<body>Recruiting software for agencies</body></html>",
        status_code=404,
    )
