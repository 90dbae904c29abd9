"""``customFields``: a synced record's custom fields as its source names them.

    custom_fields: JSON = custom_fields_field()
    build_job = row_builder(Job, custom_fields=custom_fields_column)

Readable by whoever reads the record. A record not synced since custom fields were
kept answers ``{}``. A plain column, but a JSON scalar the read compiler does not build,
so an operation selecting it runs on the resolvers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry

DESCRIPTION = (
    "The source's custom fields of the record, name -> value, as of the last sync; `{}` "
    "when the source has none. A tenant's field mappings (`fieldMappings`) can put one "
    "into a standard field."
)


def custom_fields_field() -> Any:
    return strawberry.field(description=DESCRIPTION)


def custom_fields_column(row: Mapping[str, Any]) -> Any:
    return row["custom_fields"] or {}
