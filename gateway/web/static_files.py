"""``/static``: the package's scripts, styles and vendored libraries, with the page
security headers; the vendored files are versioned by path and cached for a day."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from gateway.web.headers import PAGE_HEADERS

STATIC = Path(__file__).parent / "static"


class PackageStatic(StaticFiles):
    def __init__(self) -> None:
        super().__init__(directory=STATIC)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(PAGE_HEADERS)
        vendored = path.replace("\\", "/").startswith("vendor/")
        response.headers["cache-control"] = "public, max-age=86400" if vendored else "no-cache"
        return response
