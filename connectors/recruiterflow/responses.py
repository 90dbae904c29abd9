"""The shapes of Recruiterflow's answers around the records: ``{"data": ...}``
envelopes, detail answers, and stage-movement pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectors import lenient
from connectors.errors import InvalidResponseError
from connectors.http import Params
from connectors.recruiterflow.fields import id_of

DEFAULT_PAGE_SIZE = 100


API = "/api/external"


def data_of(body: Any) -> Any:
    return body.get("data") if isinstance(body, dict) and "data" in body else body


def records_of(body: Any, what: str) -> list[Any]:
    """The records of a ``{"data": [...]}`` (or bare list) answer; ``null`` is none."""
    data = data_of(body)
    if data is None:
        return []
    if not isinstance(data, list):
        raise InvalidResponseError(f"expected a list of {what}, got {type(data).__name__}")
    return data


@dataclass
class StageMovementPaginator:
    """Pages of ``{"data": {"id": ..., "jobs": [...]}}``: the jobs are the items; the
    first page with fewer jobs than ``size`` is the last."""

    size: int = DEFAULT_PAGE_SIZE

    def first(self, params: Params) -> Params:
        return {**params, "current_page": 1, "items_per_page": self.size}

    def items(self, body: Any) -> list[Any]:
        """``data.jobs``; a ``null`` body, ``data`` or ``jobs`` is an empty page."""
        data = data_of(body)
        if data is None or data == []:
            return []
        jobs = data.get("jobs") if isinstance(data, dict) else ...
        if jobs is None:
            return []
        if not isinstance(jobs, list):
            raise InvalidResponseError("expected stage movements as {'data': {'jobs': [...]}}")
        return list(jobs)

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> Params | None:
        assert isinstance(request, dict)
        if len(items) < self.size:
            return None
        return {**request, "current_page": int(request["current_page"]) + 1}


def movement_key(candidate: object) -> str | None:
    """The id to read a listed candidate's stage movements by, or ``None`` when there is
    nothing to read: not an object, no numeric id (the API takes no other), or a
    ``jobs`` listing present and empty. A ``jobs`` value that is not a list says nothing,
    so the movements are read."""
    if not isinstance(candidate, Mapping):
        return None
    candidate_id = id_of(candidate.get("id"))
    if candidate_id is None or not candidate_id.isdigit():
        return None
    jobs = candidate.get("jobs", ...)
    if jobs is None or jobs == []:
        return None
    return candidate_id


def answered(body: Any) -> list[Any]:
    """The records of a detail answer (``{...}``, ``[{...}]`` or ``{"data": ...}``);
    nothing for ``null`` or a ``{"RESULT": "FAILURE"}``."""
    data = data_of(body)
    if isinstance(data, Mapping) and str(data.get("RESULT", "")).upper() == "FAILURE":
        return []
    return [raw for raw in lenient.items(data) if raw is not None]
