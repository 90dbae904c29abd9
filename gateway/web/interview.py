"""``/interview/{token}``: the candidate's interview page.

The token in the path is the only credential; the page's script reads it from
``location.pathname`` and sends it in GraphQL variables (``publicInterview`` and its
mutations and subscription), never in a query string. A token of the wrong shape gets
a plain 404 page at once, without a store read, so guessing costs the store nothing.
Every answer is ``private`` (``no-store``) and carries ``Referrer-Policy: no-referrer``
(``gateway.web.headers``), so the token stays out of caches and ``Referer`` headers.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.interview_tokens import plausible
from gateway.runtime import runtime_of
from gateway.services.interview_chat import MAX_NOTE_CHARS
from gateway.web.render import html_page


async def page(request: Request) -> Response:
    if not plausible(request.path_params["token"]):
        return html_page("interview-not-found", status=404, private=True)
    settings = runtime_of(request).settings
    return html_page(
        "interview",
        private=True,
        config={
            "maxMessageChars": settings.interview_max_message_chars,
            "maxNoteChars": MAX_NOTE_CHARS,
        },
    )
