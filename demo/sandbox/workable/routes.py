"""The fake SPI v3's routes: the list and detail reads, move, disqualify, comment,
subscriptions and the resume files (see the package docstring for what each checks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from demo.sandbox.refusals import Refusal, guarded_by

if TYPE_CHECKING:
    from demo.sandbox.workable.fake import FakeWorkable

JSON = dict[str, Any]
FILES_HOST = "https://workable-sandbox-files.s3.example"
"""The storage host resume links name (``fake.FILES_URL``)."""
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
WRITE_SCOPE = "w_candidates"
LIST_KEYS = (
    "id",
    "name",
    "firstname",
    "lastname",
    "headline",
    "account",
    "job",
    "stage",
    "disqualified",
    "disqualification_reason",
    "hired_at",
    "sourced",
    "profile_url",
    "address",
    "phone",
    "email",
    "domain",
    "created_at",
    "updated_at",
)
"""What a candidate looks like in ``GET /candidates`` (the details add the rest)."""


def _moment(text: str, name: str) -> datetime:
    """ISO-8601 or unix seconds, as Workable reads ``created_after``/``updated_after``."""
    value = text.strip()
    try:
        if value.isdigit():
            return datetime.fromtimestamp(int(value), UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise Refusal(422, {"error": f"{name} is not a valid date"}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise Refusal(422, {"error": f"limit must be between 1 and {MAX_LIMIT}"})
    return int(raw)


def _order(record: JSON) -> int:
    return int(str(record["id"]), 16)


def _page(
    request: Request,
    key: str,
    records: Iterable[JSON],
    filters: dict[str, Callable[[JSON, str], bool]],
) -> JSONResponse:
    """One page of ``records`` (ascending ids), filtered, with ``paging.next``."""
    params = request.query_params
    limit = _limit(request)
    found = sorted(records, key=_order)
    for name, value in params.items():
        if name in ("limit", "since_id", "max_id"):
            continue
        test = filters.get(name)
        if test is None:
            continue
        found = [r for r in found if test(r, value)]
    if "since_id" in params:
        since = _hex(params["since_id"], "since_id")
        found = [r for r in found if _order(r) >= since]
    if "max_id" in params:
        ceiling = _hex(params["max_id"], "max_id")
        found = [r for r in found if _order(r) <= ceiling]
    page = found[:limit]
    body: JSON = {key: page}
    if len(found) > limit:
        query = {k: v for k, v in params.items() if k != "since_id"}
        query.update(limit=str(limit), since_id=str(found[limit]["id"]))
        body["paging"] = {"next": f"{request.url.replace(query='')!s}?{urlencode(query)}"}
    return JSONResponse(body)


def _hex(value: str, name: str) -> int:
    try:
        return int(value, 16)
    except ValueError:
        raise Refusal(422, {"error": f"{name} is not a valid id"}) from None


def _after(field: str) -> Callable[[JSON, str], bool]:
    def test(record: JSON, value: str) -> bool:
        stamp = record.get(field)
        return stamp is not None and _moment(stamp, field) >= _moment(value, f"{field}_after")

    return test


def on_request_host(candidate: JSON, origin: str) -> JSON:
    """The candidate with its ``resume_url`` on ``origin``, where the request came (the
    fake serves the files at ``/resumes``): a sandbox on a loopback port hands out links
    the gateway can fetch from it."""
    url = candidate.get("resume_url")
    if isinstance(url, str) and url.startswith(FILES_HOST + "/"):
        return {**candidate, "resume_url": origin + url[len(FILES_HOST) :]}
    return candidate


def build_app(fake: FakeWorkable) -> Starlette:
    def bearer(request: Request) -> str:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        if token not in (fake.access_token, fake.read_only_token):
            raise Refusal(401, {"error": "Not authorized"})
        now = fake.clock()
        start, used = fake.used.get(token, (now, 0))
        if now - start >= 10.0:
            start, used = now, 0
        if used >= fake.rate_limit:
            raise Refusal(429, {"error": "Too many requests"}, limits(token, start, used))
        fake.used[token] = (start, used + 1)
        return token

    def limits(token: str, start: float | None = None, used: int | None = None) -> dict[str, str]:
        kept_start, kept_used = fake.used.get(token, (fake.clock(), 0))
        start = kept_start if start is None else start
        used = kept_used if used is None else used
        return {
            "X-Rate-Limit-Limit": str(fake.rate_limit),
            "X-Rate-Limit-Remaining": str(max(0, fake.rate_limit - used)),
            "X-Rate-Limit-Reset": str(int(start + 10.0)),
        }

    guarded = guarded_by(bearer, limits)

    def candidate(request: Request) -> JSON:
        found = fake.candidates.get(request.path_params["id"])
        if found is None:
            raise Refusal(404, {"error": "Not found"})
        return found

    async def body_of(request: Request, token: str) -> tuple[JSON, str]:
        """A write's JSON body and its acting member: the token must have the write
        scope and the body a known ``member_id``."""
        if token != fake.access_token:
            raise Refusal(403, {"error": f"The token is missing the {WRITE_SCOPE} scope"})
        try:
            body = await request.json()
        except ValueError:
            raise Refusal(400, {"error": "the body is not JSON"}) from None
        if not isinstance(body, dict):
            raise Refusal(422, {"error": "the body is not an object"})
        member = body.get("member_id")
        if not isinstance(member, str) or member not in fake.members:
            raise Refusal(422, {"error": "member_id is missing or unknown"})
        return body, member

    async def members(request: Request, token: str) -> Response:
        return _page(request, "members", fake.members.values(), {})

    async def jobs(request: Request, token: str) -> Response:
        return _page(
            request,
            "jobs",
            fake.jobs.values(),
            {
                "state": lambda r, v: r["state"] == v,
                "created_after": _after("created_at"),
                "updated_after": _after("updated_at"),
            },
        )

    async def job(request: Request, token: str) -> Response:
        found = fake.jobs.get(request.path_params["shortcode"])
        if found is None:
            raise Refusal(404, {"error": "Not found"})
        return JSONResponse(found)

    async def job_members(request: Request, token: str) -> Response:
        shortcode = request.path_params["shortcode"]
        if shortcode not in fake.jobs:
            raise Refusal(404, {"error": "Not found"})
        return JSONResponse({"members": fake.hiring_team(shortcode)})

    async def stages(request: Request, token: str) -> Response:
        return JSONResponse({"stages": fake.stages})

    async def candidates(request: Request, token: str) -> Response:
        listed = [
            {key: record.get(key) for key in LIST_KEYS} for record in fake.candidates.values()
        ]
        return _page(
            request,
            "candidates",
            listed,
            {
                "shortcode": lambda r, v: (r.get("job") or {}).get("shortcode") == v,
                "stage": lambda r, v: (r.get("stage") or "").lower() == v.lower(),
                "email": lambda r, v: r.get("email") == v,
                "created_after": _after("created_at"),
                "updated_after": _after("updated_at"),
            },
        )

    async def candidate_details(request: Request, token: str) -> Response:
        found = candidate(request)
        if fake.files_on_request_host:
            found = on_request_host(found, str(request.base_url).rstrip("/"))
        return JSONResponse({"candidate": found})

    async def activities(request: Request, token: str) -> Response:
        found = candidate(request)
        return _page(request, "activities", fake.activities.get(found["id"], []), {})

    async def events(request: Request, token: str) -> Response:
        return _page(
            request,
            "events",
            fake.events.values(),
            {
                "type": lambda r, v: r["type"] == v,
                "candidate_id": lambda r, v: (r.get("candidate") or {}).get("id") == v,
            },
        )

    async def move(request: Request, token: str) -> Response:
        found = candidate(request)
        body, member = await body_of(request, token)
        slug = body.get("target_stage")
        if not any(stage["slug"] == slug for stage in fake.stages):
            raise Refusal(422, {"error": "target_stage is not a stage of the account"})
        if found.get("job") is None:
            raise Refusal(422, {"error": "the candidate is in no job"})
        fake.move(found["id"], str(slug), member)
        return Response(status_code=200)

    async def disqualify(request: Request, token: str) -> Response:
        found = candidate(request)
        body, member = await body_of(request, token)
        note = body.get("disqualify_note")
        if note is not None and (not isinstance(note, str) or len(note) > 256):
            raise Refusal(422, {"error": "disqualify_note must be text of at most 256 characters"})
        fake.disqualify(found["id"], body, member)
        return Response(status_code=200)

    async def comment(request: Request, token: str) -> Response:
        found = candidate(request)
        body, member = await body_of(request, token)
        text = (
            body.get("comment", {}).get("body") if isinstance(body.get("comment"), dict) else None
        )
        if not isinstance(text, str) or not text.strip():
            raise Refusal(422, {"error": "comment.body is required"})
        return JSONResponse(fake.comment(found["id"], body, member), status_code=201)

    async def subscribe(request: Request, token: str) -> Response:
        try:
            body = await request.json()
        except ValueError:
            raise Refusal(400, {"error": "the body is not JSON"}) from None
        if not isinstance(body, dict) or not isinstance(body.get("target"), str):
            raise Refusal(422, {"error": "target is required"})
        if body.get("event") not in ("candidate_created", "candidate_moved", "candidate_deleted"):
            raise Refusal(422, {"error": "unknown event"})
        if any(s["target"] == body["target"] for s in fake.subscriptions.values()):
            raise Refusal(409, {"error": "Conflict"})
        return JSONResponse(fake.subscribe(body), status_code=201)

    async def resume_file(request: Request) -> Response:
        resume = fake.resume(request.path_params["candidate_id"])
        if resume is None or request.path_params["filename"] != resume.filename:
            return JSONResponse({"error": "Not found"}, 404)
        return Response(resume.content, media_type=resume.content_type)

    api = "/spi/v3"
    routes = [
        Route("/resumes/{candidate_id}/{filename}", resume_file),
        Route(f"{api}/members", guarded(members)),
        Route(f"{api}/jobs", guarded(jobs)),
        Route(f"{api}/jobs/{{shortcode}}", guarded(job)),
        Route(f"{api}/jobs/{{shortcode}}/members", guarded(job_members)),
        Route(f"{api}/stages", guarded(stages)),
        Route(f"{api}/candidates", guarded(candidates)),
        Route(f"{api}/candidates/{{id}}", guarded(candidate_details)),
        Route(f"{api}/candidates/{{id}}/activities", guarded(activities)),
        Route(f"{api}/candidates/{{id}}/move", guarded(move), methods=["POST"]),
        Route(f"{api}/candidates/{{id}}/disqualify", guarded(disqualify), methods=["POST"]),
        Route(f"{api}/candidates/{{id}}/comments", guarded(comment), methods=["POST"]),
        Route(f"{api}/events", guarded(events)),
        Route(f"{api}/subscriptions", guarded(subscribe), methods=["POST"]),
    ]
    return Starlette(routes=routes)
