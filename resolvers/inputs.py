"""Inputs and enums shared by every domain: date ranges, sort direction, and which
fields of an update input the caller sent.

An update input leaves a field ``UNSET`` when the caller leaves it out; a field
declared with ``not_null()`` may be left out but not sent as null, because the value
it sets always exists:

    @strawberry.input
    class SettingsUpdateInput:
        stale_stage_days: int | None = not_null()
        email_from_name: str | None = strawberry.UNSET     # null clears it

    sent_fields(SettingsUpdateInput(stale_stage_days=None))
    -> ValidationFailed("staleStageDays", "staleStageDays cannot be null")
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from gateway.errors import ValidationFailed
from gateway.store.criteria import DateRange

_NOT_NULL = "talentgraph.not_null"


def not_null(*, description: str | None = None) -> Any:
    """An input field the caller may leave out, but not set to null."""
    return strawberry.field(
        default=strawberry.UNSET, description=description, metadata={_NOT_NULL: True}
    )


def sent_fields(value: Any, *, exclude: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """The fields of input ``value`` the caller sent, by Python name (left-out ones are
    not there); an explicit null in a ``not_null()`` field is ``ValidationFailed``
    naming the field as the API spells it."""
    definition = get_object_definition(value, strict=True)
    sent: dict[str, Any] = {}
    for field in definition.fields:
        name = field.python_name
        given = getattr(value, name)
        if name in exclude or given is strawberry.UNSET:
            continue
        if given is None and field.metadata.get(_NOT_NULL):
            api_name = field.graphql_name or to_camel_case(name)
            raise ValidationFailed(api_name, f"{api_name} cannot be null")
        sent[name] = given
    return sent


@strawberry.enum
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="Half-open range: `from` inclusive, `to` exclusive.")
class DateRangeInput:
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None

    def to_range(self) -> DateRange:
        """A date-time without a zone (or a bare date) is taken as UTC."""
        return DateRange(_utc(self.from_), _utc(self.to))


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def date_range(value: DateRangeInput | None) -> DateRange:
    return value.to_range() if value is not None else DateRange()
