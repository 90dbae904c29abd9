"""JSON built by the database, in the exact text the resolvers would send.

One class per backend renders the few shapes a compiled read needs: an object of
named values, an array aggregate, a nested subquery's JSON, and each scalar the way
Strawberry serialises it (global ids, ISO date-times with ``+00:00``, decimals with
their scale, enum names, cursors). PostgreSQL does it with ``json_build_object`` and
``json_agg``; SQLite with ``json_object`` and ``json_group_array``, plus two functions
registered on each connection (``gateway.store.sqlite_functions``) for the base64 of ids
and cursors, which SQLite lacks.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

Expr = sa.ColumnElement[Any]

_KEY = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")

MAX_OBJECT_KEYS = 50
"""PostgreSQL functions take at most 100 arguments: 50 keys and their values."""


def _text(value: str) -> Expr:
    """A constant string inlined in the SQL (names and formats the compiler wrote,
    never input)."""
    assert "'" not in value and "\\" not in value, value
    return sa.literal_column(f"'{value}'", sa.Text)


def key_literal(key: str) -> Expr:
    assert _KEY.fullmatch(key), key
    return _text(key)


class JsonSQL:
    """The shared part; ``name`` is the SQLAlchemy dialect name."""

    name = ""

    def object(self, pairs: list[tuple[str, Expr]]) -> Expr:
        raise NotImplementedError

    def agg(self, value: Expr, order_by: list[Expr], where: Expr | None) -> Expr:
        """A JSON array of ``value`` over the rows in ``order_by`` (``[]`` for none)."""
        raise NotImplementedError

    def nested(self, subquery: Expr) -> Expr:
        """The JSON a scalar subquery built, as JSON rather than as a string."""
        raise NotImplementedError

    def boolean(self, value: Expr) -> Expr:
        raise NotImplementedError

    def global_id(self, type_name: str, pk: Expr) -> Expr:
        raise NotImplementedError

    def datetime(self, value: Expr) -> Expr:
        raise NotImplementedError

    def date(self, value: Expr) -> Expr:
        raise NotImplementedError

    def decimal(self, value: Expr, scale: int) -> Expr:
        raise NotImplementedError

    def json_value(self, value: Expr) -> Expr:
        raise NotImplementedError

    def cursor(self, sort_value: Expr, kind: str, pk: Expr) -> Expr:
        """The cursor ``Cursor(value, id).encode()`` writes; ``kind`` is the sort
        column's: ``datetime``, ``text`` or ``integer``."""
        raise NotImplementedError

    def text(self, value: str) -> Expr:
        return _text(value)

    def enum(self, value: Expr, names: dict[str, str]) -> Expr:
        """The GraphQL name of a stored enum value."""
        return sa.case({stored: _text(name) for stored, name in names.items()}, value=value)


class PostgresJSON(JsonSQL):
    name = "postgresql"

    def object(self, pairs: list[tuple[str, Expr]]) -> Expr:
        arguments: list[Expr] = []
        for key, value in pairs:
            arguments += [key_literal(key), value]
        return sa.func.json_build_object(*arguments, type_=sa.JSON)

    def agg(self, value: Expr, order_by: list[Expr], where: Expr | None) -> Expr:
        ordered = aggregate_order_by(value, *order_by) if order_by else value
        aggregate: Any = sa.func.json_agg(ordered, type_=sa.JSON)
        if where is not None:
            aggregate = aggregate.filter(where)
        return sa.func.coalesce(aggregate, sa.literal_column("'[]'::json"), type_=sa.JSON)

    def nested(self, subquery: Expr) -> Expr:
        return subquery

    def boolean(self, value: Expr) -> Expr:
        return value

    def global_id(self, type_name: str, pk: Expr) -> Expr:
        raw = _text(f"{type_name}:").op("||")(sa.cast(pk, sa.Text))
        return sa.func.encode(sa.func.convert_to(raw, _text("UTF8")), _text("base64"))

    def datetime(self, value: Expr) -> Expr:
        utc = sa.func.timezone(_text("UTC"), value)
        whole = sa.func.date_trunc(_text("second"), value) == value
        return sa.case(
            (whole, sa.func.to_char(utc, _text('YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))),
            else_=sa.func.to_char(utc, _text('YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')),
        )

    def date(self, value: Expr) -> Expr:
        return sa.func.to_char(value, _text("YYYY-MM-DD"))

    def decimal(self, value: Expr, scale: int) -> Expr:
        return sa.cast(value, sa.Text)

    def json_value(self, value: Expr) -> Expr:
        return value

    def cursor(self, sort_value: Expr, kind: str, pk: Expr) -> Expr:
        if kind == "datetime":
            shown: Expr = _text('"').op("||")(self.datetime(sort_value)).op("||")(_text('"'))
        elif kind == "text":
            shown = sa.cast(sa.func.to_json(sort_value), sa.Text)
        else:
            shown = sa.cast(sort_value, sa.Text)
        raw = (_text("[").op("||")(shown).op("||")(_text(",")).op("||")(sa.cast(pk, sa.Text))).op(
            "||"
        )(_text("]"))
        encoded = sa.func.encode(sa.func.convert_to(raw, _text("UTF8")), _text("base64"))
        unwrapped = sa.func.replace(encoded, sa.literal_column("E'\\n'"), _text(""))
        return sa.func.rtrim(sa.func.translate(unwrapped, _text("+/"), _text("-_")), _text("="))


class SQLiteJSON(JsonSQL):
    name = "sqlite"

    def object(self, pairs: list[tuple[str, Expr]]) -> Expr:
        arguments: list[Expr] = []
        for key, value in pairs:
            arguments += [key_literal(key), value]
        return sa.func.json_object(*arguments, type_=sa.Text)

    def agg(self, value: Expr, order_by: list[Expr], where: Expr | None) -> Expr:
        aggregate: Expr = sa.func.json_group_array(value, type_=sa.Text)
        if where is not None:
            aggregate = sa.func.json_group_array(value, type_=sa.Text).filter(where)
        return aggregate

    def nested(self, subquery: Expr) -> Expr:
        return sa.func.json(subquery, type_=sa.Text)

    def boolean(self, value: Expr) -> Expr:
        return sa.case(
            (value.is_(None), sa.null()),
            (value == sa.true(), sa.func.json(_text("true"))),
            else_=sa.func.json(_text("false")),
        )

    def global_id(self, type_name: str, pk: Expr) -> Expr:
        return sa.func.tg_global_id(_text(type_name), pk, type_=sa.Text)

    def datetime(self, value: Expr) -> Expr:
        whole = sa.func.substr(value, 20).in_([_text(""), _text(".000000")])
        return sa.case(
            (value.is_(None), sa.null()),
            (
                whole,
                sa.func.replace(sa.func.substr(value, 1, 19), _text(" "), _text("T")).op("||")(
                    _text("+00:00")
                ),
            ),
            else_=sa.func.replace(sa.func.substr(value, 1, 26), _text(" "), _text("T")).op("||")(
                _text("+00:00")
            ),
        )

    def date(self, value: Expr) -> Expr:
        return value

    def decimal(self, value: Expr, scale: int) -> Expr:
        return sa.case(
            (value.is_(None), sa.null()), else_=sa.func.printf(_text(f"%.{scale}f"), value)
        )

    def json_value(self, value: Expr) -> Expr:
        return sa.func.json(value, type_=sa.Text)

    def cursor(self, sort_value: Expr, kind: str, pk: Expr) -> Expr:
        shown = self.datetime(sort_value) if kind == "datetime" else sort_value
        return sa.func.tg_cursor(shown, pk, type_=sa.Text)


def json_sql_for(dialect_name: str) -> JsonSQL | None:
    if dialect_name == "postgresql":
        return PostgresJSON()
    if dialect_name == "sqlite":
        return SQLiteJSON()
    return None
