"""Depth and alias counts of a parsed document, in time linear in its size.

    >>> shape = document_shape(parse("query Q { a: jobs { nodes { id } } }"))
    >>> shape.depth, shape.aliases, shape.operation
    (2, 1, 'Q')

They count as Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` count, which
they replace: depth is the longest chain of fields with selections (root fields are 1
deep when they select something, leaves add nothing, introspection fields count nothing)
and aliases are counted each time a fragment is spread. Those limiters walk a fragment
anew at every spread, so a document whose fragments each spread the next one twice costs
them time doubling with each level (seconds at 17 levels, before any other check ran);
here each fragment is walked once and its result remembered. Counts saturate at
``CEILING``. The numbers are the worst over the document's operations: validation walks
them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

CEILING = 1_000_000_000


@dataclass(frozen=True, slots=True)
class DocumentShape:
    depth: int
    aliases: int
    operation: str
    """The operation holding the worst of either count, for messages."""


@dataclass(slots=True)
class _Walk:
    fragments: dict[str, FragmentDefinitionNode]
    _depths: dict[str, int] = field(default_factory=dict)
    _aliases: dict[str, int] = field(default_factory=dict)
    _expanding: set[str] = field(default_factory=set)

    def depth(self, selection_set: SelectionSetNode) -> int:
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + self.depth(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(
                    deepest, self._fragment(selection.name.value, self._depths, self.depth)
                )
        return min(deepest, CEILING)

    def _fragment(
        self, name: str, counted: dict[str, int], count: Callable[[SelectionSetNode], int]
    ) -> int:
        """``count`` of the named fragment, walked once and remembered in ``counted``; 0
        for an unknown fragment or one spread inside itself."""
        known = counted.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self._expanding:
            return 0
        self._expanding.add(name)
        result = counted[name] = count(fragment.selection_set)
        self._expanding.discard(name)
        return result

    def aliases(self, selection_set: SelectionSetNode) -> int:
        count = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                count += 1 if selection.alias else 0
                if selection.selection_set is not None:
                    count += self.aliases(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                count += self.aliases(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                count += self._fragment(selection.name.value, self._aliases, self.aliases)
            count = min(count, CEILING)
        return count


def document_shape(document: DocumentNode) -> DocumentShape:
    """The deepest operation's depth and the most aliased operation's alias count.

    A fragment cycle (which validation refuses next) counts nothing past its first turn.
    """
    walk = _Walk(
        {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    )
    depth = aliases = 0
    worst = "anonymous"
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = definition.name.value if definition.name else "anonymous"
        this_depth = walk.depth(definition.selection_set)
        this_aliases = walk.aliases(definition.selection_set)
        if this_depth > depth or this_aliases > aliases:
            worst = name
        depth, aliases = max(depth, this_depth), max(aliases, this_aliases)
    return DocumentShape(depth, aliases, worst)


def over_limits(shape: DocumentShape, max_depth: int, max_aliases: int) -> GraphQLError | None:
    """The error for a document deeper or more aliased than allowed; None when within."""
    if shape.depth > max_depth:
        return GraphQLError(
            f"'{shape.operation}' exceeds maximum operation depth of {max_depth} "
            f"(it is {min(shape.depth, CEILING):,} deep)",
            extensions={"code": "QUERY_TOO_DEEP", "depth": shape.depth, "limit": max_depth},
        )
    if shape.aliases > max_aliases:
        return GraphQLError(
            f"{shape.aliases:,} aliases found in '{shape.operation}'; at most {max_aliases} "
            "aliases are allowed",
            extensions={"code": "TOO_MANY_ALIASES", "aliases": shape.aliases, "limit": max_aliases},
        )
    return None
