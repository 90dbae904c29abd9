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

from demo.sandbox.lever.fake import FakeLever, RecordedWrite, TokenBucket

__all__ = ["FakeLever", "RecordedWrite", "TokenBucket"]
