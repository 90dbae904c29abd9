"""The reason a write names, picked from the account's own list.

Vendors reject or archive with a reason *id* from a list the account keeps; the gateway
is given the reason as text. The pick is the same everywhere: the usable record whose
name is that text (case-insensitive), else the account's first usable one, so a
rejection is never refused for want of an exact name.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Mapping
from typing import Any

from connectors import lenient


async def named_or_first(
    records: AsyncIterable[Any],
    wanted: str,
    *,
    name: Callable[[Mapping[str, Any]], object],
    usable: Callable[[Mapping[str, Any]], bool] = lambda _record: True,
) -> str | None:
    """The id of the record ``name`` reads as ``wanted``, else of the first usable
    record; None when the list holds none. Stops reading at the named one."""
    wanted = wanted.strip().lower()
    first: str | None = None
    async for raw in records:
        record = lenient.mapping(raw)
        reason_id = lenient.identifier(record.get("id"))
        if reason_id is None or not usable(record):
            continue
        first = first or reason_id
        if (lenient.text(name(record)) or "").lower() == wanted:
            return reason_id
    return first
