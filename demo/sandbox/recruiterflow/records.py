"""The fake Recruiterflow's vocabulary: the API's constants (its path, the stages, the
activity types), how it writes times, and the types its state is made of: an
application with its stage moves, the table that indexes them by candidate, a
recorded write and a refusal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

API = "/api/external"
BASE_TIME = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
DEFAULT_ITEMS_PER_PAGE = 10
NOT_IN_ACCOUNT = "The specified user is not present in your account"

JSON = dict[str, Any]

PIPELINE: tuple[str, ...] = (
    "Sourced",
    "Applied",
    "Recruiter Screen",
    "Company Submission",
    "Client Interview",
    "Offer",
    "Hired",
    "Disqualified",
)
OTHER_STAGE_NAMES: tuple[str, ...] = ("Phone Interview", "Onsite Interview")

ACTIVITY_TYPES: dict[str, JSON] = {
    "note": {"id": 1, "name": "Note"},
    "added": {"id": 9, "name": "Added to job"},
    "moved": {"id": 10, "name": "Stage changed"},
    "disqualified": {"id": 11, "name": "Disqualified"},
    "emailed": {"id": 3, "name": "Email sent"},
}


def rf_time(when: datetime) -> str:
    """``2023-03-29T14:26:43+0000``: how Recruiterflow writes times."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def user_ref(user: Mapping[str, Any]) -> JSON:
    """A user as records name them: email, id and name."""
    return {"email": user["email"], "id": user["id"], "name": user["name"]}


class Refused(Exception):
    """A request the API turns down: ``{"RESULT": "FAILURE", "message": ...}`` with
    ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class RecordedWrite:
    path: str
    body: JSON


@dataclass
class Application:
    candidate_id: int
    job_id: int
    added_by: JSON
    transitions: list[JSON] = field(default_factory=list)
    disqualification_reason: str | None = None

    @property
    def stage(self) -> str | None:
        return self.transitions[-1]["to"] if self.transitions else None


class ApplicationTable(dict[tuple[int, int], Application]):
    """The applications by ``(candidate_id, job_id)``, also indexed by candidate as they
    change (``del fake.applications[key]`` included), so a candidate's applications are
    found without scanning them all: the benchmarks serve tens of thousands."""

    def __init__(self, items: Mapping[tuple[int, int], Application] | None = None) -> None:
        super().__init__()
        self._by_candidate: dict[int, dict[tuple[int, int], Application]] = {}
        self.update(items or {})

    def __setitem__(self, key: tuple[int, int], value: Application) -> None:
        self._unindex(key)
        super().__setitem__(key, value)
        self._by_candidate.setdefault(value.candidate_id, {})[key] = value

    def __delitem__(self, key: tuple[int, int]) -> None:
        self._unindex(key)
        super().__delitem__(key)

    def _unindex(self, key: tuple[int, int]) -> None:
        value = super().get(key)
        if value is None:
            return
        mine = self._by_candidate.get(value.candidate_id, {})
        mine.pop(key, None)
        if not mine:
            self._by_candidate.pop(value.candidate_id, None)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def pop(self, key: tuple[int, int], *default: Any) -> Any:
        if key in self:
            self._unindex(key)
        return super().pop(key, *default)

    def popitem(self) -> tuple[tuple[int, int], Application]:
        if not self:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self))
        return key, self.pop(key)

    def setdefault(self, key: tuple[int, int], default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        super().clear()
        self._by_candidate.clear()

    # dict's own ``__ior__`` needs the same ignore in typeshed; without this override
    # ``|=`` would bypass the index.
    def __ior__(self, other: Any) -> Self:  # type: ignore[misc, override]
        self.update(other)
        return self

    def of_candidate(self, candidate_id: int) -> list[Application]:
        """Their applications, by job id."""
        return sorted(self._by_candidate.get(candidate_id, {}).values(), key=lambda a: a.job_id)
