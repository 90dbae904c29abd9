"""The root fields an operation selects, through fragments too: what the rate limits
count an operation by (a fragment must not get around them)."""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
)


def all_root_fields(document: DocumentNode, operation: OperationDefinitionNode) -> set[str]:
    """Every root field the operation selects, through fragments too (for rate limits,
    which a fragment must not get around)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names: set[str] = set()
    pending = list(operation.selection_set.selections)
    seen: set[str] = set()
    while pending:
        selection = pending.pop()
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            pending.extend(selection.selection_set.selections)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                pending.extend(fragments[name].selection_set.selections)
    return names
