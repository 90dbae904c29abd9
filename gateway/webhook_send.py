"""One signed POST of an outbound webhook, and the error a delivery records for it.

    reply = await send_signed(http, settings, url=url, secret=secret, webhook_id=webhook_id,
                              event="application.created", body=body, timeout_ms=5000)
    error_of(reply)        # None for a 2xx, "HTTP 503", or what kept the request from an answer

Standard Webhooks headers (``gateway.webhook_signature``) over exactly the bytes sent,
through ``gateway.outbound_http.post`` (the target is checked again before the request).
Shared by the deliveries the worker retries (``jobs.deliver``) and the test message an
admin sends now (``gateway.services.webhook_tests``).
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson

from gateway.outbound_http import Reply, post
from gateway.settings import Settings
from gateway.webhook_signature import signature_headers

USER_AGENT = "talentgraph-webhooks/1"
MAX_ERROR_LENGTH = 2000


def error_of(reply: Reply) -> str | None:
    if reply.error is not None:
        return reply.error[:MAX_ERROR_LENGTH]
    code = reply.status_code
    if code is not None and not 200 <= code < 300:
        return f"HTTP {code}"
    return None


async def send_signed(
    http: httpx.AsyncClient,
    settings: Settings,
    *,
    url: str,
    secret: str,
    webhook_id: str,
    event: str,
    body: dict[str, Any],
    timeout_ms: int,
) -> Reply:
    """One signed POST: Standard Webhooks headers over exactly the bytes sent."""
    content = orjson.dumps(body)
    headers = {
        **signature_headers(secret, webhook_id, content, timestamp=int(time.time())),
        "X-Webhook-Event": event,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    return await post(
        http,
        url,
        content,
        headers,
        time_limit=timeout_ms / 1000,
        allow_private=settings.webhook_allow_private_targets,
    )
