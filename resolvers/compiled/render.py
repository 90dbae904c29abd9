"""One request's SQL: a plan, the request's argument values and the caller, rendered
as one ``SELECT`` whose single value is the response's ``data`` as JSON text.

Each connection is a keyset page like ``gateway.store.paging.fetch_page`` reads (the
same conditions, cursors and order, one row more than the page to know whether there
is a next one), numbered and aggregated in the database; children are correlated
subqueries on the parent's row, as PostGraphile and Hasura nest theirs. The tenant
condition is on every table read.

Arguments are read and checked exactly as the resolvers do (``bind``); whatever they
would answer with an error (a bad cursor, a page too large, a malformed id, a missing
permission) raises ``Fallback``, and the request runs on the resolvers, which write that
error. What changes the statement's shape (filters, sort, direction, the tenant, the
role) keys the plan's statement cache; ids, page sizes and cursor positions are bound
parameters, so a repeated request only binds values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from graphql.execution.values import VariableValues, get_argument_values
from sqlalchemy.sql.util import ClauseAdapter
from strawberry import Schema
from strawberry.types.arguments import convert_arguments

from gateway.auth import Principal
from gateway.permissions import Permission, allows
from gateway.store.base import UTCDateTime
from gateway.store.paging import Cursor, Ordering, PageRequest
from resolvers.compiled.catalog import node_tables
from resolvers.compiled.json_sql import Expr, JsonSQL
from resolvers.compiled.plan import (
    ArgumentSource,
    ColumnField,
    ConnectionPlan,
    CountField,
    EdgePlan,
    GlobalIdField,
    NodePlan,
    ObjectPlan,
    OperationPlan,
    RowField,
    RowsField,
    TypenameField,
)
from resolvers.listing import page_request
from resolvers.relay import pk_or_none

_MAX_ROWS = 2**62
"""A LIMIT that limits nothing, so SQLite keeps a subquery's ORDER BY."""


TENANT: Any = sa.bindparam("tenant", type_=sa.BigInteger)
"""The caller's tenant, a parameter of every statement (also inside the criteria's
conditions, which take it where they take a tenant id)."""


class Fallback(Exception):
    """This request's arguments are for the resolvers to answer (with an error)."""


@dataclass(frozen=True, slots=True)
class Request:
    schema: Schema
    json: JsonSQL
    principal: Principal
    variables: VariableValues

    @property
    def tenant_id(self) -> int:
        return self.principal.tenant_id

    def allowed(self, permission: Permission | None) -> bool:
        return permission is None or allows(self.principal.role, permission)


@dataclass(frozen=True, slots=True)
class BoundListing:
    """A connection's arguments, read and checked; ``name`` prefixes its parameters."""

    name: str
    criteria: Hashable
    conditions: list[Expr]
    sort: tuple[str, bool]
    page: PageRequest
    after: tuple[Any, int] | None
    before: tuple[Any, int] | None

    def shape(self) -> Hashable:
        backwards = self.page.backwards
        return (self.criteria, self.sort, backwards, self.after is None, self.before is None)

    def params(self) -> dict[str, Any]:
        size = self.page.size
        values: dict[str, Any] = {f"{self.name}_size": size, f"{self.name}_limit": size + 1}
        for side, position in (("after", self.after), ("before", self.before)):
            if position is not None:
                values[f"{self.name}_{side}_value"], values[f"{self.name}_{side}_id"] = position
        return values


@dataclass(frozen=True, slots=True)
class BoundNode:
    name: str
    pk: int | None

    def shape(self) -> Hashable:
        return self.pk is None

    def params(self) -> dict[str, Any]:
        return {self.name: self.pk} if self.pk is not None else {}


@dataclass(slots=True)
class Bound:
    """Every argument-reading field of a plan, bound for one request."""

    request: Request
    fields: dict[int, BoundListing | BoundNode] = field(default_factory=dict)

    def shape(self) -> Hashable:
        """What the statement's text depends on: the role decides which related rows
        are shown; the tenant is a parameter."""
        bound = tuple(b.shape() for b in self.fields.values())
        return (self.request.json.name, self.request.principal.role, bound)

    def params(self) -> dict[str, Any]:
        values: dict[str, Any] = {"tenant": self.request.tenant_id}
        for bound in self.fields.values():
            values.update(bound.params())
        return values


def statement_for(
    plan: OperationPlan,
    request: Request,
    prepare: Callable[[sa.Select[Any], dict[str, Any]], Any],
) -> tuple[Any, dict[str, Any]]:
    """The statement answering ``plan`` for ``request``, as ``prepare`` makes it ready
    to run with parameters like these (once per shape), and its parameters; raises
    ``Fallback``."""
    bound = Bound(request)
    for root in plan.fields:
        _bind(root, bound)
    shape = bound.shape()
    params = bound.params()
    statement = plan.statements.get(shape)
    if statement is None:
        statement = prepare(_Renderer(bound).operation(plan), params)
        plan.statements.put(shape, statement)
    return statement, params


def _bind(plan: Any, bound: Bound) -> None:
    if isinstance(plan, ConnectionPlan):
        bound.fields[id(plan)] = _bind_listing(plan, bound, f"l{len(bound.fields)}")
        for node in plan.node_plans():
            _bind(node, bound)
    elif isinstance(plan, NodePlan):
        bound.fields[id(plan)] = _bind_node(plan, bound.request, f"n{len(bound.fields)}")
        _bind(plan.target, bound)
    elif isinstance(plan, ObjectPlan):
        for child in plan.fields:
            _bind(child, bound)
    elif isinstance(plan, RowField | RowsField):
        _bind(plan.target, bound)


def _arguments(source: ArgumentSource, request: Request) -> dict[str, Any]:
    try:
        raw = get_argument_values(source.definition, source.node, request.variables)
        schema = request.schema
        return convert_arguments(
            raw,
            source.strawberry_field.arguments,
            scalar_registry=schema.schema_converter.scalar_registry,
            config=schema.config,
        )
    except Exception as exc:
        raise Fallback(str(exc)) from exc


def _bind_node(plan: NodePlan, request: Request, name: str) -> BoundNode:
    if not request.allowed(plan.reading.permission):
        raise Fallback("permission")
    arguments = _arguments(plan.arguments, request)
    try:
        return BoundNode(name, pk_or_none(arguments["id"], plan.reading.node_type))
    except Exception as exc:
        raise Fallback(str(exc)) from exc


def _bind_listing(plan: ConnectionPlan, bound: Bound, name: str) -> BoundListing:
    request = bound.request
    reading = plan.reading
    if not request.allowed(reading.permission):
        raise Fallback("permission")
    arguments = _arguments(plan.arguments, request)
    try:
        page = page_request(
            arguments.get("first"),
            arguments.get("after"),
            arguments.get("last"),
            arguments.get("before"),
        )
        criteria = reading.criteria_of(arguments.get("filter"))
        sort = reading.ordering_of(arguments.get("sort"))
        table = node_tables()[reading.node_type]
        ordering = Ordering(table.c[sort[0]], table.c.id, descending=sort[1])
        positions = [
            None if text is None else _position(ordering, Cursor.decode(text))
            for text in (page.after, page.before)
        ]
        conditions = criteria.where(TENANT)
    except Exception as exc:
        raise Fallback(str(exc)) from exc
    return BoundListing(name, criteria, conditions, sort, page, *positions)


def _position(ordering: Ordering, cursor: Cursor) -> tuple[Any, int]:
    return ordering.coerce(cursor.value), cursor.id


class _Renderer:
    """Renders a bound plan; parameters are named after the bound fields."""

    def __init__(self, bound: Bound) -> None:
        self.bound = bound
        self.request = bound.request
        self.json = bound.request.json

    def operation(self, plan: OperationPlan) -> sa.Select[Any]:
        pairs: list[tuple[str, Expr]] = []
        for root in plan.fields:
            if isinstance(root, TypenameField):
                pairs.append((root.key, self.json.text(root.type_name)))
            elif isinstance(root, ConnectionPlan):
                pairs.append((root.key, self.connection(root, None)))
            else:
                pairs.append((root.key, self.node(root)))
        return sa.select(sa.cast(self.json.object(pairs), sa.Text))

    def tenant(self, table: Any) -> Expr:
        condition: Expr = table.c.tenant_id == TENANT
        return condition

    def node(self, plan: NodePlan) -> Expr:
        bound = self.bound.fields[id(plan)]
        assert isinstance(bound, BoundNode)
        if bound.pk is None:
            return sa.null()
        table = node_tables()[plan.reading.node_type].alias()
        found = (
            sa.select(self.object(plan.target, table))
            .where(
                table.c.id == sa.bindparam(bound.name, bound.pk, sa.BigInteger), self.tenant(table)
            )
            .scalar_subquery()
        )
        return self.json.nested(found)

    def object(self, plan: ObjectPlan, row: Any) -> Expr:
        """The JSON of one node whose columns ``row`` (a table alias or a subquery) holds."""
        json = self.json
        pairs: list[tuple[str, Expr]] = []
        for item in plan.fields:
            if isinstance(item, ColumnField):
                pairs.append((item.key, _column(item, row.c[item.column], json)))
            elif isinstance(item, GlobalIdField):
                pairs.append((item.key, json.global_id(item.type_name, row.c.id)))
            elif isinstance(item, TypenameField):
                pairs.append((item.key, json.text(item.type_name)))
            elif isinstance(item, RowField):
                pairs.append((item.key, self.related_row(item, row)))
            elif isinstance(item, RowsField):
                pairs.append((item.key, self.related_rows(item, row)))
            elif isinstance(item, CountField):
                pairs.append((item.key, self.child_count(item, row)))
            else:
                pairs.append((item.key, self.connection(item, row)))
        return json.object(pairs)

    def related_row(self, item: RowField, parent: Any) -> Expr:
        if not self.request.allowed(item.reading.permission):
            return sa.null()
        table = node_tables()[item.reading.node_type].alias()
        found = (
            sa.select(self.object(item.target, table))
            .where(table.c.id == parent.c[item.reading.key], self.tenant(table))
            .correlate(parent)
            .scalar_subquery()
        )
        return self.json.nested(found)

    def related_rows(self, item: RowsField, parent: Any) -> Expr:
        table = node_tables()[item.reading.node_type].alias()
        order = item.reading.order_by
        needed = item.target.columns() | set(order)
        rows = (
            sa.select(*(table.c[name] for name in sorted(needed)))
            .where(table.c[item.reading.key_column] == parent.c.id, self.tenant(table))
            .order_by(*(table.c[name] for name in order))
            .limit(_MAX_ROWS)
            .correlate(parent)
            .subquery()
        )
        listed = sa.select(
            self.json.agg(self.object(item.target, rows), [rows.c[name] for name in order], None)
        ).scalar_subquery()
        return self.json.nested(listed)

    def child_count(self, item: CountField, parent: Any) -> Expr:
        table = node_tables()[item.reading.node_type].alias()
        return (
            sa.select(sa.func.count())
            .where(table.c[item.reading.parent_column] == parent.c.id, self.tenant(table))
            .correlate(parent)
            .scalar_subquery()
        )

    def connection(self, plan: ConnectionPlan, parent: Any | None) -> Expr:
        json = self.json
        bound = self.bound.fields[id(plan)]
        assert isinstance(bound, BoundListing)
        name = bound.name
        base = node_tables()[plan.reading.node_type]
        table = base.alias()
        conditions = self.listing_conditions(plan, bound, table, parent)
        sort_column, descending = bound.sort
        page = bound.page
        ordering = Ordering(table.c[sort_column], table.c.id, descending=descending)
        value_type = base.c[sort_column].type
        for side, position in (("after", bound.after), ("before", bound.before)):
            if position is not None:
                conditions.append(
                    ordering.beyond(
                        sa.bindparam(f"{name}_{side}_value", position[0], value_type),
                        sa.bindparam(f"{name}_{side}_id", position[1], sa.BigInteger),
                        descending if side == "after" else not descending,
                    )
                )
        size = sa.bindparam(f"{name}_size", page.size, sa.Integer)
        needed = plan.node_columns() | {sort_column}
        limited = (
            sa.select(*(table.c[column] for column in sorted(needed)))
            .where(*conditions)
            .order_by(*ordering.order_by(page.backwards))
            .limit(sa.bindparam(f"{name}_limit", page.size + 1, sa.Integer))
        )
        if parent is not None:
            limited = limited.correlate(parent)
        first_rows = limited.subquery()
        inner_order: list[Expr] = [first_rows.c[sort_column], first_rows.c.id]
        if descending != page.backwards:
            inner_order = [column.desc() for column in inner_order]
        numbered_select = sa.select(
            first_rows,
            sa.func.row_number().over(order_by=inner_order).label("_rn"),
            sa.func.count().over().label("_n"),
        )
        if json.name == "sqlite":
            rank: Expr = sa.literal_column("_rn")
            numbered_select = numbered_select.order_by(
                rank.desc() if page.backwards else rank
            ).limit(_MAX_ROWS)
        numbered = numbered_select.subquery()
        in_page = numbered.c._rn <= size
        output_order: list[Expr] = [numbered.c._rn.desc() if page.backwards else numbered.c._rn]
        kind = _sort_kind(base.c[sort_column])

        def cursor() -> Expr:
            return json.cursor(numbered.c[sort_column], kind, numbered.c.id)

        def cursor_at(position: Any) -> Expr:
            return sa.func.max(cursor()).filter(sa.and_(numbered.c._rn == position, in_page))

        last_position = sa.case((numbered.c._n < size, numbered.c._n), else_=size)
        pairs: list[tuple[str, Expr]] = []
        for part in plan.parts:
            if isinstance(part, TypenameField):
                pairs.append((part.key, json.text(part.type_name)))
            elif part[0] == "totalCount":
                pairs.append((part[1], self.total(plan, bound, base, parent)))
            elif part[0] == "nodes":
                node = self.object(part[2], numbered)
                pairs.append((part[1], json.agg(node, output_order, in_page)))
            elif part[0] == "edges":
                edge = self.edge(part[2], numbered, cursor)
                pairs.append((part[1], json.agg(edge, output_order, in_page)))
            else:
                more = json.boolean(sa.func.count() > size)
                beyond = bound.before if page.backwards else bound.after
                edge_side = _constant(json, beyond is not None)
                first, last = (last_position, 1) if page.backwards else (1, last_position)
                values = {
                    "hasNextPage": edge_side if page.backwards else more,
                    "hasPreviousPage": more if page.backwards else edge_side,
                    "startCursor": cursor_at(first),
                    "endCursor": cursor_at(last),
                    "__typename": json.text(part[3]),
                }
                pairs.append((part[1], json.object([(k, values[n]) for k, n in part[2]])))
        built = sa.select(json.object(pairs))
        if any(isinstance(part, tuple) and part[0] != "totalCount" for part in plan.parts):
            built = built.select_from(numbered)
        if parent is not None:
            built = built.correlate(parent)
        return json.nested(built.scalar_subquery())

    def listing_conditions(
        self, plan: ConnectionPlan, bound: BoundListing, table: Any, parent: Any | None
    ) -> list[Expr]:
        """The criteria's conditions on ``table``, and the parent's."""
        adapter = ClauseAdapter(table)
        conditions = [adapter.traverse(c) for c in bound.conditions]
        if parent is not None:
            assert plan.reading.parent_column is not None
            conditions.append(table.c[plan.reading.parent_column] == parent.c.id)
        return conditions

    def edge(self, plan: EdgePlan, numbered: Any, cursor: Any) -> Expr:
        pairs: list[tuple[str, Expr]] = []
        for part in plan.fields:
            if isinstance(part, TypenameField):
                pairs.append((part.key, self.json.text(part.type_name)))
            elif part[0] == "cursor":
                pairs.append((part[1], cursor()))
            else:
                pairs.append((part[1], self.object(part[2], numbered)))
        return self.json.object(pairs)

    def total(
        self, plan: ConnectionPlan, bound: BoundListing, base: sa.Table, parent: Any | None
    ) -> Expr:
        table = base.alias()
        where = self.listing_conditions(plan, bound, table, parent)
        counted = sa.select(sa.func.count()).select_from(table).where(*where)
        if parent is not None:
            counted = counted.correlate(parent)
        return counted.scalar_subquery()


def _column(item: ColumnField, value: Expr, json: JsonSQL) -> Expr:
    if item.format == "plain":
        return value
    if item.format == "boolean":
        return json.boolean(value)
    if item.format == "datetime":
        return json.datetime(value)
    if item.format == "date":
        return json.date(value)
    if item.format == "decimal":
        return json.decimal(value, item.scale)
    if item.format == "enum":
        return json.enum(value, dict(item.names))
    return json.json_value(value)


def _constant(json: JsonSQL, value: bool) -> Expr:
    return json.boolean(sa.true() if value else sa.false())


def _sort_kind(column: sa.Column[Any]) -> str:
    if isinstance(column.type, UTCDateTime | sa.DateTime):
        return "datetime"
    if isinstance(column.type, sa.Integer):
        return "integer"
    return "text"
