"""``column IN ids`` that PostgreSQL receives as one array parameter.

``column.in_(ids)`` renders one bind parameter per id, so a statement over 2,000 ids
costs 2,000 parameters to render and send, and its text changes with the length of
the list: neither SQLAlchemy's compiled cache nor asyncpg's prepared statements are
reused from one batch to the next. On PostgreSQL `in_ids` renders
``column = ANY($1::INTEGER[])`` whatever the length; elsewhere (SQLite has no arrays)
it renders SQLAlchemy's expanding ``IN``.

The dialect is only known when the statement is compiled, so the clause holds one bind
parameter of each shape and each dialect renders the one it needs. Both are part of
the clause's cache key, so a cached compilation takes the values of the statement at
hand, never those of the statement it was first compiled for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class InIds(ColumnElement[bool]):
    __visit_name__ = "in_ids"
    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("as_list", InternalTraversal.dp_clauseelement),
        ("as_array", InternalTraversal.dp_clauseelement),
    ]
    type = sa.Boolean()
    _is_implicitly_boolean = True

    def __init__(self, column: Any, ids: Iterable[Any]) -> None:
        values = list(dict.fromkeys(ids))
        self.column: ColumnElement[Any] = coercions.expect(roles.ExpressionElementRole, column)
        self.as_list: BindParameter[Any] = sa.bindparam(
            None, values, type_=self.column.type, expanding=True
        )
        self.as_array: BindParameter[Any] = sa.bindparam(
            None, values, type_=postgresql.ARRAY(self.column.type)
        )

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


def in_ids(column: Any, ids: Iterable[Any]) -> ColumnElement[bool]:
    """``column`` is one of ``ids`` (duplicates allowed, none matches nothing)."""
    return InIds(column, ids)


@compiles(InIds)
def _expanding_in(element: InIds, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.as_list), **kw)


@compiles(InIds, "postgresql")
def _any_of_array(element: InIds, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column == sa.any_(element.as_array), **kw)
