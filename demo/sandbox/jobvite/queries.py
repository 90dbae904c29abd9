"""How the fake Jobvite reads a request: paging (``start``/``count``), the date window
on ``lastUpdatedDate``, and the Onboarding API's search filters with their operators."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request

from demo.sandbox.jobvite.fake import DEFAULT_COUNT, MAX_COUNT, BadRequest


def _int_param(request: Request, name: str, default: int | None) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"Invalid value for {name}: {value!r}") from None


def _window(request: Request) -> tuple[int, int, int | None, int | None]:
    start = _int_param(request, "start", 0) or 0
    count = _int_param(request, "count", DEFAULT_COUNT) or DEFAULT_COUNT
    if start < 0 or count < 1:
        raise BadRequest("start must be >= 0 and count >= 1")
    return (
        start,
        min(count, MAX_COUNT),
        _int_param(request, "datestart", None),
        _int_param(request, "dateend", None),
    )


def _updated(row: Mapping[str, Any]) -> int:
    application = row.get("application") or {}
    return max(int(row.get("lastUpdatedDate") or 0), int(application.get("lastUpdatedDate") or 0))


def page_of(
    rows: list[dict[str, Any]], key: str, request: Request
) -> dict[str, int | list[dict[str, Any]]]:
    start, count, datestart, dateend = _window(request)
    selected = [
        row
        for row in rows
        if (datestart is None or _updated(row) >= datestart)
        and (dateend is None or _updated(row) <= dateend)
    ]
    return {"total": len(selected), key: selected[start : start + count]}


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda value, arg: value == arg,
    "in": lambda value, arg: value in arg,
    "nin": lambda value, arg: value not in arg,
    "lt": lambda value, arg: value is not None and value < arg,
    "lte": lambda value, arg: value is not None and value <= arg,
    "gt": lambda value, arg: value is not None and value > arg,
    "gte": lambda value, arg: value is not None and value >= arg,
}


def _matches(record: Mapping[str, Any], criteria: Mapping[str, Any]) -> bool:
    for name, condition in criteria.items():
        if not isinstance(condition, dict):
            raise BadRequest(f"Filter on {name} must be an object of operators")
        for operator, argument in condition.items():
            test = _OPERATORS.get(operator)
            if test is None:
                raise BadRequest(f"Unknown filter operator {operator}")
            if operator in ("in", "nin") and not isinstance(argument, list):
                raise BadRequest(f"Operator {operator} needs a list")
            try:
                if not test(record.get(name), argument):
                    return False
            except TypeError:
                raise BadRequest(f"Cannot compare {name} with {argument!r}") from None
    return True


def search(
    records: Mapping[str, dict[str, Any]], entity: str, key: str, body: Mapping[str, Any]
) -> dict[str, Any]:
    start, count = body.get("start", 0), body.get("count", DEFAULT_COUNT)
    if not isinstance(start, int) or not isinstance(count, int) or start < 0 or count < 1:
        raise BadRequest("start must be >= 0 and count >= 1")
    raw_filter = body.get("filter") or {}
    criteria = raw_filter.get(entity, {}) if isinstance(raw_filter, dict) else None
    if not isinstance(criteria, dict):
        raise BadRequest("filter must be an object")
    selected = [record for record in records.values() if _matches(record, criteria)]
    return {
        "total": len(selected),
        "start": start,
        "count": min(count, MAX_COUNT),
        key: selected[start : start + min(count, MAX_COUNT)],
    }
