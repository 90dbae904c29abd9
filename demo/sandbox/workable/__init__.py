"""A fake Workable SPI v3 for tests and the demo sandbox.

    fake = FakeWorkable(files_on_request_host=True)
    fake.seed(jobs=3, candidates=5, applications=8)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        ...   # GET https://<subdomain>.workable.com/spi/v3/jobs?limit=2, bearer token

What it does as the real API does (see ``connectors.workable``): bearer account tokens
on ``/spi/v3/*`` (401 ``{"error": "Not authorized"}`` without a known one, 403 for a
token without the write scope); lists as ``{"<things>": [...], "paging": {"next":
<full URL with since_id>}}`` with ``limit`` 1-100 (default 50); ``since_id``/``max_id``,
``created_after``/``updated_after`` (ISO-8601 or unix seconds) and ``shortcode``
filters; ``X-Rate-Limit-Limit``/``-Remaining``/``-Reset`` on every answer and, when a
token's 10-second interval is spent, a 429 carrying them and no ``Retry-After``
(``faults`` injects 429s with one, and 5xx); move, disqualify and comment, each
refused without a known ``member_id`` and recorded with it (``writes``); a
``candidate_moved`` webhook signed ``X-Workable-Signature`` (hex HMAC-SHA256 of the
body) after each move once ``enable_webhooks`` is called; every candidate's resume
served at its ``resume_url`` (file storage, no token; on the request's host with
``files_on_request_host``).
"""

from demo.sandbox.declaration import DemoFake, DemoSandbox, Sizes
from demo.sandbox.workable.fake import FakeWorkable, RecordedWrite
from gateway.store.enums import JobStatus


def _demo_fake(sizes: Sizes) -> DemoFake:
    fake = FakeWorkable(files_on_request_host=True)
    fake.seed(jobs=sizes.jobs, candidates=sizes.candidates, applications=sizes.applications)
    return DemoFake(
        app=fake.app,
        credentials={"subdomain": fake.subdomain, "accessToken": fake.access_token},
        people={
            str(member["email"]).lower(): str(member["name"]) for member in fake.members.values()
        },
    )


SANDBOX = DemoSandbox(
    slug="workable",
    job_statuses={
        JobStatus.OPEN: "published",
        JobStatus.ON_HOLD: "draft",
        JobStatus.CLOSED: "closed",
    },
    make=_demo_fake,
    api_path="/spi/v3",
    acting_users=("13e0eb0e", "13e0eb0f"),
)
"""The demo's Workable (``demo.sandbox.declaration``): SPI v3 under ``/spi/v3``, the
resumes on the same origin; writes name the admin's or the first recruiter's member."""

__all__ = ["SANDBOX", "FakeWorkable", "RecordedWrite"]
