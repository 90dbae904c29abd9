"""Argument values no resolver should see, refused before anything executes.

Every argument of the operation (queries, mutations and subscriptions, over HTTP or
WebSocket) is checked after validation and before execution, whether written in the
document or sent as a variable, at any depth of input objects, lists and JSON:

- no string holds a control character (C0 other than tab, line feed and carriage
  return; DEL) or a lone surrogate: databases refuse or mangle them;
- a ``search`` argument or input field is at most ``settings.max_search_chars`` long;
- a list (other than inside ``JSON``) holds at most ``MAX_LIST_ITEMS`` items;
- a ``DateTime`` with an offset can be expressed in UTC (``0001-01-01T00:00:00+01:00``
  cannot).

One bad value refuses the whole operation, naming where it is:

    {jobs(filter: {search: "a\\u0000b"}) {totalCount}}
    -> {"message": "jobs.filter.search: control character U+0000 is not allowed",
        "extensions": {"code": "BAD_USER_INPUT", "field": "jobs.filter.search"}}
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    ListValueNode,
    Node,
    ObjectValueNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableNode,
    Visitor,
    get_operation_ast,
    is_input_type,
    type_from_ast,
    validate,
    visit,
)
from strawberry.extensions import SchemaExtension

from gateway.settings import Settings
from gateway.store.paging import MAX_PAGE_SIZE

MAX_LIST_ITEMS = MAX_PAGE_SIZE
"""Most items a list argument or input field holds (``JSON`` values aside): as many as
a page, and far fewer than a statement's bind parameters."""
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_DEFAULT_MAX_SEARCH = int(Settings.model_fields["max_search_chars"].default)
_MAX_PROBLEMS = 10

PathPart = str | int


@dataclass(frozen=True, slots=True)
class Problem:
    path: tuple[PathPart, ...]
    message: str
    node: Node | None

    @property
    def where(self) -> str:
        """``jobs.filter.search``, ``nodes.ids[1]``; control characters in names (JSON
        keys) written as ``\\u0000``."""
        text = ""
        for part in self.path:
            if isinstance(part, int):
                text += f"[{part}]"
            else:
                name = _FORBIDDEN.sub(lambda found: f"\\u{ord(found.group()):04x}", part)
                text += f".{name}" if text else name
        return text

    def error(self) -> GraphQLError:
        return GraphQLError(
            f"{self.where}: {self.message}",
            nodes=self.node,
            extensions={"code": "BAD_USER_INPUT", "field": self.where},
        )


def character_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as it is (a control character, a lone surrogate),
    or ``None``."""
    found = _FORBIDDEN.search(text)
    if not found:
        return None
    char = found.group()
    kind = "lone surrogate" if "\ud800" <= char <= "\udfff" else "control character"
    return f"{kind} U+{ord(char):04X} is not allowed"


def outside_utc(moment: datetime) -> bool:
    """Whether an aware ``moment`` has no UTC equivalent (``0001-01-01T00:00+01:00``)."""
    if moment.tzinfo is None:
        return False
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return True
    return False


def _string_problem(text: str, named: GraphQLNamedType | None) -> str | None:
    problem = character_problem(text)
    if problem is None and isinstance(named, GraphQLScalarType) and named.name == "DateTime":
        return _date_time_problem(named, text)
    return problem


def _date_time_problem(scalar: GraphQLScalarType, text: str) -> str | None:
    try:
        parsed = scalar.parse_value(text)
    except (GraphQLError, ValueError, OverflowError):
        return None  # not a date-time at all: the scalar's own coercion says so
    if isinstance(parsed, datetime) and outside_utc(parsed):
        return f"{text[:40]!r} is out of range once expressed in UTC"
    return None


def _named(type_: GraphQLInputType | None) -> GraphQLNamedType | None:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _nullable(type_: GraphQLInputType | None) -> GraphQLInputType | None:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


class _Walk:
    """Walks argument values with their expected type; ``None`` is "no type known"
    (inside a ``JSON`` value, or a field the validation will refuse anyway)."""

    def __init__(self, variables: Mapping[str, Any], max_search: int) -> None:
        self.variables = variables
        self.max_search = max_search
        self.problems: list[Problem] = []

    def check(
        self,
        value: Any,
        type_: GraphQLInputType | None,
        path: tuple[PathPart, ...],
        node: Node | None,
    ) -> None:
        stack: list[tuple[Any, GraphQLInputType | None, tuple[PathPart, ...]]] = [
            (value, type_, path)
        ]
        while stack and len(self.problems) < _MAX_PROBLEMS:
            value, type_, path = stack.pop()
            for item in self._step(value, _nullable(type_), path, node):
                stack.append(item)

    def _step(
        self,
        value: Any,
        type_: GraphQLInputType | None,
        path: tuple[PathPart, ...],
        node: Node | None,
    ) -> Iterator[tuple[Any, GraphQLInputType | None, tuple[PathPart, ...]]]:
        if isinstance(value, VariableNode):
            name = value.name.value
            if name in self.variables:
                yield self.variables[name], type_, path
            return
        if isinstance(value, StringValueNode):
            value = value.value
        if isinstance(value, str):
            self._string(value, type_, path, node)
            return
        item_type = type_.of_type if isinstance(type_, GraphQLList) else None
        if isinstance(value, ListValueNode):
            value = value.values
        if isinstance(value, list | tuple):
            if isinstance(type_, GraphQLList) and len(value) > MAX_LIST_ITEMS:
                message = f"at most {MAX_LIST_ITEMS} items, got {len(value)}"
                self.problems.append(Problem(path, message, node))
                return
            for index, item in enumerate(value):
                yield item, item_type, (*path, index)
            return
        if isinstance(type_, GraphQLList):
            yield value, item_type, path  # a single value where a list is expected
            return
        fields = type_.fields if isinstance(type_, GraphQLInputObjectType) else None
        if isinstance(value, ObjectValueNode):
            for field in value.fields:
                name = field.name.value
                field_type = fields[name].type if fields and name in fields else None
                yield field.value, field_type, (*path, name)
        elif isinstance(value, dict):
            for key, item in value.items():
                if fields is None and isinstance(key, str):
                    self._string(key, None, (*path, key), node)
                field_type = fields[key].type if fields and key in fields else None
                yield item, field_type, (*path, key)

    def _string(
        self,
        text: str,
        type_: GraphQLInputType | None,
        path: tuple[PathPart, ...],
        node: Node | None,
    ) -> None:
        named = _named(type_)
        message = _string_problem(text, named)
        if (
            message is None
            and path[-1] == "search"
            and named is not None
            and named.name == "String"
            and len(text) > self.max_search
        ):
            message = f"at most {self.max_search} characters, got {len(text)}"
        if message is not None:
            self.problems.append(Problem(path, message, node))


class _Arguments(Visitor):
    """Feeds every argument of fields and directives to a ``_Walk``, with its path."""

    def __init__(self, type_info: TypeInfo, walk: _Walk) -> None:
        super().__init__()
        self.type_info = type_info
        self.walk = walk
        self.path: list[PathPart] = []

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> None:
        self.path = [node.name.value]

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.path.append((node.alias or node.name).value)

    def leave_field(self, *_: Any) -> None:
        self.path.pop()

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.path.append(f"@{node.name.value}")

    def leave_directive(self, *_: Any) -> None:
        self.path.pop()

    def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
        argument = self.type_info.get_argument()
        self.walk.check(
            node.value,
            argument.type if argument else None,
            (*self.path, node.name.value),
            node,
        )
        return self.SKIP


def input_problems(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    *,
    max_search: int = _DEFAULT_MAX_SEARCH,
) -> list[Problem]:
    """What is wrong with the arguments of the operation that would run (at most ten)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    variables = variables or {}
    walk = _Walk(variables, max_search)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if definition.default_value is not None:
            type_ = type_from_ast(schema, definition.type)
            input_type = type_ if is_input_type(type_) else None
            walk.check(definition.default_value, input_type, (f"${name}",), definition)
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    scope = DocumentNode(definitions=(operation, *fragments))
    type_info = TypeInfo(schema)
    visit(scope, TypeInfoVisitor(type_info, _Arguments(type_info, walk)))
    return walk.problems[:_MAX_PROBLEMS]


class InputGuard(SchemaExtension):
    """Runs ``input_problems`` once the document is known valid; any problem becomes
    the operation's pre-execution errors, so nothing executes.

    Listed after ``ValidationCache``, whose ``on_validate`` has validated by then;
    without it the document is validated here first."""

    def __init__(self, max_search: int = _DEFAULT_MAX_SEARCH) -> None:
        super().__init__()
        self.max_search = max_search

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            if context.pre_execution_errors is None and context.validation_rules:
                context.pre_execution_errors = validate(
                    context.schema._schema, document, context.validation_rules
                )
            if not context.pre_execution_errors:
                problems = input_problems(
                    context.schema._schema,
                    document,
                    context.operation_name,
                    context.variables,
                    max_search=self.max_search,
                )
                if problems:
                    context.pre_execution_errors = [problem.error() for problem in problems]
        yield
