"""The fake Jobvite's HTTP routes under ``/api/v2``: every request recorded and its
credentials checked first; the reads page like the real API, the Onboarding API's
writes keep what they were asked in ``fake.writes`` and tell the webhook receiver."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from demo.sandbox.jobvite.fake import (
    TASK_STATUSES,
    UNAUTHORIZED,
    BadRequest,
    JobviteFake,
    RecordedRequest,
    RecordedWrite,
    status_response,
)
from demo.sandbox.jobvite.queries import page_of, search
from demo.sandbox.resumes import sandbox_resume

_TASK_FIELDS = ("name", "description", "type", "dueDate", "notes")
_UPDATE_FIELDS = (*_TASK_FIELDS, "status", "completedBy", "reviewedBy")
_STATUSES = frozenset(TASK_STATUSES)

Handler = Callable[[Request], Awaitable[Response]]


def build_app(fake: JobviteFake) -> Starlette:
    """The fake's routes under ``/api/v2``; wrap it with ``with_faults`` to serve it."""
    api = _JobviteApi(fake)
    guarded = api.guarded
    return Starlette(
        routes=[
            Route("/api/v2/job", guarded(api.jobs), methods=["GET"]),
            Route("/api/v2/candidate", guarded(api.candidates), methods=["GET"]),
            Route("/api/v2/candidate/{eid}/resume", guarded(api.resume), methods=["GET"]),
            Route("/api/v2/process", guarded(api.processes), methods=["POST"]),
            Route("/api/v2/task", guarded(api.tasks), methods=["POST"]),
            Route("/api/v2/task/create", guarded(api.create_tasks), methods=["POST"]),
            Route("/api/v2/task/update", guarded(api.update_task), methods=["POST"]),
        ]
    )


class _JobviteApi:
    """One handler per route, over one fake."""

    def __init__(self, fake: JobviteFake) -> None:
        self.fake = fake

    def guarded(self, handler: Handler) -> Handler:
        """Record the request, refuse it without credentials, turn ``BadRequest`` into
        Jobvite's status body."""
        fake = self.fake

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
                return status_response(error.status, error.message)

        return endpoint

    async def jobs(self, request: Request) -> Response:
        return JSONResponse(page_of(list(self.fake.jobs.values()), "requisitions", request))

    async def candidates(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        rows = [
            {
                **row,
                "resumeUrl": f"{base}/api/v2/candidate/{row['eId']}/resume",
                "attachments": [
                    {
                        "name": f"{row.get('lastName') or row['eId']}-resume.txt",
                        "type": "Resume",
                        "contentType": "text/plain",
                        "url": f"{base}/api/v2/candidate/{row['eId']}/resume",
                    }
                ],
            }
            for row in self.fake.candidate_rows()
        ]
        return JSONResponse(page_of(rows, "candidates", request))

    async def resume(self, request: Request) -> Response:
        """``GET /api/v2/candidate/{eId}/resume``: the candidate's resume file."""
        fake = self.fake
        eid = request.path_params["eid"]
        if eid not in fake.candidates:
            return status_response(404, f"Candidate {eid} not found")
        candidate = fake.candidates[eid]
        title = candidate.get("title") or "Specialist"
        file = sandbox_resume(
            list(fake.candidates).index(eid),
            f"{candidate['firstName']} {candidate['lastName']}",
            f"{title} at {candidate.get('companyName') or 'a previous employer'}",
        )
        return Response(file.content, media_type=file.content_type)

    async def processes(self, request: Request) -> Response:
        body = await self.fake.open_request(request)
        return self.fake.seal(search(self.fake.processes, "process", "processes", body))

    async def tasks(self, request: Request) -> Response:
        body = await self.fake.open_request(request)
        return self.fake.seal(search(self.fake.tasks, "task", "tasks", body))

    async def create_tasks(self, request: Request) -> Response:
        fake = self.fake
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

    async def update_task(self, request: Request) -> Response:
        fake = self.fake
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
