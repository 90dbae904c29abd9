"""Keyset pagination over any select, for one list or for many parents at once.

A page is asked for as ``PageRequest(first=20, after=cursor)``; the cursor holds the
sort value and the id of the row it points at, so pages stay stable while rows are
added. ``fetch_page`` pages one list; ``fetch_partitioned_pages`` pages the children
of many parents in one statement with ``row_number() over (partition by parent)``.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.errors import ValidationFailed
from gateway.store.base import UTCDateTime
from gateway.store.id_lists import in_ids

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


MAX_ID = 2**63 - 1


class InvalidPageRequest(ValidationFailed):
    """A page request a client can fix: bad cursor, size out of range, both directions."""

    def __init__(self, message: str, field: str = "after") -> None:
        super().__init__(field, message)


@dataclass(frozen=True, slots=True)
class Cursor:
    value: Any
    id: int

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        if isinstance(value, Decimal):
            value = str(value)
        raw = orjson.dumps([value, self.id])
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            value, row_id = orjson.loads(raw)
        except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError) as exc:
            raise InvalidPageRequest(f"invalid cursor {text[:64]!r}") from exc
        valid_id = isinstance(row_id, int) and not isinstance(row_id, bool) and 0 < row_id <= MAX_ID
        if not valid_id or isinstance(value, list | dict | bool) or value is None:
            raise InvalidPageRequest(f"invalid cursor {text[:64]!r}")
        return cls(value=value, id=row_id)


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def validate(self) -> None:
        if self.first is not None and self.last is not None:
            raise InvalidPageRequest("pass either first or last, not both", "first")
        for name, size in (("first", self.first), ("last", self.last)):
            if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
                raise InvalidPageRequest(
                    f"{name} must be between 0 and {MAX_PAGE_SIZE}, got {size}", name
                )

    @property
    def backwards(self) -> bool:
        return self.last is not None

    @property
    def size(self) -> int:
        if self.last is not None:
            return self.last
        return self.first if self.first is not None else DEFAULT_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class Ordering:
    """Sort column plus the id tie-breaker, and the direction."""

    column: sa.Column[Any]
    id_column: sa.Column[Any]
    descending: bool = False

    def cursor_for(self, row: Row[Any]) -> Cursor:
        mapping = row._mapping
        return Cursor(mapping[self.column.key], mapping[self.id_column.key])

    def coerce(self, value: Any) -> Any:
        """The cursor's sort value as the sort column's type; a cursor made for another
        sort or forged is refused, never sent to the database."""
        column_type = self.column.type
        if isinstance(column_type, UTCDateTime | sa.DateTime):
            try:
                parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                parsed = None
            if parsed is None or parsed.tzinfo is None:
                raise InvalidPageRequest("invalid cursor for this sort order")
            return parsed
        if isinstance(column_type, sa.String | sa.Text) and isinstance(value, str):
            return value
        if isinstance(column_type, sa.Integer) and isinstance(value, int):
            if abs(value) > MAX_ID:
                raise InvalidPageRequest("invalid cursor for this sort order")
            return value
        raise InvalidPageRequest("invalid cursor for this sort order")

    def _after(self, cursor: Cursor, descending: bool) -> sa.ColumnElement[bool]:
        return self.beyond(self.coerce(cursor.value), cursor.id, descending)

    def beyond(self, value: Any, row_id: Any, descending: bool) -> sa.ColumnElement[bool]:
        """Rows after the one whose sort value is ``value`` and id ``row_id`` (values or
        bound parameters) in this order, or in its reverse when ``descending`` differs."""
        if descending:
            return sa.or_(
                self.column < value, sa.and_(self.column == value, self.id_column < row_id)
            )
        return sa.or_(self.column > value, sa.and_(self.column == value, self.id_column > row_id))

    def order_by(self, reverse: bool) -> list[sa.ColumnElement[Any]]:
        descending = self.descending != reverse
        if descending:
            return [self.column.desc(), self.id_column.desc()]
        return [self.column.asc(), self.id_column.asc()]

    def conditions(self, page: PageRequest) -> list[sa.ColumnElement[bool]]:
        conditions = []
        if page.after is not None:
            conditions.append(self._after(Cursor.decode(page.after), self.descending))
        if page.before is not None:
            conditions.append(self._after(Cursor.decode(page.before), not self.descending))
        return conditions


@dataclass(slots=True)
class Page:
    """Rows of one page; ``extras`` holds prefetched relations per row id."""

    rows: list[Row[Any]]
    has_next_page: bool
    has_previous_page: bool
    ordering: Ordering
    extras: dict[int, dict[str, Any]] = field(default_factory=dict)

    def cursor(self, row: Row[Any]) -> str:
        return self.ordering.cursor_for(row).encode()


def _page_from(rows: Sequence[Row[Any]], page: PageRequest, ordering: Ordering) -> Page:
    size = page.size
    extra = len(rows) > size
    rows = list(rows[:size])
    if page.backwards:
        rows.reverse()
        return Page(rows, page.before is not None, extra, ordering)
    return Page(rows, extra, page.after is not None, ordering)


async def fetch_page(
    conn: AsyncConnection, stmt: sa.Select[Any], ordering: Ordering, page: PageRequest
) -> Page:
    page.validate()
    stmt = stmt.where(*ordering.conditions(page))
    stmt = stmt.order_by(*ordering.order_by(page.backwards)).limit(page.size + 1)
    rows = (await conn.execute(stmt)).all()
    return _page_from(rows, page, ordering)


async def fetch_partitioned_pages(
    conn: AsyncConnection,
    stmt: sa.Select[Any],
    partition: sa.Column[Any],
    parents: Sequence[int],
    ordering: Ordering,
    page: PageRequest,
) -> dict[int, Page]:
    """One page of children for every parent in ``parents``, in one statement."""
    page.validate()
    row_number = (
        sa.func.row_number()
        .over(partition_by=partition, order_by=ordering.order_by(page.backwards))
        .label("_row_number")
    )
    inner = (
        stmt.add_columns(row_number)
        .where(in_ids(partition, parents), *ordering.conditions(page))
        .subquery()
    )
    outer = (
        sa.select(inner)
        .where(inner.c._row_number <= page.size + 1)
        .order_by(inner.c[partition.key], inner.c._row_number)
    )
    grouped: dict[int, list[Row[Any]]] = defaultdict(list)
    key = partition.key
    for row in (await conn.execute(outer)).all():
        grouped[row._mapping[key]].append(row)
    return {parent: _page_from(grouped.get(parent, []), page, ordering) for parent in parents}
