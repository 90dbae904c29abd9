"""The demo world's clock and small value helpers: every time is an offset from
``BASE_TIME``, every random duration a whole number of seconds, every mirrored record's
``Synced`` columns computed the same way."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

BASE_TIME = datetime(2026, 10, 1, tzinfo=UTC)
"""'Now' in the demo world: every timestamp lies before it."""

Row = dict[str, Any]

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


def random_span(rng: random.Random, low: timedelta, high: timedelta) -> timedelta:
    """A random whole-second duration in [low, high]."""
    return timedelta(seconds=rng.randint(int(low.total_seconds()), int(high.total_seconds())))


def random_between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start if end <= start else start + random_span(rng, timedelta(0), end - start)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def synced_columns(
    integration_id: int | None,
    remote_id: str | None,
    remote_data: Row | None,
    *,
    remote_updated_at: datetime | None,
    last_synced_at: datetime | None,
) -> Row:
    """The ``Synced`` columns of a record mirrored from an ATS."""
    content_hash = None
    if remote_data is not None:
        canonical = json.dumps(remote_data, sort_keys=True, separators=(",", ":"))
        content_hash = hashlib.sha256(canonical.encode()).hexdigest()
    return {
        "integration_id": integration_id,
        "remote_id": remote_id,
        "remote_data": remote_data,
        "remote_updated_at": remote_updated_at,
        "remote_deleted_at": None,
        "last_synced_at": last_synced_at,
        "content_hash": content_hash,
    }


def split_quota(total: int, capacities: Sequence[int]) -> list[int]:
    """Share ``total`` among groups in proportion to capacity, never above it."""
    capacity = sum(capacities)
    if total > capacity:
        raise ValueError(
            f"applications={total} exceeds the {capacity} distinct (job, candidate) pairs "
            "available within integrations; add jobs or candidates"
        )
    if total == 0:
        return [0] * len(capacities)
    quotas = [total * cap // capacity for cap in capacities]
    while (left := total - sum(quotas)) > 0:
        for index, cap in enumerate(capacities):
            if left and quotas[index] < cap:
                quotas[index] += 1
                left -= 1
    return quotas
