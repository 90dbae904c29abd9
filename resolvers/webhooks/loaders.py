"""Loaders of the webhooks domain, built per request for one tenant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from gateway.store.base import table_of
from gateway.store.enums import DeliveryStatus
from gateway.store.id_lists import in_ids
from gateway.store.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from resolvers.dataloaders import TenantLoader, child_loaders, row_by_id_loader

EXCERPT_CHARS = 2000
_EXCERPT_BYTES = 4 * EXCERPT_CHARS
"""Enough bytes for 2000 characters of UTF-8, read with ``substr`` in the database."""

_deliveries = table_of(WebhookDelivery)

WebhookSubscriptionByIdLoader = row_by_id_loader(WebhookSubscription)
WebhookDeliveryByIdLoader = row_by_id_loader(WebhookDelivery)
WebhookEventByIdLoader = row_by_id_loader(WebhookEvent)
WebhookDeliveryPageBySubscriptionIdLoader, WebhookDeliveryCountBySubscriptionIdLoader = (
    child_loaders(WebhookDelivery, "subscription_id")
)


@dataclass(frozen=True, slots=True)
class StatsKey:
    subscription_id: int
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    """Counts per outcome and nearest-rank latency percentiles of the attempts made."""

    counts: dict[DeliveryStatus, int]
    p50_ms: int | None = None
    p95_ms: int | None = None


class WebhookStatsBySubscriptionIdLoader(TenantLoader[StatsKey, DeliveryStats]):
    """Two statements per distinct ``since``, however many subscriptions ask: counts
    grouped by status, and the p50/p95 durations picked in SQL by rank."""

    async def _load(self, keys: Sequence[StatsKey]) -> list[DeliveryStats]:
        groups: dict[datetime | None, set[int]] = defaultdict(set)
        for key in keys:
            groups[key.since].add(key.subscription_id)
        found: dict[StatsKey, DeliveryStats] = {}
        for since, ids in groups.items():
            found.update(await self._stats(since, ids))
        return [found[key] for key in keys]

    async def _stats(self, since: datetime | None, ids: set[int]) -> dict[StatsKey, DeliveryStats]:
        c = _deliveries.c
        where = [c.tenant_id == self.tenant_id, in_ids(c.subscription_id, ids)]
        if since is not None:
            where.append(c.created_at >= since)
        counts: dict[int, dict[DeliveryStatus, int]] = defaultdict(dict)
        for row in await self.reader.all(
            sa.select(c.subscription_id, c.status, sa.func.count().label("n"))
            .where(*where)
            .group_by(c.subscription_id, c.status)
        ):
            counts[row.subscription_id][DeliveryStatus(row.status)] = int(row.n)
        ranked = (
            sa.select(
                c.subscription_id,
                c.duration_ms,
                sa.func.row_number()
                .over(partition_by=c.subscription_id, order_by=c.duration_ms)
                .label("rank"),
                sa.func.count().over(partition_by=c.subscription_id).label("n"),
            )
            .where(*where, c.duration_ms.is_not(None))
            .subquery()
        )
        p50 = ((ranked.c.n + 1) // 2).label("p50")
        p95 = ((95 * ranked.c.n + 99) // 100).label("p95")
        percentiles: dict[int, dict[str, int]] = defaultdict(dict)
        for row in await self.reader.all(
            sa.select(
                ranked.c.subscription_id, ranked.c.duration_ms, ranked.c.rank, p50, p95
            ).where(sa.or_(ranked.c.rank == p50, ranked.c.rank == p95))
        ):
            for name in ("p50", "p95"):
                if row.rank == row._mapping[name]:
                    percentiles[row.subscription_id][name] = int(row.duration_ms)
        return {
            StatsKey(pk, since): DeliveryStats(
                counts.get(pk, {}), percentiles[pk].get("p50"), percentiles[pk].get("p95")
            )
            for pk in ids
        }


class WebhookEventBodyExcerptByIdLoader(TenantLoader[int, str | None]):
    """The start of each stored body, decoded as UTF-8 (invalid bytes replaced); the
    body itself never leaves the database whole."""

    async def _load(self, keys: Sequence[int]) -> list[str | None]:
        c = table_of(WebhookEvent).c
        rows = await self.reader.all(
            sa.select(c.id, sa.func.substr(c.body, 1, _EXCERPT_BYTES).label("head")).where(
                c.tenant_id == self.tenant_id, in_ids(c.id, keys)
            )
        )
        heads = {row.id: bytes(row.head or b"") for row in rows}
        return [
            heads[key].decode("utf-8", errors="replace")[:EXCERPT_CHARS] if key in heads else None
            for key in keys
        ]
