"""A fake Greenhouse Harvest v3 for tests and the demo sandbox.

    fake = FakeGreenhouse()
    fake.seed(jobs=3, candidates=5, applications=8)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        ...   # POST /token, then GET /v3/jobs?per_page=2 with the bearer token

What it does as the real API does (see ``connectors.greenhouse``): client-credentials
tokens at ``POST /token`` (Basic ``client_id:client_secret``, form
``grant_type=client_credentials&sub=<user id>``; a bad client is 401
``invalid_client``, an unknown ``sub`` 400 ``invalid_grant``); bearer tokens on
``/v3/*`` (401 without a known one); cursor paging through ``Link: <...>; rel="next"``
with the cursor as the only parameter (422 otherwise) and ``per_page`` 1-500;
``ids``/``candidate_ids``/``job_id`` and ``updated_at=gte|<ISO>`` filters;
``X-RateLimit-Limit``/``X-RateLimit-Remaining`` on every answer and a 429 with
``Retry-After`` when the window is spent (``faults`` injects more); move and reject,
recorded with the token's user (``writes``) and announced by signed webhooks
(``Signature: sha256 <hex>``) once ``enable_webhooks`` is called.
"""

from demo.sandbox.declaration import DemoFake, DemoSandbox, Sizes
from demo.sandbox.greenhouse.fake import FakeGreenhouse, RecordedWrite
from gateway.store.enums import JobStatus

READER_ID = "4080"
"""The user reads run as (``userId``): the site admin."""


def _demo_fake(sizes: Sizes) -> DemoFake:
    fake = FakeGreenhouse()
    fake.seed(jobs=sizes.jobs, candidates=sizes.candidates, applications=sizes.applications)
    return DemoFake(
        app=fake.app,
        credentials={
            "clientId": fake.client_id,
            "clientSecret": fake.client_secret,
            "userId": READER_ID,
        },
        people={
            str(user["primary_email_address"]).lower(): str(user["name"])
            for user in fake.users.values()
            if not user["disabled"]
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
