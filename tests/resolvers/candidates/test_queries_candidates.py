"""``candidates`` and ``candidate``: the seeded people, CandidateFilter checked against a
full listing, nested applications, lookups by id, tenancy."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import pytest

from tests.support.gateway import SIZES, Gateway

ALL_CANDIDATES = """
{
  candidates(first: 100) {
    totalCount
    nodes {
      id name firstName lastName email headline createdAt tags applicationCount
    }
  }
}
"""

FILTERED_CANDIDATES = """
query FilteredCandidates($filter: CandidateFilter) {
  candidates(first: 100, filter: $filter) {
    totalCount
    nodes { id }
  }
}
"""

CANDIDATE = """
query Candidate($id: ID!) {
  candidate(id: $id) {
    id name email applicationCount
    applications(first: 100) {
      totalCount
      nodes { id candidate { id } job { id } }
    }
  }
}
"""

JOB_IDS = """
{ jobs(first: 3) { nodes { id } } }
"""

ALL_APPLICATIONS = """
{ applications(first: 100) { totalCount nodes { id candidate { id } } } }
"""


def global_id(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def codes(errors: list[dict[str, Any]]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in errors]


async def all_candidates(gateway: Gateway, tenant: str = "demo") -> list[dict[str, Any]]:
    data = await gateway.execute(ALL_CANDIDATES, tenant=tenant)
    nodes: list[dict[str, Any]] = data["candidates"]["nodes"]
    assert data["candidates"]["totalCount"] == len(nodes)
    return nodes


async def filtered(
    gateway: Gateway, candidate_filter: dict[str, Any], tenant: str = "demo"
) -> set[str]:
    data = await gateway.execute(FILTERED_CANDIDATES, {"filter": candidate_filter}, tenant=tenant)
    ids = {node["id"] for node in data["candidates"]["nodes"]}
    assert data["candidates"]["totalCount"] == len(ids)
    return ids


def matching(candidates: list[dict[str, Any]], term: str) -> set[str]:
    needle = term.strip().lower()
    return {
        c["id"]
        for c in candidates
        if any(needle in (c[key] or "").lower() for key in ("name", "email", "headline"))
    }


@pytest.mark.parametrize("tenant", sorted(SIZES))
async def test_listing_holds_the_seeded_candidates(gateway: Gateway, tenant: str) -> None:
    size = SIZES[tenant]["candidates"]
    candidates = await all_candidates(gateway, tenant)
    assert len(candidates) == size
    assert len({c["id"] for c in candidates}) == size
    for candidate in candidates:
        assert candidate["name"] == f"{candidate['firstName']} {candidate['lastName']}"
        assert candidate["email"] and "@" in candidate["email"]
    total = sum(c["applicationCount"] for c in candidates)
    assert total == SIZES[tenant]["applications"]


async def test_tenants_never_see_each_others_candidates(gateway: Gateway) -> None:
    demo = {c["id"] for c in await all_candidates(gateway, "demo")}
    other = {c["id"] for c in await all_candidates(gateway, "other")}
    assert len(demo) == SIZES["demo"]["candidates"]
    assert len(other) == SIZES["other"]["candidates"]
    assert not demo & other


async def test_search_by_email(gateway: Gateway) -> None:
    candidates = await all_candidates(gateway)
    for candidate in candidates[:10]:
        email = candidate["email"]
        for term in (email, email.upper(), email.split("@")[0], email[2:-4].swapcase()):
            expected = matching(candidates, term)
            assert candidate["id"] in expected
            assert await filtered(gateway, {"search": term}) == expected, term
        # the whole address names exactly one candidate
        assert await filtered(gateway, {"search": email}) == {candidate["id"]}


async def test_search_by_name_and_headline(gateway: Gateway) -> None:
    candidates = await all_candidates(gateway)
    sample = candidates[0]
    terms = [
        sample["lastName"].upper(),
        sample["firstName"].lower(),
        sample["name"],
        sample["headline"].split(" · ")[0],
        "years of experience",
        "example.com",
        "nobody by this name",
    ]
    for term in terms:
        assert await filtered(gateway, {"search": term}) == matching(candidates, term), term
    assert len(await filtered(gateway, {"search": "example.com"})) == len(candidates)


@pytest.mark.parametrize("term", ["%", "_", "%@%", "_@", "j_mes", "\\"])
async def test_search_treats_wildcards_as_literal_characters(gateway: Gateway, term: str) -> None:
    candidates = await all_candidates(gateway)
    expected = matching(candidates, term)
    assert expected == set()
    assert await filtered(gateway, {"search": term}) == expected


async def test_created_at_range_is_half_open(gateway: Gateway) -> None:
    candidates = await all_candidates(gateway)
    stamps = sorted({c["createdAt"] for c in candidates}, key=datetime.fromisoformat)
    middle = stamps[len(stamps) // 2]
    pivot = datetime.fromisoformat(middle)
    later = {c["id"] for c in candidates if datetime.fromisoformat(c["createdAt"]) >= pivot}
    earlier = {c["id"] for c in candidates if datetime.fromisoformat(c["createdAt"]) < pivot}
    assert later and earlier
    assert await filtered(gateway, {"createdAt": {"from": middle}}) == later
    assert await filtered(gateway, {"createdAt": {"to": middle}}) == earlier
    assert await filtered(gateway, {"createdAt": {"from": middle, "to": middle}}) == set()


async def test_candidate_by_id_with_its_applications(gateway: Gateway) -> None:
    every = (await gateway.execute(ALL_APPLICATIONS))["applications"]["nodes"]
    by_candidate: dict[str, set[str]] = {}
    for application in every:
        by_candidate.setdefault(application["candidate"]["id"], set()).add(application["id"])
    for candidate in (await all_candidates(gateway))[:20]:
        found = (await gateway.execute(CANDIDATE, {"id": candidate["id"]}))["candidate"]
        assert found["id"] == candidate["id"]
        assert found["email"] == candidate["email"]
        connection = found["applications"]
        ids = {node["id"] for node in connection["nodes"]}
        assert all(node["candidate"]["id"] == candidate["id"] for node in connection["nodes"])
        assert connection["totalCount"] == found["applicationCount"] == len(ids)
        assert ids == by_candidate.get(candidate["id"], set())


async def test_candidate_by_id_of_another_type_or_tenant_is_null(gateway: Gateway) -> None:
    job = (await gateway.execute(JOB_IDS))["jobs"]["nodes"][0]["id"]
    other = (await all_candidates(gateway, "other"))[0]["id"]
    for missing in (job, other, global_id("Candidate", 10**9)):
        assert (await gateway.execute(CANDIDATE, {"id": missing}))["candidate"] is None
    assert (await gateway.execute(CANDIDATE, {"id": other}, tenant="other"))["candidate"]


async def test_candidate_by_malformed_id_is_bad_user_input(gateway: Gateway) -> None:
    errors = await gateway.errors(CANDIDATE, {"id": "?"})
    assert codes(errors) == ["BAD_USER_INPUT"]
