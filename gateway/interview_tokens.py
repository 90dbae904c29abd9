"""Public interview tokens: random, shown once (in the invitation link), stored hashed.

    token = new_token()                  # "iv_..." 43 url-safe characters after the prefix
    interview.token_hash = hash_token(token)

Lookups hash the presented token and compare in the database (a unique index on the
hash): the token itself is never stored, so a copy of the store opens no interview.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "iv_"
MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plausible(token: str) -> bool:
    """Cheap shape check before any lookup: prefix, length, url-safe characters."""
    body = token.removeprefix(PREFIX)
    return (
        token.startswith(PREFIX)
        and 16 <= len(body) <= MAX_TOKEN_LENGTH
        and all(c.isalnum() or c in "-_" for c in body)
    )
