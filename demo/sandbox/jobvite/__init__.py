"""A fake Jobvite: API v2 requisitions and candidates, and the sealed Onboarding API.

fake = JobviteFake(jobvite_private_key=theirs, customer_public_key=ours_public)
fake.seed(jobs=3, candidates=4, applications=5)
app = with_faults(build_app(fake), faults)      # what the harness serves

Like the real API (``tests/fixtures/specs/README.md`` (Jobvite)):

- every route wants ``x-jvi-api``/``x-jvi-sc`` or the signed ``X-JVI-API``/
  ``X-JVI-EPOCH``/``X-JVI-SIGN`` headers (epoch within five minutes); anything else,
  query-string credentials included, gets the 401 ``{"status": {...}}`` body;
- ``GET /api/v2/job`` and ``GET /api/v2/candidate`` page with ``start`` (0-based) and
  ``count`` (silently capped at 500), filter ``datestart``/``dateend`` (epoch ms) on
  ``lastUpdatedDate``, and answer ``{"total", "requisitions"}`` / ``{"total", "candidates"}``;
  a candidate row is one person with one application (a person with none has no
  ``application``);
- ``POST /api/v2/process``, ``/task``, ``/task/create``, ``/task/update`` take and give
  ``{"key", "payload"}`` envelopes: the fake opens requests with its own private key
  and seals answers for the customer's public key.

The fake opens an onboarding process for every seeded application (two tasks each),
so onboarding writes can target any application. Writes are kept, opened, in
``fake.writes``; every request's method, path, query and auth scheme in ``fake.requests``.

Webhooks (``demo.sandbox.webhook_sender``), once ``fake.enable_webhooks(url, secret,
client)`` is called: creating or updating onboarding tasks (the only writes) sends
``candidate.updated`` for the hire's candidate and requisition to ``<url>/candidate``,
with ``companyId`` = ``fake.company_id``. Everything else (stage changes, jobs) is sent
by hand after changing the records: ``await fake.emit("job.closed", requisition_id=eid)``.

The package: ``fake`` (the state, credentials and envelopes), ``queries`` (paging and
search filters) and ``routes`` (``build_app``).
"""

from __future__ import annotations

from demo.sandbox.declaration import DemoFake, DemoSandbox, RemoteIds, SeedLook, Sizes
from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.jobvite.fake import (
    BASE_TIME_MS,
    DEFAULT_COUNT,
    MAX_COUNT,
    RECRUITERS,
    SIGNATURE_TOLERANCE,
    UNAUTHORIZED,
    BadRequest,
    FakeApplication,
    JobviteFake,
    RecordedRequest,
    RecordedWrite,
    generate_key_pair,
    private_pem,
    public_pem,
)
from demo.sandbox.jobvite.routes import build_app
from gateway.store.enums import JobStatus


def _demo_fake(sizes: Sizes) -> DemoFake:
    jobvite_key, _ = generate_key_pair()
    fake = JobviteFake(jobvite_private_key=jobvite_key, customer_public_key=None)
    fake.seed(jobs=sizes.jobs, candidates=sizes.candidates, applications=sizes.applications)
    return DemoFake(
        app=with_faults(build_app(fake), Faults()),
        credentials={"apiKey": fake.api_key, "apiSecret": fake.api_secret},
        people={
            person["userName"].lower(): f"{person['firstName']} {person['lastName']}"
            for person in RECRUITERS
        },
        account_id=fake.company_id,
    )


SANDBOX = DemoSandbox(
    slug="jobvite",
    job_statuses={JobStatus.OPEN: "Open", JobStatus.ON_HOLD: "Hold", JobStatus.CLOSED: "Filled"},
    make=_demo_fake,
    api_path="/api/v2",
    look=SeedLook(ids=RemoteIds.PREFIXED_ALNUM, onboarding=True),
)
"""The demo's Jobvite (``demo.sandbox.declaration``)."""

__all__ = [
    "BASE_TIME_MS",
    "DEFAULT_COUNT",
    "MAX_COUNT",
    "RECRUITERS",
    "SANDBOX",
    "SIGNATURE_TOLERANCE",
    "UNAUTHORIZED",
    "BadRequest",
    "FakeApplication",
    "JobviteFake",
    "RecordedRequest",
    "RecordedWrite",
    "build_app",
    "generate_key_pair",
    "private_pem",
    "public_pem",
]
