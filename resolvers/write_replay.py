"""The two fields of idempotent writes: the ``idempotencyKey`` an input takes
(``idempotency_key: str | None = idempotency_key_field()``) and the ``replayed`` flag its
success payload reports (``replayed: bool = replayed_field()``).

Each call makes a fresh field: strawberry fields cannot be shared between types.
"""

from __future__ import annotations

from typing import Any

import strawberry


def idempotency_key_field() -> Any:
    return strawberry.field(
        default=None,
        description="Send the same key again (within a day) to get the first result back "
        "instead of writing twice.",
    )


def replayed_field() -> Any:
    return strawberry.field(description="True when an idempotency key returned an earlier result.")
