"""The fake Recruiterflow's HTTP routes under ``/api/external``: each wants the
``RF-Api-Key`` and turns a ``Refused`` into the FAILURE body; reads page like the real
API; writes are kept in ``fake.writes``, change the records and tell the webhook
receiver. The presigned resume files are served beside them, checked by signature."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from demo.sandbox.recruiterflow.payloads import file_signature
from demo.sandbox.recruiterflow.queries import (
    body_key,
    failure,
    include_count,
    int_param,
    marketing_page,
    page_of,
    parse_time,
    time_param,
    wrapped,
)
from demo.sandbox.recruiterflow.records import (
    API,
    JSON,
    NOT_IN_ACCOUNT,
    OTHER_STAGE_NAMES,
    PIPELINE,
    Application,
    RecordedWrite,
    Refused,
    rf_time,
    user_ref,
)
from demo.sandbox.resumes import sandbox_resume

if TYPE_CHECKING:
    from demo.sandbox.recruiterflow.fake import FakeRecruiterflow

Handler = Callable[[Request], Any]


def build_app(fake: FakeRecruiterflow) -> Starlette:
    """The fake's routes; unknown paths answer the marketing site's 404 page."""
    api = _RecruiterflowApi(fake)
    guarded = api.guarded
    get, post = ["GET"], ["POST"]
    routes = [
        Route(f"{API}/info", guarded(api.info), methods=post),
        Route(f"{API}/job/list", guarded(api.job_list), methods=get),
        Route(f"{API}/job", guarded(api.job_get), methods=get),
        Route(f"{API}/job/custom-field/list", guarded(api.custom_field_list), methods=get),
        Route(f"{API}/job/pipeline", guarded(api.pipeline), methods=get),
        Route(f"{API}/job/stage_names", guarded(api.stage_names), methods=get),
        Route(f"{API}/job/update", guarded(api.job_update), methods=post),
        Route(f"{API}/candidate/list", guarded(api.candidate_list), methods=get),
        Route(f"{API}/candidate/get", guarded(api.candidate_get), methods=get),
        Route(
            f"{API}/candidate/activities/stage-movement/list",
            guarded(api.stage_movements),
            methods=get,
        ),
        Route(f"{API}/candidate/activity/list", guarded(api.activity_list), methods=get),
        Route(f"{API}/candidate/move-to-stage", guarded(api.move_to_stage), methods=post),
        Route(f"{API}/candidate/add-to-job", guarded(api.add_to_job), methods=post),
        Route(f"{API}/candidate/disqualify", guarded(api.disqualify), methods=post),
        Route(f"{API}/candidate/notes/add", guarded(api.add_note), methods=post),
        Route(f"{API}/user/list", guarded(api.user_list), methods=get),
        Route("/documents/{file_id:int}/{filename}", api.document, methods=get),
    ]
    app = Starlette(routes=routes)
    app.add_exception_handler(404, marketing_page)
    return app


class _RecruiterflowApi:
    """One handler per route, over one fake."""

    def __init__(self, fake: FakeRecruiterflow) -> None:
        self.fake = fake

    def guarded(self, handler: Handler) -> Handler:
        """Refuse the request without the fake's ``RF-Api-Key``; answer a handler's plain
        result as JSON and a ``Refused`` as the FAILURE body."""
        fake = self.fake

        async def endpoint(request: Request) -> Response:
            given = request.headers.get("rf-api-key", "")
            if not hmac.compare_digest(given.encode(), fake.api_key.encode()):
                return failure(401, "Unauthorized: invalid or missing RF-Api-Key")
            try:
                result = await handler(request)
            except Refused as refused:
                return failure(refused.status, refused.message)
            return result if isinstance(result, Response) else JSONResponse(result)

        return endpoint

    # reads

    async def info(self, request: Request) -> Any:
        return {"data": {"display_name": self.fake.display_name}}

    async def job_list(self, request: Request) -> Any:
        fake = self.fake
        jobs = [fake.job_view(job, detail=False) for _, job in sorted(fake.jobs.items())]
        if request.query_params.get("only_open") == "1":
            jobs = [job for job in jobs if job["is_open"]]
        page, total = page_of(request, jobs)
        if not include_count(request):
            return page
        openings = sum(int(job.get("current_opening") or 0) for job in jobs)
        return {"data": page, "total_items": total, "total_current_openings": openings}

    async def job_get(self, request: Request) -> Any:
        job = self.fake.jobs.get(int_param(request.query_params.get("job_id"), "job_id"))
        if job is None:
            raise Refused(404, "Job not found")
        return self.fake.job_view(job, detail=True)

    async def custom_field_list(self, request: Request) -> Any:
        return wrapped(request, list(self.fake.job_custom_fields))

    async def pipeline(self, request: Request) -> Any:
        job_id = request.query_params.get("job_id")
        apps = list(self.fake.applications.values())
        if job_id:
            if int_param(job_id, "job_id") not in self.fake.jobs:
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
        fake = self.fake
        page, total = page_of(request, [c for _, c in sorted(fake.candidates.items())])
        base = str(request.base_url)
        items = [fake.candidate_view(c, base) for c in page]  # only the page's views
        if include_count(request):
            return {"data": items, "total_items": total}
        return {"data": items}

    async def candidate_get(self, request: Request) -> Any:
        candidate = self.fake.candidates.get(int_param(request.query_params.get("id"), "id"))
        if candidate is None:
            raise Refused(404, "Candidate not found")
        return [self.fake.candidate_view(candidate, str(request.base_url))]

    async def stage_movements(self, request: Request) -> Any:
        candidate_id = int_param(request.query_params.get("id"), "id")
        candidate = self.fake.candidates.get(candidate_id)
        if candidate is None:
            raise Refused(404, "Candidate not found")
        after = time_param(request, "after")
        before = time_param(request, "before")
        jobs = []
        for app in self.fake.applications_of(candidate_id):
            transitions = [
                t
                for t in app.transitions
                if (after is None or parse_time(t["entered"]) >= after)
                and (before is None or parse_time(t["entered"]) < before)
            ]
            if transitions:
                jobs.append(
                    {
                        "added_by": app.added_by,
                        "id": app.job_id,
                        "name": self.fake.jobs[app.job_id]["name"],
                        "transitions": [dict(t) for t in transitions],
                    }
                )
        page, total = page_of(request, jobs)
        body: JSON = {"data": {"id": str(candidate_id), "jobs": page, "name": candidate["name"]}}
        if include_count(request):
            body["total_items"] = total
        return body

    async def activity_list(self, request: Request) -> Any:
        candidate_id = int_param(request.query_params.get("id"), "id")
        if candidate_id not in self.fake.candidates:
            raise Refused(404, "Candidate not found")
        activities = self.fake.activities.get(candidate_id, [])
        items = sorted(activities, key=lambda a: -a["activity_id"])
        return wrapped(request, items, paged=True)

    async def user_list(self, request: Request) -> Any:
        return wrapped(request, [u for _, u in sorted(self.fake.users.items())])

    async def document(self, request: Request) -> Response:
        """``GET /documents/{id}/{filename}``: the resume file, for a valid signature."""
        fake = self.fake
        file_id, filename = request.path_params["file_id"], request.path_params["filename"]
        given = request.query_params.get("X-Amz-Signature", "")
        expected = file_signature(fake.api_key, file_id, filename)
        for candidate_id, candidate in fake.candidates.items():
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

    # writes

    async def _body(self, request: Request) -> JSON:
        try:
            body = await request.json()
        except ValueError as exc:
            raise Refused(400, "Invalid JSON body") from exc
        if not isinstance(body, dict):
            raise Refused(400, "Invalid JSON body")
        self.fake.writes.append(RecordedWrite(request.url.path, body))
        return body

    def _acting(self, body: JSON, key: str) -> JSON:
        user_id = body.get(key)
        if user_id is None:
            return self.fake.owner
        user = self.fake.users.get(user_id) if isinstance(user_id, int) else None
        if user is None:
            raise Refused(403, NOT_IN_ACCOUNT)
        return user

    def _application(self, body: JSON) -> Application:
        candidate_id, job_id = body_key(body, "id"), body_key(body, "job_id")
        if candidate_id not in self.fake.candidates:
            raise Refused(404, "Candidate not found")
        if job_id not in self.fake.jobs:
            raise Refused(404, "Job not found")
        app = self.fake.applications.get((candidate_id, job_id))
        if app is None:
            raise Refused(400, "Candidate is not added to this job")
        return app

    def _when(self, body: JSON) -> datetime:
        added = body.get("added_time")
        return parse_time(added) if isinstance(added, str) else self.fake.now()

    async def move_to_stage(self, request: Request) -> Any:
        fake = self.fake
        body = await self._body(request)
        user = self._acting(body, "user_id")
        app = self._application(body)
        name = _stage_named(body.get("stage") or {})
        when = self._when(body)
        fake._move(app, name, when, user_ref(user))
        fake._log(app.candidate_id, app.job_id, "moved", when, user)
        fake.notify(
            "candidate.stage_changed", job_id=app.job_id, candidate_id=app.candidate_id, stage=name
        )
        return {"RESULT": "SUCCESS"}

    async def add_to_job(self, request: Request) -> Any:
        fake = self.fake
        body = await self._body(request)
        candidate_id, job_id = body_key(body, "id"), body_key(body, "job_id")
        if candidate_id not in fake.candidates:
            raise Refused(404, "Candidate not found")
        if job_id not in fake.jobs:
            raise Refused(404, "Job not found")
        if (candidate_id, job_id) in fake.applications:
            raise Refused(400, "Candidate already exists in the job")
        when, owner = self._when(body), fake.owner
        app = Application(candidate_id, job_id, added_by=user_ref(owner))
        fake.applications[candidate_id, job_id] = app
        fake._move(app, PIPELINE[0], when, user_ref(owner))
        fake._log(candidate_id, job_id, "added", when, owner)
        fake.notify("candidate.added_to_job", job_id=job_id, candidate_id=candidate_id)
        return {"RESULT": "SUCCESS"}

    async def disqualify(self, request: Request) -> Any:
        fake = self.fake
        body = await self._body(request)
        user = self._acting(body, "user_id")
        app = self._application(body)
        when = self._when(body)
        app.disqualification_reason = str(body.get("reason") or "") or None
        fake._move(app, "Disqualified", when, user_ref(user))
        fake._log(app.candidate_id, app.job_id, "disqualified", when, user)
        fake.notify(
            "candidate.stage_changed",
            job_id=app.job_id,
            candidate_id=app.candidate_id,
            stage="Disqualified",
        )
        return {"RESULT": "SUCCESS"}

    async def add_note(self, request: Request) -> Any:
        body = await self._body(request)
        user = self._acting(body, "created_by")
        candidate_id = body_key(body, "id")
        if candidate_id not in self.fake.candidates:
            raise Refused(404, "Candidate not found")
        if not isinstance(body.get("value"), str) or not body["value"].strip():
            raise Refused(400, "Note value is required")
        return {"note_id": self.fake.keep_note(candidate_id, body["value"], user)}

    async def job_update(self, request: Request) -> Any:
        body = await self._body(request)
        job = self.fake.jobs.get(body_key(body, "job_id"))
        if job is None:
            raise Refused(404, "Job not found")
        job["custom_fields"] = self._custom_field_values(job, body)
        for key in ("name", "title", "about_position", "number_of_openings"):
            if key in body:
                job[key] = body[key]
        job["updated_at"] = rf_time(self.fake.now())
        self.fake.notify("job.updated", job_id=job["id"])
        return {"RESULT": "SUCCESS"}

    def _custom_field_values(self, job: JSON, body: JSON) -> list[JSON]:
        """The job's custom field values with the body's set; the account must define
        each one, a number field takes a number."""
        definitions = {cf["id"]: cf for cf in self.fake.job_custom_fields}
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
        return list(values.values())


def _stage_named(stage: JSON) -> str:
    """The pipeline stage a write names, by ``id`` (1-based) or by name in any case."""
    names = {name.lower(): name for name in PIPELINE}
    stage_id, stage_name = stage.get("id"), stage.get("name")
    if isinstance(stage_id, int) and 1 <= stage_id <= len(PIPELINE):
        return PIPELINE[stage_id - 1]
    if isinstance(stage_name, str) and stage_name.strip().lower() in names:
        return names[stage_name.strip().lower()]
    raise Refused(400, "Please provide a valid stage")
