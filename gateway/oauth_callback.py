"""``GET /oauth/callback``: where a provider sends the admin back after authorizing.

A browser lands here, so the answers are short HTML pages; the state in the query
string is the only credential, and it is single-use.
"""

from __future__ import annotations

import html
import logging

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from gateway.runtime import runtime_of
from gateway.services.oauth import OAuthFlowError, complete_authorization

logger = logging.getLogger("talentgraph.oauth")


def _page(title: str, message: str, status: int) -> HTMLResponse:
    body = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store"})


async def oauth_callback(request: Request) -> Response:
    params = request.query_params
    state, code = params.get("state"), params.get("code")
    if params.get("error"):
        description = params.get("error_description") or params["error"]
        logger.info("oauth callback refused by the provider: %s", params["error"][:100])
        return _page("Authorization refused", description[:300], 400)
    if not state or not code or len(state) > 512 or len(code) > 4096:
        return _page("Authorization failed", "The callback needs a code and a state.", 400)
    runtime = runtime_of(request)
    try:
        integration = await complete_authorization(
            runtime.session_factory, runtime.keyring, runtime.http, state=state, code=code
        )
    except OAuthFlowError as error:
        return _page("Authorization failed", str(error), 400)
    await runtime.cache.invalidate(integration.tenant_id)
    return _page("Connected", f"{integration.name} is authorized. You can close this window.", 200)
