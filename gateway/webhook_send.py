"""One signed POST of an outbound webhook, and the error a delivery records for it.

    reply = await send_signed(http, settings, url=url, secret=secret, webhook_id=webhook_id,
                              event="application.created", body=body, timeout_ms=5000,
                              scheme=SignatureScheme.STANDARD_WEBHOOKS)
    error_of(reply)        # None for a 2xx, "HTTP 503", or what kept the request from an answer

The subscription's scheme's signature headers (``gateway.webhook_signature``: Standard
Webhooks, or the integration framework's ``X-Webhook-Signature`` and ``X-Webhook-Id``)
over exactly the bytes sent, with ``X-Webhook-Event`` in both, through
``gateway.outbound_http.post`` (the target is checked again before the request).
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
from gateway.store.enums import SignatureScheme
from gateway.webhook_signature import headers_for

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
    scheme: SignatureScheme = SignatureScheme.STANDARD_WEBHOOKS,
) -> Reply:
    """One signed POST: ``scheme``'s headers over exactly the bytes sent; ``webhook_id``
    is the message's id, the same on every attempt."""
    content = orjson.dumps(body)
    headers = {
        **headers_for(scheme, secret, webhook_id, content, timestamp=int(time.time())),
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
