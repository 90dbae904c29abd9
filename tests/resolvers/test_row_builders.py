"""Types built from stored rows and domain values by field name."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import strawberry

from resolvers.relay import Node, mirrored, node_type, row_builder


@dataclass(frozen=True, slots=True)
class _Row:
    _mapping: dict[str, object]


@node_type("Widget")
class Widget(Node):
    name: str
    tags: list[str]


@strawberry.type
class Label:
    text: str
    shown: bool


def test_a_node_takes_its_pk_from_the_id_column_and_computed_fields_from_their_function() -> None:
    build = row_builder(Widget, tags=lambda m: sorted(m["tags"] or ()))
    widget = build(_Row({"id": 7, "name": "w", "tags": ["b", "a"]}))  # type: ignore[arg-type]
    assert (widget.pk, widget.name, widget.tags) == (7, "w", ["a", "b"])
    assert Widget.NODE_TYPE == "Widget"


def test_a_type_without_pk_is_built_from_its_columns_alone() -> None:
    label = row_builder(Label)(_Row({"text": "t", "shown": True, "id": 3}))  # type: ignore[arg-type]
    assert label == Label(text="t", shown=True)


def test_a_computed_field_the_type_does_not_have_is_refused_when_declared() -> None:
    with pytest.raises(TypeError, match="nme"):
        row_builder(Label, nme=lambda m: m["text"])


def test_mirrored_copies_same_named_attributes_except_those_given() -> None:
    @dataclass
    class Source:
        text: str
        shown: bool
        extra: int

    assert mirrored(Label, Source("t", False, 1), shown=True) == Label(text="t", shown=True)
