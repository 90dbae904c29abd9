"""Pipeline analytics over GraphQL: ``Job.pipeline`` and ``pipelineMetrics`` agree with
what the applications and their stage history say, run a fixed number of statements
whatever the number of jobs, are cached until a write, and stay inside the tenant."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from demo.seed import BASE_TIME
from gateway.services.pipeline import BOTTLENECK_MIN_STAYS
from gateway.store.enums import Role
from tests.support.gateway import SIZES, Gateway

STAGE_FIELDS = """
  name kind currentCount staleCount completedStays
  averageSeconds medianSeconds longestWaitSeconds
  stage { id name }
"""
METRICS_FIELDS = f"""
  asOf staleAfterDays activeApplications staleCount completedStays
  stages {{ {STAGE_FIELDS} }}
  bottleneck {{ name medianSeconds completedStays }}
  staleApplications(first: 100) {{ stageName enteredAt waitingSeconds application {{ id }} }}
"""

JOBS_WITH_HISTORY = f"""
query($days: Int) {{
  jobs(first: 50) {{
    edges {{
      node {{
        id
        applications(first: 100) {{
          totalCount
          nodes {{
            id status
            currentStage {{ id name }}
            stageHistory {{ toStageName enteredAt leftAt }}
          }}
        }}
        pipeline(staleAfterDays: $days) {{ {METRICS_FIELDS} }}
      }}
    }}
  }}
}}
"""

JOBS_PIPELINE = """
{
  jobs(first: 50) {
    edges {
      node {
        id
        pipeline {
          activeApplications staleCount
          stages { name currentCount staleCount averageSeconds medianSeconds stage { id } }
          bottleneck { name }
          staleApplications { waitingSeconds application { id status } }
        }
      }
    }
  }
}
"""

REPORT = f"""
query($filter: PipelineMetricsFilter, $days: Int, $first: Int! = 50) {{
  pipelineMetrics(filter: $filter, staleAfterDays: $days) {{
    asOf staleAfterDays jobCount
    overall {{ {METRICS_FIELDS} }}
    jobs(first: $first) {{ job {{ id isActive }} pipeline {{ {METRICS_FIELDS} }} }}
  }}
}}
"""

JOB_PIPELINE = """
query($id: ID!, $days: Int) {
  job(id: $id) { pipeline(staleAfterDays: $days) { staleAfterDays staleCount } }
}
"""

JOB_IDS = (
    "query($active: Boolean) { jobs(first: 50, filter: {isActive: $active}) { nodes { id } } }"
)

JOB_UPDATE = """
mutation($id: ID!, $active: Boolean!) {
  jobUpdate(input: {id: $id, isActive: $active}) { __typename }
}
"""

SETTINGS_UPDATE = """
mutation($days: Int!) {
  settingsUpdate(input: {staleStageDays: $days}) { __typename }
}
"""


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass
class Expected:
    """Pipeline figures recomputed from a plain listing of applications and history."""

    current: Counter[str] = field(default_factory=Counter)
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    waits: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    stale: list[tuple[float, str, str]] = field(default_factory=list)
    active: int = 0

    def add(self, applications: list[dict[str, Any]], as_of: datetime, days: int) -> None:
        for app in applications:
            active = app["status"] == "ACTIVE"
            if active:
                self.active += 1
                if app["currentStage"]:
                    self.current[app["currentStage"]["name"]] += 1
            history = app["stageHistory"]
            for move in history:
                if move["leftAt"] is not None:
                    seconds = (moment(move["leftAt"]) - moment(move["enteredAt"])).total_seconds()
                    self.durations[move["toStageName"]].append(seconds)
            open_moves = [move for move in history if move["leftAt"] is None]
            if active and open_moves:
                latest = max(open_moves, key=lambda move: moment(move["enteredAt"]))
                wait = max(0.0, (as_of - moment(latest["enteredAt"])).total_seconds())
                self.waits[latest["toStageName"]].append(wait)
                if wait > days * 86400:
                    self.stale.append((wait, latest["toStageName"], app["id"]))

    def bottleneck(self, order: list[str]) -> str | None:
        busy = [
            (statistics.median(values), len(values), -order.index(name), name)
            for name, values in self.durations.items()
            if len(values) >= BOTTLENECK_MIN_STAYS
        ]
        return max(busy)[3] if busy else None


def assert_matches(metrics: dict[str, Any], expected: Expected) -> None:
    stages = {stage["name"]: stage for stage in metrics["stages"]}
    assert len(stages) == len(metrics["stages"]), "stage names are unique"
    names = {*expected.current, *expected.durations, *expected.waits}
    assert names <= set(stages)
    for name, stage in stages.items():
        durations = expected.durations.get(name, [])
        assert stage["currentCount"] == expected.current[name], name
        assert stage["completedStays"] == len(durations), name
        if durations:
            assert stage["averageSeconds"] == pytest.approx(statistics.fmean(durations))
            assert stage["medianSeconds"] == pytest.approx(statistics.median(durations))
        else:
            assert stage["averageSeconds"] is stage["medianSeconds"] is None
        waits = expected.waits.get(name)
        if waits:
            assert stage["longestWaitSeconds"] == pytest.approx(max(waits))
        else:
            assert stage["longestWaitSeconds"] is None
        assert stage["staleCount"] == sum(1 for _, where, _ in expected.stale if where == name)
    assert metrics["activeApplications"] == expected.active
    assert metrics["staleCount"] == len(expected.stale)
    assert metrics["completedStays"] == sum(map(len, expected.durations.values()))
    stale = metrics["staleApplications"]
    assert {(s["stageName"], s["application"]["id"]) for s in stale} == {
        (where, app) for _, where, app in expected.stale
    }
    waits = [s["waitingSeconds"] for s in stale]
    assert waits == sorted(waits, reverse=True)
    bottleneck = expected.bottleneck([stage["name"] for stage in metrics["stages"]])
    assert (metrics["bottleneck"] or {}).get("name") == bottleneck


def without_waits(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stage figures that do not move with the clock."""
    return [{k: v for k, v in stage.items() if k != "longestWaitSeconds"} for stage in stages]


async def uncached(
    gateway: Gateway, query: str, variables: dict[str, Any] | None = None, *, tenant: str = "demo"
) -> tuple[int, dict[str, Any]]:
    """Statements run by one uncached request, and its data."""
    await gateway.app.state.cache.invalidate(gateway.tenants[tenant].tenant_id)
    gateway.statements.reset()
    response = await gateway.post(query, variables, tenant=tenant)
    count = gateway.statements.count
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    assert response.headers.get("x-cache") == "miss"
    data: dict[str, Any] = body["data"]
    return count, data


@pytest.mark.parametrize("days", [1, 30, 60, 365])
async def test_job_pipelines_match_the_application_history(gateway: Gateway, days: int) -> None:
    data = await gateway.execute(JOBS_WITH_HISTORY, {"days": days})
    edges = data["jobs"]["edges"]
    assert len(edges) == SIZES["demo"]["jobs"]
    for edge in edges:
        job = edge["node"]
        listing = job["applications"]
        assert listing["totalCount"] == len(listing["nodes"]), "the listing is complete"
        metrics = job["pipeline"]
        assert metrics["staleAfterDays"] == days
        as_of = moment(metrics["asOf"])
        expected = Expected()
        expected.add(listing["nodes"], as_of, days)
        assert_matches(metrics, expected)
        assert all(stage["stage"] is not None for stage in metrics["stages"])
        if as_of - timedelta(days=days) > BASE_TIME:
            # every stage of the demo world was entered before BASE_TIME
            assert metrics["staleCount"] == metrics["activeApplications"]


async def test_every_stage_of_the_pipeline_is_listed_in_order(gateway: Gateway) -> None:
    data = await gateway.execute(JOBS_WITH_HISTORY, {"days": 30})
    for edge in data["jobs"]["edges"]:
        names = [stage["name"] for stage in edge["node"]["pipeline"]["stages"]]
        assert names == [
            "Applied",
            "Recruiter Screen",
            "Hiring Manager Review",
            "Client Interview",
            "Offer",
            "Hired",
            "Rejected",
        ]


async def test_the_overall_report_merges_all_jobs(gateway: Gateway) -> None:
    listing = await gateway.execute(JOBS_WITH_HISTORY, {"days": 45})
    report = (await gateway.execute(REPORT, {"days": 45}))["pipelineMetrics"]
    assert report["staleAfterDays"] == 45
    assert report["jobCount"] == SIZES["demo"]["jobs"]
    as_of = moment(report["asOf"])

    expected = Expected()
    for edge in listing["jobs"]["edges"]:
        expected.add(edge["node"]["applications"]["nodes"], as_of, 45)
    overall = report["overall"]
    assert_matches(overall, expected)
    assert all(stage["stage"] is None for stage in overall["stages"]), "merged by name"

    per_job = {entry["job"]["id"]: entry["pipeline"] for entry in report["jobs"]}
    assert set(per_job) == {edge["node"]["id"] for edge in listing["jobs"]["edges"]}
    assert overall["activeApplications"] == sum(m["activeApplications"] for m in per_job.values())
    assert overall["staleCount"] == sum(m["staleCount"] for m in per_job.values())
    assert all(m["asOf"] == report["asOf"] for m in per_job.values())


async def test_report_filters_and_caps(gateway: Gateway) -> None:
    active_ids = {
        node["id"] for node in (await gateway.execute(JOB_IDS, {"active": True}))["jobs"]["nodes"]
    }
    report = (await gateway.execute(REPORT, {"filter": {"isActive": True}}))["pipelineMetrics"]
    assert report["jobCount"] == len(active_ids)
    assert {entry["job"]["id"] for entry in report["jobs"]} == active_ids
    assert all(entry["job"]["isActive"] for entry in report["jobs"])

    everything = (await gateway.execute(REPORT))["pipelineMetrics"]
    chosen = [entry["job"]["id"] for entry in everything["jobs"][:2]]
    picked = await gateway.execute(REPORT, {"filter": {"jobIds": chosen}, "first": 1})
    picked_report = picked["pipelineMetrics"]
    assert picked_report["jobCount"] == 2
    assert [entry["job"]["id"] for entry in picked_report["jobs"]] == chosen[:1]
    assert picked_report["overall"]["activeApplications"] == sum(
        entry["pipeline"]["activeApplications"] for entry in everything["jobs"][:2]
    )


async def test_default_threshold_is_the_tenant_setting(gateway: Gateway) -> None:
    job_id = (await gateway.execute(JOB_IDS))["jobs"]["nodes"][0]["id"]
    data = await gateway.execute(JOB_PIPELINE, {"id": job_id})
    assert data["job"]["pipeline"]["staleAfterDays"] == 14
    report = await gateway.execute(REPORT)
    assert report["pipelineMetrics"]["staleAfterDays"] == 14

    changed = await gateway.execute(SETTINGS_UPDATE, {"days": 200})
    assert changed["settingsUpdate"]["__typename"] == "SettingsUpdateSuccess"
    try:
        data = await gateway.execute(JOB_PIPELINE, {"id": job_id})
        assert data["job"]["pipeline"]["staleAfterDays"] == 200
        report = await gateway.execute(REPORT)
        assert report["pipelineMetrics"]["staleAfterDays"] == 200
        explicit = await gateway.execute(JOB_PIPELINE, {"id": job_id, "days": 7})
        assert explicit["job"]["pipeline"]["staleAfterDays"] == 7
    finally:
        await gateway.execute(SETTINGS_UPDATE, {"days": 14})


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (JOB_PIPELINE, {"days": 0}),
        (JOB_PIPELINE, {"days": 366}),
        (REPORT, {"days": -3}),
        (REPORT, {"first": 101}),
    ],
)
async def test_out_of_range_arguments_are_refused(
    gateway: Gateway, query: str, variables: dict[str, Any]
) -> None:
    if query == JOB_PIPELINE:
        variables = {**variables, "id": (await gateway.execute(JOB_IDS))["jobs"]["nodes"][0]["id"]}
    errors = await gateway.errors(query, variables)
    assert {error["extensions"]["code"] for error in errors} == {"BAD_USER_INPUT"}


async def test_job_pipelines_run_the_same_statements_for_any_number_of_jobs(
    gateway: Gateway,
) -> None:
    other, other_data = await uncached(gateway, JOBS_PIPELINE, tenant="other")
    demo, demo_data = await uncached(gateway, JOBS_PIPELINE, tenant="demo")
    assert len(other_data["jobs"]["edges"]) == SIZES["other"]["jobs"]
    assert len(demo_data["jobs"]["edges"]) == SIZES["demo"]["jobs"]
    assert demo == other, gateway.statements.statements
    # user, jobs page, settings, 3 pipeline statements, stale applications by id
    assert demo <= 7, gateway.statements.statements


async def test_report_runs_the_same_statements_for_any_number_of_jobs(gateway: Gateway) -> None:
    other, other_data = await uncached(gateway, REPORT, tenant="other")
    demo, demo_data = await uncached(gateway, REPORT, tenant="demo")
    assert other_data["pipelineMetrics"]["jobCount"] == SIZES["other"]["jobs"]
    assert demo_data["pipelineMetrics"]["jobCount"] == SIZES["demo"]["jobs"]
    assert demo == other, gateway.statements.statements
    # user, settings, job count, jobs page, 3 statements for `overall` over the filter,
    # 3 for the listed jobs' pipelines, stale applications by id
    assert demo <= 11, gateway.statements.statements


async def test_report_is_cached_until_a_write(gateway: Gateway) -> None:
    await uncached(gateway, REPORT)
    gateway.statements.reset()
    hit = await gateway.post(REPORT)
    assert hit.headers.get("x-cache") == "hit"
    assert gateway.statements.count <= 1  # at most the token's user lookup

    job = (await gateway.execute(JOB_IDS))["jobs"]["nodes"][0]["id"]
    before = hit.json()["data"]["pipelineMetrics"]
    was_active = next(e["job"]["isActive"] for e in before["jobs"] if e["job"]["id"] == job)
    updated = await gateway.execute(JOB_UPDATE, {"id": job, "active": not was_active})
    assert updated["jobUpdate"]["__typename"] == "JobUpdateSuccess"
    try:
        miss = await gateway.post(REPORT)
        assert miss.headers.get("x-cache") == "miss"
        after = miss.json()["data"]["pipelineMetrics"]
        assert next(e["job"]["isActive"] for e in after["jobs"] if e["job"]["id"] == job) is (
            not was_active
        )
    finally:
        await gateway.execute(JOB_UPDATE, {"id": job, "active": was_active})


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.READONLY])
async def test_recruiters_and_readonly_users_can_read(gateway: Gateway, role: Role) -> None:
    admin = (await gateway.execute(REPORT, {"days": 30}))["pipelineMetrics"]
    seen = (await gateway.execute(REPORT, {"days": 30}, role=role))["pipelineMetrics"]
    assert seen["jobCount"] == admin["jobCount"]
    assert without_waits(seen["overall"]["stages"]) == without_waits(admin["overall"]["stages"])
    jobs = await gateway.execute(JOBS_PIPELINE, role=role)
    assert all(edge["node"]["pipeline"]["stages"] for edge in jobs["jobs"]["edges"])


async def test_anonymous_callers_are_refused(gateway: Gateway) -> None:
    errors = await gateway.errors("{ pipelineMetrics { jobCount } }", role=None)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    costly = await gateway.errors(REPORT, role=None)  # the whole report is over their limit
    assert costly[0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_other_tenants_jobs_give_nothing(gateway: Gateway) -> None:
    theirs = [
        node["id"] for node in (await gateway.execute(JOB_IDS, tenant="other"))["jobs"]["nodes"]
    ]
    ours = [node["id"] for node in (await gateway.execute(JOB_IDS))["jobs"]["nodes"]]
    report = (await gateway.execute(REPORT, {"filter": {"jobIds": theirs}}))["pipelineMetrics"]
    assert report["jobCount"] == 0
    assert report["jobs"] == []
    assert report["overall"]["activeApplications"] == 0
    assert report["overall"]["stages"] == []

    mixed = await gateway.execute(REPORT, {"filter": {"jobIds": [*theirs, ours[0]]}})
    assert [entry["job"]["id"] for entry in mixed["pipelineMetrics"]["jobs"]] == [ours[0]]

    data = await gateway.execute(JOB_PIPELINE, {"id": theirs[0]})
    assert data["job"] is None
