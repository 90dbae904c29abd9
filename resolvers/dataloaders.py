"""Generic, tenant-scoped DataLoader shapes; each domain's ``loaders.py`` names its own.

    CandidateByIdLoader = row_by_id_loader(Candidate)
    ActivityPageByJobIdLoader, ActivityCountByJobIdLoader = child_loaders(Activity, "job_id")

Every loader is built per request for one tenant and batches all keys of one tick
into one statement.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.dataloader import DataLoader

from gateway.store.base import table_of
from gateway.store.id_lists import in_ids
from gateway.store.paging import Ordering, Page, PageRequest, fetch_partitioned_pages
from gateway.store.reader import Reader

if TYPE_CHECKING:
    from resolvers.loaders import Loaders


KeyT = TypeVar("KeyT")
ValueT = TypeVar("ValueT")


class Criteria(Protocol, Hashable):
    def where(self, tenant_id: int) -> list[sa.ColumnElement[bool]]: ...


HEAVY_COLUMNS = frozenset({"remote_data", "resume_text", "body", "raw", "content_hash"})


def light_columns(table: sa.Table) -> list[sa.Column[Any]]:
    """Every column a GraphQL type reads: raw payloads stay in the database."""
    return [column for column in table.columns if column.name not in HEAVY_COLUMNS]


Prefetcher = Callable[[AsyncConnection, int, list[Row[Any]]], Awaitable[dict[int, Any]]]
"""Loads one relation for a page of rows in one statement: row id -> value."""


class SharedLoader(DataLoader[KeyT, ValueT]):
    """A DataLoader whose cached results many fields may await at once.

    When a field fails, graphql-core cancels its siblings still running; a sibling
    awaiting the cached future itself would cancel that future, and every other field
    waiting on the same key would get ``CancelledError`` instead of its value, which no
    error handling catches. Each caller awaits a shield of the shared future instead.
    """

    def load(self, key: KeyT) -> Awaitable[ValueT]:
        return asyncio.shield(super().load(key))


class TenantLoader(SharedLoader[KeyT, ValueT]):
    """A DataLoader of one request and tenant whose batch function is ``_load``."""

    def __init__(self, reader: Reader, tenant_id: int) -> None:
        super().__init__(load_fn=self._load)
        self.reader = reader
        self.tenant_id = tenant_id

    async def _load(self, keys: Sequence[KeyT]) -> list[ValueT]:
        raise NotImplementedError


def tenant_rows_in(
    table: sa.Table, tenant_id: int, column: str, values: Iterable[Any]
) -> sa.Select[Any]:
    """The light columns of the tenant's rows of ``table`` whose ``column`` is one of
    ``values``: the one statement behind every keyed batch."""
    c = table.c
    return sa.select(*light_columns(table)).where(
        c.tenant_id == tenant_id, in_ids(c[column], values)
    )


def grouped_by(rows: Iterable[Row[Any]], column: str) -> dict[Any, list[Row[Any]]]:
    """``rows`` filed under their value of ``column``, each list in the rows' order."""
    grouped: dict[Any, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row._mapping[column]].append(row)
    return grouped


class RowByIdLoader(TenantLoader[int, Row[Any] | None]):
    table: ClassVar[sa.Table]

    async def _load(self, ids: Sequence[int]) -> list[Row[Any] | None]:
        rows = await self.reader.all(tenant_rows_in(self.table, self.tenant_id, "id", ids))
        by_id = {row.id: row for row in rows}
        return [by_id.get(i) for i in ids]


class RowsByKeyLoader(TenantLoader[int, list[Row[Any]]]):
    """Every row whose ``key_column`` equals the key, in ``order_by`` order."""

    table: ClassVar[sa.Table]
    key_column: ClassVar[str]
    order_by: ClassVar[tuple[str, ...]] = ("id",)

    async def _load(self, keys: Sequence[int]) -> list[list[Row[Any]]]:
        return await _rows_by_key(self, keys)


async def _rows_by_key(
    loader: RowsByKeyLoader | LatestByKeyLoader, keys: Sequence[int]
) -> list[list[Row[Any]]]:
    c = loader.table.c
    rows = await loader.reader.all(
        tenant_rows_in(loader.table, loader.tenant_id, loader.key_column, keys).order_by(
            c[loader.key_column], *(c[name] for name in loader.order_by)
        )
    )
    grouped = grouped_by(rows, loader.key_column)
    return [grouped.get(k, []) for k in keys]


class LatestByKeyLoader(TenantLoader[int, Row[Any] | None]):
    """The newest row per key (e.g. the current analysis of an application)."""

    table: ClassVar[sa.Table]
    key_column: ClassVar[str]
    order_by: ClassVar[tuple[str, ...]] = ("id",)

    async def _load(self, keys: Sequence[int]) -> list[Row[Any] | None]:
        lists = await _rows_by_key(self, keys)
        return [rows[-1] if rows else None for rows in lists]


class ColumnByIdLoader(TenantLoader[int, Any]):
    """One column of rows by id, read apart from the rows: for a heavy column
    (``HEAVY_COLUMNS``) that only a field asking for it should load."""

    table: ClassVar[sa.Table]
    column: ClassVar[str]

    async def _load(self, ids: Sequence[int]) -> list[Any]:
        c = self.table.c
        rows = await self.reader.all(
            sa.select(c.id, c[self.column]).where(c.tenant_id == self.tenant_id, in_ids(c.id, ids))
        )
        values = {row.id: row._mapping[self.column] for row in rows}
        return [values.get(i) for i in ids]


def column_by_id_loader(model: type[Any], column: str) -> type[ColumnByIdLoader]:
    """The loader of one column of ``model`` rows by id, e.g. a candidate's resume text."""
    return type(
        f"{model.__name__}{_camel(column)}ByIdLoader",
        (ColumnByIdLoader,),
        {"table": table_of(model), "column": column},
    )


def row_by_id_loader(model: type[Any]) -> type[RowByIdLoader]:
    """The loader of ``model`` rows by id."""
    return type(f"{model.__name__}ByIdLoader", (RowByIdLoader,), {"table": table_of(model)})


def rows_by_key_loader(
    model: type[Any], key_column: str, order_by: tuple[str, ...]
) -> type[RowsByKeyLoader]:
    """The loader of every ``model`` row under a key (e.g. an application's offers)."""
    return type(
        f"{model.__name__}RowsBy{_camel(key_column)}Loader",
        (RowsByKeyLoader,),
        {"table": table_of(model), "key_column": key_column, "order_by": order_by},
    )


def latest_by_key_loader(
    model: type[Any], key_column: str, order_by: tuple[str, ...] = ("id",)
) -> type[LatestByKeyLoader]:
    """The loader of the last ``model`` row under a key, in ``order_by`` order."""
    return type(
        f"Latest{model.__name__}By{_camel(key_column)}Loader",
        (LatestByKeyLoader,),
        {"table": table_of(model), "key_column": key_column, "order_by": order_by},
    )


def _camel(column: str) -> str:
    return "".join(part.title() for part in column.split("_"))


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


class ChildPageLoader(TenantLoader[ChildPageKey, Page]):
    """A page of children per parent: keys asking the same page share one statement.

    Relations named in ``key.prefetch`` are loaded for all those pages at once by the
    loader's ``prefetchers`` and handed to the nodes, so their fields resolve without
    another round through the event loop.
    """

    table: ClassVar[sa.Table]
    parent_column: ClassVar[str]
    prefetchers: ClassVar[dict[str, Prefetcher]] = {}

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


class ChildCountLoader(TenantLoader[ChildCountKey, int]):
    table: ClassVar[sa.Table]
    parent_column: ClassVar[str]

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
                    .where(in_ids(parent, parents), *criteria.where(self.tenant_id))
                    .group_by(parent)
                )
                for parent_id, count in (await conn.execute(stmt)).all():
                    counts[(parent_id, criteria)] = count
        return [counts.get((key.parent_id, key.criteria), 0) for key in keys]


def child_loaders(
    model: type[Any], parent_column: str, prefetchers: dict[str, Prefetcher] | None = None
) -> tuple[type[ChildPageLoader], type[ChildCountLoader]]:
    """The page and count loaders of ``model`` rows under a parent (e.g. a job's
    activities): always declared together, over the same table and parent column."""
    name = f"{model.__name__}By{_camel(parent_column)}"
    table = table_of(model)
    page = type(
        f"{name}PageLoader",
        (ChildPageLoader,),
        {"table": table, "parent_column": parent_column, "prefetchers": prefetchers or {}},
    )
    count = type(
        f"{name}CountLoader",
        (ChildCountLoader,),
        {"table": table, "parent_column": parent_column},
    )
    return page, count


ChildLoaders = Callable[["Loaders"], tuple[ChildPageLoader, ChildCountLoader]]
"""Picks, from a request's loaders, the page and count loaders of one kind of parent's
children (e.g. ``activity_page_by_job_id`` and ``activity_count_by_job_id``)."""
