"""JSON Schema checks for what a model answers, without a dependency.

    errors = validate({"risk_score": 1.4}, schema)
    # ["$.risk_score: 1.4 is above the maximum 1", "$: 'pros' is required"]
    answer = conform({"risk_score": 0.3}, schema)    # offline: add what is required

``jsonschema`` is not installed, so this covers the subset prompts use, the same for the
offline and the online provider:

- ``type`` (a name or a list: object, array, string, number, integer, boolean, null)
- objects: ``properties``, ``required``, ``additionalProperties`` (false or a schema)
- arrays: ``items`` (one schema), ``minItems``, ``maxItems``
- numbers: ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``
- strings: ``minLength``, ``maxLength``
- ``enum``, ``const``, ``anyOf``, ``allOf``

Other keywords (``$ref``, ``pattern``, ``format``, ``oneOf``...) are ignored: an answer
is never refused for a rule this module does not know. Errors name the place with a
JSON path (``$.pros[2]``) so a model asked to try again can fix it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

JSONSchema = Mapping[str, Any]

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list, tuple),
    "string": (str,),
    "number": (int, float),
    "integer": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}
MAX_ERRORS = 20


def _is_type(value: Any, name: str) -> bool:
    kinds = _TYPES.get(name)
    if kinds is None:
        return True  # an unknown type name restricts nothing
    if name in ("number", "integer") and isinstance(value, bool):
        return False
    if not isinstance(value, kinds):
        return False
    if isinstance(value, float):
        finite = math.isfinite(value)
        return finite and value.is_integer() if name == "integer" else finite
    return True


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate(instance: Any, schema: JSONSchema) -> list[str]:
    """Every way ``instance`` breaks ``schema`` (at most ``MAX_ERRORS``); ``[]`` if none."""
    errors: list[str] = []
    _check(instance, schema, "$", errors)
    return errors[:MAX_ERRORS]


def _check(value: Any, schema: JSONSchema, path: str, errors: list[str]) -> None:
    if len(errors) >= MAX_ERRORS or not isinstance(schema, Mapping):
        return
    expected = schema.get("type")
    if expected is not None:
        names = [expected] if isinstance(expected, str) else list(expected)
        if not any(_is_type(value, str(name)) for name in names):
            errors.append(f"{path}: expected {' or '.join(map(str, names))}, got {_short(value)}")
            return
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: must be {_short(schema['const'])}")
    if "enum" in schema and value not in list(schema["enum"]):
        errors.append(f"{path}: {_short(value)} is not one of {_short(list(schema['enum']))}")
    for sub in schema.get("allOf") or ():
        _check(value, sub, path, errors)
    any_of = schema.get("anyOf")
    if any_of and all(validate(value, sub) for sub in any_of):
        errors.append(f"{path}: matches none of the allowed shapes (anyOf)")
    if isinstance(value, dict):
        _check_object(value, schema, path, errors)
    elif isinstance(value, list | tuple):
        _check_array(value, schema, path, errors)
    elif isinstance(value, str):
        _check_string(value, schema, path, errors)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(value, schema, path, errors)


def _check_object(value: dict[str, Any], schema: JSONSchema, path: str, errors: list[str]) -> None:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    for name in schema.get("required") or ():
        if name not in value:
            errors.append(f"{path}: {name!r} is required")
    additional = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            _check(item, properties[name], f"{path}.{name}", errors)
        elif additional is False:
            errors.append(f"{path}: {name!r} is not allowed")
        elif isinstance(additional, Mapping):
            _check(item, additional, f"{path}.{name}", errors)


def _check_array(value: Any, schema: JSONSchema, path: str, errors: list[str]) -> None:
    items = schema.get("items")
    if isinstance(items, Mapping):
        for index, item in enumerate(value):
            _check(item, items, f"{path}[{index}]", errors)
    low, high = schema.get("minItems"), schema.get("maxItems")
    if isinstance(low, int) and len(value) < low:
        errors.append(f"{path}: needs at least {low} item(s), has {len(value)}")
    if isinstance(high, int) and len(value) > high:
        errors.append(f"{path}: allows at most {high} item(s), has {len(value)}")


def _check_string(value: str, schema: JSONSchema, path: str, errors: list[str]) -> None:
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        errors.append(f"{path}: needs at least {low} character(s)")
    if isinstance(high, int) and len(value) > high:
        errors.append(f"{path}: allows at most {high} character(s)")


def _check_number(value: float, schema: JSONSchema, path: str, errors: list[str]) -> None:
    for keyword, words in _BOUNDS.items():
        bound = schema.get(keyword)
        if not isinstance(bound, int | float) or isinstance(bound, bool):
            continue
        broken = {
            "minimum": value < bound,
            "maximum": value > bound,
            "exclusiveMinimum": value <= bound,
            "exclusiveMaximum": value >= bound,
        }[keyword]
        if broken:
            errors.append(f"{path}: {_short(value)} is {words} {bound}")


_BOUNDS = {
    "minimum": "below the minimum",
    "maximum": "above the maximum",
    "exclusiveMinimum": "not above the exclusive minimum",
    "exclusiveMaximum": "not below the exclusive maximum",
}


# --- offline answers ------------------------------------------------------------------


def conform(instance: dict[str, Any], schema: JSONSchema) -> dict[str, Any]:
    """``instance`` with what ``schema`` requires and it lacks filled in with neutral
    values (``""``, ``[]``, the minimum, the first ``enum`` value, ``None`` when any type
    goes), a number rescaled when the schema's range is 0-100 and the value 0-1, and
    properties the schema forbids dropped. For the offline provider, whose canonical
    answer then meets a tenant's own schema; the result is still ``validate``d."""
    return _conform(instance, schema)  # type: ignore[no-any-return]


def _conform(value: Any, schema: Any) -> Any:
    if not isinstance(schema, Mapping):
        return value
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        out: dict[str, Any] = {}
        for name, item in value.items():
            if name in properties:
                out[name] = _conform(item, properties[name])
            elif schema.get("additionalProperties", True) is not False:
                out[name] = item
        for name in schema.get("required") or ():
            if name not in out:
                out[name] = _neutral(properties.get(name) or {})
        return out
    if isinstance(value, list):
        items = schema.get("items")
        conformed = [_conform(item, items) for item in value] if items else list(value)
        high = schema.get("maxItems")
        return conformed[:high] if isinstance(high, int) else conformed
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _rescaled(value, schema)
    if isinstance(value, str):
        high = schema.get("maxLength")
        return value[:high] if isinstance(high, int) else value
    return value


def _rescaled(value: float, schema: JSONSchema) -> float | int:
    low, high = schema.get("minimum"), schema.get("maximum")
    number: float = value
    if isinstance(high, int | float) and high > 1 and 0 <= value <= 1 and isinstance(value, float):
        number = value * high  # the canonical 0-1 on a 0-100 (or 0-10) scale
    if isinstance(high, int | float):
        number = min(number, high)
    if isinstance(low, int | float):
        number = max(number, low)
    if schema.get("type") == "integer":
        return round(number)
    return number


def _neutral(schema: Any) -> Any:
    if not isinstance(schema, Mapping):
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return next(iter(schema["enum"]))
    kind = schema.get("type")
    name = kind if isinstance(kind, str) else (next(iter(kind)) if kind else None)
    if name is None:
        return None  # anything goes: say nothing
    if name == "object":
        return _conform({}, schema)
    if name == "array":
        low = schema.get("minItems")
        return [
            _neutral(schema.get("items") or {}) for _ in range(low if isinstance(low, int) else 0)
        ]
    if name in ("number", "integer"):
        low = schema.get("minimum")
        return low if isinstance(low, int | float) else 0
    if name == "boolean":
        return False
    if name == "null":
        return None
    low = schema.get("minLength")
    return "n/a".ljust(low, ".") if isinstance(low, int) and low > 0 else ""
