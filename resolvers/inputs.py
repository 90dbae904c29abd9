"""Inputs and enums shared by every domain: date ranges and sort direction."""

from __future__ import annotations

from datetime import datetime
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
        return DateRange(self.from_, self.to)


def date_range(value: DateRangeInput | None) -> DateRange:
    return value.to_range() if value is not None else DateRange()
