"""Security headers of every page and static file the gateway serves to browsers.

The Content-Security-Policy keeps scripts, styles, images, fonts and connections
(``fetch`` and the WebSocket: CSP Level 3 ``'self'`` covers ``ws:``/``wss:`` of the same
host) on this origin, so a page can make no third-party request even by mistake.
``no-referrer`` keeps a page's URL (the interview token) out of every request's
``Referer``.
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""``'unsafe-inline'`` styles only: React and CodeMirror set element styles at run time."""

PAGE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def page_headers(*, private: bool = False) -> dict[str, str]:
    """The headers of a page; ``private`` pages (one per token) are never stored."""
    headers = dict(PAGE_HEADERS)
    headers["cache-control"] = "no-store" if private else "no-cache"
    return headers
