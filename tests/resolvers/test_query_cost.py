"""Query cost: hand-computed costs, connection and list multipliers, variables, fragments.

Most cases run on a small schema written here, so each number can be checked by hand;
the calibration cases run on the gateway's own schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    GraphQLSchema,
    build_schema,
    get_introspection_query,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    parse,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.settings import Settings
from resolvers import cost as cost_module
from resolvers.cost import COST_CEILING, measure, query_cost
from resolvers.schema import schema as app_schema

SDL = """
interface Node { id: ID! }
union SearchResult = Job | Interview
type Query {
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  jobs(first: Int, last: Int, after: String, before: String): JobConnection!
  backgroundJobs(first: Int, last: Int): BackgroundJobQueue!
  report: PipelineReport!
  search: [SearchResult!]!
}
type Mutation { jobUpdate(id: ID!): Job }
type Job implements Node {
  id: ID!
  title: String!
  tags: [String!]!
  applications(first: Int, last: Int): ApplicationConnection!
}
type Application implements Node { id: ID! job: Job! interviews: [Interview!]! }
type Interview implements Node { id: ID! status: String! messages: [Message!]! }
type Message { role: String! content: String! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type JobConnection { edges: [JobEdge!]! nodes: [Job!]! pageInfo: PageInfo! totalCount: Int! }
type JobEdge { node: Job! cursor: String! }
type ApplicationConnection { edges: [ApplicationEdge!]! nodes: [Application!]! }
type ApplicationEdge { node: Application! }
type BackgroundJobQueue { counts: Int! items: BackgroundJobConnection! }
type BackgroundJobConnection { edges: [BackgroundJobEdge!]! }
type BackgroundJobEdge { node: BackgroundJob! }
type BackgroundJob { id: ID! }
type PipelineReport { jobs(first: Int! = 50): [Job!]! stages: [Stage!]! }
type Stage { name: String! }
"""
SCHEMA = build_schema(SDL)


def cost(
    query: str, variables: dict[str, Any] | None = None, schema: GraphQLSchema = SCHEMA
) -> int:
    return query_cost(schema, parse(query), None, variables)


def doubling(levels: int, on: str = "Query", root: str = "query { ...F0 }") -> str:
    """Each fragment selects ``__typename`` and spreads the next one twice."""
    parts = [root]
    parts += [
        f"fragment F{i} on {on} {{ __typename ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    ]
    parts.append(f"fragment F{levels} on {on} {{ __typename }}")
    return " ".join(parts)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # jobs, totalCount, edges once; node, id, title for each of 10 edges
        ("{ jobs(first: 10) { totalCount edges { node { id title } } } }", 3 + 10 * 3),
        ("{ jobs { totalCount edges { node { id title } } } }", 3 + 20 * 3),
        ("{ jobs(last: 5) { edges { node { id } } } }", 2 + 5 * 2),
        ("{ jobs(first: 3, last: 7) { edges { node { id } } } }", 2 + 7 * 2),
        ("{ jobs(first: 0) { edges { node { id } } } }", 2),
        ("{ jobs(first: null) { edges { node { id } } } }", 2 + 20 * 2),
        ("{ jobs(first: -1) { edges { node { id } } } }", 2 + 100 * 2),
        ("{ jobs(first: 1000) { edges { node { id } } } }", 2 + 100 * 2),
        ("{ jobs(first: 2.5) { edges { node { id } } } }", 2 + 100 * 2),
        ('{ jobs(first: "10") { edges { node { id } } } }', 2 + 100 * 2),
        ("{ jobs(first: 99999999999999999999999) { edges { node { id } } } }", 2 + 100 * 2),
        # nodes resolved per item; pageInfo and its fields once
        ("{ jobs(first: 10) { nodes { id } pageInfo { hasNextPage } } }", 1 + 11 + 2),
        # connections multiply: 10 jobs x (node, applications, edges + 5 x (node, id))
        (
            "{ jobs(first: 10) { edges { node { applications(first: 5) "
            "{ edges { node { id } } } } } } }",
            2 + 10 * (3 + 5 * 2),
        ),
        # the page size of backgroundJobs reaches the edges of its items
        ("{ backgroundJobs(first: 50) { counts items { edges { node { id } } } } }", 4 + 50 * 2),
        ("{ backgroundJobs { counts items { edges { node { id } } } } }", 4 + 20 * 2),
        # a list of scalars is one field
        ("{ jobs(first: 10) { nodes { tags } } }", 2 + 10 * 1),
        ("{ __typename jobs(first: 1) { __typename } }", 3),
    ],
)
def test_connections_multiply_by_their_page_size(query: str, expected: int) -> None:
    assert cost(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Application.interviews is estimated at 3, Interview.messages at 20
        (
            "{ jobs(first: 2) { nodes { applications(first: 1) { nodes { interviews "
            "{ status messages { role content } } } } } } }",
            2 + 2 * (2 + 1 * (1 + 3 * (1 + 1 + 20 * 2))),
        ),
        # a list the table does not know counts 10
        ("{ report { stages { name } } }", 2 + 10 * 1),
        # a plain list with `first` takes it, its default from the schema, capped at 100
        ("{ report { jobs { id } } }", 2 + 50 * 1),
        ("{ report { jobs(first: 3) { id } } }", 2 + 3 * 1),
        ("{ report { jobs(first: 500) { id } } }", 2 + 100 * 1),
        # nodes(ids:) resolves one node per id
        ('{ nodes(ids: ["a", "b", "c"]) { id } }', 1 + 3 * 1),
        ('{ nodes(ids: "a") { id } }', 1 + 1 * 1),
    ],
)
def test_plain_lists_multiply_by_their_estimate(query: str, expected: int) -> None:
    assert cost(query) == expected


def test_an_abstract_type_costs_its_most_expensive_member() -> None:
    assert cost("{ search { ... on Job { id title } ... on Interview { id } } }") == 1 + 10 * 2
    nested = (
        '{ nodes(ids: ["a"]) { ... on Job { applications(first: 10) { nodes { id } } } '
        "... on Interview { messages { role } } } }"
    )
    # Job: applications 1 + nodes (1 + 10); Interview: messages 1 + 20
    assert cost(nested) == 1 + max(12, 21)
    assert cost("{ search { ... on Application { id } } }") == 1
    spreads = (
        "{ search { ...J ...I ...A } } fragment J on Job { id title } "
        "fragment I on Interview { id } fragment A on Application { id job { id } }"
    )
    assert cost(spreads) == 1 + 10 * 2


def test_a_mutation_field_costs_ten() -> None:
    assert cost('mutation { jobUpdate(id: "x") { id title } }') == 10 + 2


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"n": 7}, 2 + 7),
        ({"n": 7.0}, 2 + 7),
        (None, 2 + 4),
        ({"n": None}, 2 + 20),
        ({"n": "7"}, 2 + 100),
        ({"n": True}, 2 + 100),
        ({"n": 10**30}, 2 + 100),
    ],
)
def test_page_sizes_given_as_variables(variables: dict[str, Any] | None, expected: int) -> None:
    assert cost("query($n: Int = 4) { jobs(first: $n) { nodes { id } } }", variables) == expected


def test_ids_given_as_a_variable() -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert cost(query, {"ids": ["a"] * 7}) == 1 + 7
    assert cost(query, {"ids": "a"}) == 1 + 1


def test_variables_apply_to_the_selected_operation_only() -> None:
    document = parse(
        "query A($n: Int) { jobs(first: $n) { nodes { id } } } "
        "query B($n: Int) { jobs(first: $n) { nodes { id } } }"
    )
    result = measure(SCHEMA, document, "A", {"n": 100})
    assert result.operation == 2 + 100
    assert result.total == (2 + 100) + (2 + 20)


def test_a_spread_counts_like_its_fragment_inlined() -> None:
    inline = "{ jobs(first: 10) { edges { node { id title } } } }"
    spread = (
        "{ jobs(first: 10) { ...Page } } fragment Page on JobConnection { edges { ...E } } "
        "fragment E on JobEdge { node { ...J } } fragment J on Job { id title }"
    )
    assert cost(spread) == cost(inline) == 2 + 10 * 3
    assert cost("{ ...Q ...Q } fragment Q on Query { report { stages { name } } }") == 2 * 12


def test_a_doubling_fragment_document_costs_two_to_the_levels(
    selection_set_calls: list[int],
) -> None:
    assert cost(doubling(20)) == 2**21 - 1
    assert cost(doubling(50)) == COST_CEILING


class CountedTooOften(AssertionError):
    pass


@pytest.fixture
def selection_set_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts calls of the per-selection-set function; past 10,000 the test fails at once
    instead of running for ever."""
    calls = [0]
    original = cost_module._Costing._on_object

    def counted(self: Any, *args: Any) -> int:
        calls[0] += 1
        if calls[0] > 10_000:
            raise CountedTooOften("selection sets are costed again and again")
        return original(self, *args)

    monkeypatch.setattr(cost_module._Costing, "_on_object", counted)
    yield calls


def test_each_fragment_is_costed_once(selection_set_calls: list[int]) -> None:
    levels = 50
    result = measure(SCHEMA, parse(doubling(levels)))
    assert result.total == COST_CEILING
    # the operation, then each fragment once; each second spread is a lookup
    assert result.selection_sets == levels + 2
    assert selection_set_calls[0] == 2 * levels + 2


def test_doubling_fragments_on_an_interface_or_an_unknown_type_are_costed_once_per_type(
    selection_set_calls: list[int],
) -> None:
    on_node = measure(SCHEMA, parse(doubling(50, "Node", '{ nodes(ids: ["a"]) { ...F0 } }')))
    assert on_node.total == COST_CEILING
    # the root, then the selection of nodes and each fragment once per type implementing Node
    assert on_node.selection_sets == 1 + 3 * (1 + 51)
    on_unknown = measure(SCHEMA, parse(doubling(50, "Nope", "{ nope { deeper { ...F0 } } }")))
    assert on_unknown.total == COST_CEILING
    assert on_unknown.selection_sets == 3 + 51
    assert selection_set_calls[0] < 2 * (on_node.selection_sets + on_unknown.selection_sets)


def test_fragment_cycles_end() -> None:
    assert cost("query { ...A } fragment A on Query { __typename ...A }") == 1
    mutual = (
        "query { ...A } fragment A on Query { __typename ...B } "
        "fragment B on Query { __typename ...A }"
    )
    assert cost(mutual) == 2


def test_unknown_fields_types_and_fragments_cost_as_plain_fields() -> None:
    assert cost("{ __typename ...Missing }") == 1
    assert cost("{ nope { a b { c } } }") == 4
    assert cost("{ ... on Ghost { a b } }") == 2
    assert cost("{ jobs(first: 10) { nodes { nope { a } } } }") == 2 + 10 * 2


def test_every_operation_of_the_document_counts() -> None:
    document = parse("query Cheap { __typename } " + doubling(50).replace("query", "query Bomb"))
    result = measure(SCHEMA, document, "Cheap")
    assert result.operation == 1
    assert result.total == COST_CEILING


def test_a_document_too_deep_to_cost_is_refused_not_raised() -> None:
    chain = ["query { ...F0 }"]
    chain += [f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(3000)]
    chain.append("fragment F3000 on Query { __typename }")
    assert cost(" ".join(chain)) == COST_CEILING


# ---------------------------------------------------------------- hypothesis

Tree = list[tuple[str, "Tree | None"]]


@st.composite
def selections(draw: st.DrawFn, type_name: str, depth: int) -> Tree:
    """Fields of ``type_name`` (or inline fragments on its members), with page arguments."""
    parent = SCHEMA.get_type(type_name)
    if is_abstract_type(parent):
        members = [t.name for t in SCHEMA.get_possible_types(parent)]  # type: ignore[arg-type]
        chosen = draw(st.lists(st.sampled_from(members), min_size=1, max_size=2, unique=True))
        return [(f"... on {m}", draw(selections(m, depth))) for m in chosen]
    fields = parent.fields  # type: ignore[union-attr]
    names = [name for name in fields if (type_name, name) != ("Query", "node")]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    tree: Tree = []
    for name in chosen:
        definition = fields[name]
        text = name
        if "first" in definition.args:
            first = draw(st.none() | st.integers(-5, 150))
            text += f"(first: {first})" if first is not None else ""
        if name == "nodes" and "ids" in definition.args:
            text += f"(ids: {draw(st.lists(st.just('x'), max_size=4))})".replace("'", '"')
        returns = get_named_type(definition.type)
        if is_leaf_type(returns):
            tree.append((text, None))
        elif depth == 0:
            tree.append((text, [("__typename", None)]))
        else:
            tree.append((text, draw(selections(returns.name, depth - 1))))
    return tree


def inline(tree: Tree) -> str:
    return " ".join(name if sub is None else f"{name} {{ {inline(sub)} }}" for name, sub in tree)


def fragmented(tree: Tree, type_name: str, fragments: list[str]) -> str:
    """Every selection set moved into a fragment of its own, spread where it was."""
    parts = []
    for name, sub in tree:
        if sub is None:
            parts.append(name)
            continue
        if name.startswith("... on "):
            inner_type = name.removeprefix("... on ")
        else:
            parent = SCHEMA.get_type(type_name)
            definition = parent.fields[name.split("(")[0]]  # type: ignore[union-attr]
            inner_type = get_named_type(definition.type).name
        index = len(fragments)
        fragments.append("")
        body = fragmented(sub, inner_type, fragments)
        fragments[index] = f"fragment F{index} on {inner_type} {{ {body} }}"
        parts.append(f"{name} {{ ...F{index} }}")
    return " ".join(parts)


@settings(max_examples=60, deadline=None)
@given(selections("Query", 4))
def test_a_query_costs_the_same_with_its_selections_in_fragments(tree: Tree) -> None:
    fragments: list[str] = []
    body = fragmented(tree, "Query", fragments)
    assert cost("{ " + body + " } " + " ".join(fragments)) == cost("{ " + inline(tree) + " }")


# ---------------------------------------------------------------- the gateway's schema

README_QUERY = """
{
  jobs(first: 20, filter: {isActive: true, search: "engineer"},
       sort: {field: TITLE, direction: ASC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id title clientName status recruiter { name }
      applications(first: 50) { totalCount edges { node {
        candidate { name email }
        currentStage { name kind }
        stageHistory { fromStageName toStageName enteredAt durationSeconds }
        interviews { status messages { role content } evaluation { overallScore recommendation } }
      } } }
    } }
  }
}
"""
NESTED_BENCH_QUERY = """
{ jobs(first: 50) { edges { node { applications(first: 50) { edges { node {
    candidate { name email } currentStage { name } interviews { status }
} } } } } } }
"""
JOB_APPLICATION_LOOP = (
    "jobs(first: 100) { edges { node { applications(first: 100) { edges { node { job { "
    "applications(first: 100) { edges { node { id } } } } } } } } } }"
)
PUBLIC_PAGE = (
    "candidateName position company status expiresAt startedAt completedAt humanRequested "
    "questionsTotal questionsAnswered messages { sequence role content createdAt }"
)
PUBLIC_ERROR = "... on PublicInterviewError { code message retryable }"
PUBLIC_OPERATIONS = [
    "query($token: String!) { publicInterview(token: $token) { __typename "
    f"... on PublicInterview {{ {PUBLIC_PAGE} }} {PUBLIC_ERROR} }} }}",
    "mutation($token: String!) { publicInterviewStart(input: {token: $token}) { __typename "
    f"... on PublicInterviewStartSuccess {{ interview {{ {PUBLIC_PAGE} }} }} {PUBLIC_ERROR} }} }}",
    "mutation($token: String!, $content: String!) { "
    "publicInterviewSendMessage(input: {token: $token, content: $content}) { __typename "
    "... on PublicInterviewSendMessageSuccess { completed "
    "candidateMessage { sequence role content } interviewerMessage { sequence role content } "
    f"interview {{ status questionsAnswered questionsTotal }} }} {PUBLIC_ERROR} }} }}",
    "mutation($token: String!, $note: String) { "
    "publicInterviewRequestHuman(input: {token: $token, note: $note}) { __typename "
    "... on PublicInterviewRequestHumanSuccess { interview { status humanRequested } } "
    f"{PUBLIC_ERROR} }} }}",
    "subscription($token: String!) { publicInterviewChat(token: $token) "
    "{ kind sequence role content delta status at } }",
]


def test_the_readme_query() -> None:
    """Per application: node 1, candidate 3, currentStage 3, stageHistory 1 + 8 x 4,
    interviews 1 + 3 x (status 1 + messages 1 + 20 x 2 + evaluation 3) = 176; per job:
    node 1, 4 scalars, recruiter 2, applications 1 + totalCount 1 + edges 1 + 50 x 176."""
    application = 1 + 3 + 3 + (1 + 8 * 4) + (1 + 3 * (1 + (1 + 20 * 2) + 3))
    job = 1 + 4 + 2 + (3 + 50 * application)
    assert cost(README_QUERY, schema=app_schema._schema) == 1 + 1 + 3 + 1 + 20 * job == 176_206


def test_the_nested_bench_query() -> None:
    application = 1 + 3 + 2 + (1 + 3 * 1)
    job = 1 + 1 + 1 + 50 * application
    assert cost(NESTED_BENCH_QUERY, schema=app_schema._schema) == 2 + 50 * job == 25_152


def test_a_job_application_loop_costs_two_million_per_alias() -> None:
    inner = 2 + 100 * 2
    per_alias = 2 + 100 * (1 + 1 + 1 + 100 * (1 + 1 + inner))
    one = "{ " + JOB_APPLICATION_LOOP + " }"
    five = "{ " + " ".join(f"a{i}: {JOB_APPLICATION_LOOP}" for i in range(5)) + " }"
    assert cost(one, schema=app_schema._schema) == per_alias == 2_040_302
    assert cost(five, schema=app_schema._schema) == 5 * per_alias


def test_the_standard_introspection_query_stays_cheap() -> None:
    assert 1_000 < cost(get_introspection_query(), schema=app_schema._schema) < 5_000


@pytest.mark.parametrize("operation", PUBLIC_OPERATIONS)
def test_the_public_interview_operations_fit_the_anonymous_limit(operation: str) -> None:
    limit = Settings.model_fields["max_query_cost_anonymous"].default
    assert cost(operation, schema=app_schema._schema) <= limit / 2
