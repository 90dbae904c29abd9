"""``/``: what this is, its version, and where to go."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.version import VERSION
from gateway.web.render import html_page


async def page(request: Request) -> Response:
    settings = request.app.state.settings
    return html_page(
        "landing",
        version=VERSION,
        config={
            "graphiql": settings.graphiql_enabled,
            "board": settings.board_enabled,
        },
    )
