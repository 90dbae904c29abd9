"""The gateway app of ``serve --demo`` (``demo.sync:create_demo_app``)."""

from __future__ import annotations

from starlette.applications import Starlette

from gateway.settings import Settings


def create_demo_app() -> Starlette:
    """The gateway of ``serve --demo``: its connectors reach the sandboxes recorded in
    the data folder (``gateway.outbound_http.sandbox_origins``), in development only."""
    from gateway.app import create_app

    settings = Settings()
    if not settings.is_development:
        raise RuntimeError("the demo is refused in production: it serves a known admin token")
    return create_app(settings)
