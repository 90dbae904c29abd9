"""Relay plumbing: global ids, the ``Node`` interface, cursor connections.

    >>> to_global_id("Job", 42)
    'Sm9iOjQy'
    >>> from_global_id("Sm9iOjQy")
    ('Job', 42)

Connections compute ``totalCount`` only when it is selected.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast, dataclass_transform

import strawberry
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Row
from strawberry.types.field import StrawberryField, field

from gateway.errors import NotFound, ValidationFailed
from gateway.global_ids import to_global_id as to_global_id
from gateway.store.paging import MAX_ID, Page

NodeT = TypeVar("NodeT")


MAX_PK = MAX_ID
"""Largest primary key a store column (PostgreSQL ``bigint``, SQLite ``integer``) holds."""
_MAX_GLOBAL_ID_CHARS = 128
_DECODED_ID = re.compile(r"([A-Za-z][A-Za-z0-9]{0,63}):([1-9][0-9]{0,18})")


def from_global_id(global_id: str) -> tuple[str, int]:
    """The type name and primary key of an id exactly as ``to_global_id`` writes it.

    Anything else is ``ValidationFailed``: base64 that is not canonical (other padding,
    stray bits, whitespace), a key with a sign, spaces, underscores, leading zeros or
    non-ASCII digits, a key of 0 or above the largest ``bigint``.
    """
    if len(global_id) <= _MAX_GLOBAL_ID_CHARS:
        try:
            raw = base64.b64decode(global_id, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        match = _DECODED_ID.fullmatch(raw.decode("ascii", "replace"))
        if match and base64.b64encode(raw).decode() == global_id:
            pk = int(match[2])
            if pk <= MAX_PK:
                return match[1], pk
    raise ValidationFailed("id", f"{global_id[:64]!r} is not a valid id")


def pk_of(global_id: strawberry.ID | str, expected: str, *, field: str = "id") -> int:
    """The primary key inside a global id that must name an ``expected`` node."""
    try:
        type_name, pk = from_global_id(str(global_id))
    except ValidationFailed as exc:
        raise ValidationFailed(field, exc.message) from exc
    if type_name != expected:
        raise NotFound(expected, global_id)
    return pk


def pk_or_none(global_id: strawberry.ID | str, expected: str) -> int | None:
    """For lookups: an id of another type finds nothing; a malformed id is an error."""
    type_name, pk = from_global_id(str(global_id))
    return pk if type_name == expected else None


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    pk: strawberry.Private[int]
    NODE_TYPE: ClassVar[str] = ""

    @strawberry.field(description="Global, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id(self.NODE_TYPE, self.pk))


NodeTypeT = TypeVar("NodeTypeT", bound=type[Node])


@dataclass_transform(
    order_default=False, kw_only_default=True, field_specifiers=(field, StrawberryField)
)
def node_type(name: str, *, description: str | None = None) -> Callable[[NodeTypeT], NodeTypeT]:
    """``@strawberry.type`` of an object fetchable by global id: ``name`` is its name in
    the schema and the type its ids carry (``NODE_TYPE``)."""

    def declare(cls: NodeTypeT) -> NodeTypeT:
        cls.NODE_TYPE = name
        return strawberry.type(cls, name=name, description=description)

    return declare


Column = Callable[[Mapping[Any, Any]], Any]
"""Makes one field's value of a row's columns."""


def row_builder(cls: type[NodeT], **computed: Column) -> Callable[[Row[Any]], NodeT]:
    """A fast ``Row -> type`` constructor for a type whose fields are named as columns.

    A node's ``pk`` takes the row's ``id``; each field named in ``computed`` takes what
    its function makes of the row's columns (a default, a masked or derived value);
    every other field without a default takes the column of the same name.

        build_activity = row_builder(Activity, metadata=lambda m: m["metadata"] or {})
    """
    required = [
        f.name
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    unknown = computed.keys() - set(required)
    if unknown:
        raise TypeError(f"{cls.__name__} has no required field {sorted(unknown)}")
    with_pk = "pk" in required
    columns = [name for name in required if name != "pk" and name not in computed]
    construct = cast(Callable[..., NodeT], cls)

    def build(row: Row[Any]) -> NodeT:
        mapping = row._mapping
        values = {name: mapping[name] for name in columns}
        for name, compute in computed.items():
            values[name] = compute(mapping)
        if with_pk:
            values["pk"] = mapping["id"]
        return construct(**values)

    return build


def mirrored(cls: type[NodeT], source: object, /, **given: Any) -> NodeT:
    """A ``cls`` showing ``source`` as it is: each field takes the attribute of the same
    name, except those ``given`` (a nested type, a value ``source`` does not hold)."""
    construct = cast(Callable[..., NodeT], cls)
    names = (f.name for f in dataclasses.fields(cls) if f.init)  # type: ignore[arg-type]
    return construct(
        **{name: getattr(source, name) for name in names if name not in given}, **given
    )


@dataclass(frozen=True, slots=True)
class _OrmRow:
    _mapping: dict[str, Any]


def as_row(instance: Any) -> Any:
    """An ORM instance seen as a row (column name -> value), for the row builders."""
    mapper = sa_inspect(instance).mapper
    return _OrmRow(
        {attr.columns[0].name: getattr(instance, attr.key) for attr in mapper.column_attrs}
    )


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    row: strawberry.Private[Any]
    page: strawberry.Private[Page]

    @strawberry.field(description="Opaque position of this edge, for after/before.")
    def cursor(self) -> str:
        return self.page.cursor(self.row)


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Rows matching the filter, across all pages.")
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The nodes of this page, without their cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


@dataclass(frozen=True, slots=True)
class ConnectionArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


def connection_from_page(
    page: Page,
    build: Callable[[Row[Any]], NodeT],
    count: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    edges = [Edge(node=build(row), row=row, page=page) for row in page.rows]
    if page.extras:
        for edge in edges:
            edge.node.prefetched = page.extras.get(edge.row.id)  # type: ignore[attr-defined]
    rows = page.rows
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursor(rows[0]) if rows else None,
            end_cursor=page.cursor(rows[-1]) if rows else None,
        ),
        count=count,
    )
