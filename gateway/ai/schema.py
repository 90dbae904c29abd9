"""JSON Schema for what a model answers: schemas checked when a prompt is saved, answers
validated against them, and offline answers made to fit them.

    check_schema(schema)                              # SchemaError for a broken schema
    errors = validate({"risk_score": 1.4}, schema)
    # ["$.risk_score: 1.4 is greater than the maximum of 1", "$: 'pros' is a required property"]
    answer = conform({"risk_score": 0.3}, schema)    # offline: add what is required

Validation is ``jsonschema``'s, for the draft a schema declares in ``$schema`` (2020-12
when it declares none), every keyword included (``pattern``, ``format``, ``oneOf``,
``$ref`` within the schema, ``uniqueItems``, ``not``, ``if``/``then``...). A ``$ref``
to anything outside the schema is never fetched: it fails the answer with an error
that says so. Errors name the place with a JSON path (``$.pros[2]``), the most deeply
nested first, so a model asked to try again can fix it. ``conform`` is this module's
own: the offline provider's canonical answer shaped to a tenant's schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema
from jsonschema.exceptions import SchemaError
from referencing.exceptions import Unresolvable

JSONSchema = Mapping[str, Any]

MAX_ERRORS = 20

__all__ = ["MAX_ERRORS", "JSONSchema", "SchemaError", "check_schema", "conform", "validate"]


def _validator(schema: JSONSchema) -> Any:
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def check_schema(schema: JSONSchema) -> None:
    """Raise ``SchemaError`` (with the problem) unless ``schema`` is a valid schema of
    the draft it declares: a misspelt type, a keyword of the wrong kind."""
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(dict(schema))


def validate(instance: Any, schema: JSONSchema) -> list[str]:
    """Every way ``instance`` breaks ``schema`` (at most ``MAX_ERRORS``); ``[]`` if none."""
    if not isinstance(schema, Mapping):
        return []
    try:
        found = sorted(
            _validator(schema).iter_errors(instance),
            key=lambda error: (-len(error.absolute_path), error.json_path),
        )
    except Unresolvable as exc:
        return [f"$: the schema refers to {exc} outside itself, which is never fetched"]
    except SchemaError as exc:
        return [f"$: the schema itself is invalid: {exc.message}"]
    return [f"{error.json_path}: {_message(error)}" for error in found][:MAX_ERRORS]


def _message(error: Any) -> str:
    """jsonschema's message, with a long value it quotes cut short."""
    message = str(error.message)
    quoted = repr(error.instance)
    if len(quoted) > 60 and quoted in message:
        message = message.replace(quoted, quoted[:57] + "...")
    return message if len(message) <= 300 else message[:297] + "..."


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
