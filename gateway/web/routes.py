"""The browser routes, mounted by ``gateway.app.create_app``.

    /                     landing page (``landing``)
    /interview/{token}    the candidate's interview (``interview``)
    /board                the live pipeline board (``board``; see ``Settings.board_enabled``)
    /readme               the project's README, its sections linked from the landing page
    /static/...           scripts, styles, vendored GraphiQL (``static_files``)

GraphiQL itself answers browsers on ``GET /graphql`` (``resolvers.http`` hands over to
``gateway.web.graphiql``).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route

from gateway.web import board, interview, landing, readme
from gateway.web.static_files import PackageStatic


def routes() -> list[BaseRoute]:
    return [
        Route("/", landing.page, methods=["GET"]),
        Route("/interview/{token}", interview.page, methods=["GET"]),
        Route("/board", board.page, methods=["GET"]),
        Route("/readme", readme.page, methods=["GET"]),
        Mount("/static", app=PackageStatic(), name="static"),
    ]
