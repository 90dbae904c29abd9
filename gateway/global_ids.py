"""Global ids as the GraphQL API shows them, for code outside ``resolvers/`` too.

    >>> to_global_id("Job", 42)
    'Sm9iOjQy'

Outbound webhook payloads carry the ids a client can pass to ``node(id:)``; the
resolvers' Relay plumbing re-exports this function, so there is one encoding.
"""

from __future__ import annotations

import base64


def to_global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()
