"""Root list fields: one keyset page plus a lazily counted total, for any table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from graphql import GraphQLError
from sqlalchemy.engine import Row

from gateway.store.paging import (
    Cursor,
    InvalidPageRequest,
    Ordering,
    PageRequest,
    fetch_page,
)
from resolvers.context import Info
from resolvers.dataloaders import Criteria, Prefetcher, light_columns, prefetch_into
from resolvers.input_guard import character_problem, outside_utc
from resolvers.relay import Connection, connection_from_page

NodeT = TypeVar("NodeT")


class BadPageRequest(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    page = PageRequest(first=first, after=after, last=last, before=before)
    try:
        page.validate()
        for name, cursor in (("after", after), ("before", before)):
            if cursor is not None:
                _check_cursor(name, cursor)
    except InvalidPageRequest as exc:
        raise BadPageRequest(str(exc)) from exc
    return page


def _check_cursor(name: str, text: str) -> None:
    """A cursor is opaque but the client holds it: one forged to carry a value the
    database cannot compare (a control character, a date-time with no UTC equivalent)
    is refused like any other invalid cursor."""
    value = Cursor.decode(text).value
    if not isinstance(value, str):
        return
    if character_problem(value) is not None or _outside_utc(value):
        raise InvalidPageRequest(f"invalid cursor {text[:64]!r}", name)


def _outside_utc(value: str) -> bool:
    try:
        return outside_utc(datetime.fromisoformat(value))
    except ValueError:
        return False


async def list_connection(
    info: Info,
    table: sa.Table,
    criteria: Criteria,
    sort: tuple[str, bool],
    page: PageRequest,
    build: Callable[[Row[Any]], NodeT],
    *,
    prefetch: frozenset[str] = frozenset(),
    prefetchers: dict[str, Prefetcher] | None = None,
) -> Connection[NodeT]:
    reader = info.context.reader
    conditions = criteria.where(info.context.tenant_id)
    ordering = Ordering(table.c[sort[0]], table.c.id, descending=sort[1])
    try:
        async with reader.connect() as conn:
            stmt = sa.select(*light_columns(table)).where(*conditions)
            result = await fetch_page(conn, stmt, ordering, page)
            if prefetch and prefetchers:
                await prefetch_into(conn, info.context.tenant_id, [result], prefetch, prefetchers)
    except InvalidPageRequest as exc:
        raise BadPageRequest(str(exc)) from exc

    async def count() -> int:
        return int(
            await reader.scalar(sa.select(sa.func.count()).select_from(table).where(*conditions))
        )

    return connection_from_page(result, build, count)
