"""The fake BPOC's vocabulary: its agencies' API keys and the ids of its people and
clients, the API's limits and attribution fields, how it writes times, and the types
its state and answers are made of: an agency, an accepted write, a refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse

RESUME_HOST = "https://bpoc.io"
"""Where seeded ``resumeUrl``s point; served rewritten to the host the request came to."""
MAIN_API_KEY = "bpoc_sk_live_manila_5f3c9a1e7d204b68"
OTHER_API_KEY = "bpoc_sk_live_cebu_8b21d047aa9c3e15"
STARTER_API_KEY = "bpoc_sk_live_starter_0c6e4f52b7d81a93"

MAIN_AGENCY_ID = "501cce9d-3fdb-4258-9466-616fec7a75ef"
OTHER_AGENCY_ID = "5dd290e9-2766-453c-8b7f-77e8f8d2b920"
STARTER_AGENCY_ID = "f9806b85-f754-48af-9cea-d7a289c7205a"

ADMIN_ID = "33794435-4ab4-48e1-93f3-58ebba9a691e"
MANAGER_ID = "257ae823-33a9-4c8c-8369-a962abc6a3f5"
RECRUITER_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
INACTIVE_RECRUITER_ID = "15ef3a3b-ca2b-494d-a34e-614facd3d1de"
OTHER_AGENCY_RECRUITER_ID = "a9dcc471-a8cf-4684-9d9e-3dbe903d3150"
UNKNOWN_RECRUITER_ID = "c53504a6-1cd3-42fb-aa9f-a6ea1dda44f5"

CLIENT_IDS = (
    "d829a422-f29b-4a56-a473-794ce2da0ebb",
    "a7794402-91f5-4e08-9319-51e92ae58956",
    "a99baaa3-2ee6-4db2-b0e8-2c5019368a81",
)

SEED_TIME = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
"""Seeded records were created and last updated before this."""

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

ROLES = frozenset({"admin", "manager", "recruiter"})
ATTRIBUTION_FIELDS = (
    "postedBy",
    "approvedBy",
    "releasedBy",
    "rejectedBy",
    "interviewerId",
    "scheduledBy",
    "createdBy",
    "reviewedBy",
)

Record = dict[str, Any]


def iso(moment: datetime) -> str:
    """``datetime(2025, 12, 1, 9, tzinfo=UTC)`` -> ``"2025-12-01T09:00:00Z"``"""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency: its ``X-API-Key`` sees only its records; one not on the Enterprise plan
    is refused."""

    id: str
    name: str
    api_key: str
    enterprise: bool = True


@dataclass(frozen=True, slots=True)
class Write:
    """An accepted write: ``path`` is relative to ``/api/v1``, ``body`` as sent."""

    method: str
    path: str
    body: dict[str, Any]
    agency_id: str


class ApiError(Exception):
    """A refusal: ``{"error", "message"?, "status"}`` with ``status``."""

    def __init__(self, status: int, error: str, message: str | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.message = message

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error": self.error, "status": self.status}
        if self.message is not None:
            body["message"] = self.message
        return JSONResponse(body, status_code=self.status)
