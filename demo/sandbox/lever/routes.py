"""The fake Lever API v1's routes: the OAuth token endpoint, the list and detail reads,
resume downloads, and the stage, archive and note writes (see the package docstring
for what each checks)."""

from __future__ import annotations

import base64
import binascii
import copy
import math
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from demo.sandbox.lever.fake import FakeLever

JSON = dict[str, Any]
AUDIENCE = "https://api.lever.co/v1/"
MAX_LIMIT = 100
DEFAULT_LIMIT = 100


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        self.status = status
        self.body = {"code": code, "message": message}
        self.headers = {"Retry-After": str(math.ceil(retry_after))} if retry_after else {}


def _offset(token: str) -> int:
    try:
        value = int(base64.urlsafe_b64decode(token.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Refusal(400, "BadRequestError", "Invalid offset token") from None
    return value


def _token(index: int) -> str:
    return base64.urlsafe_b64encode(str(index).encode()).decode()


def _epoch_ms(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise Refusal(400, "BadRequestError", f"{name} must be a timestamp in milliseconds")
    return int(value)


def _page(request: Request, records: list[JSON]) -> JSONResponse:
    """``limit`` (1-100) records from the ``offset`` token on, with ``hasNext`` and the
    next token."""
    limit_text = request.query_params.get("limit", str(DEFAULT_LIMIT))
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise Refusal(400, "BadRequestError", "limit must be between 1 and 100")
    limit = int(limit_text)
    offset_text = request.query_params.get("offset")
    start = _offset(offset_text) if offset_text else 0
    page = records[start : start + limit]
    body: JSON = {"data": page, "hasNext": start + limit < len(records)}
    if body["hasNext"]:
        body["next"] = _token(start + limit)
    return JSONResponse(body)


def build_app(fake: FakeLever) -> Starlette:
    def credential(request: Request) -> str:
        """The caller's API key or bearer token; 401 when missing or unknown, 403 for a
        key without the permission; 429 with ``Retry-After`` when its bucket is empty."""
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            found = header.removeprefix("Bearer ").strip()
            if found not in fake.access_tokens:
                raise Refusal(401, "UnauthorizedError", "Invalid or expired access token")
        elif header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            found, _, _password = decoded.partition(":")
            if found in fake.forbidden_keys:
                raise Refusal(403, "ForbiddenError", "This API key lacks the permission")
            if found != fake.api_key:
                raise Refusal(401, "UnauthorizedError", "Invalid API key")
        else:
            raise Refusal(401, "UnauthorizedError", "Authentication required")
        bucket = fake.bucket(found)
        wait = bucket.take() if bucket is not None else None
        if wait is not None:
            raise Refusal(429, "TooManyRequestsError", "Rate limit exceeded", retry_after=wait)
        return found

    def guarded(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                credential(request)
                return await handler(request)
            except Refusal as refusal:
                return JSONResponse(refusal.body, refusal.status, headers=refusal.headers)

        return endpoint

    def listing(
        records: Callable[[], Iterable[JSON]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def handler(request: Request) -> Response:
            return _page(request, list(records()))

        return handler

    def opportunity_view(record: JSON, expand: list[str]) -> JSON:
        shown = copy.deepcopy(record)
        if "applications" in expand:
            shown["applications"] = [
                copy.deepcopy(fake.applications[a]) for a in record["applications"]
            ]
        if "stage" in expand and record["stage"] in fake.stages:
            shown["stage"] = dict(fake.stages[record["stage"]])
        return shown

    async def postings(request: Request) -> Response:
        start = _epoch_ms(request, "updated_at_start")
        found = [
            p for p in fake.postings.values() if start is None or (p.get("updatedAt") or 0) >= start
        ]
        return _page(request, found)

    async def opportunities(request: Request) -> Response:
        params = request.query_params
        start = _epoch_ms(request, "updated_at_start")
        end = _epoch_ms(request, "updated_at_end")
        found = list(fake.opportunities.values())
        if start is not None:
            found = [o for o in found if o["updatedAt"] >= start]
        if end is not None:
            found = [o for o in found if o["updatedAt"] <= end]
        contacts = params.getlist("contact_id")
        if contacts:
            found = [o for o in found if o["contact"] in contacts]
        postings = params.getlist("posting_id")
        if postings:
            found = [o for o in found if fake.posting_of(o) in postings]
        expand = params.getlist("expand")
        return _page(request, [opportunity_view(o, expand) for o in found])

    def opportunity_of(request: Request) -> JSON:
        found = fake.opportunities.get(request.path_params["id"])
        if found is None:
            raise Refusal(404, "NotFoundError", "Opportunity not found")
        return found

    async def opportunity(request: Request) -> Response:
        found = opportunity_of(request)
        return JSONResponse(
            {"data": opportunity_view(found, request.query_params.getlist("expand"))}
        )

    async def resumes(request: Request) -> Response:
        found = opportunity_of(request)
        base = str(request.base_url).rstrip("/")
        records = []
        for resume in fake.resumes.get(found["id"], []):
            shown = copy.deepcopy(resume)
            shown["file"]["downloadUrl"] = (
                f"{base}/v1/opportunities/{found['id']}/resumes/{resume['id']}/download"
            )
            records.append(shown)
        return _page(request, records)

    async def resume_download(request: Request) -> Response:
        found = opportunity_of(request)
        if not any(
            r["id"] == request.path_params["resume"] for r in fake.resumes.get(found["id"], [])
        ):
            raise Refusal(404, "NotFoundError", "Resume not found")
        file = fake.resume(found["contact"])
        return Response(file.content, media_type=file.content_type)

    async def interviews(request: Request) -> Response:
        found = opportunity_of(request)
        return _page(request, list(fake.interviews.get(found["id"], [])))

    def acting(request: Request) -> str | None:
        user = request.query_params.get("perform_as")
        if user is not None and user not in fake.users:
            raise Refusal(400, "BadRequestError", "perform_as must name a user of the account")
        return user

    async def body_of(request: Request) -> JSON:
        try:
            body = await request.json()
        except ValueError:
            raise Refusal(400, "BadRequestError", "The body is not JSON") from None
        if not isinstance(body, dict):
            raise Refusal(400, "BadRequestError", "The body must be an object")
        return body

    async def stage(request: Request) -> Response:
        found = opportunity_of(request)
        user = acting(request)
        body = await body_of(request)
        stage_id = body.get("stage")
        if not isinstance(stage_id, str) or stage_id not in fake.stages:
            raise Refusal(400, "BadRequestError", "Invalid stage")
        return JSONResponse({"data": fake.move(found["id"], stage_id, user)})

    async def archived(request: Request) -> Response:
        found = opportunity_of(request)
        user = acting(request)
        body = await body_of(request)
        reason = body.get("reason")
        if not isinstance(reason, str) or reason not in fake.archive_reasons:
            raise Refusal(400, "BadRequestError", "Invalid archive reason")
        return JSONResponse({"data": fake.archive(found["id"], reason, user)})

    async def notes(request: Request) -> Response:
        found = opportunity_of(request)
        user = acting(request)
        body = await body_of(request)
        value = body.get("value")
        if not isinstance(value, str) or not value.strip():
            raise Refusal(400, "BadRequestError", "value is required")
        return JSONResponse({"data": fake.add_note(found["id"], value, user)})

    async def panels(request: Request) -> Response:
        """A panel of interviews: each with ``interviewers`` (``[{"id": <user>}]``, at
        least one, all users of the account) and ``date`` (epoch ms)."""
        found = opportunity_of(request)
        user = acting(request)
        body = await body_of(request)
        interviews = body.get("interviews")
        if not isinstance(interviews, list) or not interviews:
            raise Refusal(400, "BadRequestError", "interviews is required")
        for interview in interviews:
            people = interview.get("interviewers") if isinstance(interview, dict) else None
            if (
                not isinstance(people, list)
                or not people
                or not all(isinstance(p, dict) and p.get("id") in fake.users for p in people)
            ):
                raise Refusal(400, "BadRequestError", "Invalid interviewers")
            if not isinstance(interview.get("date"), int) or isinstance(interview["date"], bool):
                raise Refusal(400, "BadRequestError", "date must be a timestamp in ms")
        return JSONResponse({"data": fake.add_panel(found["id"], body, user)})

    async def authorize(request: Request) -> Response:
        """The admin's consent, granted at once: back to ``redirect_uri`` with a code."""
        params = request.query_params
        if params.get("client_id") != fake.client_id or params.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, 400)
        if params.get("audience") != AUDIENCE or not params.get("redirect_uri"):
            return JSONResponse({"error": "invalid_request", "error_description": "audience"}, 400)
        code = fake.grant_code(params["redirect_uri"])
        query = urlencode({"code": code, "state": params.get("state", "")})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

    async def token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if (form.get("client_id"), form.get("client_secret")) != (
            fake.client_id,
            fake.client_secret,
        ):
            return JSONResponse({"error": "invalid_client"}, 401)
        if form.get("grant_type") == "authorization_code":
            redirect = fake.codes.pop(form.get("code", ""), None)
            if redirect is None or redirect != form.get("redirect_uri"):
                return JSONResponse({"error": "invalid_grant"}, 403)
            return JSONResponse(fake.mint_tokens())
        if form.get("grant_type") != "refresh_token":
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        if form.get("refresh_token") != fake.refresh_token:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "Unknown or expired refresh token"},
                403,
            )
        return JSONResponse(fake.mint_tokens())

    routes = [
        Route("/authorize", authorize),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/v1/users", guarded(listing(lambda: fake.users.values()))),
        Route("/v1/stages", guarded(listing(lambda: fake.stages.values()))),
        Route("/v1/archive_reasons", guarded(listing(lambda: fake.archive_reasons.values()))),
        Route("/v1/postings", guarded(postings)),
        Route("/v1/opportunities", guarded(opportunities)),
        Route("/v1/opportunities/{id}", guarded(opportunity)),
        Route("/v1/opportunities/{id}/resumes", guarded(resumes)),
        Route("/v1/opportunities/{id}/resumes/{resume}/download", guarded(resume_download)),
        Route("/v1/opportunities/{id}/interviews", guarded(interviews)),
        Route("/v1/opportunities/{id}/stage", guarded(stage), methods=["PUT"]),
        Route("/v1/opportunities/{id}/archived", guarded(archived), methods=["PUT"]),
        Route("/v1/opportunities/{id}/notes", guarded(notes), methods=["POST"]),
        Route("/v1/opportunities/{id}/panels", guarded(panels), methods=["POST"]),
    ]
    return Starlette(routes=routes)
