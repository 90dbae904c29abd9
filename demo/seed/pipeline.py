"""An application's way through the seven stages: which it passed and when, drawn before
the application has an id."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from demo.seed.values import BASE_TIME, DAY, HOUR, Row, random_between, random_span
from demo.seed.world import HIRED, REJECTED
from gateway.store.enums import ApplicationStatus, JobStatus


@dataclass
class AppPlan:
    """An application before it has an id: who, where, and its path through the stages."""

    group: int
    job: Row
    candidate: Row
    path: list[int]
    times: list[datetime]
    status: ApplicationStatus


def stage_path(rng: random.Random, job_status: JobStatus) -> tuple[list[int], ApplicationStatus]:
    """Stage positions an application passed through, in order, and its resulting status.

    Active applications stop anywhere from Applied to Offer; rejected ones leave from an
    earlier stage to Rejected; hired ones skip one screening stage (at most 5 moves).
    """
    weights = {
        JobStatus.OPEN: (72, 23, 5),
        JobStatus.ON_HOLD: (75, 22, 3),
        JobStatus.CLOSED: (15, 65, 20),
    }[job_status]
    outcome = rng.choices(
        (ApplicationStatus.ACTIVE, ApplicationStatus.REJECTED, ApplicationStatus.HIRED),
        weights=weights,
    )[0]
    if outcome is ApplicationStatus.ACTIVE:
        reached = rng.choices((1, 2, 3, 4, 5), weights=(30, 28, 20, 14, 8))[0]
        return list(range(reached)), outcome
    if outcome is ApplicationStatus.REJECTED:
        reached = rng.choices((1, 2, 3, 4), weights=(40, 30, 20, 10))[0]
        return [*range(reached), REJECTED], outcome
    skipped = rng.choice((1, 2))
    return [p for p in range(HIRED + 1) if p != skipped], outcome


def stage_times(rng: random.Random, opened_at: datetime, count: int) -> list[datetime]:
    """When each of ``count`` stages was entered: after the job opened, the last one at
    least a day before ``BASE_TIME``, 6 hours to 10 days apart (compressed if needed)."""
    gaps = [random_span(rng, 6 * HOUR, 10 * DAY) for _ in range(count - 1)]
    earliest, latest = opened_at + HOUR, BASE_TIME - DAY
    room = latest - earliest
    total = sum(gaps, timedelta(0))
    if total > room:
        gaps = [timedelta(seconds=int(gap.total_seconds() * 0.9 * room / total)) for gap in gaps]
        total = sum(gaps, timedelta(0))
    moment = random_between(rng, earliest, latest - total)
    times = [moment]
    for gap in gaps:
        moment += gap
        times.append(moment)
    return times
