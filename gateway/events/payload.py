"""The payload base: a frozen dataclass that writes itself to the wire (camelCase keys,
optional ``None`` left out) and reads itself back strictly, raising ``Malformed``."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from typing import Any, ClassVar

from gateway.events.names import EventName


def _subject() -> Any:
    """A field that goes on the wire as ``id``: the record the event is about."""
    return _keyed("id")


def _keyed(key: str) -> Any:
    return field(metadata={"wire": key})


def _wire(item: Field[Any]) -> str:
    key = item.metadata.get("wire")
    if key is not None:
        return str(key)
    head, *rest = item.name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _optional(item: Field[Any]) -> bool:
    return item.default is None


class Malformed(ValueError):
    """Data that does not fit the event's payload."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Payload:
    """What one event carries; every concrete payload names its event in ``NAME``."""

    NAME: ClassVar[EventName]

    def data(self) -> dict[str, Any]:
        """The wire form: camelCase keys in field order, optional ``None`` left out."""
        found: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None and _optional(item):
                continue
            found[_wire(item)] = value
        return found

    @classmethod
    def from_data(cls, data: object) -> typing.Self:
        """The payload ``data`` carries; raises ``Malformed``."""
        if not isinstance(data, Mapping):
            raise Malformed(f"{cls.NAME}: data is not an object")
        values: dict[str, Any] = {}
        for item, check in _checks(cls):
            key = _wire(item)
            if key not in data:
                if _optional(item):
                    continue
                raise Malformed(f"{cls.NAME}: {key} is missing")
            values[item.name] = check(key, data[key])
        return cls(**values)


def _scalar(kind: type) -> Callable[[str, object], object]:
    def check(key: str, value: object) -> object:
        if isinstance(value, bool) and kind is not bool:
            raise Malformed(f"{key} is not {kind.__name__}")
        if kind is float and isinstance(value, int):
            return float(value)
        if not isinstance(value, kind):
            raise Malformed(f"{key} is not {kind.__name__}")
        return value

    return check


def _checker(annotation: Any) -> Callable[[str, object], object]:
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = _checker(next(a for a in args if a is not type(None)))

        def nullable(key: str, value: object) -> object:
            return None if value is None else inner(key, value)

        return nullable
    origin = typing.get_origin(annotation) or annotation
    return _scalar(origin)


_Checks = tuple[tuple[Field[Any], Callable[[str, object], object]], ...]
_CHECKS: dict[type, _Checks] = {}


def _checks(kind: type[Payload]) -> _Checks:
    found = _CHECKS.get(kind)
    if found is None:
        hints = typing.get_type_hints(kind)
        found = _CHECKS[kind] = tuple((item, _checker(hints[item.name])) for item in fields(kind))
    return found
