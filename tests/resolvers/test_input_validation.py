"""Bad input is the client's error, named where it is, and nothing runs.

- A control character (C0 other than tab, line feed and carriage return; DEL) in any
  string argument, written in the document or sent as a variable, at any depth of input
  objects, lists and JSON, refuses the whole operation with ``BAD_USER_INPUT`` naming
  the argument's path; over HTTP and WebSocket alike.
- A ``search`` longer than ``max_search_chars`` is refused before any SQL.
- A date-time that overflows once in UTC is refused the same way.
- An explicit null for an update field that always holds a value is a
  ``ValidationError`` naming the field as the API spells it; nothing is written.
- Global ids parse only as ``to_global_id`` writes them.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.utils.str_converters import to_camel_case

from gateway.errors import ValidationFailed
from gateway.store.models import WebhookSubscription
from resolvers.inputs import sent_fields
from resolvers.relay import MAX_PK, from_global_id, to_global_id
from resolvers.schema import schema
from tests.resolvers import test_subscriptions
from tests.resolvers.test_subscriptions import PIPELINE, PUBLIC_CHAT, World, session
from tests.support.gateway import Gateway

world = test_subscriptions.world
"""The gateway served on a loopback port, for the WebSocket cases."""

PERSONAS = "{ personas { id name systemPromptTemplate description } }"
PERSONA_CREATE = """
mutation Create($input: PersonaCreateInput!) {
  personaCreate(input: $input) {
    __typename
    ... on PersonaCreateSuccess { persona { id systemPromptTemplate } }
    ... on UserError { message code }
  }
}
"""
SEARCH_JOBS = "query Search($search: String) { jobs(filter: {search: $search}) { totalCount } }"


def codes(body: dict[str, Any]) -> list[str | None]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]


async def refused(gateway: Gateway, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The one error of a request refused before execution, which must carry no data."""
    response = await gateway.post(query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "data" not in body or body["data"] is None, body
    assert codes(body) == ["BAD_USER_INPUT"], body
    return body["errors"][0]


# -- control characters -------------------------------------------------------------

FORBIDDEN = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\x7f"]


@pytest.mark.parametrize("char", FORBIDDEN, ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
async def test_a_control_character_in_a_variable_refuses_the_operation(
    gateway: Gateway, char: str
) -> None:
    before = await gateway.execute(PERSONAS)
    error = await refused(
        gateway,
        PERSONA_CREATE,
        {"input": {"name": "Screener", "systemPromptTemplate": f"Ask{char}nicely"}},
    )
    assert error["extensions"]["field"] == "personaCreate.input.systemPromptTemplate"
    assert f"U+{ord(char):04X}" in error["message"]
    assert await gateway.execute(PERSONAS) == before


async def test_tab_and_line_breaks_are_text(gateway: Gateway) -> None:
    template = "Ask nicely.\n\tThen\r\nlisten."
    data = await gateway.execute(
        PERSONA_CREATE, {"input": {"name": "Multi-line", "systemPromptTemplate": template}}
    )
    assert data["personaCreate"]["persona"]["systemPromptTemplate"] == template


async def test_one_bad_field_stops_every_field_of_the_operation(gateway: Gateway) -> None:
    before = await gateway.execute(PERSONAS)
    error = await refused(
        gateway,
        """mutation {
          first: personaCreate(input: {name: "Fine", systemPromptTemplate: "fine"}) {
            __typename
          }
          second: personaCreate(input: {name: "Bad\\u0000", systemPromptTemplate: "x"}) {
            __typename
          }
        }""",
    )
    assert error["extensions"]["field"] == "second.input.name"
    assert await gateway.execute(PERSONAS) == before, "the first mutation ran"


@pytest.mark.parametrize(
    ("query", "variables", "where"),
    [
        (
            '{ jobs(filter: {search: "a\\u0000b"}) { totalCount } }',
            None,
            "jobs.filter.search",
        ),
        (
            'query($s: String = "a\\u001bb") { jobs(filter: {search: $s}) { totalCount } }',
            None,
            "$s",
        ),
        (
            "query($f: ActivityFilter) { activities(filter: $f) { totalCount } }",
            {"f": {"action": ["job.updated", "job\x00"]}},
            "activities.filter.action[1]",
        ),
        (
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            {"ids": [to_global_id("Job", 1), "Sm9i\x00"]},
            "nodes.ids[1]",
        ),
        (
            '{ jobs(first: 1) { nodes { applications(filter: {search: "\\u007f"}) '
            "{ totalCount } } } }",
            None,
            "jobs.nodes.applications.filter.search",
        ),
        (
            "query { ...Lists } fragment Lists on Query "
            '{ candidates(filter: {search: "\\u0001"}) { totalCount } }',
            None,
            "Lists.candidates.filter.search",
        ),
        (
            "mutation($i: IntegrationCreateInput!) { integrationCreate(input: $i) { __typename } }",
            {
                "i": {
                    "provider": "RECRUITERFLOW",
                    "name": "RF",
                    "environment": "PROD",
                    "config": {"nested": [{"deep": "x\x00"}]},
                }
            },
            "integrationCreate.input.config.nested[0].deep",
        ),
        (
            "mutation($i: IntegrationCreateInput!) { integrationCreate(input: $i) { __typename } }",
            {
                "i": {
                    "provider": "RECRUITERFLOW",
                    "name": "RF",
                    "environment": "PROD",
                    "credentials": {"api\x00Key": "secret"},
                }
            },
            "integrationCreate.input.credentials.api\\u0000Key",
        ),
    ],
    ids=[
        "literal",
        "variable-default",
        "list-item",
        "id-list",
        "nested-field",
        "fragment",
        "json-value",
        "json-key",
    ],
)
async def test_control_characters_are_found_wherever_they_are(
    gateway: Gateway, query: str, variables: dict[str, Any] | None, where: str
) -> None:
    error = await refused(gateway, query, variables)
    assert error["extensions"]["field"] == where, error


async def test_a_control_character_in_a_subscription_argument_is_refused_over_websocket(
    world: World,
) -> None:
    async with session(world, token=world.jwt()) as client:
        await client.subscribe("control", PIPELINE, {"jobId": "Sm9i\x00"})
        error = await client.error("control")
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert error["extensions"]["field"] == "pipelineUpdates.jobId"
        await client.subscribe("overflow", PIPELINE, {"jobId": to_global_id("Job", 2**64)})
        error = await client.error("overflow")
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    async with session(world) as anonymous:
        await anonymous.subscribe("token", PUBLIC_CHAT, {"token": world.token + "\x00"})
        error = await anonymous.error("token")
        assert error["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "publicInterviewChat.token",
        }, error


# -- search ----------------------------------------------------------------------------

SEARCHES = {
    "jobs": "{ jobs(filter: {search: $s}) { totalCount } }",
    "candidates": "{ candidates(filter: {search: $s}) { totalCount } }",
    "applications": "{ applications(filter: {search: $s}) { totalCount } }",
    "recruiters": "{ recruiters(filter: {search: $s}) { totalCount } }",
    "activities": "{ activities(filter: {search: $s}) { totalCount } }",
    "logs": "{ logs(filter: {search: $s}) { totalCount } }",
    "job-applications": "{ jobs(first: 1) { nodes { applications(filter: {search: $s}) "
    "{ totalCount } } } }",
}


def test_every_filter_with_a_search_is_covered() -> None:
    """A new ``search`` input must be added to ``SEARCHES``."""
    root = schema._schema.query_type
    assert root is not None
    filters = {
        name
        for name, field in root.fields.items()
        for arg in field.args.values()
        if "search" in getattr(getattr(arg.type, "of_type", arg.type), "fields", {})
    }
    assert filters <= set(SEARCHES)


@pytest.mark.parametrize("name", sorted(SEARCHES))
async def test_a_search_over_the_limit_is_refused_before_any_sql(
    gateway: Gateway, name: str
) -> None:
    limit = gateway.settings.max_search_chars
    query = "query($s: String) " + SEARCHES[name]
    await gateway.execute(query, {"s": "a" * limit})
    gateway.statements.reset()
    await gateway.execute("{ __typename }")
    authenticating = gateway.statements.count
    gateway.statements.reset()
    error = await refused(gateway, query, {"s": "a" * (limit + 1)})
    assert error["extensions"]["field"].endswith("filter.search")
    assert f"at most {limit}" in error["message"]
    assert gateway.statements.count == authenticating, gateway.statements.statements


async def test_a_huge_search_is_refused_on_every_backend(gateway: Gateway) -> None:
    """SQLite refuses LIKE patterns over 50 000 bytes; the cap keeps them away."""
    error = await refused(gateway, SEARCH_JOBS, {"search": "a" * 200_000})
    assert error["extensions"]["field"] == "jobs.filter.search"


# -- lists -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables", "where"),
    [
        (
            "query($a: [String!]) { activities(filter: {action: $a}) { totalCount } }",
            {"a": ["a"] * 40_000},
            "activities.filter.action",
        ),
        (
            "query($s: [JobStatus!]) { jobs(filter: {status: $s}) { totalCount } }",
            {"s": ["OPEN"] * 101},
            "jobs.filter.status",
        ),
    ],
    ids=["tens-of-thousands", "one-over"],
)
async def test_a_list_over_a_hundred_items_is_refused(
    gateway: Gateway, query: str, variables: dict[str, Any], where: str
) -> None:
    """PostgreSQL takes at most 32 767 bind parameters per statement."""
    error = await refused(gateway, query, variables)
    assert error["extensions"]["field"] == where
    name = next(iter(variables))
    await gateway.execute(query, {name: variables[name][:100]})


# -- date-times -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59.999999-14:00"]
)
async def test_a_date_time_out_of_range_in_utc_is_refused(gateway: Gateway, moment: str) -> None:
    error = await refused(
        gateway,
        "query($d: DateTime) { jobs(filter: {createdAt: {from: $d}}) { totalCount } }",
        {"d": moment},
    )
    assert error["extensions"]["field"] == "jobs.filter.createdAt.from"


async def test_the_extremes_of_a_date_time_in_utc_are_fine(gateway: Gateway) -> None:
    data = await gateway.execute(
        "query($a: DateTime, $b: DateTime) "
        "{ jobs(filter: {createdAt: {from: $a, to: $b}}) { totalCount } }",
        {"a": "0001-01-01T00:00:00+00:00", "b": "9999-12-31T23:59:59.999999+00:00"},
    )
    assert data["jobs"]["totalCount"] > 0


# -- cursors ---------------------------------------------------------------------------


def forged_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([value, 5])).decode().rstrip("=")


CANDIDATES_AFTER = """query($after: String, $sort: CandidateSort) {
  candidates(first: 2, after: $after, sort: $sort) { nodes { id } }
}"""


@pytest.mark.parametrize(
    ("value", "sort"),
    [
        ("Ann\x00", {"field": "NAME", "direction": "ASC"}),
        ("9999-12-31T23:59:59-14:00", None),
        ("0001-01-01T00:00:00+14:00", None),
    ],
    ids=["control-character", "future-overflow", "past-overflow"],
)
async def test_a_forged_cursor_the_database_cannot_compare_is_bad_user_input(
    gateway: Gateway, value: str, sort: dict[str, str] | None
) -> None:
    body = (
        await gateway.post(CANDIDATES_AFTER, {"after": forged_cursor(value), "sort": sort})
    ).json()
    assert codes(body) == ["BAD_USER_INPUT"], body


async def test_a_forged_cursor_with_an_ordinary_value_pages_on(gateway: Gateway) -> None:
    data = await gateway.execute(
        CANDIDATES_AFTER,
        {"after": forged_cursor("A"), "sort": {"field": "NAME", "direction": "ASC"}},
    )
    assert len(data["candidates"]["nodes"]) == 2


# -- explicit nulls ---------------------------------------------------------------------

UPDATES = {
    "recruiterUpdate": ("RecruiterUpdateInput", "recruiters(first: 3) { nodes { id } }"),
    "promptUpdate": ("PromptUpdateInput", "prompts { id }"),
    "personaUpdate": ("PersonaUpdateInput", "personas { id }"),
    "settingsUpdate": ("SettingsUpdateInput", None),
    "integrationUpdate": ("IntegrationUpdateInput", "integrations(first: 1) { nodes { id } }"),
    "jobUpdate": ("JobUpdateInput", "jobs(first: 1) { nodes { id } }"),
    "webhookSubscriptionUpdate": (
        "WebhookSubscriptionUpdateInput",
        "webhookSubscriptions(first: 1) { nodes { id } }",
    ),
}
"""Every mutation whose input has fields that may be left out but not sent as null,
and where to find a record for it."""


def _input(name: str) -> StrawberryObjectDefinition:
    definition = schema.get_type_by_name(name)
    assert isinstance(definition, StrawberryObjectDefinition), name
    return definition


def not_null_fields(input_name: str) -> list[str]:
    """The API names of the fields of ``input_name`` declared with ``not_null()``."""
    definition = _input(input_name)
    return sorted(
        field.graphql_name or to_camel_case(field.python_name)
        for field in definition.fields
        if field.metadata.get("talentgraph.not_null")
    )


def test_every_input_with_not_null_fields_is_covered() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    found = set()
    for name, field in mutation.fields.items():
        for arg in field.args.values():
            named = getattr(arg.type, "of_type", arg.type)
            if hasattr(named, "fields") and not_null_fields(named.name):
                found.add(name)
    assert found == set(UPDATES)


async def a_record(gateway: Gateway, mutation: str) -> str | None:
    listing = UPDATES[mutation][1]
    if listing is None:
        return None
    data = await gateway.execute("{ " + listing + " }")
    items = next(iter(data.values()))
    nodes = items["nodes"] if isinstance(items, dict) else items
    me = to_global_id("Recruiter", gateway.tenants["demo"].admin_user_id)
    chosen: str = next(node["id"] for node in nodes if node["id"] != me)
    return chosen


async def ensure_a_subscription(gateway: Gateway) -> None:
    tenant_id = gateway.tenants["demo"].tenant_id
    async with gateway.app.state.session_factory.begin() as session_:
        found = await session_.scalar(
            sa.select(WebhookSubscription.id).where(WebhookSubscription.tenant_id == tenant_id)
        )
        if found is None:
            session_.add(
                WebhookSubscription(
                    tenant_id=tenant_id,
                    name="Hook",
                    url="https://hooks.example.com/in",
                    events=["job.opened"],
                    secret_encrypted="v1.t2.x.y",
                )
            )


@pytest.mark.parametrize(
    ("mutation", "field"),
    [(m, f) for m, (input_name, _) in sorted(UPDATES.items()) for f in not_null_fields(input_name)],
)
async def test_an_explicit_null_for_a_field_that_always_holds_a_value_is_a_validation_error(
    gateway: Gateway, mutation: str, field: str
) -> None:
    if mutation == "webhookSubscriptionUpdate":
        await ensure_a_subscription(gateway)
    input_name = UPDATES[mutation][0]
    record = await a_record(gateway, mutation)
    value: dict[str, Any] = {field: None}
    if record is not None:
        value["id"] = record
    query = f"""mutation($input: {input_name}!) {{
      result: {mutation}(input: $input) {{
        __typename
        ... on ValidationError {{ field message code }}
      }}
    }}"""
    result = (await gateway.execute(query, {"input": value}))["result"]
    assert result == {
        "__typename": "ValidationError",
        "field": field,
        "message": f"{field} cannot be null",
        "code": "VALIDATION_FAILED",
    }


async def test_a_refused_null_writes_nothing(gateway: Gateway) -> None:
    settings_query = "{ settings { emailFromName staleStageDays } }"
    before = (await gateway.execute(settings_query))["settings"]
    result = await gateway.execute(
        """mutation { settingsUpdate(input: {emailFromName: "Changed", staleStageDays: null}) {
             __typename ... on ValidationError { field } } }"""
    )
    assert result["settingsUpdate"] == {"__typename": "ValidationError", "field": "staleStageDays"}
    assert (await gateway.execute(settings_query))["settings"] == before


async def test_settings_errors_name_fields_as_the_api_does(gateway: Gateway) -> None:
    result = await gateway.execute(
        """mutation { settingsUpdate(input: {lookbackHoursMin: 0}) {
             __typename ... on ValidationError { field } } }"""
    )
    assert result["settingsUpdate"] == {
        "__typename": "ValidationError",
        "field": "lookbackHoursMin",
    }


def test_sent_fields_leaves_out_what_was_not_sent() -> None:
    settings_input = _input("SettingsUpdateInput").origin
    value = settings_input(email_from_name=None, stale_stage_days=3)
    assert sent_fields(value, exclude=()) == {"email_from_name": None, "stale_stage_days": 3}
    with pytest.raises(ValidationFailed) as refused_null:
        sent_fields(settings_input(stale_stage_days=None), exclude=())
    assert refused_null.value.field == "staleStageDays"


# -- global ids -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.binary(max_size=30).map(lambda raw: base64.b64encode(raw).decode()),
        st.tuples(
            st.sampled_from(["Job", "Candidate", "Job ", "job"]),
            st.text(st.characters(categories=["Nd", "Zs", "Pc", "Pd", "Sm"]), max_size=22),
        ).map(lambda pair: base64.b64encode(f"{pair[0]}:{pair[1]}".encode()).decode()),
    )
)
def test_an_id_parses_only_as_written(text: str) -> None:
    """Whatever the text, it is either refused or exactly the id of what it decodes to:
    no other spelling (spaces, signs, underscores, other digits, other padding) of an
    id ever names the same record."""
    try:
        type_name, pk = from_global_id(text)
    except ValidationFailed as error:
        assert error.field == "id"
        return
    assert to_global_id(type_name, pk) == text
    assert 1 <= pk <= MAX_PK


@given(st.sampled_from(["Job", "Candidate", "WebhookSubscription"]), st.integers(1, MAX_PK))
@settings(max_examples=100, deadline=None, derandomize=True, database=None)
def test_every_id_written_parses_back(type_name: str, pk: int) -> None:
    assert from_global_id(to_global_id(type_name, pk)) == (type_name, pk)
