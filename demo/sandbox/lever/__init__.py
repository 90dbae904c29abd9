"""A fake Lever API v1 for tests and the demo sandbox.

    fake = FakeLever()
    fake.seed(jobs=3, candidates=5, applications=8)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        ...   # GET /v1/postings?limit=2 with Basic <api key>:

What it does as the real API does (see ``connectors.lever``): Basic auth with the API
key as user name and an empty password, or a bearer token from ``POST /oauth/token``
(authorization-code grant after ``GET /authorize`` with the API ``audience``, or the
refresh-token grant; client in the form; the refresh token rotates on use): 401
``UnauthorizedError`` without a known one, 403 ``ForbiddenError`` for a key without the
permission; ``{"data", "hasNext", "next"}`` pages with ``limit`` 1-100 (400 otherwise)
and the ``next`` token taken back as ``offset``; ``updated_at_start``/``_end`` (epoch
ms), ``contact_id``, ``posting_id`` and ``expand`` on ``/opportunities``; a token
bucket per credential (10 a second, bursts to 20) answering 429 with ``Retry-After``
(``faults`` injects more; Lever documents no other rate-limit headers, so none are
sent); resumes listed with a ``downloadUrl`` on the API served to the same
credentials; stage moves, archiving, notes and interview panels recorded with their
``perform_as`` user (``writes``) and announced by signed webhooks once
``enable_webhooks`` is called.
"""

from demo.sandbox.declaration import DemoFake, DemoSandbox, RemoteIds, SeedLook, Sizes
from demo.sandbox.lever.fake import FakeLever, RecordedWrite, TokenBucket
from gateway.store.enums import JobStatus


def _demo_fake(sizes: Sizes) -> DemoFake:
    """Without the token bucket: the demo's integrations pace themselves at 1,000 calls
    a second (``demo.sync.Sandbox.config``), Lever's 10 would refuse most of a first
    sync's resume downloads, and a refused download is a resume missing, not a retry."""
    fake = FakeLever(limiter=None)
    fake.seed(jobs=sizes.jobs, candidates=sizes.candidates, applications=sizes.applications)
    return DemoFake(
        app=fake.app,
        credentials={"apiKey": fake.api_key},
        people={
            str(user["email"]).lower(): str(user["name"])
            for user in fake.users.values()
            if user["deactivatedAt"] is None
        },
    )


_ADMIN, _RECRUITER = FakeLever().user_ids[:2]

SANDBOX = DemoSandbox(
    slug="lever",
    job_statuses={
        JobStatus.OPEN: "published",
        JobStatus.ON_HOLD: "draft",
        JobStatus.CLOSED: "closed",
    },
    make=_demo_fake,
    api_path="/v1",
    acting_users=(_ADMIN, _RECRUITER),
    look=SeedLook(ids=RemoteIds.UUID),
)
"""The demo's Lever (``demo.sandbox.declaration``): API v1 under ``/v1``, resume
``downloadUrl``s on the same origin; writes ``perform_as`` the super admin or the first
team member."""

__all__ = ["SANDBOX", "FakeLever", "RecordedWrite", "TokenBucket"]
