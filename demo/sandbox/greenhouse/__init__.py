"""A fake Greenhouse Harvest v3 for tests and the demo sandbox.

    fake = FakeGreenhouse(files_on_request_host=True)
    fake.seed(jobs=3, candidates=5, applications=8)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        ...   # POST /token, then GET /v3/jobs?per_page=2 with the bearer token

What it does as the real API does (see ``connectors.greenhouse``): client-credentials
tokens at ``POST /token`` (Basic ``client_id:client_secret``, form
``grant_type=client_credentials&sub=<user id>``; a bad client is 401
``invalid_client``, an unknown ``sub`` 400 ``invalid_grant``); bearer tokens on
``/v3/*`` (401 without a known one); cursor paging through ``Link: <...>; rel="next"``
with the cursor as the only parameter (422 otherwise) and ``per_page`` 1-500;
``ids``/``candidate_ids``/``job_ids``/``application_ids``, ``type`` and
``updated_at=gte|<ISO>`` filters (an unknown one is 422); v3's record shapes (ids where
v1 embedded objects, attachments, job owners and application stages as resources of
their own); ``X-RateLimit-Limit``/``X-RateLimit-Remaining`` on every answer and a 429
with ``Retry-After`` when the window is spent (``faults`` injects more); move (422 unless
``from_stage_id`` is the application's current ``stage_id``), reject, a new application
and a new note (403 when its ``user_id`` is not the token's user), recorded with the
token's user (``writes``) and announced by signed webhooks (``Signature: sha256 <hex>``)
once ``enable_webhooks`` is called.
"""

from demo.sandbox.declaration import DemoFake, DemoSandbox, Sizes
from demo.sandbox.greenhouse.fake import FakeGreenhouse, RecordedWrite
from gateway.store.enums import JobStatus

READER_ID = "4080"
"""The user reads run as (``userId``): the site admin."""


def _demo_fake(sizes: Sizes) -> DemoFake:
    fake = FakeGreenhouse(files_on_request_host=True)
    fake.seed(jobs=sizes.jobs, candidates=sizes.candidates, applications=sizes.applications)
    return DemoFake(
        app=fake.app,
        credentials={
            "clientId": fake.client_id,
            "clientSecret": fake.client_secret,
            "userId": READER_ID,
        },
        people={
            str(user["primary_email"]).lower(): str(user["name"])
            for user in fake.users.values()
            if not user["deactivated"]
        },
    )


SANDBOX = DemoSandbox(
    slug="greenhouse",
    job_statuses={JobStatus.OPEN: "open", JobStatus.ON_HOLD: "draft", JobStatus.CLOSED: "closed"},
    make=_demo_fake,
    api_path="/v3",
    origin_config={"tokenUrl": "/token"},
    acting_users=(READER_ID, "4081"),
)
"""The demo's Greenhouse (``demo.sandbox.declaration``): Harvest v3 under ``/v3``, its
token endpoint at ``/token`` on the same origin."""

__all__ = ["READER_ID", "SANDBOX", "FakeGreenhouse", "RecordedWrite"]
