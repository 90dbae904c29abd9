"""What the property-based mapper tests of every connector share: the store's column
sizes a mapped record must fit, the odd values a source may send in place of any
documented one, every field path of a documented example, one field replaced, and the
check that a mapped record is storable.

    for path in paths(example):
        for value in REPLACEMENTS.values():
            check_bounds(mapper(replaced(example, path, value)))   # or MappingError
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from tests.support.custom_fields import assert_storable_custom_fields

STORE_LIMITS = {
    "remote_id": 255,
    "title": 512,
    "name": 512,
    "first_name": 255,
    "last_name": 255,
    "email": 320,
    "phone": 64,
    "location": 255,
    "headline": 512,
    "source": 128,
    "resume_url": 2048,
    "url": 2048,
    "employment_type": 64,
    "client_name": 255,
    "remote_status": 128,
    "currency": 3,
    "recruiter_remote_id": 255,
    "current_stage": 255,
    "interview_type": 64,
    "task_type": 64,
    "role": 64,
    "to_stage": 255,
    "from_stage": 255,
}
"""The store's column sizes (gateway/store/models): a mapper never hands over more."""

DELETE = object()
"""A replacement that removes the field."""
REPLACEMENTS: dict[str, object] = {
    "null": None,
    "deleted": DELETE,
    "string": "not what was documented",
    "number": 42,
    "float": 1.5,
    "boolean": True,
    "list": [1, "two", {"id": 3}],
    "object": {"unexpected": "object"},
    "empty object": {},
    "unicode": "Zoë 🚀 \u202e",
    "digit to isdigit only": "²",
    "signs": "+-5",
    "huge number": 10**30,
    "huge string": "x" * 1_000_000,
}

FieldPath = tuple[str | int, ...]


def paths(value: Any, prefix: FieldPath = ()) -> Iterator[FieldPath]:
    """Every field path of a record, nested objects and list entries included."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*prefix, index)
            yield from paths(child, (*prefix, index))


def replaced(record: dict[str, Any], path: FieldPath, value: object) -> dict[str, Any]:
    """A copy of ``record`` with the field at ``path`` set to ``value`` (or removed)."""
    changed = copy.deepcopy(record)
    parent: Any = changed
    for step in path[:-1]:
        parent = parent[step]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed


def check_bounds(record: object, where: str = "") -> None:
    """Text within the store's columns and not blank, times aware, custom fields
    storable, nested models included."""
    assert dataclasses.is_dataclass(record)
    assert_storable_custom_fields(record)
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, str) and field.name in STORE_LIMITS:
            limit = STORE_LIMITS[field.name]
            assert len(value) <= limit, f"{where}{field.name}: {len(value)} chars"
            assert value.strip(), f"{where}{field.name} is blank"
        if isinstance(value, datetime):
            assert value.tzinfo is not None, f"{where}{field.name} is naive"
        if isinstance(value, tuple):
            for item in value:
                if dataclasses.is_dataclass(item):
                    check_bounds(item, f"{where}{field.name}.")
                else:
                    assert isinstance(item, str) and len(item) <= 255
