"""``/board``: the live pipeline board for recruiters."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from gateway.runtime import runtime_of
from gateway.web.render import html_page


async def page(request: Request) -> Response:
    if not runtime_of(request).settings.board_enabled:
        return PlainTextResponse("Not Found", status_code=404)
    return html_page("board")
