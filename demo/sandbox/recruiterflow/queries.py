"""How the fake Recruiterflow reads a request and shapes a list: ids and times in the
query or the body, paging with ``current_page``/``items_per_page``, ``include_count``;
and its two kinds of refusal, the FAILURE body and the marketing site's 404 page."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from demo.sandbox.recruiterflow.records import DEFAULT_ITEMS_PER_PAGE, JSON, Refused


def failure(status: int, message: str) -> JSONResponse:
    return JSONResponse({"RESULT": "FAILURE", "message": message}, status_code=status)


async def marketing_page(request: Request, exc: Exception) -> Response:
    """What unknown paths answer: the real host serves its marketing site there."""
    return HTMLResponse(
        "<!DOCTYPE html><html><head><title>Recruiterflow</title></head>"
        "<body>Recruiting software for agencies</body></html>",
        status_code=404,
    )


def parse_time(value: str) -> datetime:
    """An ISO time; one without a zone is UTC."""
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def time_param(request: Request, name: str) -> datetime | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise Refused(400, f"Invalid {name}: ISO format expected") from exc


def int_param(value: str | None, name: str) -> int:
    if value is None or not value.strip().isdigit():
        raise Refused(400, f"Please provide a valid {name}")
    return int(value)


def body_key(body: JSON, name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Refused(400, f"Please provide a valid {name}")
    return value


def include_count(request: Request) -> bool:
    return request.query_params.get("include_count", "").lower() in ("true", "1")


def page_of(request: Request, items: list[JSON]) -> tuple[list[JSON], int]:
    """The requested page of ``items``, and how many there are in all."""
    raw_size = request.query_params.get("items_per_page")
    raw_page = request.query_params.get("current_page")
    size = int_param(raw_size, "items_per_page") if raw_size is not None else DEFAULT_ITEMS_PER_PAGE
    page = int_param(raw_page, "current_page") if raw_page is not None else 1
    if size < 1 or page < 1:
        raise Refused(400, "items_per_page and current_page start at 1")
    return items[(page - 1) * size : page * size], len(items)


def wrapped(request: Request, items: list[JSON], *, paged: bool = False) -> JSON:
    """``{"data": [...]}``, with ``total_items`` when asked to count."""
    page, total = page_of(request, items) if paged else (items, len(items))
    if include_count(request):
        return {"data": page, "total_items": total}
    return {"data": page}
