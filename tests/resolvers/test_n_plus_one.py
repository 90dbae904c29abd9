"""No N+1: the SQL statements a nested query runs do not grow with the rows it returns.

Tenant "other" has fewer jobs, candidates and applications than "demo"; the same query
must run the same number of statements for both, and the nested pipeline query stays
under a fixed bound. ``jobs`` responses are cached per user, so the cache is invalidated
before each counted request and the response must say ``x-cache: miss``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.gateway import SIZES, Gateway

MAX_PIPELINE_STATEMENTS = 12

JOBS_PIPELINE = """
{
  jobs(first: 50) {
    edges {
      node {
        applications(first: 50) {
          totalCount
          edges {
            node {
              candidate { name email }
              currentStage { name }
              interviews { status }
              stageHistory { toStageName }
            }
          }
        }
      }
    }
  }
}
"""

JOBS_PIPELINE_WITH_FRAGMENTS = """
fragment Person on Candidate { name email }
fragment Move on StageTransition { toStageName }
{
  jobs(first: 50) {
    nodes {
      applications(first: 50) {
        totalCount
        nodes {
          candidate { ...Person }
          ... on Application { currentStage { name } interviews { status } }
          stageHistory { ...Move }
        }
      }
    }
  }
}
"""

JOBS_PIPELINE_DEEPER = """
{
  jobs(first: 50) {
    edges {
      node {
        title
        recruiter { name }
        integration { name }
        applicationCount
        applications(first: 50) {
          totalCount
          edges {
            node {
              candidate { name applicationCount }
              currentStage { name }
              stageHistory { toStageName toStage { name } fromStage { name } }
              interviews { status messages { content } evaluation { overallScore } }
              analysis { riskScore }
              offers { status }
              onboardingTasks { status }
            }
          }
        }
      }
    }
  }
}
"""

JOBS_PIPELINE_ONE_JOB = JOBS_PIPELINE.replace("jobs(first: 50)", "jobs(first: 1)")

JOBS_QUERIES = frozenset(
    {JOBS_PIPELINE, JOBS_PIPELINE_WITH_FRAGMENTS, JOBS_PIPELINE_DEEPER, JOBS_PIPELINE_ONE_JOB}
)
"""Queries whose only root field is ``jobs``: their responses are cached."""

CANDIDATES_APPLICATIONS = """
{
  candidates(first: 50) {
    edges {
      node {
        applications(first: 10) {
          edges { node { job { title } } }
        }
      }
    }
  }
}
"""

INTERVIEWS_CHATS = """
{
  interviews(first: 50) {
    edges {
      node {
        messages { content }
        evaluation { overallScore }
        application { candidate { name } }
      }
    }
  }
}
"""

APPLICATIONS_EVERYTHING = """
{
  applications(first: 100) {
    edges {
      node {
        job { title recruiter { name } }
        candidate { name }
        currentStage { name }
        stageHistory { toStageName }
        interviews { status persona { name } messages { content } }
        analysis { riskScore }
        offers { status }
      }
    }
  }
}
"""

ACTIVITIES_WITH_SUBJECTS = """
{
  activities(first: 100) {
    nodes { job { title } candidate { name } application { status } }
  }
}
"""


async def counted(gateway: Gateway, query: str, tenant: str) -> tuple[int, dict[str, Any]]:
    """Statements run by one uncached request of ``query`` for ``tenant``, and its data."""
    await gateway.app.state.cache.invalidate(gateway.tenants[tenant].tenant_id)
    gateway.statements.reset()
    response = await gateway.post(query, tenant=tenant)
    count = gateway.statements.count
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    cacheable = query in JOBS_QUERIES
    assert response.headers.get("x-cache") == ("miss" if cacheable else None)
    data: dict[str, Any] = body["data"]
    return count, data


def application_total(data: dict[str, Any]) -> int:
    jobs = data["jobs"].get("edges") or [{"node": n} for n in data["jobs"]["nodes"]]
    return sum(job["node"]["applications"]["totalCount"] for job in jobs)


async def test_pipeline_query_statements_do_not_grow_with_jobs(gateway: Gateway) -> None:
    other, other_data = await counted(gateway, JOBS_PIPELINE, "other")
    demo, demo_data = await counted(gateway, JOBS_PIPELINE, "demo")

    assert len(other_data["jobs"]["edges"]) == SIZES["other"]["jobs"]
    assert len(demo_data["jobs"]["edges"]) == SIZES["demo"]["jobs"]
    assert application_total(other_data) == SIZES["other"]["applications"]
    assert application_total(demo_data) == SIZES["demo"]["applications"]
    assert demo == other, gateway.statements.statements
    assert demo <= MAX_PIPELINE_STATEMENTS, gateway.statements.statements


async def test_pipeline_query_is_served_from_the_cache_the_second_time(gateway: Gateway) -> None:
    await counted(gateway, JOBS_PIPELINE, "demo")
    gateway.statements.reset()
    response = await gateway.post(JOBS_PIPELINE)
    assert response.headers.get("x-cache") == "hit"
    assert gateway.statements.count <= 1  # at most the token's user lookup


async def test_pipeline_query_statements_are_stable_across_repeats(gateway: Gateway) -> None:
    first, _ = await counted(gateway, JOBS_PIPELINE, "demo")
    second, _ = await counted(gateway, JOBS_PIPELINE, "demo")
    assert first == second


async def test_pipeline_query_with_fragments_and_nodes(gateway: Gateway) -> None:
    other, other_data = await counted(gateway, JOBS_PIPELINE_WITH_FRAGMENTS, "other")
    demo, demo_data = await counted(gateway, JOBS_PIPELINE_WITH_FRAGMENTS, "demo")
    assert application_total(demo_data) == SIZES["demo"]["applications"]
    assert application_total(other_data) == SIZES["other"]["applications"]
    assert demo == other
    assert demo <= MAX_PIPELINE_STATEMENTS


async def test_deeper_pipeline_query_statements_do_not_grow(gateway: Gateway) -> None:
    other, _ = await counted(gateway, JOBS_PIPELINE_DEEPER, "other")
    demo, _ = await counted(gateway, JOBS_PIPELINE_DEEPER, "demo")
    assert demo == other, gateway.statements.statements


async def test_fewer_jobs_per_page_do_not_change_the_statements(gateway: Gateway) -> None:
    all_jobs, _ = await counted(gateway, JOBS_PIPELINE, "demo")
    one_job, _ = await counted(gateway, JOBS_PIPELINE_ONE_JOB, "demo")
    assert one_job == all_jobs


async def test_candidates_with_their_applications(gateway: Gateway) -> None:
    other, other_data = await counted(gateway, CANDIDATES_APPLICATIONS, "other")
    demo, demo_data = await counted(gateway, CANDIDATES_APPLICATIONS, "demo")
    for tenant, data in (("other", other_data), ("demo", demo_data)):
        edges = data["candidates"]["edges"]
        assert len(edges) == min(50, SIZES[tenant]["candidates"])
        assert any(edge["node"]["applications"]["edges"] for edge in edges)
    assert demo == other, gateway.statements.statements


async def test_interviews_with_chats_evaluations_and_candidates(gateway: Gateway) -> None:
    other, other_data = await counted(gateway, INTERVIEWS_CHATS, "other")
    demo, demo_data = await counted(gateway, INTERVIEWS_CHATS, "demo")
    assert other_data["interviews"]["edges"], "the other tenant has an interview"
    assert len(demo_data["interviews"]["edges"]) > len(other_data["interviews"]["edges"])
    assert demo == other, gateway.statements.statements


@pytest.mark.parametrize("query", [APPLICATIONS_EVERYTHING, ACTIVITIES_WITH_SUBJECTS])
async def test_other_root_lists_with_relations(gateway: Gateway, query: str) -> None:
    other, _ = await counted(gateway, query, "other")
    demo, _ = await counted(gateway, query, "demo")
    assert demo == other, gateway.statements.statements
