"""Filter inputs turned into criteria, declared field by field.

    recruiter_criteria = criteria_from(RecruiterCriteria, RecruiterFilter, roles=as_tuple("role"))

Each keyword names a field of the criteria and says how its value is read from the
filter; a missing filter reads as an empty one. Readings run in the order declared, so
with two bad ids the first declared is the one reported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from strawberry.utils.str_converters import to_camel_case

from resolvers.inputs import SortDirection, date_range
from resolvers.relay import pk_of

CriteriaT = TypeVar("CriteriaT")
FilterT = TypeVar("FilterT")

Reading = Callable[[Any], Any]
"""Reads one criteria value from a filter input."""


def criteria_from(
    criteria: Callable[..., CriteriaT], filter: type[FilterT], **readings: Reading
) -> Callable[[FilterT | None], CriteriaT]:
    """The function turning a ``filter`` input (or None) into ``criteria``."""

    def build(value: FilterT | None) -> CriteriaT:
        given = value if value is not None else filter()
        return criteria(**{name: read(given) for name, read in readings.items()})

    return build


def as_is(name: str) -> Reading:
    return lambda value: getattr(value, name)


def as_tuple(name: str) -> Reading:
    """A list input (null reads as empty) as the tuple a hashable criteria holds."""
    return lambda value: tuple(getattr(value, name) or ())


def pk_from(name: str, node_type: str) -> Reading:
    """The primary key inside a global id that must name a ``node_type``; errors name
    the field as the API spells it."""

    def read(value: Any) -> int | None:
        global_id = getattr(value, name)
        return pk_of(global_id, node_type, field=to_camel_case(name)) if global_id else None

    return read


def date_range_from(name: str) -> Reading:
    return lambda value: date_range(getattr(value, name))


def utc_from(name: str) -> Reading:
    """A date-time without a zone is taken as UTC."""
    return lambda value: as_utc(getattr(value, name))


def as_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class SortInput(Protocol):
    @property
    def field(self) -> Enum: ...

    @property
    def direction(self) -> SortDirection: ...


def sort_order(value: SortInput | None, default: Callable[[], SortInput]) -> tuple[str, bool]:
    """(column, descending) of a sort input; a missing one takes ``default``'s values."""
    chosen = value if value is not None else default()
    return chosen.field.value, chosen.direction is SortDirection.DESC


Condition = sa.ColumnElement[bool]


def tenant_rows(table: sa.Table, tenant_id: int, *narrowing: Condition | None) -> list[Condition]:
    """The conditions of a criteria's ``where``: the tenant's rows of ``table``, then each
    narrowing the criteria asks for, in order (None where it asks for none)."""
    return [table.c.tenant_id == tenant_id, *(c for c in narrowing if c is not None)]


def equal_to(column: Any, value: Any) -> Condition | None:
    """``column = value``; no narrowing when ``value`` is None."""
    return None if value is None else column == value


def is_value(column: Any, value: bool | None) -> Condition | None:
    """``column IS value`` for a boolean; no narrowing when ``value`` is None."""
    return None if value is None else column.is_(value)


def one_of(column: Any, values: tuple[Any, ...]) -> Condition | None:
    """``column IN values``; no narrowing when ``values`` is empty."""
    return column.in_(values) if values else None
