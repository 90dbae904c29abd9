"""A stateful fake of BPOC's agency API (``/api/v1``), as the connector
(``connectors/bpoc/``) documents it; applications carry the statuses and
``statusHistory`` its pipeline mapping (``connectors/bpoc/pipeline.py``) reads.

    fake = BpocFake()
    fake.seed(jobs=3, candidates=4, applications=6)
    transport = httpx.ASGITransport(app=fake.app)        # fake.app is wrapped with fake.faults
    ... POST /api/v1/jobs/create {"title": "QA Analyst", "postedBy": RECRUITER_ID} ...
    fake.writes[-1]    # Write(method="POST", path="/jobs/create", body={...}, agency_id=...)
    fake.jobs[id]      # {"status": "pending_approval", "postedBy": RECRUITER_ID, ...}

On a port, with demo data: ``uvicorn --factory demo.sandbox.bpoc:make_app --port 8765``
(key ``MAIN_API_KEY``).

What it holds: three agencies, each with its own ``X-API-Key``. ``MAIN_API_KEY``'s
agency has an admin, a manager, a recruiter (the guide's example UUID) and an
inactive recruiter, plus three clients; ``OTHER_API_KEY``'s agency has one recruiter
of its own (``OTHER_AGENCY_RECRUITER_ID``); ``STARTER_API_KEY``'s agency is not on the
Enterprise tier. Jobs, candidates, applications, interviews and onboarding tasks
come from ``seed``; each key sees only its agency's records.

How it answers:

- no ``X-API-Key``, or an unknown one: 401 ``{"error": "Unauthorized", "message":
  "Missing API key" | "Invalid API key", "status": 401}``; the starter agency's key:
  403 ``{"error": "API access requires the Enterprise plan", "status": 403}``.
- lists ``GET /jobs``, ``/applications`` (each embedding its ``candidate``; seeded
  ones carry a ``statusHistory`` that ends at their ``status``),
  ``/interviews``, ``/onboarding``: ``page`` (1-based, default 1) and ``limit``
  (default 20, at most 100; more is served as 100) ->
  ``{"<items>": [...], "pagination": {"page", "limit", "total", "totalPages"}}``
  in creation order; a bad ``page``/``limit`` is a 400. ``GET /agency/recruiters``
  answers every recruiter at once, inactive ones included.
- every attribution field (``postedBy``, ``approvedBy``, ``releasedBy``, ``rejectedBy``,
  ``interviewerId``, ``scheduledBy``, ``createdBy``, ``reviewedBy``) is checked: a
  recruiter of another agency is 403 ``{"error": "Recruiter does not belong to your
  agency", "status": 403}``; a value that is not a UUID, an unknown id or an inactive
  recruiter is 400 ``{"error": "Invalid recruiter ID", "message": "Invalid recruiter
  ID: ...", "status": 400}``. A missing field is accepted (the guide's "Missing
  Attribution in BPOC" case) and stored as null.
- unknown job/application/task/client: 404 ``{"error": "<Thing> not found"}``;
  releasing an application that is rejected, withdrawn or hired: 409; a missing
  required field: 400.
- accepted writes change the records and are appended to ``writes`` (refused ones
  are not), with the body as sent.

Webhooks (``demo.sandbox.webhook_sender``), once ``fake.enable_webhooks(url, secret,
client)`` is called, for the writes of ``webhook_agency_id``'s agency (the main one; a
subscription belongs to one agency): job create ``job.created``, approve
``job.approved``, release ``application.released``, reject ``application.rejected``,
scheduling ``interview.scheduled``. Onboarding and recruiter writes send nothing. The
API answers without waiting for them; ``await fake.emit("job.closed", job_id=...)``
sends one by hand.

The package: ``records`` (keys, ids, limits and the types of state and answers),
``payloads`` (the records' shapes, seeded or created by a write), ``fake`` (``BpocFake``:
the state and seeding; ``make_app``), ``checks`` (the key, body, attribution, ownership
and paging checks) and ``routes`` (``build_app``).
"""

from __future__ import annotations

from demo.sandbox.bpoc.fake import BpocFake, make_app
from demo.sandbox.bpoc.records import (
    ADMIN_ID,
    ATTRIBUTION_FIELDS,
    CLIENT_IDS,
    DEFAULT_LIMIT,
    INACTIVE_RECRUITER_ID,
    MAIN_AGENCY_ID,
    MAIN_API_KEY,
    MANAGER_ID,
    MAX_LIMIT,
    OTHER_AGENCY_ID,
    OTHER_AGENCY_RECRUITER_ID,
    OTHER_API_KEY,
    RECRUITER_ID,
    RESUME_HOST,
    ROLES,
    SEED_TIME,
    STARTER_AGENCY_ID,
    STARTER_API_KEY,
    UNKNOWN_RECRUITER_ID,
    Agency,
    ApiError,
    Record,
    Write,
    iso,
)
from demo.sandbox.bpoc.routes import build_app
from demo.sandbox.declaration import DemoFake, DemoSandbox, Region, RemoteIds, SeedLook, Sizes
from gateway.store.enums import JobStatus


def _demo_fake(sizes: Sizes) -> DemoFake:
    fake = BpocFake()
    fake.seed(jobs=sizes.jobs, candidates=sizes.candidates, applications=sizes.applications)
    return DemoFake(
        app=fake.app,
        credentials={"apiKey": MAIN_API_KEY},
        people={
            str(recruiter["email"]).lower(): f"{recruiter['firstName']} {recruiter['lastName']}"
            for recruiter in fake.recruiters.values()
            if recruiter["agencyId"] == MAIN_AGENCY_ID and recruiter.get("isActive", True)
        },
    )


SANDBOX = DemoSandbox(
    slug="bpoc",
    job_statuses={
        JobStatus.OPEN: "active",
        JobStatus.ON_HOLD: "paused",
        JobStatus.CLOSED: "closed",
    },
    make=_demo_fake,
    api_path="/api/v1",
    acting_users=(ADMIN_ID, RECRUITER_ID),
    look=SeedLook(ids=RemoteIds.UUID, region=Region.PHILIPPINES, onboarding=True),
)
"""The demo's BPOC (``demo.sandbox.declaration``)."""

__all__ = [
    "ADMIN_ID",
    "ATTRIBUTION_FIELDS",
    "CLIENT_IDS",
    "DEFAULT_LIMIT",
    "INACTIVE_RECRUITER_ID",
    "MAIN_AGENCY_ID",
    "MAIN_API_KEY",
    "MANAGER_ID",
    "MAX_LIMIT",
    "OTHER_AGENCY_ID",
    "OTHER_AGENCY_RECRUITER_ID",
    "OTHER_API_KEY",
    "RECRUITER_ID",
    "RESUME_HOST",
    "ROLES",
    "SANDBOX",
    "SEED_TIME",
    "STARTER_AGENCY_ID",
    "STARTER_API_KEY",
    "UNKNOWN_RECRUITER_ID",
    "Agency",
    "ApiError",
    "BpocFake",
    "Record",
    "Write",
    "build_app",
    "iso",
    "make_app",
]
