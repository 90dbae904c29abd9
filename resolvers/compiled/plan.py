"""Which operations compile, and their shape: decided once per document.

``plan_for(schema, query, operation_name)`` walks the validated operation over the
schema and returns an ``OperationPlan`` when every selected field is a column of a
table-backed node type, a global id, ``__typename``, a connection's parts, or a field
whose ``metadata`` declares a ``Reading`` (``resolvers.compiled.catalog``); else
``None``, and the operation runs on the resolvers. Argument values are not part of the
plan: they are read for each request (``resolvers.compiled.render``). ``@skip`` and
``@include`` make a document run on the resolvers too, since what they select depends
on the variables.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
    validate,
)
from strawberry import Schema

from gateway.store.base import UTCDateTime
from resolvers.compiled.catalog import (
    ChildCount,
    Listing,
    NodeById,
    Reading,
    RelatedRow,
    RelatedRows,
    node_tables,
    reading_of,
)
from resolvers.compiled.json_sql import MAX_OBJECT_KEYS

_DEFINITION = "strawberry-definition"


class NotCompilable(Exception):
    """The operation selects something the compiler does not read."""


@dataclass(frozen=True, slots=True)
class ColumnField:
    key: str
    column: str
    format: str
    """``plain``, ``boolean``, ``datetime``, ``date``, ``decimal``, ``enum`` or ``json``."""
    scale: int = 0
    names: tuple[tuple[str, str], ...] = ()
    """For enums: stored value -> GraphQL name."""


@dataclass(frozen=True, slots=True)
class TypenameField:
    key: str
    type_name: str


@dataclass(frozen=True, slots=True)
class GlobalIdField:
    key: str
    type_name: str


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    type_name: str
    fields: tuple[Any, ...]

    def columns(self) -> set[str]:
        """The columns of the type's table its fields read."""
        needed = {"id"}
        for selected in self.fields:
            if isinstance(selected, ColumnField):
                needed.add(selected.column)
            elif isinstance(selected, RowField):
                needed.add(selected.reading.key)
        return needed


@dataclass(frozen=True, slots=True)
class RowField:
    key: str
    reading: RelatedRow
    target: ObjectPlan


@dataclass(frozen=True, slots=True)
class RowsField:
    key: str
    reading: RelatedRows
    target: ObjectPlan


@dataclass(frozen=True, slots=True)
class CountField:
    key: str
    reading: ChildCount


@dataclass(frozen=True, slots=True)
class ArgumentSource:
    """Where a field's arguments are read from, for each request."""

    definition: GraphQLField
    node: FieldNode
    strawberry_field: Any


@dataclass(frozen=True, slots=True)
class EdgePlan:
    fields: tuple[Any, ...]
    """``TypenameField``, ``("cursor", key)`` and ``("node", key, ObjectPlan)``."""


@dataclass(frozen=True, slots=True)
class ConnectionPlan:
    key: str
    reading: Listing
    arguments: ArgumentSource
    parts: tuple[Any, ...]
    """``TypenameField``, ``("edges", key, EdgePlan)``, ``("nodes", key, ObjectPlan)``,
    ``("pageInfo", key, ((key, field name), ...))``, ``("totalCount", key)``."""

    def node_plans(self) -> Iterator[ObjectPlan]:
        """The selections of the connection's nodes, under ``nodes`` and ``edges.node``."""
        for part in self.parts:
            if isinstance(part, tuple) and part[0] == "nodes":
                yield part[2]
            elif isinstance(part, tuple) and part[0] == "edges":
                for edge_part in part[2].fields:
                    if isinstance(edge_part, tuple) and edge_part[0] == "node":
                        yield edge_part[2]

    def node_columns(self) -> set[str]:
        needed = {"id"}
        for node in self.node_plans():
            needed |= node.columns()
        return needed


@dataclass(frozen=True, slots=True)
class NodePlan:
    key: str
    reading: NodeById
    arguments: ArgumentSource
    target: ObjectPlan


@dataclass(frozen=True, slots=True)
class OperationPlan:
    document: DocumentNode
    operation: OperationDefinitionNode
    fields: tuple[Any, ...]
    """``TypenameField``, ``ConnectionPlan`` and ``NodePlan``, in response order."""
    statements: StatementCache = field(default_factory=lambda: StatementCache(32))
    """The statements rendered for this plan, by the shape of the request's arguments."""
    literal_checks: dict[int, bool] = field(default_factory=dict)
    """Longest search allowed -> whether the document's own argument values pass
    ``input_problems``; for documents without variables, whose values never change."""


class StatementCache:
    """At most ``size`` entries, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: Hashable, value: Any) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


PLANNING_BUDGET = 20_000
"""Selections a plan may walk; a larger document runs on the resolvers."""


@lru_cache(maxsize=512)
def plan_for(schema: Schema, query: str, operation_name: str | None) -> OperationPlan | None:
    """The plan of a query document's operation, or None when it runs on the resolvers
    (not a query, not valid, or selecting what the compiler does not read). Planned
    before validation, within ``PLANNING_BUDGET``, so a document that does not compile
    costs one bounded walk and the resolvers' validation, never two validations."""
    try:
        document = parse(query)
    except GraphQLError:
        return None
    graphql_schema = schema._schema
    try:
        plan = _Planner(graphql_schema, document).operation(operation_name)
    except (NotCompilable, KeyError, AttributeError, TypeError, RecursionError):
        return None
    if validate(graphql_schema, document):
        return None
    return plan


class _Planner:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.document = document
        self.budget = PLANNING_BUDGET
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def operation(self, name: str | None) -> OperationPlan:
        operations = [
            d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        if name is not None:
            operations = [o for o in operations if o.name and o.name.value == name]
        if len(operations) != 1:
            raise NotCompilable("which operation")
        operation = operations[0]
        if operation.operation is not OperationType.QUERY or operation.directives:
            raise NotCompilable("not a plain query")
        if any(v.directives for v in operation.variable_definitions or ()):
            raise NotCompilable("variable directives")
        query_type = self.schema.query_type
        assert query_type is not None
        fields: list[Any] = []
        for key, nodes in self._collect(query_type, [operation.selection_set]).items():
            fields.append(self._root_field(query_type, key, nodes))
        _check_width(fields)
        if all(isinstance(f, TypenameField) for f in fields):
            raise NotCompilable("reads nothing stored")
        return OperationPlan(self.document, operation, tuple(fields))

    def _root_field(self, query_type: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> Any:
        name = nodes[0].name.value
        if name == "__typename":
            return TypenameField(key, query_type.name)
        definition = query_type.fields.get(name)
        if definition is None:
            raise NotCompilable(name)
        strawberry_field = (definition.extensions or {}).get(_DEFINITION)
        reading = reading_of(getattr(strawberry_field, "metadata", None))
        source = ArgumentSource(definition, nodes[0], strawberry_field)
        if isinstance(reading, Listing) and reading.parent_column is None:
            return self._connection(key, reading, source, definition, nodes)
        if isinstance(reading, NodeById) and reading.node_type in node_tables():
            target = self._object(_object_type(definition.type), nodes)
            return NodePlan(key, reading, source, target)
        raise NotCompilable(name)

    def _connection(
        self,
        key: str,
        reading: Listing,
        source: ArgumentSource,
        definition: GraphQLField,
        nodes: list[FieldNode],
    ) -> ConnectionPlan:
        if reading.node_type not in node_tables():
            raise NotCompilable(reading.node_type)
        connection_type = _object_type(definition.type)
        parts: list[Any] = []
        for part_key, part_nodes in self._collect(connection_type, _below(nodes)).items():
            name = part_nodes[0].name.value
            if name == "__typename":
                parts.append(TypenameField(part_key, connection_type.name))
            elif name == "totalCount":
                parts.append(("totalCount", part_key))
            elif name == "nodes":
                node_type = _object_type(connection_type.fields[name].type)
                parts.append(("nodes", part_key, self._object(node_type, part_nodes)))
            elif name == "edges":
                edge_type = _object_type(connection_type.fields[name].type)
                parts.append(("edges", part_key, self._edge(edge_type, part_nodes)))
            elif name == "pageInfo":
                page_type = _object_type(connection_type.fields[name].type)
                chosen = tuple(
                    (k, n[0].name.value)
                    for k, n in self._collect(page_type, _below(part_nodes)).items()
                )
                if len(chosen) > MAX_OBJECT_KEYS:
                    raise NotCompilable("too wide")
                parts.append(("pageInfo", part_key, chosen, page_type.name))
            else:
                raise NotCompilable(name)
        _check_width(parts)
        return ConnectionPlan(key, reading, source, tuple(parts))

    def _edge(self, edge_type: GraphQLObjectType, nodes: list[FieldNode]) -> EdgePlan:
        fields: list[Any] = []
        for key, field_nodes in self._collect(edge_type, _below(nodes)).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                fields.append(TypenameField(key, edge_type.name))
            elif name == "cursor":
                fields.append(("cursor", key))
            elif name == "node":
                node_type = _object_type(edge_type.fields[name].type)
                fields.append(("node", key, self._object(node_type, field_nodes)))
            else:
                raise NotCompilable(name)
        _check_width(fields)
        return EdgePlan(tuple(fields))

    def _object(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> ObjectPlan:
        table = node_tables().get(object_type.name)
        if table is None:
            raise NotCompilable(object_type.name)
        fields: list[Any] = []
        for key, field_nodes in self._collect(object_type, _below(nodes)).items():
            fields.append(self._field(object_type, table, key, field_nodes))
        _check_width(fields)
        return ObjectPlan(object_type.name, tuple(fields))

    def _field(
        self, object_type: GraphQLObjectType, table: sa.Table, key: str, nodes: list[FieldNode]
    ) -> Any:
        name = nodes[0].name.value
        if name == "__typename":
            return TypenameField(key, object_type.name)
        if name == "id" and any(i.name == "Node" for i in object_type.interfaces):
            return GlobalIdField(key, object_type.name)
        definition = object_type.fields.get(name)
        strawberry_field = definition and (definition.extensions or {}).get(_DEFINITION)
        if definition is None or strawberry_field is None:
            raise NotCompilable(name)
        reading: Reading | None = reading_of(strawberry_field.metadata)
        if reading is None:
            if strawberry_field.base_resolver is not None or nodes[0].arguments:
                raise NotCompilable(name)
            column = table.c.get(strawberry_field.python_name)
            if column is None:
                raise NotCompilable(name)
            return _column_field(key, column, definition)
        if isinstance(reading, Listing) and reading.parent_column is not None:
            source = ArgumentSource(definition, nodes[0], strawberry_field)
            return self._connection(key, reading, source, definition, nodes)
        if isinstance(reading, ChildCount):
            return CountField(key, reading)
        if isinstance(reading, RelatedRow):
            return RowField(key, reading, self._object(_object_type(definition.type), nodes))
        if isinstance(reading, RelatedRows):
            return RowsField(key, reading, self._object(_object_type(definition.type), nodes))
        raise NotCompilable(name)

    def _collect(
        self, object_type: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Response key -> the field nodes merged under it, in response order."""
        collected: dict[str, list[FieldNode]] = {}
        spread: set[str] = set()
        for selection_set in selection_sets:
            self._collect_into(object_type, selection_set, collected, spread)
        return collected

    def _collect_into(
        self,
        object_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        collected: dict[str, list[FieldNode]],
        spread: set[str],
    ) -> None:
        """Fields of ``selection_set`` for ``object_type``; a fragment already spread
        into this selection adds nothing new and is not walked again (a document
        spreading each fragment twice would otherwise double the walk per level)."""
        for selection in selection_set.selections:
            self.budget -= 1
            if self.budget < 0:
                raise NotCompilable("too large to plan")
            if selection.directives:
                raise NotCompilable("directives")
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                collected.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, object_type):
                    self._collect_into(object_type, selection.selection_set, collected, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or fragment.directives:
                    raise NotCompilable("fragment")
                if name in spread:
                    continue
                spread.add(name)
                if self._applies(fragment.type_condition.name.value, object_type):
                    self._collect_into(object_type, fragment.selection_set, collected, spread)

    def _applies(self, condition: str, object_type: GraphQLObjectType) -> bool:
        if condition == object_type.name:
            return True
        named = self.schema.get_type(condition)
        return named is not None and self.schema.is_sub_type(named, object_type)  # type: ignore[arg-type]


def _below(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    return [n.selection_set for n in nodes if n.selection_set is not None]


def _object_type(graphql_type: Any) -> GraphQLObjectType:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    if not isinstance(graphql_type, GraphQLObjectType):
        raise NotCompilable(str(graphql_type))
    return graphql_type


def _check_width(fields: list[Any]) -> None:
    if len(fields) > MAX_OBJECT_KEYS:
        raise NotCompilable("too wide")


_PLAIN_SCALARS = {"String", "Int", "Float", "ID"}


def _column_field(key: str, column: sa.Column[Any], definition: GraphQLField) -> ColumnField:
    graphql_type = definition.type
    if isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    if isinstance(graphql_type, GraphQLList):
        item = graphql_type.of_type
        if isinstance(item, GraphQLNonNull):
            item = item.of_type
        strings = isinstance(item, GraphQLScalarType) and item.name == "String"
        if strings and isinstance(column.type, sa.JSON):
            return ColumnField(key, column.name, "json")
        raise NotCompilable(key)
    if isinstance(graphql_type, GraphQLEnumType):
        names = tuple((_stored(value.value), name) for name, value in graphql_type.values.items())
        return ColumnField(key, column.name, "enum", names=names)
    if not isinstance(graphql_type, GraphQLScalarType):
        raise NotCompilable(key)
    scalar = graphql_type.name
    if scalar in _PLAIN_SCALARS:
        return ColumnField(key, column.name, "plain")
    if scalar == "Boolean":
        return ColumnField(key, column.name, "boolean")
    if scalar == "DateTime" and isinstance(column.type, UTCDateTime):
        return ColumnField(key, column.name, "datetime")
    if scalar == "Date" and isinstance(column.type, sa.Date):
        return ColumnField(key, column.name, "date")
    if scalar == "Decimal" and isinstance(column.type, sa.Numeric):
        scale = column.type.scale
        if scale is not None:
            return ColumnField(key, column.name, "decimal", scale=scale)
    raise NotCompilable(key)


def _stored(value: Any) -> str:
    """The value a store column holds for a GraphQL enum value."""
    inner = getattr(value, "value", value)
    return str(inner)
