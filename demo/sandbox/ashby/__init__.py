"""A fake Ashby API for tests and the demo sandbox.

    fake = FakeAshby(files_on_request_host=True)
    fake.seed(jobs=3, candidates=5, applications=8)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as client:
        ...   # POST /job.list {"limit": 2} with Basic <key>:

What it does as the real API does (see ``connectors.ashby``): ``POST /<category.method>``
with a JSON body (anything but ``application/json`` refused); Basic auth with the key as
user name and an empty password: none is 401, a wrong one 403; what would be a 4xx is
HTTP 200 ``{"success": false, "errorInfo": {"code", "message", "requestId"}}`` (the
codes are the reference's: ``application_not_found``, ``interview_stage_not_found``,
``invalid_input`` for an Archived stage without ``archiveReasonId``...); list endpoints
page with ``limit`` (capped at 100) and ``cursor``/``nextCursor``/``moreDataAvailable``,
hand a ``syncToken`` on the last page and honour it (``sync_token_expired`` once older
than ``sync_token_ttl``), and filter on ``createdAfter``; ``file.info`` turns a
candidate's ``resumeFileHandle.handle`` into a signed storage URL the fake serves
(``/files/<candidate>/<name>``, no key needed; on the request's host with
``files_on_request_host``); a 429 with ``Retry-After`` once
``rate_limit`` calls of a ``rate_window`` are spent, for the rest of the window (``faults``
injects more). Ashby documents no rate-limit
headers on ordinary answers, so the fake sends none. ``application.changeStage`` and
``candidate.createNote`` are recorded (``writes``) with the key's user, the only actor
the API records, and stage changes are announced by signed webhooks
(``Ashby-Signature: sha256=<hex>``) once ``enable_webhooks`` is called.
"""

from demo.sandbox.ashby.fake import FakeAshby, RecordedWrite, ashby_id
from demo.sandbox.declaration import DemoFake, DemoSandbox, RemoteIds, SeedLook, Sizes
from gateway.store.enums import JobStatus


def _demo_fake(sizes: Sizes) -> DemoFake:
    fake = FakeAshby(files_on_request_host=True)
    fake.seed(jobs=sizes.jobs, candidates=sizes.candidates, applications=sizes.applications)
    return DemoFake(
        app=fake.app,
        credentials={"apiKey": fake.api_key},
        people={
            str(user["email"]).lower(): f"{user['firstName']} {user['lastName']}"
            for user in fake.users.values()
            if user["isEnabled"]
        },
    )


SANDBOX = DemoSandbox(
    slug="ashby",
    job_statuses={JobStatus.OPEN: "Open", JobStatus.ON_HOLD: "Draft", JobStatus.CLOSED: "Closed"},
    make=_demo_fake,
    acting_users=(ashby_id("user", 0), ashby_id("user", 1)),
    look=SeedLook(ids=RemoteIds.UUID),
)
"""The demo's Ashby (``demo.sandbox.declaration``): the RPC methods at the origin's root,
``file.info`` URLs on the same origin."""

__all__ = ["SANDBOX", "FakeAshby", "RecordedWrite"]
