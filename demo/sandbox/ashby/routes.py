"""The fake Ashby's routes: one ``POST /<category.method>`` per endpoint the connector
uses, the resume files, and the envelope every answer shares (see the package
docstring for what each checks)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from demo.sandbox.ashby.files import FILES_PATH, FILES_URL, handle_owner

if TYPE_CHECKING:
    from demo.sandbox.ashby.fake import FakeAshby

JSON = dict[str, Any]
MAX_LIMIT = 100
DEFAULT_LIMIT = 100


class Refusal(Exception):
    """An answer other than success: ``status`` 200 for what Ashby answers in the body."""

    def __init__(
        self, code: str, message: str, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.body: JSON = {
            "success": False,
            "errorInfo": {"code": code, "message": message, "requestId": "01JFAKEREQUEST"},
            "errors": [code],
        }
        self.headers = headers or {}


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _encode(state: JSON) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _decode(token: str, code: str) -> JSON:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError):
        raise Refusal(code, f"{code.replace('_', ' ')}") from None
    if not isinstance(state, dict):
        raise Refusal(code, code.replace("_", " "))
    return state


def build_app(fake: FakeAshby) -> Starlette:
    def authenticate(request: Request) -> None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            raise Refusal("unauthenticated", "Missing API key", status=401)
        try:
            decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        key, _, password = decoded.partition(":")
        if key != fake.api_key or password:
            raise Refusal("invalid_api_key", "The API key is invalid or deactivated", status=403)
        wait = fake.spend_call()
        if wait is not None:
            raise Refusal(
                "rate_limit_exceeded",
                "Too many requests",
                status=429,
                headers={"Retry-After": str(wait)},
            )

    async def body_of(request: Request) -> JSON:
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise Refusal("invalid_input", "Content-Type must be application/json")
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise Refusal("invalid_input", "The body is not JSON") from None
        if not isinstance(body, dict):
            raise Refusal("invalid_input", "The body must be an object")
        return body

    def endpoint(
        handler: Callable[[JSON], Awaitable[Any]],
    ) -> Callable[[Request], Awaitable[Response]]:
        return endpoint_at_origin(lambda body, _origin: handler(body))

    def endpoint_at_origin(
        handler: Callable[[JSON, str], Awaitable[Any]],
    ) -> Callable[[Request], Awaitable[Response]]:
        """A method whose answer depends on the origin the request came to."""

        async def route(request: Request) -> Response:
            try:
                authenticate(request)
                origin = str(request.base_url).rstrip("/")
                answer = await handler(await body_of(request), origin)
            except Refusal as refusal:
                return JSONResponse(refusal.body, refusal.status, headers=refusal.headers)
            envelope = answer if isinstance(answer, dict) and "results" in answer else None
            return JSONResponse(envelope or {"success": True, "results": answer})

        return route

    def listing(records: Callable[[], Iterable[JSON]]) -> Callable[[JSON], Awaitable[JSON]]:
        """``limit`` (capped at 100), ``cursor``, ``syncToken`` (records updated since
        the token was made; refused as ``sync_token_expired`` past ``sync_token_ttl``,
        ``sync_token_invalid`` when it cannot be read, ``incremental_sync_too_large`` past
        ``max_incremental_pages`` pages) and ``createdAfter`` (epoch milliseconds)."""

        async def handler(body: JSON) -> JSON:
            limit = body.get("limit", DEFAULT_LIMIT)
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                raise Refusal("invalid_input", "limit must be a positive integer")
            limit = min(limit, MAX_LIMIT)
            offset = 0
            since: datetime | None = None
            token = body.get("syncToken")
            if isinstance(token, str) and token:
                made = _parse_time(str(_decode(token, "sync_token_invalid").get("at")))
                if fake.now() - made > fake.sync_token_ttl:
                    raise Refusal("sync_token_expired", "The sync token has expired")
                since = made
            cursor = body.get("cursor")
            if isinstance(cursor, str) and cursor:
                offset = int(_decode(cursor, "invalid_next_cursor").get("offset", 0))
            created_after = body.get("createdAfter")
            found = list(records())
            if since is not None:
                found = [
                    r for r in found if r.get("updatedAt") and _parse_time(r["updatedAt"]) >= since
                ]
            if isinstance(created_after, int) and not isinstance(created_after, bool):
                bound = datetime.fromtimestamp(created_after / 1000, UTC)
                found = [
                    r for r in found if r.get("createdAt") and _parse_time(r["createdAt"]) > bound
                ]
            pages = -(-len(found) // limit)
            if since is not None and pages > fake.max_incremental_pages:
                raise Refusal(
                    "incremental_sync_too_large",
                    "Too many changes since this sync token: discard it and sync fully",
                )
            page = found[offset : offset + limit]
            more = offset + limit < len(found)
            answer: JSON = {"success": True, "results": page, "moreDataAvailable": more}
            if more:
                answer["nextCursor"] = _encode({"offset": offset + limit})
            else:
                # at the precision of updatedAt: a change in the same millisecond is
                # served again rather than missed
                answer["syncToken"] = _encode({"at": fake.now().isoformat(timespec="milliseconds")})
            return answer

        return handler

    def record_of(
        table: Callable[[], dict[str, JSON]], key: str, code: str
    ) -> Callable[[JSON], Awaitable[JSON]]:
        async def handler(body: JSON) -> JSON:
            found = table().get(str(body.get(key, "")))
            if found is None:
                raise Refusal(code, f"{code.replace('_', ' ')}")
            return found

        return handler

    async def stage_list(body: JSON) -> JSON:
        plan = body.get("interviewPlanId")
        if not isinstance(plan, str) or not any(
            s["interviewPlanId"] == plan for s in fake.stages.values()
        ):
            raise Refusal("interview_plan_not_found", "Interview plan not found")
        return {"success": True, "results": fake.plan_stages(plan), "moreDataAvailable": False}

    async def file_info(body: JSON, origin: str) -> JSON:
        """The file's signed storage URL; on ``origin`` with ``files_on_request_host``."""
        owner = handle_owner(str(body.get("fileHandle", "")))
        resume = fake.resume(owner) if owner else None
        if owner is None or resume is None:
            raise Refusal("file_not_found", "File not found")
        files = origin + FILES_PATH if fake.files_on_request_host else FILES_URL
        return {"url": f"{files}/{owner}/{resume.filename}?X-Amz-Signature=fake"}

    async def change_stage(body: JSON) -> JSON:
        application = fake.applications.get(str(body.get("applicationId", "")))
        if application is None:
            raise Refusal("application_not_found", "Application not found")
        stage = fake.stages.get(str(body.get("interviewStageId", "")))
        plan = application["currentInterviewStage"]["interviewPlanId"]
        if stage is None or stage["interviewPlanId"] != plan:
            raise Refusal("interview_stage_not_found", "Interview stage not found")
        reason = body.get("archiveReasonId")
        if stage["type"] == "Archived":
            if not isinstance(reason, str) or not reason:
                raise Refusal("invalid_input", "Archive reason ID is required for archive stages")
            if reason not in fake.archive_reasons:
                raise Refusal("archive_reason_not_found", "Archive reason not found")
        elif reason is not None:
            raise Refusal("invalid_input", "Archive fields are not allowed for non-archive stages")
        return fake.change_stage(application["id"], stage["id"], reason)

    async def create_note(body: JSON) -> JSON:
        candidate_id = str(body.get("candidateId", ""))
        if candidate_id not in fake.candidates:
            raise Refusal("candidate_not_found", "Candidate not found")
        note = body.get("note")
        if isinstance(note, str):
            content, kind = note, "text/plain"
        elif isinstance(note, dict) and isinstance(note.get("value"), str):
            content, kind = note["value"], str(note.get("type") or "text/plain")
        else:
            raise Refusal("invalid_input", "note is required")
        return fake.create_note(candidate_id, content, kind)

    async def resume_file(request: Request) -> Response:
        resume = fake.resume(request.path_params["candidate_id"])
        if resume is None or request.path_params["filename"] != resume.filename:
            return Response("Not Found", 404)
        return Response(resume.content, media_type=resume.content_type)

    rpc: dict[str, Callable[[JSON], Awaitable[Any]]] = {
        "user.list": listing(lambda: fake.users.values()),
        "job.list": listing(lambda: fake.jobs.values()),
        "job.info": record_of(lambda: fake.jobs, "id", "job_not_found"),
        "candidate.list": listing(lambda: fake.candidates.values()),
        "candidate.info": record_of(lambda: fake.candidates, "id", "candidate_not_found"),
        "application.list": listing(lambda: fake.applications.values()),
        "application.info": record_of(
            lambda: fake.applications, "applicationId", "application_not_found"
        ),
        "interviewSchedule.list": listing(lambda: fake.schedules.values()),
        "archiveReason.list": listing(lambda: fake.archive_reasons.values()),
        "interviewStage.list": stage_list,
        "application.changeStage": change_stage,
        "candidate.createNote": create_note,
    }
    routes = [
        Route(f"/{name}", endpoint(handler), methods=["POST"]) for name, handler in rpc.items()
    ]
    routes.append(Route("/file.info", endpoint_at_origin(file_info), methods=["POST"]))
    routes.append(Route(FILES_PATH + "/{candidate_id}/{filename}", resume_file))
    return Starlette(routes=routes)
