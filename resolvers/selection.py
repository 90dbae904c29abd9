"""What a client selected below a field, to prefetch exactly that.

>>> selected_below(info, ("edges", "node"))   # in a connection resolver
{'candidate', 'currentStage', 'interviews'}
"""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from resolvers.context import Info


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def selected_below(info: Info, path: tuple[str, ...]) -> set[str]:
    """Names (as sent, camelCase) selected at ``path`` under the current field."""
    level: list[SelectedField] = list(_fields(info.selected_fields))
    level = [child for field in level for child in _fields(field.selections)]
    for name in path:
        level = [
            child for field in level if field.name == name for child in _fields(field.selections)
        ]
    return {field.name for field in level}
