"""A stateful fake of Recruiterflow's external API, in the shapes of its OpenAPI examples.

    fake = FakeRecruiterflow()
    fake.seed(jobs=12, candidates=8, applications=20)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app), base_url="http://fake")
    await client.get("/api/external/job/list", headers={"RF-Api-Key": fake.api_key},
                     params={"items_per_page": 5, "current_page": 3})   # -> [job, job]
    fake.writes[-1]   # RecordedWrite(path="/api/external/candidate/move-to-stage", body={...})

Like the real API:

- ``RF-Api-Key`` is required; missing or wrong -> 401 ``{"RESULT": "FAILURE", "message": ...}``.
- Lists page with ``current_page`` (1-based) and ``items_per_page`` (default 10). The
  job list is a bare array, other lists ``{"data": [...]}``; ``include_count=true`` makes
  both ``{"data": [...], "total_items": N}``. Past the end a page is empty.
- ``/candidate/activities/stage-movement/list`` pages over the candidate's jobs.
- Writes answer ``{"RESULT": "SUCCESS"}`` (notes ``{"note_id": N}``), refusals
  ``{"RESULT": "FAILURE", "message": ...}`` with 400/404, and an unknown ``user_id`` /
  ``created_by`` the 403 "The specified user is not present in your account".
- Unknown paths answer an HTML page (the real host serves its marketing site there; 404 here).

Beyond the spec's examples, jobs carry ``company``, ``created_at`` (the integration design
names both) and ``updated_at``, so ``touch_job`` has something to move.

Webhooks (``demo.sandbox.webhook_sender``), once ``fake.enable_webhooks(url, secret,
client)`` is called: an accepted move-to-stage or disqualify sends
``candidate.stage_changed`` (with the stage), add-to-job ``candidate.added_to_job``, a job
update ``job.updated``; notes send nothing. The API answers without waiting for them;
``await fake.emit("job.archived", job_id=1001)`` sends one by hand.

The package: ``records`` (the constants and the state's types), ``payloads`` (the records'
shapes: seeded, listed, with presigned file links), ``fake`` (``FakeRecruiterflow``: the
state, seeding and the changes writes make), ``queries`` (ids, times and paging in a
request) and ``routes`` (``build_app``).
"""

from __future__ import annotations

from demo.sandbox.declaration import DemoFake, DemoSandbox, SeedLook, Sizes
from demo.sandbox.recruiterflow.fake import FakeRecruiterflow
from demo.sandbox.recruiterflow.records import (
    ACTIVITY_TYPES,
    API,
    BASE_TIME,
    DEFAULT_ITEMS_PER_PAGE,
    JSON,
    NOT_IN_ACCOUNT,
    OTHER_STAGE_NAMES,
    PIPELINE,
    Application,
    ApplicationTable,
    RecordedWrite,
    Refused,
    rf_time,
)
from demo.sandbox.recruiterflow.routes import Handler, build_app
from gateway.store.enums import JobStatus


def _demo_fake(sizes: Sizes) -> DemoFake:
    fake = FakeRecruiterflow()
    fake.seed(jobs=sizes.jobs, candidates=sizes.candidates, applications=sizes.applications)
    return DemoFake(
        app=fake.app,
        credentials={"apiKey": fake.api_key},
        people={str(user["email"]).lower(): str(user["name"]) for user in fake.users.values()},
    )


SANDBOX = DemoSandbox(
    slug="recruiterflow",
    job_statuses={JobStatus.OPEN: "Open", JobStatus.ON_HOLD: "On Hold", JobStatus.CLOSED: "Closed"},
    make=_demo_fake,
    acting_users=("40201", "10447"),
    look=SeedLook(numeric_stage_ids=True),
)
"""The demo's Recruiterflow (``demo.sandbox.declaration``)."""

__all__ = [
    "ACTIVITY_TYPES",
    "API",
    "BASE_TIME",
    "DEFAULT_ITEMS_PER_PAGE",
    "JSON",
    "NOT_IN_ACCOUNT",
    "OTHER_STAGE_NAMES",
    "PIPELINE",
    "SANDBOX",
    "Application",
    "ApplicationTable",
    "FakeRecruiterflow",
    "Handler",
    "RecordedWrite",
    "Refused",
    "build_app",
    "rf_time",
]
