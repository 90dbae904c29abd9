"""Generic, tenant-scoped DataLoader shapes; each domain's ``loaders.py`` names its own.

    class CandidateByIdLoader(RowByIdLoader):
        table = table_of(Candidate)

Every loader is built per request for one tenant and batches all keys of one tick
into one statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.dataloader import DataLoader

from gateway.store.paging import Ordering, Page, PageRequest, fetch_partitioned_pages
from gateway.store.reader import Reader

if TYPE_CHECKING:
    from resolvers.loaders import Loaders


class Criteria(Protocol, Hashable):
    def where(self, tenant_id: int) -> list[sa.ColumnElement[bool]]: ...


HEAVY_COLUMNS = frozenset({"remote_data", "resume_text", "body", "raw", "content_hash"})


def light_columns(table: sa.Table) -> list[sa.Column[Any]]:
    """Every column a GraphQL type reads: raw payloads stay in the database."""
    return [column for column in table.columns if column.name not in HEAVY_COLUMNS]


Prefetcher = Callable[[AsyncConnection, int, list[Row[Any]]], Awaitable[dict[int, Any]]]
"""Loads one relation for a page of rows in one statement: row id -> value."""


class _TenantLoader:
    def __init__(self, reader: Reader, tenant_id: int) -> None:
        self.reader = reader
        self.tenant_id = tenant_id


class RowByIdLoader(_TenantLoader, DataLoader[int, Row[Any] | None]):
    table: ClassVar[sa.Table]

    def __init__(self, reader: Reader, tenant_id: int) -> None:
        _TenantLoader.__init__(self, reader, tenant_id)
        DataLoader.__init__(self, load_fn=self._load)

    async def _load(self, ids: Sequence[int]) -> list[Row[Any] | None]:
        c = self.table.c
        rows = await self.reader.all(
            sa.select(*light_columns(self.table)).where(
                c.tenant_id == self.tenant_id, c.id.in_(set(ids))
            )
        )
        by_id = {row.id: row for row in rows}
        return [by_id.get(i) for i in ids]


class RowsByKeyLoader(_TenantLoader, DataLoader[int, list[Row[Any]]]):
    """Every row whose ``key_column`` equals the key, in ``order_by`` order."""

    table: ClassVar[sa.Table]
    key_column: ClassVar[str]
    order_by: ClassVar[tuple[str, ...]] = ("id",)

    def __init__(self, reader: Reader, tenant_id: int) -> None:
        _TenantLoader.__init__(self, reader, tenant_id)
        DataLoader.__init__(self, load_fn=self._load)

    async def _load(self, keys: Sequence[int]) -> list[list[Row[Any]]]:
        return await _rows_by_key(self, keys)


async def _rows_by_key(
    loader: RowsByKeyLoader | LatestByKeyLoader, keys: Sequence[int]
) -> list[list[Row[Any]]]:
    c = loader.table.c
    key = c[loader.key_column]
    rows = await loader.reader.all(
        sa.select(*light_columns(loader.table))
        .where(c.tenant_id == loader.tenant_id, key.in_(set(keys)))
        .order_by(key, *(c[name] for name in loader.order_by))
    )
    grouped: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row._mapping[loader.key_column]].append(row)
    return [grouped.get(k, []) for k in keys]


class LatestByKeyLoader(_TenantLoader, DataLoader[int, Row[Any] | None]):
    """The newest row per key (e.g. the current analysis of an application)."""

    table: ClassVar[sa.Table]
    key_column: ClassVar[str]
    order_by: ClassVar[tuple[str, ...]] = ("id",)

    def __init__(self, reader: Reader, tenant_id: int) -> None:
        _TenantLoader.__init__(self, reader, tenant_id)
        DataLoader.__init__(self, load_fn=self._load)

    async def _load(self, keys: Sequence[int]) -> list[Row[Any] | None]:
        lists = await _rows_by_key(self, keys)
        return [rows[-1] if rows else None for rows in lists]


async def prefetch_into(
    conn: AsyncConnection,
    tenant_id: int,
    pages: list[Page],
    names: frozenset[str],
    prefetchers: dict[str, Prefetcher],
) -> None:
    """Load each named relation for every row of ``pages`` and file it in ``page.extras``."""
    rows = [row for page in pages for row in page.rows]
    if not rows:
        return
    for name in sorted(names & prefetchers.keys()):
        values = await prefetchers[name](conn, tenant_id, rows)
        for page in pages:
            for row in page.rows:
                page.extras.setdefault(row.id, {})[name] = values.get(row.id)


@dataclass(frozen=True, slots=True)
class ChildPageKey:
    parent_id: int
    criteria: Criteria
    sort: tuple[str, bool]
    page: PageRequest
    prefetch: frozenset[str] = frozenset()


class ChildPageLoader(_TenantLoader, DataLoader[ChildPageKey, Page]):
    """A page of children per parent: keys asking the same page share one statement.

    Relations named in ``key.prefetch`` are loaded for all those pages at once by the
    loader's ``prefetchers`` and handed to the nodes, so their fields resolve without
    another round through the event loop.
    """

    table: ClassVar[sa.Table]
    parent_column: ClassVar[str]
    prefetchers: ClassVar[dict[str, Prefetcher]] = {}

    def __init__(self, reader: Reader, tenant_id: int) -> None:
        _TenantLoader.__init__(self, reader, tenant_id)
        DataLoader.__init__(self, load_fn=self._load)

    async def _load(self, keys: Sequence[ChildPageKey]) -> list[Page]:
        Group = tuple[Criteria, tuple[str, bool], PageRequest, frozenset[str]]
        groups: dict[Group, list[int]] = defaultdict(list)
        for key in keys:
            groups[(key.criteria, key.sort, key.page, key.prefetch)].append(key.parent_id)
        results: dict[ChildPageKey, Page] = {}
        c = self.table.c
        async with self.reader.connect() as conn:
            for (criteria, sort, page, prefetch), parents in groups.items():
                ordering = Ordering(c[sort[0]], c.id, descending=sort[1])
                stmt = sa.select(*light_columns(self.table)).where(*criteria.where(self.tenant_id))
                pages = await fetch_partitioned_pages(
                    conn, stmt, c[self.parent_column], parents, ordering, page
                )
                await prefetch_into(
                    conn, self.tenant_id, list(pages.values()), prefetch, self.prefetchers
                )
                for parent, found in pages.items():
                    key = ChildPageKey(parent, criteria, sort, page, prefetch)
                    results[key] = found
        return [results[key] for key in keys]


@dataclass(frozen=True, slots=True)
class ChildCountKey:
    parent_id: int
    criteria: Criteria


class ChildCountLoader(_TenantLoader, DataLoader[ChildCountKey, int]):
    table: ClassVar[sa.Table]
    parent_column: ClassVar[str]

    def __init__(self, reader: Reader, tenant_id: int) -> None:
        _TenantLoader.__init__(self, reader, tenant_id)
        DataLoader.__init__(self, load_fn=self._load)

    async def _load(self, keys: Sequence[ChildCountKey]) -> list[int]:
        groups: dict[Criteria, list[int]] = defaultdict(list)
        for key in keys:
            groups[key.criteria].append(key.parent_id)
        counts: dict[tuple[int, Criteria], int] = {}
        parent = self.table.c[self.parent_column]
        async with self.reader.connect() as conn:
            for criteria, parents in groups.items():
                stmt = (
                    sa.select(parent, sa.func.count())
                    .where(parent.in_(parents), *criteria.where(self.tenant_id))
                    .group_by(parent)
                )
                for parent_id, count in (await conn.execute(stmt)).all():
                    counts[(parent_id, criteria)] = count
        return [counts.get((key.parent_id, key.criteria), 0) for key in keys]


ChildLoaders = Callable[["Loaders"], tuple[ChildPageLoader, ChildCountLoader]]
"""Picks, from a request's loaders, the page and count loaders of one kind of parent's
children (e.g. ``activity_page_by_job_id`` and ``activity_count_by_job_id``)."""
