"""What the Greenhouse, Lever, Ashby and Workable fakes seed their records with: the
same people and job titles, and applications that pair candidates with jobs in turn."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

FIRST_NAMES = ("Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Frances")
LAST_NAMES = ("Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Thompson")
TITLES = ("Backend Engineer", "Data Analyst", "Product Designer", "Site Reliability Engineer")

_Candidate = TypeVar("_Candidate")
_Job = TypeVar("_Job")


def in_turn(
    candidates: Sequence[_Candidate], jobs: Sequence[_Job], applications: int
) -> Iterator[tuple[_Candidate, _Job]]:
    """Application ``i`` puts candidate ``i % len(candidates)`` in job ``i % len(jobs)``
    (pairs never repeat while ``applications`` stays under their product); nothing
    without candidates or jobs."""
    if not candidates or not jobs:
        return
    for i in range(applications):
        yield candidates[i % len(candidates)], jobs[i % len(jobs)]
