"""The fake BPOC's HTTP routes: the agency API under ``/api/v1`` and the resume files
beside it. Every route wants an agency's ``X-API-Key`` and sees only that agency's
records; accepted writes change them, are kept in ``fake.writes`` and tell the webhook
receiver; an ``ApiError`` is answered as BPOC's error body."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from demo.sandbox.bpoc.checks import (
    agency_of,
    body_of,
    check_attribution,
    of_agency,
    owned,
    page_of,
)
from demo.sandbox.bpoc.payloads import (
    new_interview,
    new_job,
    new_recruiter,
    new_task,
    served_candidate,
)
from demo.sandbox.bpoc.records import ROLES, Agency, ApiError, Record, Write, iso
from demo.sandbox.resumes import sandbox_resume

if TYPE_CHECKING:
    from demo.sandbox.bpoc.fake import BpocFake


def build_app(fake: BpocFake) -> Starlette:
    """The fake's routes; wrap it with ``with_faults`` to serve it."""
    api = _BpocApi(fake)
    routes = [
        Route("/agency/recruiters", api.list_recruiters, methods=["GET"]),
        Route("/recruiters/create", api.create_recruiter, methods=["POST"]),
        Route("/team/invite", api.invite, methods=["POST"]),
        Route("/jobs", api.list_jobs, methods=["GET"]),
        Route("/jobs/create", api.create_job, methods=["POST"]),
        Route("/jobs/{id}/approve", api.approve_job, methods=["POST"]),
        Route("/applications", api.list_applications, methods=["GET"]),
        Route("/applications/{id}/release", api.release, methods=["POST"]),
        Route("/applications/{id}/reject", api.reject, methods=["POST"]),
        Route("/interviews", api.list_interviews, methods=["GET"]),
        Route("/interviews", api.schedule_interview, methods=["POST"]),
        Route("/onboarding", api.list_tasks, methods=["GET"]),
        Route("/onboarding", api.create_tasks, methods=["POST"]),
        Route("/onboarding/{id}", api.review_task, methods=["PUT"]),
    ]
    return Starlette(
        routes=[
            Mount("/api/v1", routes=routes),
            Route("/resumes/{name}", api.resume_file, methods=["GET"]),
        ],
        exception_handlers={ApiError: _api_error},
    )


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


def _record_status(application: Record, status: str, moment: str, by: Any) -> None:
    """A write's status change goes into the application's history, as BPOC keeps it."""
    history = application.setdefault("statusHistory", [])
    history.append({"status": status, "changedAt": moment, "changedBy": by})


class _BpocApi:
    """One handler per route, over one fake."""

    def __init__(self, fake: BpocFake) -> None:
        self.fake = fake

    def _agency(self, request: Request) -> Agency:
        return agency_of(self.fake.agencies, request)

    def _acting(self, agency: Agency, body: dict[str, Any]) -> None:
        check_attribution(self.fake.recruiters, agency, body)

    def _record_write(self, request: Request, body: dict[str, Any], agency: Agency) -> None:
        path = request.url.path.removeprefix("/api/v1")
        self.fake.writes.append(Write(request.method, path, body, agency.id))

    # reads

    async def list_recruiters(self, request: Request) -> Response:
        agency = self._agency(request)
        return JSONResponse({"recruiters": of_agency(self.fake.recruiters, agency)})

    async def list_jobs(self, request: Request) -> Response:
        agency = self._agency(request)
        return page_of(request, "jobs", of_agency(self.fake.jobs, agency))

    async def list_applications(self, request: Request) -> Response:
        agency = self._agency(request)
        candidates, base_url = self.fake.candidates, str(request.base_url)
        records = [
            {
                **application,
                "candidate": served_candidate(candidates[application["candidateId"]], base_url),
            }
            for application in of_agency(self.fake.applications, agency)
        ]
        return page_of(request, "applications", records)

    async def resume_file(self, request: Request) -> Response:
        """``GET /resumes/{candidateId}.{ext}``: the file, for the candidate's agency's key."""
        agency = self._agency(request)
        candidates = self.fake.candidates
        candidate_id = request.path_params["name"].rsplit(".", 1)[0]
        candidate = candidates.get(candidate_id)
        if candidate is None or candidate["agencyId"] != agency.id:
            raise ApiError(404, "Resume not found")
        resume = sandbox_resume(
            list(candidates).index(candidate_id),
            f"{candidate['firstName']} {candidate['lastName']}",
            candidate.get("headline") or "Customer support professional",
            candidate.get("skills") or [],
        )
        return Response(resume.content, media_type=resume.content_type)

    async def list_interviews(self, request: Request) -> Response:
        agency = self._agency(request)
        return page_of(request, "interviews", of_agency(self.fake.interviews, agency))

    async def list_tasks(self, request: Request) -> Response:
        agency = self._agency(request)
        return page_of(request, "tasks", of_agency(self.fake.tasks, agency))

    # recruiters

    def _new_member(self, agency: Agency, body: dict[str, Any]) -> tuple[str, str]:
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise ApiError(400, "Valid email is required")
        role = body.get("role", "recruiter")
        if role not in ROLES:
            raise ApiError(400, "Invalid role", f"role must be one of {sorted(ROLES)}")
        taken = {r["email"].lower() for r in of_agency(self.fake.recruiters, agency)}
        if email.lower() in taken:
            raise ApiError(409, "A recruiter with this email already exists")
        return email, str(role)

    async def create_recruiter(self, request: Request) -> Response:
        fake = self.fake
        agency = self._agency(request)
        body = await body_of(request)
        email, role = self._new_member(agency, body)
        recruiter_id, moment = fake.new_id(), iso(fake.now())
        fake.recruiters[recruiter_id] = new_recruiter(
            recruiter_id, agency, email, role, body, moment
        )
        self._record_write(request, body, agency)
        return JSONResponse({"success": True, "recruiterId": recruiter_id}, status_code=201)

    async def invite(self, request: Request) -> Response:
        fake = self.fake
        agency = self._agency(request)
        body = await body_of(request)
        email, role = self._new_member(agency, body)
        token = f"inv_{fake.rng.getrandbits(96):024x}"
        expires = iso(fake.now() + timedelta(days=7))
        fake.invites[token] = {
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
        fake = self.fake
        agency = self._agency(request)
        body = await body_of(request)
        if not isinstance(body.get("title"), str) or not body["title"].strip():
            raise ApiError(400, "title is required")
        _check_job_terms(body)
        client: Record | None = None
        if body.get("clientId") is not None:
            client = owned(fake.clients, str(body["clientId"]), agency, "Client")
        self._acting(agency, body)
        job_id, moment = fake.new_id(), iso(fake.now())
        job = new_job(job_id, agency, client, body, moment)
        fake.jobs[job_id] = job
        self._record_write(request, body, agency)
        fake.notify_of_write(agency, "job.created", job)
        return JSONResponse({"success": True, "job": job}, status_code=201)

    async def approve_job(self, request: Request) -> Response:
        fake = self.fake
        agency = self._agency(request)
        body = await body_of(request)
        job = owned(fake.jobs, request.path_params["id"], agency, "Job")
        self._acting(agency, body)
        moment = iso(fake.now())
        job.update(status="active", approvedBy=body.get("approvedBy"), approvedAt=moment)
        job["updatedAt"] = moment
        self._record_write(request, body, agency)
        fake.notify_of_write(agency, "job.approved", job)
        return JSONResponse({"success": True, "job": job})

    # applications

    def _with_candidate(self, application: Record) -> Record:
        return {**application, "candidate": self.fake.candidates[application["candidateId"]]}

    async def release(self, request: Request) -> Response:
        fake = self.fake
        agency = self._agency(request)
        body = await body_of(request)
        application = owned(fake.applications, request.path_params["id"], agency, "Application")
        if application["status"] in ("rejected", "withdrawn", "hired"):
            raise ApiError(409, f"Cannot release an application that is {application['status']}")
        self._acting(agency, body)
        moment = iso(fake.now())
        application.update(
            status="released",
            releasedAt=moment,
            releasedBy=body.get("releasedBy"),
            releaseNotes=body.get("notes"),
            updatedAt=moment,
        )
        _record_status(application, "released", moment, body.get("releasedBy"))
        self._record_write(request, body, agency)
        fake.notify_of_write(agency, "application.released", application)
        return JSONResponse({"success": True, "application": self._with_candidate(application)})

    async def reject(self, request: Request) -> Response:
        fake = self.fake
        agency = self._agency(request)
        body = await body_of(request)
        application = owned(fake.applications, request.path_params["id"], agency, "Application")
        if not isinstance(body.get("reason"), str) or not body["reason"].strip():
            raise ApiError(400, "reason is required")
        self._acting(agency, body)
        moment = iso(fake.now())
        application.update(
            status="rejected",
            rejectedAt=moment,
            rejectedBy=body.get("rejectedBy"),
            rejectionReason=body["reason"],
            updatedAt=moment,
        )
        _record_status(application, "rejected", moment, body.get("rejectedBy"))
        self._record_write(request, body, agency)
        fake.notify_of_write(agency, "application.rejected", application)
        return JSONResponse({"success": True, "application": self._with_candidate(application)})

    # interviews

    async def schedule_interview(self, request: Request) -> Response:
        fake = self.fake
        agency = self._agency(request)
        body = await body_of(request)
        application = owned(
            fake.applications, str(body.get("applicationId")), agency, "Application"
        )
        if not body.get("interviewType"):
            raise ApiError(400, "interviewType is required")
        scheduled = _scheduled_at(body)
        self._acting(agency, body)
        interview_id, moment = fake.new_id(), iso(fake.now())
        interview = new_interview(interview_id, agency, application, body, scheduled, moment)
        fake.interviews[interview_id] = interview
        self._record_write(request, body, agency)
        fake.notify_of_write(agency, "interview.scheduled", interview)
        return JSONResponse({"success": True, "interview": interview}, status_code=201)

    # onboarding

    async def create_tasks(self, request: Request) -> Response:
        fake = self.fake
        agency = self._agency(request)
        body = await body_of(request)
        application = owned(
            fake.applications, str(body.get("applicationId")), agency, "Application"
        )
        drafts = body.get("tasks")
        if (
            not isinstance(drafts, list)
            or not drafts
            or not all(isinstance(d, dict) and d.get("title") for d in drafts)
        ):
            raise ApiError(400, "tasks must be a non-empty list of tasks with a title")
        self._acting(agency, body)
        moment = iso(fake.now())
        created: list[Record] = []
        for draft in drafts:
            task_id = fake.new_id()
            task = new_task(task_id, agency, application, draft, body.get("createdBy"), moment)
            fake.tasks[task_id] = task
            created.append(task)
        self._record_write(request, body, agency)
        return JSONResponse({"success": True, "tasks": created}, status_code=201)

    async def review_task(self, request: Request) -> Response:
        fake = self.fake
        agency = self._agency(request)
        body = await body_of(request)
        task = owned(fake.tasks, request.path_params["id"], agency, "Task")
        action = body.get("action")
        if action not in ("approve", "reject"):
            raise ApiError(400, "action must be approve or reject")
        self._acting(agency, body)
        moment = iso(fake.now())
        task.update(
            status="approved" if action == "approve" else "rejected",
            reviewedBy=body.get("reviewedBy"),
            reviewedAt=moment,
            reviewNotes=body.get("notes"),
            updatedAt=moment,
        )
        self._record_write(request, body, agency)
        return JSONResponse({"success": True, "task": task})


def _scheduled_at(body: dict[str, Any]) -> datetime:
    """The write's ``scheduledAt``: an ISO 8601 date-time with a time zone."""
    try:
        scheduled = datetime.fromisoformat(str(body.get("scheduledAt")))
    except ValueError:
        raise ApiError(400, "scheduledAt must be an ISO 8601 date-time") from None
    if scheduled.tzinfo is None:
        raise ApiError(400, "scheduledAt must include a time zone")
    return scheduled


def _check_job_terms(body: Record) -> None:
    """``requirements`` a list of strings; ``salary_min``/``salary_max`` non-negative
    numbers, min at most max; ``currency`` three letters. Otherwise 400."""
    requirements = body.get("requirements")
    if requirements is not None and not (
        isinstance(requirements, list) and all(isinstance(r, str) for r in requirements)
    ):
        raise ApiError(400, "requirements must be a list of strings")
    amounts = []
    for key in ("salary_min", "salary_max"):
        value = body.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ApiError(400, f"{key} must be a non-negative number")
        amounts.append(value)
    if len(amounts) == 2 and amounts[0] > amounts[1]:
        raise ApiError(400, "salary_min must not exceed salary_max")
    currency = body.get("currency")
    if currency is not None and not (
        isinstance(currency, str) and len(currency) == 3 and currency.isalpha()
    ):
        raise ApiError(400, "currency must be an ISO 4217 code")
