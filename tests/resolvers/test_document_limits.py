"""Depth and alias counts before validation: as Strawberry's limiters counted them
(the boundary tests in ``test_http`` hold them to it), but each fragment walked once, so
a document whose fragments each spread the next one twice is counted in linear time."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse
from strawberry.extensions.max_aliases import count_fields_with_alias

from resolvers import document_limits
from resolvers.document_limits import CEILING, document_shape, over_limits


def doubling(levels: int, body: str = "__typename") -> str:
    fragments = [
        f"fragment F{n} on Query {{ {body} ...F{n + 1} ...F{n + 1} }}" for n in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Query {{ {body} }}")
    return "query Bomb { ...F0 }\n" + "\n".join(fragments)


@pytest.mark.parametrize(
    ("query", "depth", "aliases"),
    [
        ("{ __typename }", 0, 0),
        ("{ jobs { nodes { id } } }", 2, 0),
        ("{ a: jobs { nodes { b: id } } c: me { id } }", 2, 3),
        ("{ __schema { types { fields { name } } } }", 0, 0),
        ("{ ... on Query { jobs { nodes { id } } } }", 2, 0),
        ("query { ...J ...J } fragment J on Query { x: jobs { nodes { id } } }", 2, 2),
        ("query A { a: me { id } } query B { jobs { nodes { job { id } } } }", 3, 1),
    ],
)
def test_depth_and_aliases_of_small_documents(query: str, depth: int, aliases: int) -> None:
    shape = document_shape(parse(query))
    assert (shape.depth, shape.aliases) == (depth, aliases)


@pytest.mark.parametrize(
    "query",
    [
        "{ a: me { id } b: me { c: id } }",
        "query { ...J ...J } fragment J on Query { x: jobs { nodes { y: id ...K } } }"
        " fragment K on Job { z: id }",
        doubling(6, "t: __typename"),
    ],
)
def test_aliases_count_as_strawberrys_limiter_counted(query: str) -> None:
    document = parse(query)
    fragments = {d.name.value: d for d in document.definitions if hasattr(d, "type_condition")}
    [operation] = [d for d in document.definitions if not hasattr(d, "type_condition")]
    expected = count_fields_with_alias(operation, fragments)  # type: ignore[arg-type]
    assert document_shape(document).aliases == expected


def test_doubling_fragments_are_walked_once_each(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    walk = document_limits._Walk.aliases

    def counted(self: Any, selection_set: Any) -> int:
        nonlocal calls
        calls += 1
        assert calls < 10_000, "a fragment is walked again at every spread"
        return walk(self, selection_set)

    monkeypatch.setattr(document_limits._Walk, "aliases", counted)
    shape = document_shape(parse(doubling(200, "t: __typename")))
    assert shape.aliases == CEILING
    assert calls == 202


def test_cycles_and_unknown_fragments_count_nothing_more() -> None:
    cyclic = "query { ...A } fragment A on Query { a: me { ...B } } fragment B on User { ...A }"
    assert document_shape(parse(cyclic)).aliases == 1
    assert document_shape(parse("{ ...Missing }")).depth == 0


def test_the_limits_name_what_is_over() -> None:
    deep = document_shape(parse("query Deep { jobs { nodes { job { id } } } }"))
    error = over_limits(deep, max_depth=2, max_aliases=30)
    assert error is not None and "depth of 2" in error.message
    assert error.extensions == {"code": "QUERY_TOO_DEEP", "depth": 3, "limit": 2}
    many = document_shape(parse("{ a: me { id } b: me { id } }"))
    error = over_limits(many, max_depth=12, max_aliases=1)
    assert error is not None and "aliases" in error.message
    assert over_limits(many, max_depth=12, max_aliases=2) is None
