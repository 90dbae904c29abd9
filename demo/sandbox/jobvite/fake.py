"""The fake Jobvite's state: its requisitions, candidates, applications and onboarding
processes, seeded deterministically; how it tells a request's credentials apart and
opens and seals the Onboarding API's envelopes; the keys both sides use."""

from __future__ import annotations

import hmac
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from starlette.requests import Request
from starlette.responses import JSONResponse

from connectors.errors import InvalidResponseError
from connectors.jobvite import signature
from connectors.jobvite.envelope import decrypt_envelope, encrypt_envelope
from demo.sandbox.webhook_sender import Provider, WebhookEmitter, WebhookSource

MAX_COUNT = 500
DEFAULT_COUNT = 100
SIGNATURE_TOLERANCE = 300
UNAUTHORIZED = {
    "status": {
        "code": 401,
        "messages": ["Invalid api/secret. Try again with a valid api/secret"],
    }
}
BASE_TIME_MS = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

_TITLES = (
    ("Senior Backend Engineer", "Engineering"),
    ("Customer Support Specialist", "Operations"),
    ("Account Executive", "Sales"),
    ("Registered Nurse", "Healthcare"),
    ("Payroll Analyst", "Finance"),
)
_JOB_STATES = ("Open", "Open", "On Hold", "Filled", "Draft", "Closed")
_WORKFLOW = (
    ("New", None),
    ("Reviewed", None),
    ("Phone Screen", None),
    ("Interview", None),
    ("Offer", None),
    ("Hired", None),
    ("Rejected", "Not a fit for the role"),
    ("Withdrawn", "Accepted another offer"),
)
_PEOPLE = (
    ("Ana", "Reyes", "Austin", "TX"),
    ("Ben", "Okafor", "Chicago", "IL"),
    ("Chloe", "Nguyen", "Seattle", "WA"),
    ("Dev", "Patel", "Boston", "MA"),
    ("Elena", "Rossi", "Denver", "CO"),
    ("Farid", "Haddad", "Miami", "FL"),
)
_TASKS = (("Sign offer letter", "DOC"), ("Complete Form I-9", "I9"))
TASK_STATUSES = ("pending", "completed", "approved", "rejected")
_RECRUITER = {
    "userId": "uRecr001",
    "userName": "priya.raman@demoagency.example",
    "firstName": "Priya",
    "lastName": "Raman",
}
RECRUITERS = (_RECRUITER,)
"""The company's recruiters, as its requisitions name them."""


def generate_key_pair() -> tuple[RSAPrivateKey, str]:
    """A fresh RSA-2048 key and its public half as PEM text."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, public_pem(key.public_key())


def public_pem(key: RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def private_pem(key: RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@dataclass
class FakeApplication:
    candidate_eid: str
    job_eid: str
    data: dict[str, Any]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    scheme: Literal["plain", "signed"] | None


@dataclass(frozen=True)
class RecordedWrite:
    path: str
    payload: dict[str, Any]


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def status_response(code: int, *messages: str) -> JSONResponse:
    return JSONResponse({"status": {"code": code, "messages": list(messages)}}, status_code=code)


@dataclass
class JobviteFake(WebhookSource):
    webhook_provider: ClassVar[Provider] = "jobvite"

    jobvite_private_key: RSAPrivateKey
    customer_public_key: RSAPublicKey | None
    api_key: str = "jv-api-key"
    api_secret: str = "jv-api-secret"
    clock: Callable[[], float] = time.time
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)
    applications: dict[str, FakeApplication] = field(default_factory=dict)
    processes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    writes: list[RecordedWrite] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(20240401))
    company_id: str = "demo-agency"
    """The Jobvite company: ``companyId`` in webhooks."""
    webhooks: WebhookEmitter | None = None

    # --- state ------------------------------------------------------------------------

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _eid(self, taken: Mapping[str, object]) -> str:
        while True:
            eid = "o" + "".join(self.rng.choices(_ALNUM, k=7))
            if eid not in taken:
                return eid

    def _object_id(self, taken: Mapping[str, object]) -> str:
        while True:
            oid = f"{self.rng.getrandbits(96):024x}"
            if oid not in taken:
                return oid

    def add_job(self, **fields: Any) -> dict[str, Any]:
        n = len(self.jobs)
        title, department = _TITLES[n % len(_TITLES)]
        job: dict[str, Any] = {
            "eId": self._eid(self.jobs),
            "requisitionId": str(4100 + n),
            "title": title,
            "jobState": _JOB_STATES[n % len(_JOB_STATES)],
            "department": department,
            "category": department,
            "location": "Austin, TX",
            "locationCity": "Austin",
            "locationState": "TX",
            "locationCountry": "United States",
            "jobType": "Full-Time",
            "description": f"<p>{title} for Demo Agency's client.</p>",
            "company": "Demo Agency",
            "primaryRecruiter": dict(_RECRUITER),
            "recruiters": [dict(_RECRUITER)],
            "createdDate": BASE_TIME_MS + n * 3_600_000,
            "lastUpdatedDate": BASE_TIME_MS + n * 3_600_000 + 60_000,
            **fields,
        }
        self.jobs[job["eId"]] = job
        return job

    def add_candidate(self, **fields: Any) -> dict[str, Any]:
        n = len(self.candidates)
        first, last, city, state = _PEOPLE[n % len(_PEOPLE)]
        candidate: dict[str, Any] = {
            "eId": self._eid(self.candidates),
            "firstName": first,
            "lastName": f"{last}{n // len(_PEOPLE) or ''}",
            "email": f"{first.lower()}.{last.lower()}{n}@mail.example",
            "homePhone": f"555-010-{n:04d}",
            "mobile": "",
            "workPhone": "",
            "address": f"{100 + n} Main Street",
            "city": city,
            "state": state,
            "country": "USA",
            "postalCode": "73301",
            "location": f"{city}, {state}",
            "title": "Specialist",
            "companyName": "Previous Co",
            "workStatus": "US Citizen",
            "lastUpdatedDate": BASE_TIME_MS + n * 600_000,
            **fields,
        }
        self.candidates[candidate["eId"]] = candidate
        return candidate

    def add_application(
        self, candidate_eid: str, job_eid: str, *, onboarding: bool = True, **fields: Any
    ) -> FakeApplication:
        n = len(self.applications)
        state, disposition = _WORKFLOW[n % len(_WORKFLOW)]
        data: dict[str, Any] = {
            "eId": self._eid(self.applications),
            "workflowState": state,
            "workflowStateEId": f"wf{_WORKFLOW.index((state, disposition)):06d}",
            "jobviteChannel": "Career Site",
            "source": "Demo Agency - Desktop",
            "sourceType": "Demo Agency Career Site",
            "sentDate": BASE_TIME_MS + n * 900_000,
            "lastUpdatedDate": BASE_TIME_MS + n * 900_000 + 120_000,
            "gender": "Decline to Self Identify",
            "hasArtifacts": False,
            **fields,
        }
        if disposition:
            data.setdefault("disposition", disposition)
        application = FakeApplication(candidate_eid, job_eid, data)
        self.applications[data["eId"]] = application
        if onboarding:
            self.add_process(application)
        return application

    def add_process(self, application: FakeApplication) -> dict[str, Any]:
        candidate = self.candidates[application.candidate_eid]
        process: dict[str, Any] = {
            "id": self._object_id(self.processes),
            "candidateId": application.candidate_eid,
            "applicationId": application.data["eId"],
            "jobId": application.job_eid,
            "status": "active",
            "hireDate": "2024-03-01",
            "firstName": candidate["firstName"],
            "lastName": candidate["lastName"],
            "email": candidate["email"],
            "lastUpdatedDate": application.data["lastUpdatedDate"],
        }
        self.processes[process["id"]] = process
        for name, kind in _TASKS:
            n = len(self.tasks)
            task = {
                "id": self._object_id(self.tasks),
                "processId": process["id"],
                "name": name,
                "description": f"{name} before the start date.",
                "type": kind,
                "status": TASK_STATUSES[n % len(TASK_STATUSES)],
                "dueDate": "2024-02-15",
                "lastUpdatedDate": process["lastUpdatedDate"] + n * 1000,
            }
            self.tasks[task["id"]] = task
        return process

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """Applications pair candidate ``c`` with job ``(c + k) % jobs`` for k = 0, 1, ...
        so no pair repeats; at most ``jobs * candidates`` of them."""
        if applications and (not jobs or not candidates):
            raise ValueError("applications need jobs and candidates")
        if applications > jobs * candidates:
            raise ValueError("more applications than distinct candidate/job pairs")
        job_ids = [self.add_job()["eId"] for _ in range(jobs)]
        candidate_ids = [self.add_candidate()["eId"] for _ in range(candidates)]
        pairs = (
            (candidate_ids[c], job_ids[(c + k) % jobs])
            for k in range(jobs)
            for c in range(candidates)
        )
        for _, (candidate_eid, job_eid) in zip(range(applications), pairs, strict=False):
            self.add_application(candidate_eid, job_eid)

    def touch_job(self, eid: str) -> None:
        self.jobs[eid]["lastUpdatedDate"] = self.now_ms()

    def touch_application(self, eid: str) -> None:
        self.applications[eid].data["lastUpdatedDate"] = self.now_ms()

    def candidate_rows(self) -> Iterator[dict[str, Any]]:
        """``/candidate`` rows: each person once per application, in seeding order."""
        by_candidate: dict[str, list[FakeApplication]] = {}
        for application in self.applications.values():
            by_candidate.setdefault(application.candidate_eid, []).append(application)
        for eid, candidate in self.candidates.items():
            applications = by_candidate.get(eid)
            if not applications:
                yield dict(candidate)
                continue
            for application in applications:
                job = self.jobs[application.job_eid]
                summary = {
                    key: job[key]
                    for key in (
                        "eId",
                        "requisitionId",
                        "title",
                        "company",
                        "department",
                        "location",
                        "jobType",
                        "primaryRecruiter",
                        "recruiters",
                    )
                    if key in job
                }
                yield {**candidate, "application": {**application.data, "job": summary}}

    def webhook_defaults(self) -> dict[str, Any]:
        return {"company_id": self.company_id}

    def notify_candidate_of(self, process_id: str) -> None:
        """``candidate.updated`` for the hire an onboarding process belongs to."""
        process = self.processes[process_id]
        self.notify(
            "candidate.updated",
            candidate_id=process["candidateId"],
            requisition_id=process["jobId"],
        )

    # --- auth -------------------------------------------------------------------------

    def auth_scheme(self, request: Request) -> Literal["plain", "signed"] | None:
        """The scheme whose credentials are right, ``None`` when none is."""
        headers = request.headers
        if "x-jvi-sign" in headers:
            epoch = headers.get("x-jvi-epoch", "")
            if not epoch.isdigit() or abs(self.clock() - int(epoch)) > SIGNATURE_TOLERANCE:
                return None
            expected = signature(self.api_key, self.api_secret, int(epoch))
            ok = hmac.compare_digest(headers.get("x-jvi-api", ""), self.api_key)
            return "signed" if ok and hmac.compare_digest(headers["x-jvi-sign"], expected) else None
        key_ok = hmac.compare_digest(headers.get("x-jvi-api", ""), self.api_key)
        secret_ok = hmac.compare_digest(headers.get("x-jvi-sc", ""), self.api_secret)
        return "plain" if key_ok and secret_ok else None

    # --- onboarding envelope ------------------------------------------------------------

    async def open_request(self, request: Request) -> dict[str, Any]:
        try:
            envelope = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            raise BadRequest("Request body is not JSON") from None
        try:
            return decrypt_envelope(envelope, self.jobvite_private_key)
        except InvalidResponseError:
            raise BadRequest("Unable to decrypt the request") from None

    def seal(self, payload: Mapping[str, Any]) -> JSONResponse:
        if self.customer_public_key is None:
            return status_response(500, "No customer public key on file")
        return JSONResponse(dict(encrypt_envelope(payload, self.customer_public_key)))
