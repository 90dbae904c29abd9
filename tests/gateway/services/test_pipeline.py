"""Pipeline analytics as pure functions over hand-made stays: counts, average and
median time in stage, staleness, the bottleneck, and merging jobs by stage name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gateway.errors import ValidationFailed
from gateway.services.pipeline import (
    BOTTLENECK_MIN_STAYS,
    PipelineFacts,
    Stage,
    StageMetrics,
    Stay,
    aggregate_facts,
    compute_metrics,
    pick_bottleneck,
    validate_stale_after_days,
)
from gateway.store.enums import StageKind

NOW = datetime(2026, 10, 1, tzinfo=UTC)
DAY = timedelta(days=1)
DAY_S = DAY.total_seconds()

APPLIED = Stage("Applied", id=1, position=0, kind=StageKind.APPLIED)
SCREEN = Stage("Recruiter Screen", id=2, position=1, kind=StageKind.SCREEN)
INTERVIEW = Stage("Client Interview", id=3, position=3, kind=StageKind.INTERVIEW)
OFFER = Stage("Offer", id=4, position=4, kind=StageKind.OFFER)
PIPELINE = (APPLIED, SCREEN, INTERVIEW, OFFER)


def done(app: int, stage: Stage, days: float, *, ended_days_ago: float = 30) -> Stay:
    """A completed stay of ``days`` days that ended ``ended_days_ago`` days before NOW."""
    left = NOW - ended_days_ago * DAY
    return Stay(app, stage, left - days * DAY, left)


def waiting(app: int, stage: Stage, days: float, *, active: bool = True) -> Stay:
    """An open stay that began ``days`` days before NOW."""
    return Stay(app, stage, NOW - days * DAY, None, application_active=active)


def metrics_of(facts: PipelineFacts, days: int = 14, **kwargs: int) -> dict[str, StageMetrics]:
    result = compute_metrics(facts, as_of=NOW, stale_after_days=days, **kwargs)
    return {stage.stage.name: stage for stage in result.stages}


def test_no_facts_at_all() -> None:
    result = compute_metrics(PipelineFacts(), as_of=NOW, stale_after_days=14)
    assert result.stages == ()
    assert (result.active_applications, result.stale_count, result.completed_stays) == (0, 0, 0)
    assert result.bottleneck is None
    assert result.as_of == NOW and result.stale_after_days == 14


def test_a_pipeline_without_transitions_lists_its_empty_stages() -> None:
    result = compute_metrics(
        PipelineFacts(pipeline=PIPELINE, current=((APPLIED, 2),)),
        as_of=NOW,
        stale_after_days=14,
    )
    assert [m.stage for m in result.stages] == list(PIPELINE)
    applied, *rest = result.stages
    assert applied.current_count == 2
    assert applied.average_seconds is None and applied.median_seconds is None
    assert all(m == StageMetrics(stage=m.stage) for m in rest)
    assert result.active_applications == 2
    assert result.stale_count == 0, "no open stays: no known wait, nothing stale"
    assert result.bottleneck is None


def test_a_single_completed_stay_is_its_own_average_and_median() -> None:
    stages = metrics_of(PipelineFacts(stays=(done(1, SCREEN, 2.5),)))
    screen = stages["Recruiter Screen"]
    assert screen.completed_stays == 1
    assert screen.average_seconds == screen.median_seconds == 2.5 * DAY_S
    assert screen.current_count == 0 and screen.longest_wait_seconds is None


def test_average_and_median_of_completed_stays() -> None:
    stays = tuple(done(n, SCREEN, days) for n, days in enumerate((1, 2, 3, 10), start=1))
    screen = metrics_of(PipelineFacts(stays=stays))["Recruiter Screen"]
    assert screen.completed_stays == 4
    assert screen.average_seconds == pytest.approx(4 * DAY_S)
    assert screen.median_seconds == pytest.approx(2.5 * DAY_S), "even count: mean of the middle"

    odd = metrics_of(PipelineFacts(stays=stays[:3]))["Recruiter Screen"]
    assert odd.median_seconds == pytest.approx(2 * DAY_S)


def test_open_stays_stay_out_of_average_and_median() -> None:
    facts = PipelineFacts(
        current=((SCREEN, 1),),
        stays=(done(1, SCREEN, 1), done(2, SCREEN, 3), waiting(3, SCREEN, 100)),
    )
    screen = metrics_of(facts)["Recruiter Screen"]
    assert screen.completed_stays == 2
    assert screen.average_seconds == pytest.approx(2 * DAY_S)
    assert screen.median_seconds == pytest.approx(2 * DAY_S)
    assert screen.longest_wait_seconds == pytest.approx(100 * DAY_S)
    assert screen.stale_count == 1


def test_stale_means_an_active_application_waiting_beyond_the_threshold() -> None:
    facts = PipelineFacts(
        current=((APPLIED, 2), (SCREEN, 2)),
        stays=(
            done(1, APPLIED, 1),
            waiting(1, SCREEN, 20),  # stale
            waiting(2, SCREEN, 14),  # exactly the threshold: not beyond it
            waiting(3, APPLIED, 30),  # stale, the longest wait
            waiting(4, APPLIED, 3),
            waiting(5, INTERVIEW, 90, active=False),  # rejected or hired: not in the pipeline
        ),
    )
    result = compute_metrics(facts, as_of=NOW, stale_after_days=14)
    assert [(s.application_id, s.stage.name) for s in result.stale] == [
        (3, "Applied"),
        (1, "Recruiter Screen"),
    ]
    assert result.stale[0].waiting_seconds == pytest.approx(30 * DAY_S)
    assert result.stale[0].entered_at == NOW - 30 * DAY
    stages = {m.stage.name: m for m in result.stages}
    assert (stages["Applied"].stale_count, stages["Recruiter Screen"].stale_count) == (1, 1)
    assert stages["Client Interview"].stale_count == 0
    assert stages["Client Interview"].longest_wait_seconds is None
    assert stages["Applied"].longest_wait_seconds == pytest.approx(30 * DAY_S)

    relaxed = compute_metrics(facts, as_of=NOW, stale_after_days=25)
    assert [s.application_id for s in relaxed.stale] == [3]
    strict = compute_metrics(facts, as_of=NOW, stale_after_days=1)
    assert [s.application_id for s in strict.stale] == [3, 1, 2, 4]


def test_only_the_latest_open_stay_of_an_application_counts() -> None:
    facts = PipelineFacts(stays=(waiting(1, APPLIED, 40), waiting(1, SCREEN, 2)))
    result = compute_metrics(facts, as_of=NOW, stale_after_days=14)
    assert result.stale == ()
    stages = {m.stage.name: m for m in result.stages}
    assert stages["Applied"].longest_wait_seconds is None
    assert stages["Recruiter Screen"].longest_wait_seconds == pytest.approx(2 * DAY_S)


def test_bad_stays_are_ignored_and_future_entries_wait_zero() -> None:
    backwards = Stay(1, SCREEN, NOW, NOW - DAY)
    assert backwards.seconds is None
    future = Stay(2, SCREEN, NOW + DAY)
    result = compute_metrics(
        PipelineFacts(stays=(backwards, future)), as_of=NOW, stale_after_days=1
    )
    (screen,) = result.stages
    assert screen.completed_stays == 0 and screen.average_seconds is None
    assert screen.longest_wait_seconds == 0
    assert result.stale == ()


def test_applications_without_a_stage_count_as_active_only() -> None:
    result = compute_metrics(
        PipelineFacts(current=((SCREEN, 3),), unstaged=2), as_of=NOW, stale_after_days=14
    )
    assert result.active_applications == 5
    assert [(m.stage.name, m.current_count) for m in result.stages] == [("Recruiter Screen", 3)]


def test_stages_follow_positions_and_unknown_stages_come_last() -> None:
    gone = Stage("Phone Screen")  # its record was deleted: known by the recorded name
    facts = PipelineFacts(
        pipeline=(SCREEN, APPLIED),
        current=((OFFER, 1),),
        stays=(done(1, gone, 2), done(1, INTERVIEW, 1)),
    )
    result = compute_metrics(facts, as_of=NOW, stale_after_days=14)
    assert [m.stage.name for m in result.stages] == [
        "Applied",
        "Recruiter Screen",
        "Client Interview",
        "Offer",
        "Phone Screen",
    ]


def test_the_bottleneck_has_the_highest_median_among_busy_enough_stages() -> None:
    stays = (
        *(done(n, APPLIED, 1) for n in range(3)),
        *(done(n, SCREEN, days) for n, days in enumerate((2, 5, 6))),  # median 5
        *(done(n, INTERVIEW, days) for n, days in enumerate((3, 4, 4, 30))),  # median 4
        *(done(n, OFFER, 50) for n in range(BOTTLENECK_MIN_STAYS - 1)),  # too few stays
    )
    result = compute_metrics(PipelineFacts(stays=stays), as_of=NOW, stale_after_days=14)
    assert result.bottleneck is not None
    assert result.bottleneck.stage == SCREEN
    assert result.bottleneck.median_seconds == pytest.approx(5 * DAY_S)
    assert result.bottleneck in result.stages

    lenient = compute_metrics(
        PipelineFacts(stays=stays), as_of=NOW, stale_after_days=14, min_stays=1
    )
    assert lenient.bottleneck is not None and lenient.bottleneck.stage == OFFER


def test_open_stays_do_not_make_a_bottleneck() -> None:
    stays = (*(done(n, APPLIED, 1) for n in range(3)), *(waiting(n, SCREEN, 60) for n in range(9)))
    result = compute_metrics(PipelineFacts(stays=stays), as_of=NOW, stale_after_days=14)
    assert result.bottleneck is not None and result.bottleneck.stage == APPLIED


def test_bottleneck_ties_go_to_more_stays_then_to_the_earlier_stage() -> None:
    def stage(stage: Stage, stays: int, median: float = 100.0) -> StageMetrics:
        return StageMetrics(stage=stage, completed_stays=stays, median_seconds=median)

    assert pick_bottleneck([stage(APPLIED, 3), stage(SCREEN, 4)]) == stage(SCREEN, 4)
    assert pick_bottleneck([stage(APPLIED, 3), stage(SCREEN, 3)]) == stage(APPLIED, 3)
    assert pick_bottleneck([stage(APPLIED, 2), stage(SCREEN, 0, 0)]) is None
    assert pick_bottleneck([]) is None


def test_jobs_merge_by_stage_name() -> None:
    other_applied = Stage("Applied", id=11, position=2, kind=StageKind.APPLIED)
    other_screen = Stage("Recruiter Screen", id=12, position=1, kind=StageKind.OTHER)
    first = PipelineFacts(
        pipeline=(APPLIED, SCREEN),
        current=((APPLIED, 2),),
        stays=(done(1, APPLIED, 1), waiting(1, SCREEN, 20)),
    )
    second = PipelineFacts(
        pipeline=(other_applied, other_screen),
        current=((other_applied, 1), (other_screen, 1)),
        unstaged=1,
        stays=(done(2, other_applied, 3), done(2, other_screen, 5), waiting(3, other_applied, 2)),
    )
    merged = aggregate_facts([first, second])
    result = compute_metrics(merged, as_of=NOW, stale_after_days=14)
    stages = {m.stage.name: m for m in result.stages}
    assert list(stages) == ["Applied", "Recruiter Screen"]
    applied, screen = stages["Applied"], stages["Recruiter Screen"]
    assert applied.stage == Stage("Applied", position=0, kind=StageKind.APPLIED)
    assert screen.stage.id is None and screen.stage.kind is None, "kinds differ"
    assert (applied.current_count, screen.current_count) == (3, 1)
    assert result.active_applications == 5
    assert applied.completed_stays == 2
    assert applied.average_seconds == pytest.approx(2 * DAY_S)
    assert [s.application_id for s in result.stale] == [1]
    assert aggregate_facts([]) == PipelineFacts()


@pytest.mark.parametrize("days", [0, -1, 366])
def test_thresholds_out_of_range_are_refused(days: int) -> None:
    with pytest.raises(ValidationFailed):
        validate_stale_after_days(days)


def test_thresholds_in_range_are_kept() -> None:
    assert [validate_stale_after_days(d) for d in (1, 14, 365)] == [1, 14, 365]
