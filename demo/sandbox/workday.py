"""A fake Workday tenant: the OAuth2 token endpoint and Recruiting REST v4.

fake = WorkdayFake(access_token_ttl=300)
fake.seed(jobs=3, candidates=2, applications=4)
client = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app), base_url="http://fake")
# POST /ccx/oauth2/acme/token  grant_type=refresh_token&refresh_token=refresh-1
#   (client id and secret by HTTP Basic or form) -> {"access_token": ..., "expires_in": 300}
# GET  /ccx/api/recruiting/v4/acme/jobPostings?limit=2&offset=0  (Bearer token)
#   -> {"total": 3, "data": [...2 postings...]}
fake.refreshes          # successful refresh-token grants
fake.expire_access_tokens()   # every issued access token now answers 401

What it does like the real tenant (``workday-recruiting-v4.json``):

- Token endpoint ``/ccx/oauth2/{tenant}/token``: refresh-token and authorization-code
  (with PKCE S256) grants; unknown client -> 401 ``invalid_client``; unknown, revoked
  or rotated-away refresh token, or a bad code -> 400 ``invalid_grant``. Access tokens
  expire after ``access_token_ttl`` seconds of ``clock``; with ``rotate_refresh_tokens``
  every refresh issues a new refresh token and retires the old one.
- ``/{tenant}/authorize`` consents at once and redirects to ``redirect_uri`` with a code.
- Recruiting: ``GET /jobPostings`` (filters ``jobSite``, ``category``, ``jobRequisition``,
  ``jobPosting``), ``GET /jobPostings/{ID}``, ``POST /prospects``, ``GET /prospects/{ID}``,
  ``GET /interviews`` (filter ``interviewStatus``), ``GET /interviews/{ID}``. There is no
  ``GET /prospects`` (the spec has none). Lists answer ``{"total": N, "data": [...]}``,
  page with ``limit`` (default 20, 1 to 100, else 400) and ``offset``.
- A missing, unknown or expired bearer token -> 401 in the spec's error shape.

Everything is wrapped with ``with_faults(app, faults)``, the token endpoint included.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from demo.sandbox.declaration import DemoSandbox, RemoteIds, SeedLook
from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.resumes import sandbox_resume
from gateway.store.enums import JobStatus

API = "/ccx/api/recruiting/v4/{tenant}"
INTERVIEW_STATUSES = ("SCHEDULED", "PENDING_FEEDBACK", "COMPLETED", "NOT_SCHEDULED")
"""The statuses seeded interviews cycle through."""

_EPOCH = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


def workday_id(kind: str, n: int) -> str:
    """A deterministic 32-hex Workday ID: workday_id("jobPosting", 1) -> "5b1e..." """
    return hashlib.md5(f"{kind}:{n}".encode(), usedforsecurity=False).hexdigest()


def _ref(kind: str, n: int, descriptor: str) -> dict[str, str]:
    return {"id": workday_id(kind, n), "descriptor": descriptor}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _error(status: int, message: str, **detail: str) -> JSONResponse:
    """``VALIDATION_ERROR_MODEL_REFERENCE``: ``{"error": ..., "errors": [{...}]}``."""
    return JSONResponse({"error": message, "errors": [{"error": message, **detail}]}, status)


def _oauth_error(status: int, code: str, description: str) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, status)


@dataclass
class PendingCode:
    client_id: str
    redirect_uri: str
    code_challenge: str | None
    code_challenge_method: str | None


@dataclass
class WorkdayFake:
    tenant: str = "acme"
    client_id: str = "tg-client"
    client_secret: str = "tg-client-secret"
    refresh_token: str = "refresh-1"
    """The refresh token valid from the start."""
    access_token_ttl: float = 3600.0
    rotate_refresh_tokens: bool = False
    clock: Callable[[], float] = time.monotonic
    faults: Faults = field(default_factory=Faults)

    job_postings: dict[str, dict[str, Any]] = field(default_factory=dict)
    prospects: dict[str, dict[str, Any]] = field(default_factory=dict)
    interviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    posting_requisitions: dict[str, str] = field(default_factory=dict)
    """Job posting id -> job requisition id (the posting shape does not show it)."""
    updated_at: dict[str, datetime] = field(default_factory=dict)
    """Internal update times; the API exposes none."""
    created_prospects: list[dict[str, Any]] = field(default_factory=list)
    """Bodies of accepted ``POST /prospects``, as sent."""

    refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: dict[str, float] = field(default_factory=dict)
    codes: dict[str, PendingCode] = field(default_factory=dict)
    token_requests: int = 0
    """Every call of the token endpoint, successful or not."""
    refreshes: int = 0
    """Successful refresh-token grants."""
    rejected: int = 0
    """Recruiting calls answered 401."""
    api_calls: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    """``(method, path after the tenant, query)`` of every authorized Recruiting call."""

    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    app: ASGIApp = field(init=False)

    def __post_init__(self) -> None:
        self.refresh_tokens.add(self.refresh_token)
        api = API
        routes = [
            Route("/ccx/oauth2/{tenant}/token", self._token, methods=["POST"]),
            Route("/{tenant}/authorize", self._authorize, methods=["GET"]),
            Route(api + "/jobPostings", self._list_job_postings, methods=["GET"]),
            Route(api + "/jobPostings/{id}", self._get_job_posting, methods=["GET"]),
            Route(api + "/prospects", self._create_prospect, methods=["POST"]),
            Route(api + "/prospects/{id}", self._get_prospect, methods=["GET"]),
            Route(api + "/prospects/{id}/resumeAttachments", self._resumes, methods=["GET"]),
            Route(api + "/prospects/{id}/resumeAttachments/{sub}", self._resume, methods=["GET"]),
            Route(api + "/interviews", self._list_interviews, methods=["GET"]),
            Route(api + "/interviews/{id}", self._get_interview, methods=["GET"]),
        ]
        self.app = with_faults(Starlette(routes=routes), self.faults)

    # --- seeding and state ------------------------------------------------------------

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """Postings, prospects, and for each application an interview event
        (applications link postings and prospects round-robin)."""
        for n in range(1, jobs + 1):
            self.add_job_posting(n)
        for n in range(1, candidates + 1):
            self.add_prospect(n)
        postings, people = list(self.job_postings), list(self.prospects)
        for n in range(1, applications + 1):
            if postings and people:
                posting = postings[(n - 1) % len(postings)]
                prospect = people[(n - 1) % len(people)]
                self.add_interview(n, posting_id=posting, prospect_id=prospect)

    def add_job_posting(self, n: int, *, end_date: datetime | None = None) -> dict[str, Any]:
        posting_id = workday_id("jobPosting", n)
        start = _EPOCH + timedelta(days=n)
        location = {
            **_ref("location", n % 3, f"Office {n % 3}"),
            "country": {"alpha3Code": "USA", "descriptor": "United States of America"},
            "region": {"code": "CA", "descriptor": "California"},
        }
        raw: dict[str, Any] = {
            "id": posting_id,
            "title": f"Engineer {n}",
            "jobDescription": f"<p>Build things, round {n}.</p>",
            "startDate": _iso(start),
            "url": f"https://acme.wd1.myworkdayjobs.com/External/job/Engineer-{n}_R-{n:05d}",
            "spotlightJob": n % 2 == 0,
            "timeType": _ref("timeType", n % 2, "Full time" if n % 2 else "Part time"),
            "jobType": _ref("jobType", 1, "Regular"),
            "categories": [_ref("jobFamilyGroup", n % 2, f"Engineering {n % 2}")],
            "primaryLocation": location,
            "additionalLocations": [],
            "company": _ref("company", 1, "Acme Corp"),
            "jobSite": _ref("jobSite", 1, "Acme External Careers"),
            "remoteType": {"id": workday_id("remoteType", 1), "name": "Hybrid"},
        }
        if end_date is not None:
            raw["endDate"] = _iso(end_date)
        self.job_postings[posting_id] = raw
        self.posting_requisitions[posting_id] = workday_id("jobRequisition", n)
        self.updated_at[posting_id] = start
        return raw

    def add_prospect(self, n: int) -> dict[str, Any]:
        prospect_id = workday_id("prospect", n)
        first, last = f"Ada{n}", f"Lovelace{n}"
        raw: dict[str, Any] = {
            "id": prospect_id,
            "descriptor": f"{first} {last}",
            "href": f"https://fake/ccx/api/recruiting/v4/{self.tenant}/prospects/{prospect_id}",
            "contactConsent": True,
            "status": _ref("prospectStatus", 1, "Active"),
            "source": _ref("source", n % 2, "LinkedIn" if n % 2 else "Referral"),
            "type": _ref("prospectType", 1, "External"),
            "level": _ref("prospectLevel", 1, "Warm"),
            "candidatePools": [_ref("candidatePool", 1, "Engineers")],
            "candidateTags": [_ref("candidateTag", n % 2, f"tag-{n % 2}")],
            "candidate": {
                "id": workday_id("candidate", n),
                "descriptor": f"{first} {last}",
                "email": f"ada{n}@example.com",
                "name": {
                    "firstName": first,
                    "lastName": last,
                    "descriptor": f"{first} {last}",
                    "country": {"id": workday_id("country", 1), "descriptor": "United States"},
                },
                "phone": {
                    "phoneNumber": f"555-01{n:02d}",
                    "descriptor": f"+1 (555) 01{n:02d}",
                    "countryPhoneCode": _ref("countryPhoneCode", 1, "United States (+1)"),
                    "deviceType": _ref("phoneDeviceType", 1, "Mobile"),
                },
            },
        }
        self.prospects[prospect_id] = raw
        self.updated_at[prospect_id] = _EPOCH + timedelta(days=n)
        return raw

    def add_interview(self, n: int, *, posting_id: str, prospect_id: str) -> dict[str, Any]:
        interview_id = workday_id("interviewEvent", n)
        status = INTERVIEW_STATUSES[(n - 1) % len(INTERVIEW_STATUSES)]
        posting = self.job_postings[posting_id]
        person = self.prospects[prospect_id]["descriptor"]
        raw: dict[str, Any] = {
            "id": interview_id,
            "descriptor": f"Interview: {person} - {posting['title']}",
            "jobApplication": {
                "id": workday_id("jobApplication", n),
                "descriptor": f"{person} - {posting['title']}",
                "numberOfJobs": 2,
                "yearsInCurrentJob": 1.5,
                "totalYearsExperience": 6.0,
            },
            "jobRequisition": {
                "id": self.posting_requisitions[posting_id],
                "descriptor": f"R-{n:05d} {posting['title']}",
                "hiringManager": _ref("worker", 1, "Grace Hopper"),
                "primaryRecruiters": [_ref("worker", 2, "Alan Turing")],
                "recruiters": [],
            },
            "interviewers": [_ref("worker", 3, "Edsger Dijkstra"), _ref("worker", 4, "B. Liskov")],
            "interviewStatuses": [{"id": status, "descriptor": status.replace("_", " ").title()}],
            "workersPendingFeedback": [],
            "hasCompetenciesQuestionnaires": False,
            "giveInterviewFeedbackLink": f"https://fake/{self.tenant}/d/task/{interview_id}.htmld",
        }
        self.interviews[interview_id] = raw
        self.updated_at[interview_id] = _EPOCH + timedelta(days=n)
        return raw

    def touch_job(self, remote_id: str) -> None:
        """Record an update now. Workday shows no update time, so nothing visible changes."""
        if remote_id not in self.job_postings:
            raise KeyError(remote_id)
        self.updated_at[remote_id] = datetime.now(UTC)

    def expire_access_tokens(self) -> None:
        self.access_tokens.clear()

    def revoke_refresh_tokens(self) -> None:
        self.refresh_tokens.clear()

    def token_url(self) -> str:
        return f"/ccx/oauth2/{self.tenant}/token"

    # --- OAuth ------------------------------------------------------------------------

    def _issue(self, *, with_refresh: str | None) -> dict[str, Any]:
        access = f"wd-at-{secrets.token_urlsafe(16)}"
        self.access_tokens[access] = self.clock() + self.access_token_ttl
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": int(self.access_token_ttl),
        }
        if with_refresh is not None:
            body["refresh_token"] = with_refresh
        return body

    def _client_ok(self, request: Request, form: dict[str, str]) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except ValueError:
                return False
            client_id, _, secret = decoded.partition(":")
            client_id, secret = unquote(client_id), unquote(secret)
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        return client_id == self.client_id and secrets.compare_digest(secret, self.client_secret)

    async def _token(self, request: Request) -> Response:
        self.token_requests += 1
        if request.path_params["tenant"] != self.tenant:
            return _oauth_error(401, "invalid_client", "Unknown tenant")
        form = dict(parse_qsl((await request.body()).decode()))
        if not self._client_ok(request, form):
            return _oauth_error(401, "invalid_client", "Invalid client credentials")
        grant = form.get("grant_type")
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            if token not in self.refresh_tokens:
                return _oauth_error(400, "invalid_grant", "Invalid refresh token")
            if self.rotate_refresh_tokens:
                self.refresh_tokens.discard(token)
                token = f"refresh-{secrets.token_urlsafe(12)}"
                self.refresh_tokens.add(token)
            self.refreshes += 1
            return JSONResponse(self._issue(with_refresh=token))
        if grant == "authorization_code":
            pending = self.codes.pop(form.get("code", ""), None)
            if pending is None or pending.redirect_uri != form.get("redirect_uri"):
                return _oauth_error(400, "invalid_grant", "Invalid authorization code")
            if pending.code_challenge is not None:
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if challenge != pending.code_challenge:
                    return _oauth_error(400, "invalid_grant", "PKCE verification failed")
            refresh = f"refresh-{secrets.token_urlsafe(12)}"
            self.refresh_tokens.add(refresh)
            return JSONResponse(self._issue(with_refresh=refresh))
        return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant {grant!r}")

    async def _authorize(self, request: Request) -> Response:
        """Consent at once: redirect to ``redirect_uri`` with ``code`` and ``state``."""
        query = request.query_params
        if request.path_params["tenant"] != self.tenant or query.get("client_id") != self.client_id:
            return _oauth_error(400, "invalid_client", "Unknown client")
        if query.get("response_type") != "code" or not query.get("redirect_uri"):
            return _oauth_error(400, "invalid_request", "response_type=code and redirect_uri")
        method = query.get("code_challenge_method")
        if query.get("code_challenge") and method != "S256":
            return _oauth_error(400, "invalid_request", "only S256 is supported")
        code = secrets.token_urlsafe(16)
        self.codes[code] = PendingCode(
            client_id=self.client_id,
            redirect_uri=query["redirect_uri"],
            code_challenge=query.get("code_challenge"),
            code_challenge_method=method,
        )
        params = {"code": code, **({"state": query["state"]} if "state" in query else {})}
        return RedirectResponse(f"{query['redirect_uri']}?{urlencode(params)}", status_code=302)

    # --- Recruiting -------------------------------------------------------------------

    def _denied(self, request: Request) -> Response | None:
        """401 unless the bearer token was issued here and has not expired; 404 for
        another tenant. Records the call."""
        header = request.headers.get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else ""
        expires_at = self.access_tokens.get(token)
        if expires_at is None or self.clock() >= expires_at:
            self.rejected += 1
            response = _error(401, "Unauthorized: Missing or invalid credentials.")
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        if request.path_params["tenant"] != self.tenant:
            return _error(404, "Resource not found.")
        path = request.url.path.split(f"/{self.tenant}", 1)[-1]
        query: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            query.setdefault(key, []).append(value)
        self.api_calls.append((request.method, path, query))
        return None

    def _page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        try:
            limit = int(request.query_params.get("limit", "20"))
            offset = int(request.query_params.get("offset", "0"))
        except ValueError:
            return _error(400, "Invalid request.", field="limit")
        if not 1 <= limit <= 100:
            return _error(400, "The limit must be between 1 and 100.", field="limit")
        if offset < 0:
            return _error(400, "The offset must not be negative.", field="offset")
        return JSONResponse({"total": len(items), "data": items[offset : offset + limit]})

    async def _list_job_postings(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        wanted = {
            key: set(request.query_params.getlist(key))
            for key in ("jobSite", "category", "jobRequisition", "jobPosting")
            if request.query_params.getlist(key)
        }

        def keep(posting: dict[str, Any]) -> bool:
            has = {
                "jobSite": {posting["jobSite"]["id"]},
                "category": {c["id"] for c in posting["categories"]},
                "jobRequisition": {self.posting_requisitions[posting["id"]]},
                "jobPosting": {posting["id"]},
            }
            return all(has[key] & ids for key, ids in wanted.items())

        return self._page(request, [p for p in self.job_postings.values() if keep(p)])

    async def _get_job_posting(self, request: Request) -> Response:
        return self._get_one(request, self.job_postings)

    async def _get_prospect(self, request: Request) -> Response:
        return self._get_one(request, self.prospects)

    def _attachment(self, prospect_id: str) -> tuple[str, dict[str, Any], bytes, str] | None:
        """A seeded prospect's one resume attachment: (id, details view, bytes, type)."""
        if prospect_id not in self.prospects:
            return None
        n = list(self.prospects).index(prospect_id) + 1
        person = self.prospects[prospect_id].get("descriptor") or f"Prospect {n}"
        file = sandbox_resume(n, person, f"Engineer, {2 + n % 7} years")
        attachment_id = workday_id("resumeAttachment", n)
        extension = file.filename.rpartition(".")[2]
        details = {
            "id": attachment_id,
            "fileName": file.filename,
            "fileExtension": extension,
            "fileLength": len(file.content),
        }
        return attachment_id, details, file.content, file.content_type

    async def _resumes(self, request: Request) -> Response:
        """``GET /prospects/{ID}/resumeAttachments``: the attachments' details."""
        if denied := self._denied(request):
            return denied
        found = self._attachment(request.path_params["id"])
        if found is None:
            return _error(404, "Resource not found.")
        return self._page(request, [found[1]])

    async def _resume(self, request: Request) -> Response:
        """``GET /prospects/{ID}/resumeAttachments/{subresourceID}``: the details, or with
        ``?type=viewFile`` the file itself."""
        if denied := self._denied(request):
            return denied
        found = self._attachment(request.path_params["id"])
        if found is None or found[0] != request.path_params["sub"]:
            return _error(404, "Resource not found.")
        if request.query_params.get("type") == "viewFile":
            return Response(found[2], media_type=found[3])
        return JSONResponse(found[1])

    async def _get_interview(self, request: Request) -> Response:
        return self._get_one(request, self.interviews)

    def _get_one(self, request: Request, store: dict[str, dict[str, Any]]) -> Response:
        if denied := self._denied(request):
            return denied
        found = store.get(request.path_params["id"])
        return JSONResponse(found) if found is not None else _error(404, "Resource not found.")

    async def _list_interviews(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        wanted = set(request.query_params.getlist("interviewStatus"))
        items = [
            raw
            for raw in self.interviews.values()
            if not wanted or wanted & {s["id"] for s in raw["interviewStatuses"]}
        ]
        return self._page(request, items)

    async def _create_prospect(self, request: Request) -> Response:
        """Validates like the spec's 400 table (name country; email or phone)."""
        if denied := self._denied(request):
            return denied
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return _error(400, "Invalid request.")
        person = body.get("candidate") if isinstance(body, dict) else None
        if not isinstance(person, dict) or not (person.get("name") or {}).get("country"):
            return _error(400, "Enter a name.", code="A256", field="candidate.name.country.id")
        if not person.get("email") and not person.get("phone"):
            message = "You must enter the prospect's email address or phone number."
            return _error(400, message, code="A249")
        self.created_prospects.append(body)
        n = 10_000 + next(self._counter)
        prospect_id = workday_id("prospect", n)
        stored = {
            **body,
            "id": prospect_id,
            "candidate": {**person, "id": workday_id("candidate", n)},
        }
        self.prospects[prospect_id] = stored
        self.updated_at[prospect_id] = datetime.now(UTC)
        return JSONResponse(stored, status_code=201)


SANDBOX = DemoSandbox(
    slug="workday",
    job_statuses={JobStatus.OPEN: "Open", JobStatus.ON_HOLD: "Frozen", JobStatus.CLOSED: "Closed"},
    look=SeedLook(ids=RemoteIds.PREFIXED_SERIAL),
)
"""Workday in the demo: its integration is seeded but no sandbox is served (no ``make``),
so it stays inactive."""
