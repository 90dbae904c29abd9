"""A record's custom fields as one plain dict, whatever shape the source sends them in.

    custom_fields([{"id": 63, "name": "Input field", "value": "edfvfd"}])
    # -> {"Input field": "edfvfd"}
    custom_fields([{"fieldCode": "costCenter", "value": "CC-12"}], names=("fieldCode",))
    # -> {"costCenter": "CC-12"}
    custom_fields({"Visa sponsor": True})
    # -> {"Visa sponsor": True}

Sources send them as a list of entries (a name and a value) or as an object of name to
value. Reading is lenient: an entry that is not an object, has no usable name, or holds
a value JSON cannot carry (NaN, infinity, anything not JSON) is skipped, never the
record. The first entry of a name wins; names are stripped and cut to ``MAX_NAME``, and
at most ``MAX_FIELDS`` are kept, so a runaway payload cannot become a huge column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

MAX_FIELDS = 200
MAX_NAME = 255
MAX_DEPTH = 8

DEFAULT_NAMES = ("name", "label", "fieldCode", "key")
DEFAULT_VALUES = ("value", "values")


class _Unfit(Exception):
    """A value JSON cannot carry."""


def _plain(value: object, depth: int = 0) -> Any:
    """``value`` as plain JSON (NUL characters dropped), or ``_Unfit``."""
    if depth > MAX_DEPTH:
        raise _Unfit
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Unfit
        return value
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise _Unfit
        return {key.replace("\x00", ""): _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, depth + 1) for item in value]
    raise _Unfit


def _name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    name = value.replace("\x00", "").strip()[:MAX_NAME]
    return name or None


def _entries(
    value: object, names: tuple[str, ...], values: tuple[str, ...]
) -> list[tuple[object, object]]:
    if isinstance(value, Mapping):
        return list(value.items())
    if not isinstance(value, list | tuple):
        return []
    found: list[tuple[object, object]] = []
    for entry in value:
        if not isinstance(entry, Mapping):
            continue
        name = next((entry[key] for key in names if _name(entry.get(key))), None)
        content = next((entry[key] for key in values if key in entry), None)
        found.append((name, content))
    return found


def custom_fields(
    value: object,
    *,
    names: tuple[str, ...] = DEFAULT_NAMES,
    values: tuple[str, ...] = DEFAULT_VALUES,
) -> dict[str, Any]:
    """Name -> value of the custom fields in ``value`` (a list of entries or an object);
    ``{}`` for anything else. ``names`` and ``values`` are the keys an entry's name and
    value may be under, in order of preference."""
    found: dict[str, Any] = {}
    for raw_name, raw_value in _entries(value, names, values):
        name = _name(raw_name)
        if name is None or name in found:
            continue
        try:
            found[name] = _plain(raw_value)
        except _Unfit:
            continue
        if len(found) >= MAX_FIELDS:
            break
    return found


def merged(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """The custom fields of several places of one record; the first place to name a
    field wins."""
    found: dict[str, Any] = {}
    for part in parts:
        for name, value in part.items():
            if name not in found and len(found) < MAX_FIELDS:
                found[name] = value
    return found
