"""Relay cursor connections: forward and backward walks, pageInfo at the ends, page-size
and cursor validation, the ``nodes`` shortcut, and sort order with id tie-breaks, on
root connections and on nested (per-parent) ones."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import orjson
import pytest

from tests.support.gateway import SIZES, Gateway

JOBS = SIZES["demo"]["jobs"]
CANDIDATES = SIZES["demo"]["candidates"]
APPLICATIONS = SIZES["demo"]["applications"]

JOBS_PAGE = """
query JobsPage($first: Int, $after: String, $last: Int, $before: String, $sort: JobSort) {
  jobs(first: $first, after: $after, last: $last, before: $before, sort: $sort) {
    totalCount
    edges { cursor node { id title createdAt } }
    nodes { id title createdAt }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

CANDIDATES_PAGE = """
query CandidatesPage(
  $first: Int, $after: String, $last: Int, $before: String, $sort: CandidateSort
) {
  candidates(first: $first, after: $after, last: $last, before: $before, sort: $sort) {
    totalCount
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

APPLICATIONS_PAGE = """
query ApplicationsPage(
  $first: Int, $after: String, $last: Int, $before: String, $sort: ApplicationSort
) {
  applications(first: $first, after: $after, last: $last, before: $before, sort: $sort) {
    totalCount
    edges { cursor node { id createdAt updatedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

INTERVIEWS_PAGE = """
query InterviewsPage($first: Int, $after: String, $last: Int, $before: String) {
  interviews(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

ACTIVITIES_PAGE = """
query ActivitiesPage($first: Int, $after: String, $last: Int, $before: String) {
  activities(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id createdAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

RECRUITERS_PAGE = """
query RecruitersPage($first: Int, $after: String, $last: Int, $before: String) {
  recruiters(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

INTEGRATIONS_PAGE = """
query IntegrationsPage($first: Int, $after: String, $last: Int, $before: String) {
  integrations(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

ROOT_PAGES = {
    "jobs": JOBS_PAGE,
    "candidates": CANDIDATES_PAGE,
    "applications": APPLICATIONS_PAGE,
    "interviews": INTERVIEWS_PAGE,
    "activities": ACTIVITIES_PAGE,
    "recruiters": RECRUITERS_PAGE,
    "integrations": INTEGRATIONS_PAGE,
}

JOB_IDS = """
{ jobs(first: 100) { nodes { id } } }
"""

JOB_APPLICATIONS_PAGE = """
query JobApplications($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  job(id: $id) {
    applications(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { id job { id } } }
      nodes { id }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""

CANDIDATE_APPLICATIONS_PAGE = """
query CandidateApplications(
  $id: ID!, $first: Int, $after: String, $last: Int, $before: String
) {
  candidate(id: $id) {
    applications(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { id candidate { id } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""

CANDIDATES_WITH_APPLICATIONS = """
{ candidates(first: 100) { nodes { id applicationCount } } }
"""

ALL_JOBS_APPLICATIONS = """
query AllJobsApplications($first: Int, $after: String, $last: Int, $before: String) {
  jobs(first: 100) {
    nodes {
      id
      applicationCount
      applications(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        nodes { id }
        pageInfo { hasNextPage hasPreviousPage }
      }
    }
  }
}
"""

NESTED_TOO_LARGE = """
{ jobs(first: 1) { nodes { applications(first: 101) { totalCount } } } }
"""

NESTED_BAD_CURSOR = """
{ jobs(first: 1) { nodes { applications(first: 2, after: "garbage!") { totalCount } } } }
"""


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


def codes(errors: list[dict[str, Any]]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in errors]


async def page(
    gateway: Gateway, field: str, tenant: str = "demo", **variables: Any
) -> dict[str, Any]:
    data = await gateway.execute(ROOT_PAGES[field], variables, tenant=tenant)
    connection: dict[str, Any] = data[field]
    return connection


async def walk_forward(
    gateway: Gateway, field: str, size: int, tenant: str = "demo", **variables: Any
) -> tuple[list[str], list[dict[str, Any]]]:
    """Every id, following ``endCursor`` with ``first: size``; and every page."""
    ids: list[str] = []
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        connection = await page(gateway, field, tenant, first=size, after=after, **variables)
        pages.append(connection)
        ids += [edge["node"]["id"] for edge in connection["edges"]]
        info = connection["pageInfo"]
        if not info["hasNextPage"]:
            return ids, pages
        assert len(pages) <= 300, "the walk does not end"
        assert connection["edges"], "an empty page says there is a next page"
        after = info["endCursor"]


async def walk_backward(
    gateway: Gateway, field: str, size: int, tenant: str = "demo", **variables: Any
) -> tuple[list[str], list[dict[str, Any]]]:
    """Every id in forward order, following ``startCursor`` with ``last: size``."""
    ids: list[str] = []
    pages: list[dict[str, Any]] = []
    before = None
    while True:
        connection = await page(gateway, field, tenant, last=size, before=before, **variables)
        pages.append(connection)
        ids = [edge["node"]["id"] for edge in connection["edges"]] + ids
        info = connection["pageInfo"]
        if not info["hasPreviousPage"]:
            return ids, pages
        assert len(pages) <= 300, "the walk does not end"
        assert connection["edges"], "an empty page says there is a previous page"
        before = info["startCursor"]


def assert_cursors_consistent(connection: dict[str, Any]) -> None:
    edges = connection["edges"]
    info = connection["pageInfo"]
    if edges:
        assert info["startCursor"] == edges[0]["cursor"]
        assert info["endCursor"] == edges[-1]["cursor"]
    else:
        assert info["startCursor"] is None
        assert info["endCursor"] is None


# -- forward and backward walks ------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 4, 5])
async def test_first_after_walk_visits_every_job_exactly_once(gateway: Gateway, size: int) -> None:
    everything = await page(gateway, "jobs", first=100)
    all_ids = [edge["node"]["id"] for edge in everything["edges"]]
    assert everything["totalCount"] == JOBS
    assert len(all_ids) == JOBS

    ids, pages = await walk_forward(gateway, "jobs", size)

    assert ids == all_ids
    assert len(set(ids)) == len(ids) == everything["totalCount"]
    assert len(pages) == -(-JOBS // size)
    for connection in pages:
        assert connection["totalCount"] == JOBS
        assert len(connection["edges"]) <= size
        assert_cursors_consistent(connection)


@pytest.mark.parametrize("size", [1, 2, 4, 5])
async def test_last_before_walk_visits_every_job_backwards(gateway: Gateway, size: int) -> None:
    everything = await page(gateway, "jobs", first=100)
    all_ids = [edge["node"]["id"] for edge in everything["edges"]]

    ids, pages = await walk_backward(gateway, "jobs", size)

    assert ids == all_ids
    assert len(pages) == -(-JOBS // size)
    # each backward page is itself in forward order: its last edge is nearest the end
    first_backward = pages[0]
    assert [edge["node"]["id"] for edge in first_backward["edges"]] == all_ids[-size:]
    for connection in pages:
        assert connection["totalCount"] == JOBS
        assert_cursors_consistent(connection)


async def test_page_info_at_the_ends_walking_forward(gateway: Gateway) -> None:
    _, pages = await walk_forward(gateway, "jobs", 2)
    assert len(pages) >= 3
    first, *middle, last = pages
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["hasNextPage"] is True
    for between in middle:
        assert between["pageInfo"]["hasNextPage"] is True
        assert between["pageInfo"]["hasPreviousPage"] is True
    assert last["pageInfo"]["hasNextPage"] is False
    assert last["pageInfo"]["hasPreviousPage"] is True


async def test_page_info_at_the_ends_walking_backward(gateway: Gateway) -> None:
    _, pages = await walk_backward(gateway, "jobs", 2)
    assert len(pages) >= 3
    nearest_end, *middle, nearest_start = pages
    assert nearest_end["pageInfo"]["hasNextPage"] is False
    assert nearest_end["pageInfo"]["hasPreviousPage"] is True
    for between in middle:
        assert between["pageInfo"]["hasPreviousPage"] is True
        assert between["pageInfo"]["hasNextPage"] is True
    assert nearest_start["pageInfo"]["hasPreviousPage"] is False
    assert nearest_start["pageInfo"]["hasNextPage"] is True


async def test_one_page_holding_everything_has_no_neighbours(gateway: Gateway) -> None:
    for arguments in ({"first": 100}, {"last": 100}, {"first": JOBS}, {"last": JOBS}):
        connection = await page(gateway, "jobs", **arguments)
        assert len(connection["edges"]) == JOBS, arguments
        assert connection["pageInfo"]["hasNextPage"] is False, arguments
        assert connection["pageInfo"]["hasPreviousPage"] is False, arguments


async def test_after_the_last_cursor_is_an_empty_last_page(gateway: Gateway) -> None:
    everything = await page(gateway, "jobs", first=100)
    end = everything["pageInfo"]["endCursor"]
    connection = await page(gateway, "jobs", first=2, after=end)
    assert connection["edges"] == []
    assert connection["pageInfo"]["hasNextPage"] is False
    assert connection["totalCount"] == JOBS
    assert_cursors_consistent(connection)

    start = everything["pageInfo"]["startCursor"]
    connection = await page(gateway, "jobs", last=2, before=start)
    assert connection["edges"] == []
    assert connection["pageInfo"]["hasPreviousPage"] is False


async def test_after_and_before_together_give_the_rows_between(gateway: Gateway) -> None:
    everything = await page(gateway, "jobs", first=100)
    cursors = [edge["cursor"] for edge in everything["edges"]]
    ids = [edge["node"]["id"] for edge in everything["edges"]]
    connection = await page(gateway, "jobs", first=100, after=cursors[0], before=cursors[4])
    assert [edge["node"]["id"] for edge in connection["edges"]] == ids[1:4]


async def test_first_zero_returns_no_edges(gateway: Gateway) -> None:
    connection = await page(gateway, "jobs", first=0)
    assert connection["edges"] == []
    assert connection["nodes"] == []
    assert connection["totalCount"] == JOBS
    assert connection["pageInfo"]["hasPreviousPage"] is False


async def test_default_page_size_is_twenty(gateway: Gateway) -> None:
    connection = await page(gateway, "candidates")
    assert len(connection["edges"]) == 20
    assert connection["totalCount"] == CANDIDATES
    assert connection["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("field", sorted(ROOT_PAGES))
@pytest.mark.parametrize("tenant", ["demo", "other"])
async def test_every_root_connection_walks_both_ways(
    gateway: Gateway, field: str, tenant: str
) -> None:
    reference, _ = await walk_forward(gateway, field, 100, tenant)
    size = 23 if field == "activities" else 7  # 200 activities: fewer, still uneven pages
    forward, forward_pages = await walk_forward(gateway, field, size, tenant)
    backward, _ = await walk_backward(gateway, field, size, tenant)

    total = forward_pages[0]["totalCount"]
    assert total > 0
    assert forward == reference
    assert backward == reference
    assert len(set(forward)) == len(forward) == total


async def test_nodes_shortcut_equals_the_nodes_of_the_edges(gateway: Gateway) -> None:
    for arguments in ({"first": 100}, {"first": 2}, {"last": 3}, {"first": 0}):
        connection = await page(gateway, "jobs", **arguments)
        assert connection["nodes"] == [edge["node"] for edge in connection["edges"]]

    data = await gateway.execute(JOB_IDS)
    for job in data["jobs"]["nodes"]:
        result = await gateway.execute(JOB_APPLICATIONS_PAGE, {"id": job["id"], "first": 5})
        applications = result["job"]["applications"]
        assert applications["nodes"] == [
            {"id": edge["node"]["id"]} for edge in applications["edges"]
        ]


# -- nested connections (one page per parent, in one statement) ------------------------------


async def nested_walk(
    gateway: Gateway, query: str, root: str, parent_id: str, size: int, backwards: bool
) -> tuple[list[str], list[dict[str, Any]]]:
    ids: list[str] = []
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        variables: dict[str, Any] = {"id": parent_id}
        if backwards:
            variables.update(last=size, before=cursor)
        else:
            variables.update(first=size, after=cursor)
        connection = (await gateway.execute(query, variables))[root]["applications"]
        pages.append(connection)
        found = [edge["node"]["id"] for edge in connection["edges"]]
        info = connection["pageInfo"]
        if backwards:
            ids = found + ids
            more, cursor = info["hasPreviousPage"], info["startCursor"]
        else:
            ids += found
            more, cursor = info["hasNextPage"], info["endCursor"]
        if not more:
            return ids, pages
        assert found, "an empty page says there is more"
        assert len(pages) <= 200


@pytest.mark.parametrize("backwards", [False, True], ids=["forward", "backward"])
async def test_nested_job_applications_walk(gateway: Gateway, backwards: bool) -> None:
    data = await gateway.execute(JOB_IDS)
    seen: set[str] = set()
    for job in data["jobs"]["nodes"]:
        reference = await gateway.execute(JOB_APPLICATIONS_PAGE, {"id": job["id"], "first": 100})
        connection = reference["job"]["applications"]
        expected = [edge["node"]["id"] for edge in connection["edges"]]
        assert len(expected) == connection["totalCount"]

        ids, pages = await nested_walk(
            gateway, JOB_APPLICATIONS_PAGE, "job", job["id"], 3, backwards
        )

        assert ids == expected
        for nested in pages:
            assert nested["totalCount"] == len(expected)
            assert all(edge["node"]["job"]["id"] == job["id"] for edge in nested["edges"])
            assert_cursors_consistent(nested)
        seen.update(ids)
    assert len(seen) == APPLICATIONS


@pytest.mark.parametrize("backwards", [False, True], ids=["forward", "backward"])
async def test_nested_candidate_applications_walk(gateway: Gateway, backwards: bool) -> None:
    data = await gateway.execute(CANDIDATES_WITH_APPLICATIONS)
    busiest = sorted(data["candidates"]["nodes"], key=lambda c: -c["applicationCount"])[:5]
    assert busiest[0]["applicationCount"] >= 2
    for candidate in busiest:
        reference = await gateway.execute(
            CANDIDATE_APPLICATIONS_PAGE, {"id": candidate["id"], "first": 100}
        )
        expected = [e["node"]["id"] for e in reference["candidate"]["applications"]["edges"]]
        assert len(expected) == candidate["applicationCount"]

        ids, _ = await nested_walk(
            gateway, CANDIDATE_APPLICATIONS_PAGE, "candidate", candidate["id"], 1, backwards
        )

        assert ids == expected


async def test_nested_page_info_for_many_parents_at_once(gateway: Gateway) -> None:
    data = await gateway.execute(ALL_JOBS_APPLICATIONS, {"first": 2})
    for job in data["jobs"]["nodes"]:
        applications = job["applications"]
        assert applications["totalCount"] == job["applicationCount"]
        assert len(applications["nodes"]) == min(2, job["applicationCount"])
        assert applications["pageInfo"]["hasNextPage"] is (job["applicationCount"] > 2)
        assert applications["pageInfo"]["hasPreviousPage"] is False

    data = await gateway.execute(ALL_JOBS_APPLICATIONS, {"last": 2})
    for job in data["jobs"]["nodes"]:
        applications = job["applications"]
        assert applications["pageInfo"]["hasPreviousPage"] is (job["applicationCount"] > 2)
        assert applications["pageInfo"]["hasNextPage"] is False


# -- invalid page requests ------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        {"first": 101},
        {"last": 101},
        {"first": -1},
        {"last": -1},
        {"first": 1, "last": 1},
        {"first": 100, "last": 100},
    ],
    ids=["first-101", "last-101", "first-negative", "last-negative", "both", "both-100"],
)
@pytest.mark.parametrize("field", ["jobs", "candidates", "applications", "activities"])
async def test_invalid_page_sizes_are_bad_user_input(
    gateway: Gateway, field: str, arguments: dict[str, int]
) -> None:
    errors = await gateway.errors(ROOT_PAGES[field], arguments)
    assert codes(errors) == ["BAD_USER_INPUT"]


async def test_invalid_nested_page_requests_are_bad_user_input(gateway: Gateway) -> None:
    for query in (NESTED_TOO_LARGE, NESTED_BAD_CURSOR):
        errors = await gateway.errors(query)
        assert set(codes(errors)) == {"BAD_USER_INPUT"}, errors


GARBAGE_CURSORS = {
    "not-base64": "garbage!",
    "empty": "",
    "not-json": b64("not json at all"),
    "json-object": b64('{"value": 1, "id": 2}'),
    "one-element": b64("[1]"),
    "three-elements": b64('["a", 1, 2]'),
    "id-not-int": b64('["a", "1"]'),
    "id-float": b64('["a", 1.5]'),
    "id-bool": b64('["a", true]'),
    "id-beyond-bigint": b64('["a", 10000000000000000000]'),
    "id-beyond-u64": b64('["a", 99999999999999999999999]'),
    "value-list": b64("[[1], 1]"),
    "value-null": b64("[null, 1]"),
    "value-bool": b64("[true, 1]"),
}
"""Cursors a client may send by mistake or forge; under any sort, the client's error."""

GARBAGE_DATETIME_CURSORS = {
    "not-a-datetime": b64('["yesterday", 1]'),
    "naive-datetime": b64('["2026-05-01T12:00:00", 1]'),
}
"""Cursors whose value cannot be a ``createdAt``: the client's error under that sort."""

BY_DATE = {"field": "CREATED_AT", "direction": "DESC"}
BY_TITLE = {"field": "TITLE", "direction": "ASC"}


@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize(
    ("cursor", "sort"),
    [
        *((cursor, BY_DATE) for cursor in GARBAGE_CURSORS.values()),
        *((cursor, BY_TITLE) for cursor in GARBAGE_CURSORS.values()),
        *((cursor, BY_DATE) for cursor in GARBAGE_DATETIME_CURSORS.values()),
    ],
    ids=[
        *(f"{name}-by-date" for name in GARBAGE_CURSORS),
        *(f"{name}-by-title" for name in GARBAGE_CURSORS),
        *(f"{name}-by-date" for name in GARBAGE_DATETIME_CURSORS),
    ],
)
async def test_garbage_cursor_is_bad_user_input(
    gateway: Gateway, cursor: str, sort: dict[str, str], direction: str
) -> None:
    size = "first" if direction == "after" else "last"
    errors = await gateway.errors(JOBS_PAGE, {size: 2, direction: cursor, "sort": sort})
    assert codes(errors) == ["BAD_USER_INPUT"], errors


async def test_cursor_of_another_sort_is_never_an_internal_error(gateway: Gateway) -> None:
    """A cursor minted under one sort and replayed under another either pages or is
    refused as the client's mistake."""
    by_title = await page(gateway, "jobs", first=2, sort={"field": "TITLE", "direction": "ASC"})
    by_date = await page(gateway, "jobs", first=2)
    forged_number = b64("[12345, 1]")
    attempts = [
        (by_title["pageInfo"]["endCursor"], {"field": "CREATED_AT", "direction": "DESC"}),
        (by_date["pageInfo"]["endCursor"], {"field": "TITLE", "direction": "ASC"}),
        (forged_number, {"field": "TITLE", "direction": "ASC"}),
        (forged_number, {"field": "CREATED_AT", "direction": "ASC"}),
    ]
    for cursor, sort in attempts:
        response = await gateway.post(JOBS_PAGE, {"first": 2, "after": cursor, "sort": sort})
        body = response.json()
        assert response.status_code == 200
        assert set(codes(body.get("errors") or [])) <= {"BAD_USER_INPUT"}, (sort, body)


async def test_cursor_round_trips_through_its_encoding(gateway: Gateway) -> None:
    connection = await page(gateway, "jobs", first=100)
    for edge in connection["edges"]:
        raw = base64.urlsafe_b64decode(edge["cursor"] + "=" * (-len(edge["cursor"]) % 4))
        value, row_id = orjson.loads(raw)
        assert row_id == pk(edge["node"]["id"])
        assert datetime.fromisoformat(value) == datetime.fromisoformat(edge["node"]["createdAt"])


# -- sorting ---------------------------------------------------------------------------------


async def test_default_job_order_is_newest_first(gateway: Gateway) -> None:
    connection = await page(gateway, "jobs", first=100)
    created = [datetime.fromisoformat(node["createdAt"]) for node in connection["nodes"]]
    assert created == sorted(created, reverse=True)
    explicit = await page(
        gateway, "jobs", first=100, sort={"field": "CREATED_AT", "direction": "DESC"}
    )
    assert explicit["nodes"] == connection["nodes"]
    ascending = await page(
        gateway, "jobs", first=100, sort={"field": "CREATED_AT", "direction": "ASC"}
    )
    assert ascending["nodes"] == connection["nodes"][::-1]


async def test_sort_by_title_ascending_and_descending(gateway: Gateway) -> None:
    asc = await page(gateway, "jobs", first=100, sort={"field": "TITLE", "direction": "ASC"})
    desc = await page(gateway, "jobs", first=100, sort={"field": "TITLE", "direction": "DESC"})
    titles = [node["title"] for node in asc["nodes"]]
    assert len(titles) == JOBS
    assert titles == sorted(titles)
    assert len(set(titles)) == len(titles), "seed changed: titles now tie, use keys below"
    assert desc["nodes"] == asc["nodes"][::-1]


def sort_key(name: str, global_id: str) -> tuple[str, int]:
    return name, pk(global_id)


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("size", [1, 7])  # 1: every tie straddles a page break
async def test_walks_under_a_sort_with_ties_break_them_by_id(
    gateway: Gateway, direction: str, size: int
) -> None:
    sort = {"field": "NAME", "direction": direction}
    everything = await page(gateway, "candidates", first=100, sort=sort)
    nodes = [edge["node"] for edge in everything["edges"]]
    names = [node["name"] for node in nodes]
    assert len(set(names)) < len(names), "the seed must hold candidates with the same name"

    # ascending by (name, id), or descending by both
    keys = [sort_key(node["name"], node["id"]) for node in nodes]
    assert keys == sorted(keys, reverse=direction == "DESC")

    forward, _ = await walk_forward(gateway, "candidates", size, sort=sort)
    backward, _ = await walk_backward(gateway, "candidates", size, sort=sort)
    expected = [node["id"] for node in nodes]
    assert forward == expected
    assert backward == expected


@pytest.mark.parametrize("field", ["CREATED_AT", "UPDATED_AT"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_application_sorts_walk_consistently(
    gateway: Gateway, field: str, direction: str
) -> None:
    sort = {"field": field, "direction": direction}
    reference, _ = await walk_forward(gateway, "applications", 100, sort=sort)
    forward, pages = await walk_forward(gateway, "applications", 8, sort=sort)
    backward, _ = await walk_backward(gateway, "applications", 8, sort=sort)
    assert forward == reference
    assert backward == reference
    assert len(reference) == APPLICATIONS

    column = "createdAt" if field == "CREATED_AT" else "updatedAt"
    keys = [
        (datetime.fromisoformat(edge["node"][column]), pk(edge["node"]["id"]))
        for connection in pages
        for edge in connection["edges"]
    ]
    assert keys == sorted(keys, reverse=direction == "DESC")
