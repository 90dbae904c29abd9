"""Both read paths give the same answers: every query goes to a gateway that compiles
reads to SQL and to one that runs them on the resolvers, over the same database, and
the responses must be identical (status, data and errors) on SQLite and PostgreSQL.

The corpus holds the README's and the benchmark's queries, paging in both directions
with the cursors the answers give, every sort, filters, aliases, fragments and
``__typename``, and the errors a client can provoke (bad cursors, page sizes, ids,
variables, no token). Hypothesis then draws selections over the read types, with
arguments, roles and tenants. The corpus entries that compile must be answered by the
compiler (``talentgraph_compiled_reads``), so a compiler that quietly gave up on
everything would fail here too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.metrics import COMPILED_READS
from gateway.store.enums import Role
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

NO_CACHE = {"cache_ttl_job_list": 0, "cache_ttl_job_detail": 0, "cache_ttl_pipeline": 0}


@dataclass
class Paths:
    compiled: Gateway
    resolvers: Gateway
    ids: dict[str, list[str]]
    backend: str


@pytest.fixture(scope="module")
async def paths(backend: Backend) -> AsyncIterator[Paths]:
    async with (
        running_gateway(backend.url, read_compiler=True, **NO_CACHE) as compiled,
        running_gateway(backend.url, read_compiler=False, **NO_CACHE) as resolvers,
    ):
        listing = await resolvers.execute(
            "{ jobs(first: 100) { nodes { id } } candidates(first: 100) { nodes { id } } "
            "applications(first: 100) { nodes { id interviews { id } currentStage { id } } } }"
        )
        other = await resolvers.execute("{ jobs(first: 1) { nodes { id } } }", tenant="other")
        ids = {
            "Job": [n["id"] for n in listing["jobs"]["nodes"]],
            "Candidate": [n["id"] for n in listing["candidates"]["nodes"]],
            "Application": [n["id"] for n in listing["applications"]["nodes"]],
            "Interview": [
                i["id"] for n in listing["applications"]["nodes"] for i in n["interviews"]
            ],
            "other": [n["id"] for n in other["jobs"]["nodes"]],
        }
        assert all(ids.values()), ids
        yield Paths(compiled, resolvers, ids, backend.name)


def compiled_count() -> float:
    return COMPILED_READS.labels("compiled")._value.get()


async def same_answer(
    paths: Paths,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    tenant: str = "demo",
    role: Role | None = Role.ADMIN,
) -> tuple[dict[str, Any], bool]:
    """The one answer both paths give, and whether the compiler gave it."""
    before = compiled_count()
    compiled = await paths.compiled.post(query, variables, tenant=tenant, role=role)
    was_compiled = compiled_count() > before
    resolved = await paths.resolvers.post(query, variables, tenant=tenant, role=role)
    assert compiled.status_code == resolved.status_code, (query, compiled.text, resolved.text)
    assert compiled.json() == resolved.json(), (query, variables)
    answer: dict[str, Any] = compiled.json()
    internal = [
        e for e in answer.get("errors") or [] if e["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    ]
    assert not internal, (query, internal)
    return answer, was_compiled


NESTED = """
{ jobs(first: 50) { edges { node { id title applications(first: 50) { edges { node {
    id candidate { name email } currentStage { name } interviews { status }
} } } } } } }
"""
"""The benchmark's nested read (``bench/versus_postgraphile.py``)."""

README_PIPELINE = """
{ jobs(first: 5, filter: {status: [OPEN]}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id title clientName applications(first: 10) {
      totalCount
      edges { node { id status candidate { name email } currentStage { name kind } } }
    } } }
} }
"""

EVERY_COLUMN = """
fragment JobColumns on Job {
  id remoteId title description detailedDescription location department employmentType
  clientName status remoteStatus openedAt closedAt estimatedFee currency isActive
  autoSendInterview autoSendOnStatus interviewInstructions minCheckInterval lookbackHours
  rank score remoteUpdatedAt remoteDeletedAt lastSyncedAt createdAt updatedAt __typename
}
fragment CandidateColumns on Candidate {
  id remoteId name firstName lastName email phone location headline source resumeUrl
  resumeFetchedAt resumeError tags remoteUpdatedAt lastSyncedAt createdAt updatedAt
  applicationCount
}
query Everything {
  jobs(first: 100) { totalCount nodes { ...JobColumns applicationCount } }
  candidates(first: 30) { nodes { ...CandidateColumns } }
  applications(first: 100) { edges { cursor node {
    id remoteId status appliedAt stageEnteredAt rejectedAt rejectionReason releasedAt
    hiredAt riskScore humanRequested complianceReview remoteUpdatedAt lastSyncedAt
    createdAt updatedAt
    job { ...JobColumns }
    candidate { ...CandidateColumns }
    currentStage { id name position kind __typename }
    interviews { id kind interviewType status tokenExpiresAt scheduledAt startedAt
      completedAt humanRequested inviteSentAt createdAt updatedAt application { id } }
  } } }
}
"""

CORPUS: list[tuple[str, dict[str, Any] | None]] = [
    (NESTED, None),
    (README_PIPELINE, None),
    (EVERY_COLUMN, None),
    (
        "{ __typename jobs { __typename edges { __typename cursor } pageInfo { __typename } } }",
        None,
    ),
    ("{ a: jobs(first: 2) { totalCount } b: jobs(last: 2) { nodes { title } } }", None),
    (
        "{ jobs(first: 0) { totalCount pageInfo { hasNextPage hasPreviousPage "
        "startCursor endCursor } edges { cursor } } }",
        None,
    ),
    ("{ jobs(sort: {field: TITLE, direction: ASC}) { edges { cursor node { title } } } }", None),
    ("{ jobs(sort: {field: UPDATED_AT}) { nodes { updatedAt } } }", None),
    (
        "{ candidates(sort: {field: NAME, direction: ASC}, first: 7) { edges { cursor "
        "node { name } } } }",
        None,
    ),
    ('{ candidates(filter: {search: "an"}) { totalCount nodes { name email } } }', None),
    (
        "{ applications(filter: {status: [ACTIVE, REJECTED]}, first: 5) { totalCount "
        "nodes { status } } }",
        None,
    ),
    (
        '{ applications(filter: {search: "a"}, sort: {field: UPDATED_AT, direction: '
        "ASC}) { totalCount nodes { id } } }",
        None,
    ),
    (
        "{ jobs { nodes { applications(filter: {status: [ACTIVE]}, last: 3) { "
        "totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor } "
        "nodes { id } } } } }",
        None,
    ),
    (
        "query($n: Int, $s: JobSort) { jobs(first: $n, sort: $s) { nodes { id title } } }",
        {"n": 3, "s": {"field": "TITLE"}},
    ),
    (
        "query($f: JobFilter) { jobs(filter: $f) { totalCount } }",
        {"f": {"isActive": True, "search": "er"}},
    ),
    (
        "{ jobs { nodes { ... on Job { title } ... on Node { id } ...on Job { "
        "applications(first: 1) { nodes { id } } } } } }",
        None,
    ),
    (
        "{ jobs(first: 2) { nodes { id } nodes { title } edges { node { id } } edges { "
        "cursor } } }",
        None,
    ),
    (
        "{ jobs(sort: {field: TITLE}, after: "
        '"WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwxXQ") { totalCount edges { cursor } } '
        "}",
        None,
    ),
    (
        '{ jobs(filter: {search: "no such job anywhere"}) { totalCount pageInfo { '
        "hasNextPage startCursor } nodes { id } } }",
        None,
    ),
]

ERRORS: list[tuple[str, dict[str, Any] | None]] = [
    # a failing field beside two fields waiting on one loader key: cancelling the
    # failing branch's siblings must not cancel the other's wait (SharedLoader)
    (
        "{ jobs(first: 3) { edges { node { applications(last: 101) { nodes { status } } "
        "applicationCount } } nodes { applicationCount } } }",
        None,
    ),
    ("{ jobs(first: 101) { totalCount } }", None),
    ("{ jobs(first: -1) { totalCount } }", None),
    ("{ jobs(first: 1, last: 1) { totalCount } }", None),
    ('{ jobs(after: "nonsense") { totalCount } }', None),
    ('{ jobs(after: "WyJ4IiwxXQ") { totalCount } }', None),
    ("{ jobs { nodes { applications(first: 500) { totalCount } } } }", None),
    ('{ jobs(filter: {recruiterId: "bm90IGFuIGlk"}) { totalCount } }', None),
    ('{ jobs(filter: {recruiterId: "Sm9iOjE="}) { totalCount } }', None),
    ('{ jobs(filter: {search: "a\\u0000b"}) { totalCount } }', None),
    ('{ job(id: "bm9wZQ==") { id } }', None),
    ('{ job(id: "Q2FuZGlkYXRlOjE=") { id } }', None),
    ('{ job(id: "Sm9iOjk5OTk5OTk=") { id } }', None),
    ("query($n: Int) { jobs(first: $n) { totalCount } }", {"n": "three"}),
    ("query($n: Int!) { jobs(first: $n) { totalCount } }", None),
    ("{ jobs { nodes { nope } } }", None),
]


@pytest.mark.parametrize(("query", "variables"), CORPUS)
async def test_the_corpus_is_compiled_and_answered_the_same(
    paths: Paths, query: str, variables: dict[str, Any] | None
) -> None:
    answer, compiled = await same_answer(paths, query, variables)
    assert compiled, "the read compiler did not answer this query"
    assert "errors" not in answer
    for role in (Role.RECRUITER, Role.READONLY):
        await same_answer(paths, query, variables, role=role)
    await same_answer(paths, query, variables, tenant="other")


@pytest.mark.parametrize(("query", "variables"), ERRORS)
async def test_errors_are_the_same(
    paths: Paths, query: str, variables: dict[str, Any] | None
) -> None:
    answer, _compiled = await same_answer(paths, query, variables)
    if "job(id:" not in query:
        assert answer.get("errors"), answer


REMOTE_DATA = """
{ jobs(first: 3) { nodes { title remoteData applications(first: 2) { nodes {
    status remoteData currentStage { name remoteData } interviews { status remoteData }
    offers { status remoteData } onboardingTasks { title remoteData }
    candidate { name remoteData } } } } } }
"""


@pytest.mark.parametrize("role", [Role.ADMIN, Role.RECRUITER, Role.READONLY])
async def test_remote_data_runs_on_the_resolvers_for_every_role(paths: Paths, role: Role) -> None:
    """``remoteData`` declares no SQL reading: an operation selecting it is not compiled,
    and the compiled gateway's answer (data or FORBIDDEN errors) is the resolvers'."""
    answer, compiled = await same_answer(paths, REMOTE_DATA, role=role)
    assert not compiled
    assert answer["data"]["jobs"]["nodes"][0]["title"]
    assert bool(answer.get("errors")) == (role is not Role.ADMIN)


async def test_the_cost_extension_is_the_same(paths: Paths) -> None:
    body = {"query": README_PIPELINE, "extensions": {"cost": True}}
    before = compiled_count()
    compiled = await paths.compiled.client.post(
        "/graphql", json=body, headers=paths.compiled.headers()
    )
    assert compiled_count() > before
    resolved = await paths.resolvers.client.post(
        "/graphql", json=body, headers=paths.resolvers.headers()
    )
    assert compiled.json() == resolved.json()
    assert compiled.json()["extensions"]["cost"]["requested"] > 0


async def test_nodes_by_id_the_same_for_each_tenant(paths: Paths) -> None:
    for kind in ("Job", "Candidate", "Application"):
        field = kind[0].lower() + kind[1:]
        for node_id in paths.ids[kind][:5] + paths.ids["other"]:
            query = f'{{ {field}(id: "{node_id}") {{ id __typename }} }}'
            _answer, compiled = await same_answer(paths, query)
            assert compiled
            await same_answer(paths, query, tenant="other")
    await same_answer(paths, f'{{ job(id: "{paths.ids["Job"][0]}") {{ id }} }}', role=None)


@pytest.mark.parametrize("sort", ["CREATED_AT", "UPDATED_AT", "TITLE"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_paging_with_the_answers_cursors_is_the_same(
    paths: Paths, sort: str, direction: str
) -> None:
    """Forward to the end and back again, two rows at a time, with the cursors each
    answer gives; every page answered the same by both paths."""
    page = (
        "query($first: Int, $after: String, $last: Int, $before: String, $sort: JobSort) {"
        " jobs(first: $first, after: $after, last: $last, before: $before, sort: $sort) {"
        " pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
        " edges { cursor node { title } } } }"
    )
    order = {"field": sort, "direction": direction}
    seen: list[str] = []
    after = None
    while True:
        answer, compiled = await same_answer(
            paths, page, {"first": 2, "after": after, "sort": order}
        )
        assert compiled
        jobs = answer["data"]["jobs"]
        seen += [edge["node"]["title"] for edge in jobs["edges"]]
        if not jobs["pageInfo"]["hasNextPage"]:
            break
        after = jobs["pageInfo"]["endCursor"]
    assert len(seen) == len(paths.ids["Job"])
    before = None
    back: list[str] = []
    while True:
        answer, _ = await same_answer(paths, page, {"last": 2, "before": before, "sort": order})
        jobs = answer["data"]["jobs"]
        back = [edge["node"]["title"] for edge in jobs["edges"]] + back
        if not jobs["pageInfo"]["hasPreviousPage"]:
            break
        before = jobs["pageInfo"]["startCursor"]
    assert back == seen


# -- generated selections ---------------------------------------------------------

SCALARS = {
    "Job": [
        "id",
        "title",
        "status",
        "estimatedFee",
        "createdAt",
        "openedAt",
        "isActive",
        "score",
        "rank",
        "clientName",
        "__typename",
    ],
    "Candidate": ["id", "name", "email", "tags", "createdAt", "resumeFetchedAt", "__typename"],
    "Application": ["id", "status", "appliedAt", "riskScore", "humanRequested", "__typename"],
    "PipelineStage": ["id", "name", "position", "kind"],
    "Interview": ["id", "status", "kind", "scheduledAt", "humanRequested"],
}
NOT_COMPILED = {
    "Job": ["recruiter { name }", "pipeline { totalActive }", "remoteData"],
    "Candidate": ["resumeText", "lastContactedAt", "remoteData"],
    "Application": [
        "stageHistory { toStageName durationSeconds }",
        "analysis { id }",
        "remoteData",
    ],
    "Interview": ["messageCount", "evaluation { id }", "remoteData"],
    "PipelineStage": ["remoteData"],
}
OBJECTS = {
    "Job": {"applications": ("connection", "Application"), "applicationCount": ("leaf", "")},
    "Candidate": {"applications": ("connection", "Application"), "applicationCount": ("leaf", "")},
    "Application": {
        "job": ("object", "Job"),
        "candidate": ("object", "Candidate"),
        "currentStage": ("object", "PipelineStage"),
        "interviews": ("object", "Interview"),
    },
    "Interview": {"application": ("object", "Application")},
    "PipelineStage": {},
}
SORTS = {
    "Job": ["CREATED_AT", "UPDATED_AT", "TITLE"],
    "Candidate": ["CREATED_AT", "UPDATED_AT", "NAME"],
    "Application": ["CREATED_AT", "UPDATED_AT"],
}
FILTERS = {
    "Job": ["{status: [OPEN, ON_HOLD]}", '{search: "e"}', "{isActive: false}"],
    "Candidate": ['{search: "a"}'],
    "Application": ["{status: [ACTIVE]}", '{search: "o"}', "{status: [HIRED, REJECTED]}"],
}
names = st.sampled_from(["a", "b", "x1"])


@st.composite
def connection_arguments(draw: st.DrawFn, node_type: str) -> str:
    arguments = []
    size = draw(st.sampled_from([None, 0, 1, 3, 100, 101]))
    if size is not None:
        arguments.append(f"{draw(st.sampled_from(['first', 'last']))}: {size}")
    if draw(st.booleans()):
        direction = draw(st.sampled_from(["ASC", "DESC"]))
        arguments.append(
            f"sort: {{field: {draw(st.sampled_from(SORTS[node_type]))}, direction: {direction}}}"
        )
    if draw(st.booleans()):
        arguments.append(f"filter: {draw(st.sampled_from(FILTERS[node_type]))}")
    return f"({', '.join(arguments)})" if arguments else ""


@st.composite
def selection(draw: st.DrawFn, node_type: str, depth: int) -> str:
    fields = draw(st.lists(st.sampled_from(SCALARS[node_type]), min_size=1, max_size=4))
    if draw(st.integers(0, 9)) == 0 and NOT_COMPILED[node_type]:
        fields.append(draw(st.sampled_from(NOT_COMPILED[node_type])))
    if depth > 0:
        for name, (kind, target) in OBJECTS[node_type].items():
            if not draw(st.booleans()):
                continue
            if kind == "leaf":
                fields.append(name)
            elif kind == "object":
                fields.append(f"{name} {{ {draw(selection(target, depth - 1))} }}")
            else:
                fields.append(
                    f"{name}{draw(connection_arguments(target))} "
                    f"{{ {draw(connection_parts(target, depth - 1))} }}"
                )
    if draw(st.integers(0, 4)) == 0:
        fields = [f"{draw(names)}: {fields[0]}", *fields]
    if draw(st.integers(0, 5)) == 0:
        return f"... on {node_type} {{ {' '.join(fields)} }}"
    return " ".join(fields)


@st.composite
def connection_parts(draw: st.DrawFn, node_type: str, depth: int) -> str:
    choices = [
        "totalCount",
        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }",
        "edges",
        "nodes",
        "__typename",
    ]
    parts = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=3, unique=True))
    shown = []
    for part in parts:
        if part == "edges":
            cursor = "cursor " if draw(st.booleans()) else ""
            shown.append(f"edges {{ {cursor}node {{ {draw(selection(node_type, depth))} }} }}")
        elif part == "nodes":
            shown.append(f"nodes {{ {draw(selection(node_type, depth))} }}")
        else:
            shown.append(part)
    return " ".join(shown)


@st.composite
def operation(draw: st.DrawFn, ids: dict[str, list[str]]) -> str:
    roots = []
    for index in range(draw(st.integers(1, 2))):
        node_type = draw(st.sampled_from(["Job", "Candidate", "Application"]))
        field = node_type[0].lower() + node_type[1:]
        if draw(st.integers(0, 3)) == 0:
            node_id = draw(st.sampled_from(ids[node_type][:3] + ids["other"] + ["Sm9iOjA="]))
            roots.append(
                f'r{index}: {field}(id: "{node_id}") {{ {draw(selection(node_type, 2))} }}'
            )
        else:
            arguments = draw(connection_arguments(node_type))
            roots.append(
                f"r{index}: {field}s{arguments} {{ {draw(connection_parts(node_type, 2))} }}"
            )
    return "{ " + " ".join(roots) + " }"


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_generated_selections_are_answered_the_same(
    paths: Paths, data: st.DataObject
) -> None:
    query = data.draw(operation(paths.ids), label="query")
    role = data.draw(st.sampled_from([Role.ADMIN, Role.RECRUITER, Role.READONLY]), label="role")
    tenant = data.draw(st.sampled_from(["demo", "other"]), label="tenant")
    _answer, compiled = await same_answer(paths, query, role=role, tenant=tenant)
    GENERATED.setdefault(paths.backend, []).append(compiled)


GENERATED: dict[str, list[bool]] = {}
"""Per backend, whether each generated query was compiled."""


async def test_most_generated_selections_were_compiled(paths: Paths) -> None:
    """Runs after the generated ones: a compiler that gave up on most of them would
    prove little by agreeing."""
    answered = GENERATED.get(paths.backend, [])
    assert len(answered) >= 50
    assert sum(answered) >= len(answered) // 3, f"{sum(answered)} of {len(answered)} compiled"
