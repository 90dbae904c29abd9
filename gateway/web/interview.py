"""``/interview/{token}``: the candidate's interview page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.web.render import html_page


async def page(request: Request) -> Response:
    return html_page("interview", private=True)
