"""The fake Harvest v3's routes: the token endpoint, the list reads, move, reject, a new
application and a new note (see the package docstring for what each checks)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from demo.sandbox.refusals import Refusal, guarded_by

if TYPE_CHECKING:
    from demo.sandbox.greenhouse.fake import FakeGreenhouse

JSON = dict[str, Any]
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 100
MAX_IDS = 50
FILES_HOST = "https://greenhouse-sandbox.s3.example"
"""Where the seeded attachments say they live (``fake.FILES_URL``)."""


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Refusal(
            422, {"message": "Validation error", "errors": [{"field": "updated_at"}]}
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _comparison(value: str) -> Callable[[str | None], bool]:
    """``gte|2026-01-01T00:00:00Z`` (also ``gt``, ``lte``, ``lt``)."""
    operator, sep, raw = value.partition("|")
    if not sep or operator not in ("gte", "gt", "lte", "lt"):
        raise Refusal(422, {"message": "Validation error", "errors": [{"field": "updated_at"}]})
    bound = _parse_time(raw)

    def test(stamp: str | None) -> bool:
        if stamp is None:
            return False
        moment = _parse_time(stamp)
        return {
            "gte": moment >= bound,
            "gt": moment > bound,
            "lte": moment <= bound,
            "lt": moment < bound,
        }[operator]

    return test


def _ids(value: str, field: str) -> set[int]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if len(parts) > MAX_IDS or not all(part.isdigit() for part in parts):
        raise Refusal(422, {"message": "Validation error", "errors": [{"field": field}]})
    return {int(part) for part in parts}


def _query(request: Request) -> tuple[dict[str, str], int, int]:
    """The filters, page size and offset of a list request: from its parameters, or
    from the cursor alone."""
    params = dict(request.query_params)
    if "cursor" in params:
        if len(params) > 1:
            raise Refusal(422, {"message": "cursor must be the only query parameter"})
        try:
            state = json.loads(base64.urlsafe_b64decode(params["cursor"].encode()))
        except (binascii.Error, ValueError):
            raise Refusal(422, {"message": "invalid cursor"}) from None
        return dict(state["filters"]), int(state["per_page"]), int(state["offset"])
    per_page = params.pop("per_page", str(DEFAULT_PER_PAGE))
    if not per_page.isdigit() or not 1 <= int(per_page) <= MAX_PER_PAGE:
        raise Refusal(422, {"message": "Validation error", "errors": [{"field": "per_page"}]})
    return params, int(per_page), 0


def _cursor(filters: dict[str, str], per_page: int, offset: int) -> str:
    state = {"filters": filters, "per_page": per_page, "offset": offset}
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _filtered(
    records: Iterable[JSON], filters: dict[str, str], parents: dict[str, str]
) -> list[JSON]:
    """``ids``, parent filters (``candidate_ids`` -> ``candidate_id``), ``updated_at``
    and ``created_at``, and exact ones (``type=recruiter``, named ``=field`` in
    ``parents``); an unknown filter is refused, as v3 refuses it."""
    found = list(records)
    for name, value in filters.items():
        if name == "ids":
            wanted = _ids(value, name)
            found = [r for r in found if r["id"] in wanted]
        elif name in ("updated_at", "created_at"):
            test = _comparison(value)
            found = [r for r in found if test(r.get(name))]
        elif parents.get(name, "").startswith("="):
            key = parents[name][1:]
            found = [r for r in found if str(r.get(key)) == value]
        elif name in parents:
            wanted = _ids(value, name)
            found = [r for r in found if r.get(parents[name]) in wanted]
        else:
            raise Refusal(422, {"message": f"unknown filter {name}"})
    return found


def keep(record: JSON, _origin: str) -> JSON:
    return record


def served_attachment(attachment: JSON, origin: str) -> JSON:
    """The attachment with its URL on ``origin``, where the request came (the fake
    serves the files at ``/attachments``): a sandbox on a loopback port hands out links
    the gateway can fetch from it."""
    url = attachment.get("url")
    if isinstance(url, str) and url.startswith(FILES_HOST + "/"):
        return {**attachment, "url": origin + url[len(FILES_HOST) :]}
    return attachment


def build_app(fake: FakeGreenhouse) -> Starlette:
    def bearer(request: Request) -> str:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        if token not in fake.tokens:
            raise Refusal(401, {"message": "Unauthorized"})
        used = fake.used.get(token, 0)
        if used >= fake.rate_limit:
            raise Refusal(429, {"message": "Too Many Requests"}, {"Retry-After": "10"})
        fake.used[token] = used + 1
        return token

    def limits(token: str) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(fake.rate_limit),
            "X-RateLimit-Remaining": str(max(0, fake.rate_limit - fake.used.get(token, 0))),
        }

    guarded = guarded_by(bearer, limits)

    def listing(
        records: Callable[[], Iterable[JSON]],
        parents: dict[str, str] | None = None,
        view: Callable[[JSON, str], JSON] = keep,
    ) -> Callable[[Request, str], Awaitable[Response]]:
        async def handler(request: Request, token: str) -> Response:
            filters, per_page, offset = _query(request)
            found = _filtered(records(), filters, parents or {})
            origin = str(request.base_url).rstrip("/")
            page = [view(record, origin) for record in found[offset : offset + per_page]]
            headers: dict[str, str] = {}
            if offset + per_page < len(found):
                base = str(request.url.replace(query=""))
                cursor = urlencode({"cursor": _cursor(filters, per_page, offset + per_page)})
                headers["Link"] = f'<{base}?{cursor}>; rel="next"'
            return JSONResponse(page, headers=headers)

        return handler

    async def token(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        try:
            decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        client_id, _, client_secret = decoded.partition(":")
        if not header.startswith("Basic ") or (client_id, client_secret) != (
            fake.client_id,
            fake.client_secret,
        ):
            return JSONResponse({"error": "invalid_client"}, 401)
        form = parse_qs((await request.body()).decode())
        if form.get("grant_type") != ["client_credentials"]:
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        sub = (form.get("sub") or [""])[0]
        if not sub.isdigit() or int(sub) not in fake.users:
            return JSONResponse({"error": "invalid_grant", "error_description": "unknown sub"}, 400)
        return JSONResponse(
            {"access_token": fake.mint_token(sub), "token_type": "Bearer", "expires_in": 3600}
        )

    async def body_of(request: Request) -> JSON:
        try:
            body = await request.json()
        except ValueError:
            raise Refusal(400, {"message": "the body is not JSON"}) from None
        if not isinstance(body, dict):
            raise Refusal(422, {"message": "Validation error"})
        return body

    def acting(token: str) -> str:
        return fake.tokens[token]

    async def move(request: Request, token: str) -> Response:
        application_id = int(request.path_params["id"])
        found = fake.applications.get(application_id)
        if found is None:
            raise Refusal(404, {"message": "Resource not found"})
        body = await body_of(request)
        if body.get("from_stage_id") != found["stage_id"]:
            raise Refusal(
                422, {"message": "Validation error", "errors": [{"field": "from_stage_id"}]}
            )
        stage_id = body.get("to_stage_id")
        stage = fake.stages.get(stage_id) if isinstance(stage_id, int) else None
        if stage is None or stage["job_id"] != found["job_id"]:
            raise Refusal(
                422, {"message": "Validation error", "errors": [{"field": "to_stage_id"}]}
            )
        fake.move(application_id, stage["id"], acting(token), body)
        return Response(status_code=204)

    async def reject(request: Request, token: str) -> Response:
        application_id = int(request.path_params["id"])
        if application_id not in fake.applications:
            raise Refusal(404, {"message": "Resource not found"})
        body = await body_of(request)
        reason = body.get("rejection_reason_id")
        if not isinstance(reason, int) or reason not in fake.rejection_reasons:
            raise Refusal(
                422, {"message": "Validation error", "errors": [{"field": "rejection_reason_id"}]}
            )
        notes = body.get("notes") if isinstance(body.get("notes"), str) else None
        fake.reject(application_id, reason, notes, acting(token))
        return Response(status_code=204)

    async def create_application(request: Request, token: str) -> Response:
        body = await body_of(request)
        candidate_id, job_id = body.get("candidate_id"), body.get("job_id")
        if candidate_id not in fake.candidates or job_id not in fake.jobs:
            raise Refusal(422, {"message": "Validation error", "errors": [{"field": "job_id"}]})
        return JSONResponse(fake.apply(candidate_id, job_id, acting(token)), 201)

    async def create_note(request: Request, token: str) -> Response:
        body = await body_of(request)
        text = body.get("body")
        if body.get("candidate_id") not in fake.candidates or not isinstance(text, str) or not text:
            raise Refusal(422, {"message": "Validation error", "errors": [{"field": "body"}]})
        if body.get("note_type", "NOTE") not in ("NOTE", "ACTIVITY", "EMAIL"):
            raise Refusal(422, {"message": "Validation error", "errors": [{"field": "note_type"}]})
        if body.get("visibility") not in ("public", "private", "admin_only"):
            raise Refusal(422, {"message": "Validation error", "errors": [{"field": "visibility"}]})
        if body.get("user_id") is not None and str(body["user_id"]) != acting(token):
            raise Refusal(403, {"message": "a note is written by the token's user"})
        return JSONResponse(fake.add_note(body, acting(token)), 201)

    async def attachment(request: Request) -> Response:
        candidate_id = int(request.path_params["candidate_id"])
        if candidate_id not in fake.candidates:
            return JSONResponse({"message": "Resource not found"}, 404)
        resume = fake.resume(candidate_id)
        if request.path_params["filename"] != resume.filename:
            return JSONResponse({"message": "Resource not found"}, 404)
        return Response(resume.content, media_type=resume.content_type)

    def listed(
        records: Callable[[], Iterable[JSON]],
        parents: dict[str, str] | None = None,
        view: Callable[[JSON, str], JSON] = keep,
    ) -> Callable[[Request], Awaitable[Response]]:
        return guarded(listing(records, parents, view))

    routes = [
        Route("/token", token, methods=["POST"]),
        Route("/attachments/{candidate_id:int}/{filename}", attachment),
        Route("/v3/users", listed(lambda: fake.users.values())),
        Route("/v3/departments", listed(lambda: fake.departments.values())),
        Route("/v3/offices", listed(lambda: fake.offices.values())),
        Route("/v3/jobs", listed(lambda: fake.jobs.values())),
        Route(
            "/v3/job_owners",
            listed(lambda: fake.job_owners.values(), {"job_ids": "job_id", "type": "=type"}),
        ),
        Route(
            "/v3/job_interview_stages",
            listed(lambda: fake.stages.values(), {"job_ids": "job_id"}),
        ),
        Route(
            "/v3/job_interviews",
            listed(lambda: fake.job_interviews.values(), {"job_ids": "job_id"}),
        ),
        Route("/v3/candidates", listed(lambda: fake.candidates.values())),
        Route(
            "/v3/attachments",
            listed(
                lambda: fake.attachments.values(),
                {"candidate_ids": "candidate_id", "application_ids": "application_id"},
                view=served_attachment if fake.files_on_request_host else keep,
            ),
        ),
        Route(
            "/v3/applications",
            guarded(
                listing(
                    lambda: fake.applications.values(),
                    {"candidate_ids": "candidate_id", "job_ids": "job_id"},
                )
            ),
            methods=["GET"],
        ),
        Route("/v3/applications", guarded(create_application), methods=["POST"]),
        Route(
            "/v3/application_stages",
            listed(lambda: fake.application_stages.values(), {"application_ids": "application_id"}),
        ),
        Route("/v3/applications/{id:int}/move", guarded(move), methods=["POST"]),
        Route("/v3/applications/{id:int}/reject", guarded(reject), methods=["POST"]),
        Route(
            "/v3/interviews",
            listed(lambda: fake.interviews.values(), {"application_ids": "application_id"}),
        ),
        Route(
            "/v3/interviewers",
            listed(lambda: fake.interviewers.values(), {"interview_ids": "interview_id"}),
        ),
        Route(
            "/v3/rejection_details",
            listed(lambda: fake.rejection_details.values(), {"application_ids": "application_id"}),
        ),
        Route(
            "/v3/notes",
            listed(lambda: fake.notes.values(), {"candidate_ids": "candidate_id"}),
            methods=["GET"],
        ),
        Route("/v3/notes", guarded(create_note), methods=["POST"]),
        Route("/v3/rejection_reasons", listed(lambda: fake.rejection_reasons.values())),
    ]
    return Starlette(routes=routes)
