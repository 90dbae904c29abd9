"""Reading vendor JSON the way vendors really send it.

Real responses differ from the published specs: an object documented as
``{"name": "Berlin"}`` arrives as ``"Berlin"``, numbers arrive as strings, keys are
missing or ``null``, lists are ``null``. Mappers read every field through these
helpers, which take the meaning where it is clear and give ``None`` (or an empty
list) where there is none:

    text({"name": "Berlin"}, "name")  -> "Berlin"      text("Berlin", "name") -> "Berlin"
    integer("42")                     -> 42            integer("forty")       -> None
    items(None)                       -> []            items({"id": 1})       -> [{"id": 1}]

What a record cannot do without (its id, a job's title) is asked for with ``required``,
which raises ``MappingError``: the one error a mapper raises, so the sync can list the
record as failed and go on with the next one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from connectors.errors import MappingError

_T = TypeVar("_T")

MAX_TEXT = 100_000
"""Longer text is cut: a description is not allowed to become a megabyte column."""

MAX_ID = 255
"""Ids longer than the store's ``remote_id`` column are no ids: cutting one could make
two records one."""

MAX_AMOUNT = Decimal(10) ** 12
"""Money columns hold 12 digits before the point (``Numeric(14, 2)``)."""

TITLE_LIMIT = 255
NAME_LIMIT = 255
SHORT_LIMIT = 64
PHONE_LIMIT = 64
SOURCE_LIMIT = 128
TAG_LIMIT = 255
URL_LIMIT = 2048
EMAIL_LIMIT = 320
"""What the connectors' mappers cut a value to (``text(..., limit=...)``) or refuse it
beyond (``whole``): within the store's columns (gateway/store/models)."""

UNTITLED = "(untitled)"
"""The title of a job a source sends without one: the record is kept (its applications
still need it) and the gap is visible."""

_ID_KEYS = ("id", "eId", "ID", "Id", "uuid", "remote_id", "remoteId")


def text(value: object, *keys: str, limit: int = MAX_TEXT) -> str | None:
    """A non-empty string: strings are stripped, numbers written out, an object gives its
    first non-empty ``keys`` (``"name"``, ``"value"``...), anything else ``None``."""
    if isinstance(value, Mapping):
        for key in keys or ("name", "value", "label", "title"):
            found = text(value.get(key), limit=limit)
            if found:
                return found
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return None if not math.isfinite(value) else (f"{value:g}")
    if not isinstance(value, str):
        return None
    stripped = value.replace("\x00", "").strip()
    return stripped[:limit] or None


def identifier(value: object) -> str | None:
    """A remote id: ``17``, ``"17"``, ``"a1b2"`` or an object carrying one (``{"id": 17}``);
    ``True``/``False``, floats with a fraction and empty strings are no id."""
    if isinstance(value, Mapping):
        for key in _ID_KEYS:
            found = identifier(value.get(key))
            if found:
                return found
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer() or abs(value) >= 1e18:
            return None
        return str(int(value))
    if isinstance(value, int):
        return str(value) if abs(value) < 10**60 else None
    if isinstance(value, str):
        stripped = value.strip()
        return stripped if 0 < len(stripped) <= MAX_ID else None
    return None


def integer(value: object) -> int | None:
    """``3``, ``"3"``, ``3.0`` or ``" 3 "`` -> ``3``; anything else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        stripped = value.strip().replace(",", "")
        if stripped.lstrip("+-").isdigit() and len(stripped) <= 30:
            try:
                return int(stripped)
            except ValueError:  # "²" is a digit to isdigit, not to int; "+-5"
                return None
    return None


def decimal(value: object, *keys: str) -> Decimal | None:
    """``35000``, ``"35,000.50"`` or ``{"number": 35000}`` -> a finite ``Decimal``."""
    if isinstance(value, Mapping):
        for key in keys or ("number", "amount", "value"):
            found = decimal(value.get(key))
            if found is not None:
                return found
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    raw = str(value).replace(",", "").strip()
    if not raw or len(raw) > 40:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) < MAX_AMOUNT else None


def boolean(value: object) -> bool | None:
    """``True``, ``1``, ``"true"``, ``"yes"``, ``"1"`` and their opposites; else ``None``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "yes", "y", "1", "t"}:
            return True
        if lowered in {"false", "no", "n", "0", "f"}:
            return False
    return None


def timestamp(value: object, *, epoch_unit: str = "auto") -> datetime | None:
    """An aware UTC time from ISO 8601 text (``Z``, ``+0000``, naive taken as UTC, a bare
    date as midnight) or Unix epoch numbers (seconds or milliseconds, also as strings).
    Out-of-range or unreadable values are ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    number = integer(value) if isinstance(value, str) else value
    if isinstance(number, int | float) and not isinstance(number, bool):
        return _from_epoch(float(number), epoch_unit)
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    if not stripped or len(stripped) > 64:
        return None
    if stripped.endswith(("Z", "z")):
        stripped = stripped[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(stripped)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(stripped[:10]), time())
        except ValueError:
            return None
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _from_epoch(number: float, unit: str) -> datetime | None:
    if not math.isfinite(number):
        return None
    seconds = number / 1000 if unit == "ms" or (unit == "auto" and abs(number) > 1e11) else number
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if 1900 <= moment.year <= 2200 else None


def day(value: object) -> date | None:
    """A calendar date from ``"2026-03-01"``, a time stamp or epoch numbers."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    moment = timestamp(value)
    return moment.date() if moment is not None else None


def mapping(value: object) -> Mapping[str, Any]:
    """The object, or an empty one where something else (or nothing) was sent."""
    return value if isinstance(value, Mapping) else {}


def items(value: object) -> list[Any]:
    """A list as a list; ``None`` as empty; one object (or scalar) as a list of one."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, Mapping | str | int | float) and not isinstance(value, bool):
        return [value]
    return []


def objects(value: object) -> list[Mapping[str, Any]]:
    """The objects of ``items(value)``; other entries are skipped."""
    return [item for item in items(value) if isinstance(item, Mapping)]


def texts(value: object, *keys: str) -> tuple[str, ...]:
    """Every non-empty ``text`` of ``items(value)``, in order, without repeats."""
    found: dict[str, None] = {}
    for item in items(value):
        name = text(item, *keys)
        if name:
            found.setdefault(name, None)
    return tuple(found)


def first_text(values: Iterable[object], *keys: str) -> str | None:
    for value in values:
        found = text(value, *keys)
        if found:
            return found
    return None


def dig(value: object, *path: str | int) -> Any:
    """``value[path[0]][path[1]]...`` through objects and lists, ``None`` where it ends."""
    current: Any = value
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, Sequence) or isinstance(current, str | bytes):
                return None
            current = current[step] if -len(current) <= step < len(current) else None
        else:
            if not isinstance(current, Mapping):
                return None
            current = current.get(step)
    return current


def required(value: _T | None, what: str, *, entity: str, raw: object = None) -> _T:
    """``value`` itself; ``None`` (or an empty string) is a ``MappingError`` naming
    ``what`` the record lacks."""
    if value is None or value == "":
        raise MappingError(f"{entity} without {what}", entity=entity, remote_id=remote_id_of(raw))
    return value


def record(raw: object, entity: str) -> Mapping[str, Any]:
    """``raw`` if it is a JSON object; anything else is no ``entity`` record at all."""
    if not isinstance(raw, Mapping):
        raise MappingError(f"{entity} record is not an object", entity=entity)
    return raw


def record_id(record: Mapping[str, Any], entity: str) -> str:
    """The record's own ``id``, which it cannot do without."""
    return required(identifier(record.get("id")), "an id", entity=entity, raw=record)


def whole(value: str | None, limit: int) -> str | None:
    """A value that is useless cut short (a phone number): kept whole or not at all."""
    return value if value is not None and len(value) <= limit else None


def email(value: object) -> str | None:
    """An address with an ``@`` and no space, itself or an object's ``value``/``email``."""
    found = text(value, "value", "email", limit=EMAIL_LIMIT)
    return found if found and "@" in found and " " not in found else None


def remote_id_of(raw: object) -> str | None:
    """The record's id if it has a recognisable one, for naming it in a failure."""
    return identifier(raw) if isinstance(raw, Mapping) else None
