"""How the fake BPOC reads a request before it answers: the agency its ``X-API-Key``
belongs to, the JSON body, the attribution fields (each must name an active recruiter
of that agency), the records that agency owns, and ``page``/``limit`` paging."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from demo.sandbox.bpoc.records import (
    ATTRIBUTION_FIELDS,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Agency,
    ApiError,
    Record,
)


def agency_of(agencies: Mapping[str, Agency], request: Request) -> Agency:
    """The agency whose key the request carries; 401 without one, 403 off Enterprise."""
    key = request.headers.get("x-api-key")
    if not key:
        raise ApiError(401, "Unauthorized", "Missing API key")
    agency = agencies.get(key)
    if agency is None:
        raise ApiError(401, "Unauthorized", "Invalid API key")
    if not agency.enterprise:
        raise ApiError(403, "API access requires the Enterprise plan")
    return agency


async def body_of(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise ApiError(400, "Invalid JSON body") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid JSON body")
    return body


def check_attribution(
    recruiters: Mapping[str, Record], agency: Agency, body: Mapping[str, Any]
) -> None:
    """Every attribution field present must name an active recruiter of ``agency``."""
    for name in ATTRIBUTION_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        try:
            key = str(uuid.UUID(str(value)))
        except ValueError:
            raise ApiError(
                400, "Invalid recruiter ID", f"Invalid recruiter ID: {name} is not a UUID"
            ) from None
        recruiter = recruiters.get(key)
        if recruiter is None:
            raise ApiError(400, "Invalid recruiter ID", f"Invalid recruiter ID: no recruiter {key}")
        if recruiter["agencyId"] != agency.id:
            raise ApiError(403, "Recruiter does not belong to your agency")
        if not recruiter["isActive"]:
            raise ApiError(400, "Invalid recruiter ID", f"Invalid recruiter ID: {key} is inactive")


def owned(records: Mapping[str, Record], remote_id: str, agency: Agency, what: str) -> Record:
    """The agency's record ``remote_id``; another agency's is as unknown as a missing one."""
    record = records.get(remote_id)
    if record is None or record["agencyId"] != agency.id:
        raise ApiError(404, f"{what} not found")
    return record


def of_agency(records: Mapping[str, Record], agency: Agency) -> list[Record]:
    return [r for r in records.values() if r["agencyId"] == agency.id]


def page_of(request: Request, key: str, records: list[Record]) -> JSONResponse:
    """``{key: [...], "pagination": {...}}``: the requested page of ``records``."""
    try:
        page = int(request.query_params.get("page", "1"))
        limit = int(request.query_params.get("limit", str(DEFAULT_LIMIT)))
    except ValueError:
        raise ApiError(400, "Invalid pagination parameters") from None
    if page < 1 or limit < 1:
        raise ApiError(400, "Invalid pagination parameters")
    limit = min(limit, MAX_LIMIT)
    start = (page - 1) * limit
    pagination = {
        "page": page,
        "limit": limit,
        "total": len(records),
        "totalPages": math.ceil(len(records) / limit),
    }
    return JSONResponse({key: records[start : start + limit], "pagination": pagination})
