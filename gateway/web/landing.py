"""``/``: what talentgraph is, its version, and where to go from here.

Plain HTML, no script: each link is shown only when its page is on (GraphiQL, the
board), with how to turn it on otherwise. The README's sections link to ``/readme``
(``gateway.web.readme``), served here too. The sources named are the registered
providers (``gateway.web.sources``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.runtime import runtime_of
from gateway.version import VERSION
from gateway.web.render import html_page
from gateway.web.sources import source_names


def _hidden_unless(shown: bool) -> str:
    return "" if shown else "hidden"


async def page(request: Request) -> Response:
    settings = runtime_of(request).settings
    metrics_open = settings.is_development and settings.metrics_token is None
    return html_page(
        "landing",
        version=VERSION,
        sources=source_names(),
        graphiql_on=_hidden_unless(settings.graphiql_enabled),
        graphiql_off=_hidden_unless(not settings.graphiql_enabled),
        board_on=_hidden_unless(settings.board_enabled),
        board_off=_hidden_unless(not settings.board_enabled),
        metrics_open=_hidden_unless(metrics_open),
        metrics_token=_hidden_unless(not metrics_open),
    )
