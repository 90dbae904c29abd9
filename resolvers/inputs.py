"""Inputs and enums shared by every domain: date ranges and sort direction."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import strawberry

from gateway.store.criteria import DateRange


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
