"""Connection fields: the paging arguments, a filter and perhaps a sort, written once.

Strawberry reads a field's arguments from its resolver's signature. Every connection
takes ``first, after, last, before, filter`` (and ``sort`` where the client picks the
order), so the signature is written here from the node, filter and sort types, and
each field declares only what differs (``resolvers/candidates/queries.py`` shows a
root list; ``activities_field`` a record's timeline).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
import strawberry
from sqlalchemy.engine import Row

from gateway.permissions import Permission
from gateway.store.paging import PageRequest
from resolvers.compiled.catalog import Listing, sql_reading
from resolvers.context import Info
from resolvers.dataloaders import (
    ChildCountKey,
    ChildCountLoader,
    ChildPageKey,
    ChildPageLoader,
    Criteria,
    Prefetcher,
)
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.read_criteria import SortInput, sort_order
from resolvers.relay import Connection, ConnectionArgs, connection_from_page

NodeT = TypeVar("NodeT")
FilterT = TypeVar("FilterT")

ConnectionFetch = Callable[..., Awaitable[Connection[Any]]]
"""``(info, root, args, filter=..., [sort=...])``: the page the arguments ask for."""

_PAGING = (("first", int), ("after", str), ("last", int), ("before", str))


def connection_field(
    node: type[Any],
    fetch: ConnectionFetch,
    *,
    filter: type,
    sort: type | None = None,
    description: str | None = None,
    reading: Listing | None = None,
) -> Any:
    """A ``Connection[node]`` field with the paging arguments, ``filter`` and, when
    given, ``sort``; ``fetch`` gets the paging arguments unchecked, to validate them
    (with ``requested_page``) after any permission check of its own. ``reading`` says
    how the read compiler reads the same rows (``resolvers.compiled``)."""

    async def resolve(root: Any, info: Info, **arguments: Any) -> Connection[Any]:
        paging = {name: arguments.pop(name, None) for name, _ in _PAGING}
        return await fetch(info, root, ConnectionArgs(**paging), **arguments)

    inputs = [("filter", filter)] + ([("sort", sort)] if sort is not None else [])
    _declare(resolve, [*_PAGING, *inputs], Connection[node])  # type: ignore[valid-type]
    return strawberry.field(
        resolver=resolve,
        description=description,
        metadata=sql_reading(reading) if reading is not None else None,
    )


def requested_page(args: ConnectionArgs) -> PageRequest:
    """The validated page request of a connection's paging arguments."""
    return page_request(args.first, args.after, args.last, args.before)


def tenant_connection_field(
    node: type[NodeT],
    permission: Permission,
    table: sa.Table,
    build: Callable[[Row[Any]], NodeT],
    *,
    filter: tuple[type[FilterT], Callable[[FilterT | None], Criteria]],
    sort: type[SortInput] | None = None,
    order: tuple[str, bool] | None = None,
    description: str | None = None,
    prefetch: Callable[[Info], frozenset[str]] | None = None,
    prefetchers: dict[str, Prefetcher] | None = None,
) -> Any:
    """A root list of one table's rows in the caller's tenant, for callers allowed
    ``permission``: ``filter`` pairs the input type with its criteria; the order is
    the client's ``sort`` (defaults as the input declares them) or a fixed ``order``
    (column, descending)."""
    filter_type, criteria_of = filter
    ordering = _ordering(sort, order)

    async def fetch(
        info: Info, root: Any, args: ConnectionArgs, filter: Any, sort: Any = None
    ) -> Connection[NodeT]:
        require(info, permission)
        criteria = criteria_of(filter)
        return await list_connection(
            info,
            table,
            criteria,
            ordering(sort),
            requested_page(args),
            build,
            prefetch=prefetch(info) if prefetch is not None else frozenset(),
            prefetchers=prefetchers,
        )

    reading = Listing(node.NODE_TYPE, criteria_of, ordering, permission)  # type: ignore[attr-defined]
    return connection_field(
        node, fetch, filter=filter_type, sort=sort, description=description, reading=reading
    )


def _ordering(
    sort: type[SortInput] | None, order: tuple[str, bool] | None
) -> Callable[[SortInput | None], tuple[str, bool]]:
    """(column, descending) from the client's sort input, or the listing's fixed order."""
    if sort is not None and order is None:
        default = sort
        return lambda chosen: sort_order(chosen, default)
    if order is not None and sort is None:
        fixed = order
        return lambda chosen: fixed
    raise TypeError("a listing is ordered by either a sort input or a fixed order")


async def child_connection(
    children: tuple[ChildPageLoader, ChildCountLoader],
    parent_id: int,
    criteria: Criteria,
    sort: tuple[str, bool],
    page: PageRequest,
    build: Callable[[Row[Any]], NodeT],
    prefetch: frozenset[str] = frozenset(),
) -> Connection[NodeT]:
    """The children of one parent (a job's applications, a candidate's timeline),
    batched with its siblings: one statement for every parent's page, one more for
    their counts if ``totalCount`` is asked."""
    pages, counts = children
    result = await pages.load(ChildPageKey(parent_id, criteria, sort, page, prefetch))

    async def count() -> int:
        return await counts.load(ChildCountKey(parent_id, criteria))

    return connection_from_page(result, build, count)


def _declare(resolve: Any, arguments: list[tuple[str, type]], returns: Any) -> None:
    """Give ``resolve`` the signature Strawberry builds the field's arguments from:
    each named argument optional, defaulting to null."""
    parameters = [
        inspect.Parameter("root", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info),
    ]
    parameters += [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind | None
        )
        for name, kind in arguments
    ]
    resolve.__signature__ = inspect.Signature(parameters, return_annotation=returns)
    resolve.__annotations__ = {
        **{p.name: p.annotation for p in parameters[1:]},
        "return": returns,
    }
