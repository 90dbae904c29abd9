"""What both Jobvite APIs (v2 and Onboarding) share on the wire: the in-body error
status and dates in epoch milliseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.errors import AuthError, ConnectorError, NotFoundError, UnprocessableError
from connectors.lenient import timestamp


def status_error(body: Any) -> ConnectorError | None:
    """Jobvite's error object, ``{"status": {"code": 401, "messages": [...]}}``, as the
    typed error; ``None`` when ``body`` is not one. Both APIs use it, and a 2xx answer
    may still carry it."""
    status = body.get("status") if isinstance(body, dict) else None
    code = status.get("code") if isinstance(status, dict) else None
    if not isinstance(code, int) or code < 400:
        return None
    assert isinstance(status, dict)
    messages = status.get("messages")
    detail = "; ".join(str(m) for m in messages) if isinstance(messages, list) else ""
    message = f"Jobvite refused ({code}): {detail or 'no message'}"[:300]
    if code in (401, 403):
        return AuthError(message, status=code)
    if code == 404:
        return NotFoundError(message, status=code)
    return UnprocessableError(message, status=code)


def to_epoch_ms(moment: datetime) -> int:
    """``to_epoch_ms(datetime(2024, 1, 1, tzinfo=UTC))`` -> ``1704067200000``; naive is UTC.
    Jobvite's dates, in v2 and onboarding alike, are epoch milliseconds."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def from_epoch_ms(value: Any) -> datetime | None:
    """``from_epoch_ms(1549916832797)`` -> ``2019-02-11 20:27:12.797000+00:00``; digit
    strings too, anything unreadable or out of range ``None``."""
    return timestamp(value, epoch_unit="ms")
