"""Query cost: an upper estimate of how many fields a request makes the gateway resolve.

    >>> query_cost(schema, parse("{ jobs(first: 10) { totalCount edges { node { id title } } } }"))
    33

``jobs``, ``totalCount`` and ``edges`` once each, then ``node``, ``id`` and ``title`` for
each of the 10 edges: 3 + 10 x 3. The cost is computed on the parsed document before
validation, so a caller over its role's limit is refused before anything walks the
document a second time.

The model, after GitHub's node limit (connections multiply by ``first``/``last``, at most
100 per page), Shopify's calculated query cost (a connection costs ``first`` x its
children; an interface or union costs its most expensive possible type; a mutation costs
10) and Hasura's per-role limits:

- Every selected field costs 1 each time it would be resolved: objects, scalars, enums and
  ``__typename`` alike, so a document of nothing but scalars is not free. A list of
  scalars costs 1 (its items are serialised, not resolved).
- A connection (a type named ``...Connection``) resolves its ``edges`` and ``nodes`` once
  per item of the page: ``first`` or ``last`` (the larger when both are given), else
  ``DEFAULT_PAGE_SIZE``; a negative, non-integer or larger value counts as
  ``MAX_PAGE_SIZE``. ``pageInfo`` and ``totalCount`` are resolved once. The page size
  comes from the nearest field with ``first``/``last`` arguments, so
  ``backgroundJobs(first: 100) { items { edges { ... } } }`` counts 100 edges.
- Any other list of objects is multiplied by its ``first`` argument (as pages are),
  by the number of ``ids`` (``nodes(ids:)``), or else by ``LIST_ESTIMATES`` (typical
  sizes of lists the data bounds, e.g. an application's interviews), default
  ``DEFAULT_LIST_ESTIMATE``.
- A field of an interface or union type costs its most expensive possible type.
- A mutation's root field costs ``MUTATION_FIELD_COST`` instead of 1.
- Introspection is answered from the schema in memory, so its lists are counted with
  small estimates: the standard introspection query (GraphiQL's) costs 2,150, though it
  resolves some 40,000 fields of this schema.
- ``@skip``/``@include`` are ignored: what they leave out is still counted.
- A fragment spread counts each time it appears, even where execution would merge
  repeated spreads: the validation rules that limit depth and aliases walk every spread,
  which is what makes a document whose fragments each spread the next one twice cost
  seconds before execution. Each (selection set, object type, page size) is costed once
  and remembered, so costing such a document is linear in its size (times the types a
  fragment on an interface or union can apply to).
- A document costs its selected operation (with the request's variables) plus each of its
  other operations (with their variables' defaults): validation walks them all.
- Sums and products saturate at ``COST_CEILING``. The document is not validated yet, so
  nothing in it may crash or loop the costing: a fragment cycle costs nothing past its
  first turn, a spread of an unknown fragment costs nothing, unknown fields and type
  conditions cost as plain fields (validation refuses them next), and a document nested
  too deep to cost costs ``COST_CEILING``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from graphql import (
    DocumentNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    Undefined,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_object_type,
)

from gateway.auth import Principal
from gateway.settings import Settings
from gateway.store.enums import Role
from gateway.store.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

COST_CEILING = 1_000_000_000
"""Costs saturate here: far above any limit, and cheap to compute with."""
MUTATION_FIELD_COST = 10
DEFAULT_LIST_ESTIMATE = 10
LIST_ESTIMATES: Mapping[tuple[str, str], int] = {
    ("Application", "interviews"): 3,
    ("Application", "stageHistory"): 8,
    ("Application", "offers"): 2,
    ("Application", "onboardingTasks"): 10,
    ("Interview", "messages"): 20,
    ("Interview", "invites"): 3,
    ("PublicInterview", "messages"): 20,
    ("Recruiter", "links"): 4,
    ("PipelineMetrics", "stages"): 8,
    ("__Schema", "types"): 6,
    ("__Schema", "directives"): 2,
    ("__Type", "fields"): 3,
    ("__Type", "inputFields"): 2,
    ("__Type", "interfaces"): 1,
    ("__Type", "enumValues"): 2,
    ("__Type", "possibleTypes"): 1,
    ("__Field", "args"): 1,
    ("__Directive", "args"): 1,
}
"""Typical sizes of unpaged lists of objects, per (type, field); others count
``DEFAULT_LIST_ESTIMATE``. Interviews stop at ``interview_max_messages`` (100) messages,
about 14 with the default six questions; a pipeline has about eight stages. The
introspection lists are far below this schema's real sizes (280 types): they keep the
standard introspection query cheap while nested introspection still multiplies."""

_PAGED_LISTS = frozenset({"edges", "nodes"})
_PAGE_ARGUMENTS = ("first", "last")
_ABSURD = object()


@dataclass(frozen=True, slots=True)
class QueryCost:
    total: int
    """What a limit is compared with: the selected operation plus the others."""
    operation: int
    """The selected operation alone (0 when the document has none by that name)."""
    selection_sets: int
    """Selection sets costed (each at most once per type and page size): the work done."""


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, object] | None = None,
) -> int:
    """The cost a limit is compared with; see ``measure``."""
    return measure(schema, document, operation_name, variables).total


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, object] | None = None,
) -> QueryCost:
    """The cost of ``document`` run as ``operation_name`` with ``variables``.

    The selected operation is the one named, or the only one; ``variables`` apply to it
    alone. Never raises for a document that parsed, valid or not.
    """
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    selected = _select(operations, operation_name)
    costing = _Costing(
        schema,
        {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)},
        _shapes_of(schema),
    )
    total = chosen = 0
    try:
        for operation in operations:
            cost = costing.operation(operation, variables if operation is selected else None)
            if operation is selected:
                chosen = cost
            total = _add(total, cost)
    except RecursionError:
        total = chosen = COST_CEILING
    return QueryCost(total=total, operation=chosen, selection_sets=costing.selection_sets)


def _select(
    operations: list[OperationDefinitionNode], name: str | None
) -> OperationDefinitionNode | None:
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)


def _add(a: int, b: int) -> int:
    return min(a + b, COST_CEILING)


def _mul(a: int, b: int) -> int:
    return min(a * b, COST_CEILING)


def _size(value: object) -> int | None:
    """A page size or ``first`` as the resolvers would cap it; None when not given."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PAGE_SIZE:
        return value
    return MAX_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class _Shape:
    """What costing needs to know of one field of one type, worked out once per schema."""

    returns: GraphQLNamedType
    own: int
    object_list: bool
    per_page: bool
    """``edges``/``nodes`` of a connection: as many as the page size."""
    per_id: bool
    paged: tuple[str, ...]
    default_page: int
    estimate: int


_SHAPES: WeakKeyDictionary[GraphQLSchema, dict[tuple[str | None, str], _Shape | None]] = (
    WeakKeyDictionary()
)


def _shapes_of(schema: GraphQLSchema) -> dict[tuple[str | None, str], _Shape | None]:
    shapes = _SHAPES.get(schema)
    if shapes is None:
        shapes = _SHAPES[schema] = {}
    return shapes


def _work_out(schema: GraphQLSchema, parent: GraphQLObjectType | None, name: str) -> _Shape | None:
    if name == "__schema":
        definition: GraphQLField | None = SchemaMetaFieldDef
    elif name == "__type":
        definition = TypeMetaFieldDef
    else:
        definition = parent.fields.get(name) if parent is not None else None
    if definition is None:
        return None
    returns = get_named_type(definition.type)
    parent_name = parent.name if parent is not None else ""
    paged = tuple(a for a in _PAGE_ARGUMENTS if a in definition.args)
    defaults = [_size(_argument_default(definition.args[a])) for a in paged]
    return _Shape(
        returns=returns,
        own=MUTATION_FIELD_COST if parent is not None and parent is schema.mutation_type else 1,
        object_list=is_list_type(get_nullable_type(definition.type)) and not is_leaf_type(returns),
        per_page=parent_name.endswith("Connection") and name in _PAGED_LISTS,
        per_id="ids" in definition.args,
        paged=paged,
        default_page=max((d for d in defaults if d is not None), default=DEFAULT_PAGE_SIZE),
        estimate=LIST_ESTIMATES.get((parent_name, name), DEFAULT_LIST_ESTIMATE),
    )


def _argument_default(argument: GraphQLArgument) -> object:
    """The default a schema gives an argument, set as a value (Strawberry) or a literal (SDL)."""
    if argument.default_value is not Undefined:
        return argument.default_value
    default = argument.default
    if default is None:
        return None
    if default.literal is not None:
        return _constant(default.literal)
    return None if default.value is Undefined else default.value


def _constant(node: ValueNode) -> object:
    """A literal as far as costing needs it: ints, floats, lists; None for null."""
    if isinstance(node, NullValueNode):
        return None
    if isinstance(node, IntValueNode):
        return int(node.value) if len(node.value) <= 12 else _ABSURD
    if isinstance(node, FloatValueNode):
        return float(node.value)
    if isinstance(node, ListValueNode):
        return node.values
    return _ABSURD


@dataclass(slots=True)
class _Costing:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    shapes: dict[tuple[str | None, str], _Shape | None]
    selection_sets: int = 0
    _memo: dict[tuple[int, str | None, int], int] = field(default_factory=dict)
    _expanding: set[str] = field(default_factory=set)
    _variables: Mapping[str, object] = field(default_factory=dict)
    _defaults: dict[str, ValueNode] = field(default_factory=dict)

    def operation(
        self, operation: OperationDefinitionNode, variables: Mapping[str, object] | None
    ) -> int:
        self._variables = variables or {}
        self._defaults = {
            d.variable.name.value: d.default_value
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        }
        # Costs depend on the variables: nothing is shared between operations.
        self._memo = {}
        root = self.schema.get_root_type(operation.operation)
        return self._selections(operation.selection_set, root, DEFAULT_PAGE_SIZE)

    def _selections(
        self, selection_set: SelectionSetNode, of: GraphQLNamedType | None, page: int
    ) -> int:
        if of is not None and is_abstract_type(of):
            possible = self.schema.get_possible_types(of)
            if possible:
                return max(self._on_object(selection_set, t, page) for t in possible)
        return self._on_object(selection_set, of if is_object_type(of) else None, page)

    def _on_object(
        self, selection_set: SelectionSetNode, obj: GraphQLObjectType | None, page: int
    ) -> int:
        """The selections that apply to an object of type ``obj`` (None: unknown type)."""
        key = (id(selection_set), obj.name if obj else None, page)
        known = self._memo.get(key)
        if known is not None:
            return known
        self.selection_sets += 1
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                cost = self._field(selection, obj, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                cost = self._fragment(
                    selection.selection_set, condition.name.value if condition else None, obj, page
                )
            elif isinstance(selection, FragmentSpreadNode):
                cost = self._spread(selection.name.value, obj, page)
            else:  # pragma: no cover - graphql has no other selection
                cost = 0
            total += cost
        total = min(total, COST_CEILING)
        self._memo[key] = total
        return total

    def _spread(self, name: str, obj: GraphQLObjectType | None, page: int) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self._expanding:
            return 0
        # No try/finally: an exception ends the whole costing.
        self._expanding.add(name)
        cost = self._fragment(fragment.selection_set, fragment.type_condition.name.value, obj, page)
        self._expanding.discard(name)
        return cost

    def _fragment(
        self,
        selection_set: SelectionSetNode,
        condition_name: str | None,
        obj: GraphQLObjectType | None,
        page: int,
    ) -> int:
        if condition_name is None or (obj is not None and condition_name == obj.name):
            return self._on_object(selection_set, obj, page)
        condition = self.schema.get_type(condition_name)
        if condition is None:
            return self._on_object(selection_set, None, page)
        if obj is None:
            return self._selections(selection_set, condition, page)
        if is_abstract_type(condition) and self.schema.is_sub_type(condition, obj):
            return self._on_object(selection_set, obj, page)
        return 0

    def _field(self, node: FieldNode, parent: GraphQLObjectType | None, page: int) -> int:
        name = node.name.value
        key = (parent.name if parent is not None else None, name)
        try:
            shape = self.shapes[key]
        except KeyError:
            shape = self.shapes[key] = _work_out(self.schema, parent, name)
        if shape is None:
            if node.selection_set is None:
                return 1
            return _add(1, self._selections(node.selection_set, None, DEFAULT_PAGE_SIZE))
        if node.selection_set is None:
            return shape.own
        arguments = (
            {argument.name.value: argument.value for argument in node.arguments or ()}
            if shape.paged or shape.per_id
            else {}
        )
        page_size: int | None = None
        if shape.paged:
            given = [
                size
                for size in (_size(self._value(arguments.get(name))) for name in shape.paged)
                if size is not None
            ]
            page_size = max(given) if given else shape.default_page
        inner_page = page_size if page_size is not None else page
        times = 1
        if shape.object_list:
            inner_page = DEFAULT_PAGE_SIZE
            if shape.per_page:
                times = page
            elif page_size is not None:
                times = page_size
            elif shape.per_id:
                times = self._length(arguments.get("ids"))
            else:
                times = shape.estimate
        inner = self._selections(node.selection_set, shape.returns, inner_page)
        return _add(shape.own, _mul(times, inner))

    def _length(self, node: ValueNode | None) -> int:
        value = self._value(node)
        if value is None:
            return 0
        if isinstance(value, list | tuple):
            return len(value)
        return 1

    def _value(self, node: ValueNode | None) -> object:
        """An argument's value: a literal, or a variable's value or default; None when not given."""
        if node is None:
            return None
        if isinstance(node, VariableNode):
            name = node.name.value
            if name in self._variables:
                return self._variables[name]
            default = self._defaults.get(name)
            return None if default is None else _constant(default)
        return _constant(node)


def cost_limit(settings: Settings, principal: Principal | None) -> int:
    """The most one request of this caller may cost (``max_query_cost_*``)."""
    if principal is None:
        return settings.max_query_cost_anonymous
    return {
        Role.ADMIN: settings.max_query_cost_admin,
        Role.RECRUITER: settings.max_query_cost_recruiter,
        Role.READONLY: settings.max_query_cost_readonly,
    }[principal.role]


def too_costly(cost: int, limit: int) -> GraphQLError:
    """The error a request over its limit gets, over HTTP and WebSocket alike."""
    return GraphQLError(
        f"the query's estimated cost {cost:,} is over the limit of {limit:,}: "
        "ask for smaller pages or fewer nested connections",
        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": limit},
    )
