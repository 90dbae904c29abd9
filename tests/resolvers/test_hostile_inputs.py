"""Whatever arguments a client sends, the answer is data or a typed error: never an
internal error, never a 5xx.

The running gateway's schema is read by introspection. Every root query and mutation
field that takes arguments, and every field with arguments below the queries, is
called over HTTP as an admin with variables drawn per GraphQL type: strings with NUL
and other control characters, exotic Unicode, LIKE wildcards, up to 200 000
characters; integers at and past the 32- and 64-bit bounds, negative ones; global ids
that are malformed, overflow the key column, name another type or another tenant's
record; forged cursors; unknown enum values; explicit nulls, required input fields
included; empty lists, lists of 100 items and longer ones (up to 5 000); date-times
that overflow once in UTC; decimals that are not finite numbers; deep and odd JSON.

Subscriptions are not callable over HTTP; their arguments pass the same checks before
execution (``tests/resolvers/test_input_validation.py`` sends them over WebSocket).

The source systems behind this gateway answer every request with 401, so write-backs
fail as typed connector errors and nothing reaches the network. Examples are
derandomized: the same values are sent on every run.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolvers.relay import to_global_id
from resolvers.schema import schema as local_schema
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

MAX_EXAMPLES = 8


@pytest.fixture(scope="module")
async def gateway(backend: Backend) -> AsyncIterator[Gateway]:
    """The seeded gateway, its connectors talking to sources that refuse everything."""
    refusing = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda _request: httpx.Response(401, json={}))
    )
    async with refusing, running_gateway(backend.url, http_client=refusing) as running:
        yield running


# -- which fields ------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """A field with arguments and how to reach it: ``path`` holds the fields above it
    (from a root type), each selected with ``first: 1`` where it pages."""

    parent: str
    field: str
    path: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.parent}.{self.field}"


def _required(field: GraphQLField) -> bool:
    return any(
        isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
        for arg in field.args.values()
    )


def _object(type_: Any) -> GraphQLObjectType | None:
    named = get_named_type(type_)
    return named if isinstance(named, GraphQLObjectType) else None


def probes(schema: GraphQLSchema) -> list[Probe]:
    """Root query and mutation fields with arguments, then every other field with
    arguments, reached by the shortest path of argument-free query fields."""
    found: list[Probe] = []
    for root in (schema.query_type, schema.mutation_type):
        assert root is not None
        found += [Probe(root.name, name) for name, f in root.fields.items() if f.args]
    query = schema.query_type
    assert query is not None
    paths: dict[str, tuple[str, ...]] = {query.name: ()}
    queue = [query]
    while queue:
        parent = queue.pop(0)
        for name, field in parent.fields.items():
            child = _object(field.type)
            if child is None or child.name in paths or _required(field):
                continue
            paths[child.name] = (*paths[parent.name], name)
            queue.append(child)
    for type_name in sorted(paths):
        type_ = schema.type_map[type_name]
        if type_name == query.name or not isinstance(type_, GraphQLObjectType):
            continue
        found += [
            Probe(type_name, name, paths[type_name]) for name, f in type_.fields.items() if f.args
        ]
    return found


PROBES = probes(local_schema._schema)
"""Taken from the schema in this process for the test ids; the running gateway's
introspected schema must hold exactly these (``test_probes_are_every_field_with_arguments``)."""


# -- the running schema and the records it holds -----------------------------------


@dataclass
class World:
    schema: GraphQLSchema
    ids_by_kind: dict[str, list[str]]
    """Global ids of the caller's tenant per node type (the caller's own user left out,
    so no example revokes, demotes or deletes the admin sending them)."""
    foreign_ids_by_kind: dict[str, list[str]]
    """Global ids of the other tenant per node type."""

    @property
    def ids(self) -> list[str]:
        return sorted(i for ids in self.ids_by_kind.values() for i in ids)

    @property
    def foreign_ids(self) -> list[str]:
        return sorted(i for ids in self.foreign_ids_by_kind.values() for i in ids)


IDS = """
{
  jobs(first: 3) { nodes { id } }
  candidates(first: 3) { nodes { id } }
  applications(first: 3) {
    nodes {
      id currentStage { id } offers { id } onboardingTasks { id }
      interviews { id messages { id } evaluation { id } }
    }
  }
  integrations(first: 3) { nodes { id } }
  recruiters(first: 5) { nodes { id email } }
  prompts { id }
  personas { id }
  activities(first: 2) { nodes { id } }
  syncRuns(first: 2) { nodes { id } }
  webhookSubscriptions(first: 2) { nodes { id } }
  webhookDeliveries(first: 2) { nodes { id } }
  webhookEvents(first: 2) { nodes { id } }
  backgroundJobs(first: 2) { items { nodes { id } } }
}
"""


def _ids_in(value: Any, skip: set[str]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending += item
        elif isinstance(item, dict):
            pending += list(item.values())
            global_id = item.get("id")
            if isinstance(global_id, str) and global_id not in skip:
                kind = base64.b64decode(global_id).decode().partition(":")[0]
                found.setdefault(kind, set()).add(global_id)
    return {kind: sorted(ids) for kind, ids in sorted(found.items())}


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> World:
    introspection = await gateway.execute(get_introspection_query())
    schema = build_client_schema(introspection)  # type: ignore[arg-type]
    me = to_global_id("Recruiter", gateway.tenants["demo"].admin_user_id)
    return World(
        schema=schema,
        ids_by_kind=_ids_in(await gateway.execute(IDS), {me}),
        foreign_ids_by_kind=_ids_in(await gateway.execute(IDS, tenant="other"), set()),
    )


# -- values per type ---------------------------------------------------------------
#
# ``nasty`` values get past coercion and the input checks, so a resolver has to cope
# with them, and many can be sent at once; ``refused`` ones are turned away before or
# at the resolver's door, so one per request is enough.

NASTY_TEXT = [
    "",
    " ",
    "tab\there",
    "line\nbreak\r\n",
    "\u202eevil",
    "\u200b\ufeff",
    "Ω≈ç√∫µ≤≥÷",
    "جديد ١٢٣",
    "😀" * 300,
    "%",
    "_",
    "\\",
    "%_\\%",
    "' OR '1'='1",
    '"; DROP TABLE jobs; --',
    "{{ 7 * 7 }}",
    "{% for x in y %}",
    "${jndi:ldap://x}",
    "<script>alert(1)</script>",
    "a" * 256,
    "a" * 4_001,
    "a" * 20_001,
    "0",
    "-1",
    "1e309",
    "NaN",
    "null",
    "https://192.0.2.1/hook",
    "http://127.0.0.1:1/",
    "not a url",
    "x@y",
    "recruiter@demo.example",
]
REFUSED_TEXT = ["\x00", "a\x00b", "\x01\x08\x1f", "\x7f", "\x1b[2J", "\ud800", "a" * 200_000]
NASTY_INTS = [0, 1, -1, 2, 99, 100, 101, 2**31 - 1, -(2**31)]
REFUSED_INTS = [2**31, 2**53 + 1, 2**63 - 1, 2**63, 1.5, "1"]
NASTY_DATE_TIMES = [
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59.999999+00:00",
    "9999-12-31T23:59:59.999999",
    "2024-02-29T12:00:00+14:00",
    "2024-02-29T12:00:00-12:00",
]
REFUSED_DATE_TIMES = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59.999999-14:00",
    "2024-02-30T00:00:00Z",
    "2024-01-01T00:00:00+24:00",
    "now",
    "",
]
NASTY_DATES = ["0001-01-01", "9999-12-31", "2024-02-29"]
REFUSED_DATES = ["2023-02-29", "10000-01-01", "", "-1", "2024-01-01T00:00:00"]
NASTY_DECIMALS = [
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e999999999",
    "-1e999999999",
    "1e-999999999",
    "-1",
    "-0",
    "0.005",
    "99999999999999.99",
    "100000000000000",
    "12345678901234567890.123456789",
    1e308,
    10**18,
]


def _cursor(value: Any, row_id: Any = 5) -> str:
    return base64.urlsafe_b64encode(json.dumps([value, row_id]).encode()).decode().rstrip("=")


FORGED_CURSORS = [
    _cursor("a\x00"),
    _cursor("9999-12-31T23:59:59-14:00"),
    _cursor("0001-01-01T00:00:00+14:00"),
    _cursor("2024-01-01T00:00:00"),
    _cursor("x" * 10_000),
    _cursor(2**63),
    _cursor(-(2**63)),
    _cursor(1e308),
    _cursor(0.5),
    _cursor("Ann", 2**63),
    _cursor("Ann", 0),
    _cursor(None),
    _cursor(True),
]
"""Cursors a client forged: values of every JSON kind, for every sort column."""


def _deep(depth: int) -> list[Any]:
    nested: list[Any] = ["x"]
    for _ in range(depth):
        nested = [nested]
    return nested


def _weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each as often as its weight says."""
    slots = [index for index, (weight, _) in enumerate(choices) for _ in range(weight)]
    return st.sampled_from(slots).flatmap(lambda index: choices[index][1])


def _json() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from([0, -1, 2**63 - 1, -(2**63), 1e308, 0.5]),
        st.sampled_from(NASTY_TEXT[:12]),
    )
    nested = st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(["a", "", " ", "baseUrl", "apiKey"]), inner, max_size=3
            )
        ),
        max_leaves=8,
    )
    return st.one_of(nested, st.sampled_from([_deep(300), {"a": _deep(300)}]))


ID_NAMES = {
    "user": "Recruiter",
    "interviewer": "Recruiter",
    "defaultRecruiter": "Recruiter",
    "actor": "Recruiter",
    "task": "OnboardingTask",
    "subscription": "WebhookSubscription",
    "stage": "PipelineStage",
}


def id_kind(world: World, probe: Probe, path: tuple[str | int, ...]) -> str | None:
    """The node type an id argument or input field most likely names: ``jobId`` a Job;
    ``id`` the record the field is about (``recruiterUpdate`` -> Recruiter)."""
    names = [part for part in path if isinstance(part, str)]
    name = names[-1] if names else ""
    kinds = sorted(world.ids_by_kind, key=len, reverse=True)
    if name not in ("id", "ids"):
        stem = name.removesuffix("s").removesuffix("Id")
        if stem in ID_NAMES:
            return ID_NAMES[stem]
        return next((k for k in kinds if k.lower() == stem.lower()), None)
    return next((k for k in kinds if probe.field.lower().startswith(k.lower())), None)


def _ordinary_id(world: World, kind: str | None) -> st.SearchStrategy[Any]:
    return st.sampled_from(world.ids_by_kind.get(kind or "", world.ids))


def _scalar_ordinary(
    type_: GraphQLScalarType, world: World, kind: str | None
) -> st.SearchStrategy[Any]:
    """What a well-behaved client sends."""
    if type_.name == "ID":
        return _ordinary_id(world, kind)
    by_name: dict[str, st.SearchStrategy[Any]] = {
        "String": st.one_of(
            st.sampled_from(["Jane Doe", "recruiter@example.com", "QA Analyst", "PHP", "notes"]),
            st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=20),
        ),
        "Int": st.integers(1, 60),
        "Float": st.floats(0, 100),
        "Boolean": st.booleans(),
        "DateTime": st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
        ).map(lambda value: value.isoformat()),
        "Date": st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)).map(
            lambda value: value.isoformat()
        ),
        "Decimal": st.sampled_from(["1000", "55000.50", "0.01"]),
        "JSON": st.just({}),
    }
    return by_name.get(type_.name, by_name["String"])


def _scalar_nasty(
    type_: GraphQLScalarType, world: World, kind: str | None
) -> st.SearchStrategy[Any]:
    if type_.name == "ID":
        foreign = world.foreign_ids_by_kind.get(kind or "", world.foreign_ids)
        missing = [to_global_id(kind or "Job", 2**63 - 1), to_global_id(kind or "Job", 2**31)]
        return st.one_of(
            st.sampled_from(world.ids), st.sampled_from(foreign), st.sampled_from(missing)
        )
    by_name: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
        "String": lambda: st.one_of(
            st.sampled_from(NASTY_TEXT),
            st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=30),
        ),
        "Int": lambda: st.sampled_from(NASTY_INTS),
        "Float": lambda: st.sampled_from([-0.0, 1e308, -1e308, 5e-324, -1.0]),
        "Boolean": st.booleans,
        "DateTime": lambda: st.one_of(
            st.sampled_from(NASTY_DATE_TIMES),
            st.datetimes(timezones=st.just(UTC)).map(lambda value: value.isoformat()),
        ),
        "Date": lambda: st.one_of(
            st.sampled_from(NASTY_DATES), st.dates().map(lambda value: value.isoformat())
        ),
        "Decimal": lambda: st.sampled_from(NASTY_DECIMALS),
        "JSON": _json,
    }
    return by_name.get(type_.name, by_name["String"])()


def _encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _malformed_ids(world: World, kind: str | None) -> list[str]:
    real = world.ids_by_kind.get(kind or "", world.ids)[0]
    name, _, key = base64.b64decode(real).decode().partition(":")
    return [
        _encode(f"{name}: {key} "),
        _encode(f"{name}:{key}_0"),
        _encode(f"{name}:\u0661"),
        _encode(f"{name}:0{key}"),
        _encode(f"{name}:0"),
        _encode(f"{name}:-{key}"),
        _encode(f"{name}:{2**63}"),
        _encode(f"{name}:{2**64}"),
        _encode(f"{name}:{'9' * 400}"),
        _encode(f"Spaceship:{key}"),
        _encode(f"{name}:{key}\x00"),
        real.rstrip("="),
        real + "==",
        "!!!",
        "",
    ]


def _scalar_refused(
    type_: GraphQLScalarType, world: World, kind: str | None
) -> st.SearchStrategy[Any]:
    by_name: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
        "String": lambda: st.one_of(
            st.sampled_from(REFUSED_TEXT),
            st.text(st.characters(codec="utf-8", categories=["Cc"]), min_size=1, max_size=5),
        ),
        "ID": lambda: st.sampled_from(_malformed_ids(world, kind)),
        "Int": lambda: st.sampled_from(REFUSED_INTS),
        "Float": lambda: st.sampled_from(["NaN", "1", True]),
        "Boolean": lambda: st.sampled_from(["true", 0, None]),
        "DateTime": lambda: st.one_of(
            st.sampled_from(REFUSED_DATE_TIMES),
            st.datetimes(timezones=st.just(timezone(timedelta(hours=14)))).map(
                lambda value: value.isoformat()
            ),
        ),
        "Date": lambda: st.sampled_from(REFUSED_DATES),
        "Decimal": lambda: st.sampled_from(["abc", " 1 ", "", "1,5", True]),
        "JSON": lambda: st.sampled_from([{"\x00": 1}, ["a\x00"], {"a": {"b": ["\x1b"]}}]),
    }
    return by_name.get(type_.name, by_name["String"])()


Path = tuple[str | int, ...]
Slot = tuple[Path, GraphQLInputType]


def _unwrapped(type_: GraphQLInputType) -> GraphQLInputType:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def _optional(type_: GraphQLInputType, default: Any) -> bool:
    return not isinstance(type_, GraphQLNonNull) or default is not Undefined


def slots(field: GraphQLField) -> list[Slot]:
    """Every place a value goes in ``field``'s arguments: each argument, each input
    field at any depth (to four levels), each list's items; parents first."""
    found: list[Slot] = []
    pending: list[Slot] = [((name,), arg.type) for name, arg in field.args.items()]
    while pending:
        path, type_ = pending.pop()
        found.append((path, type_))
        inner = _unwrapped(type_)
        if isinstance(inner, GraphQLList):
            pending.append(((*path, 0), inner.of_type))
        elif isinstance(inner, GraphQLInputObjectType) and len(path) < 5:
            pending += [((*path, name), f.type) for name, f in inner.fields.items()]
    return sorted(found, key=lambda slot: (len(slot[0]), [str(part) for part in slot[0]]))


def put(arguments: dict[str, Any], path: Path, value: Any) -> None:
    """Set ``value`` at ``path``, making the objects and lists on the way."""
    container: Any = arguments
    for key, next_key in itertools.pairwise(path):
        shape: type = list if isinstance(next_key, int) else dict
        if isinstance(container, list) and not container:
            container.append(shape())
        child = container[0] if isinstance(container, list) else container.get(key)
        if not isinstance(child, shape):
            child = shape()
            container[0 if isinstance(container, list) else key] = child
        container = child
    if isinstance(container, list):
        if container:
            container[0] = value
        else:
            container.append(value)
    else:
        container[path[-1]] = value


def ordinary(
    type_: GraphQLInputType, world: World, probe: Probe, path: Path
) -> st.SearchStrategy[Any]:
    """A value a well-behaved client might send; optional input fields there or not."""
    type_ = _unwrapped(type_)
    if isinstance(type_, GraphQLList):
        item = ordinary(type_.of_type, world, probe, (*path, 0))
        return st.lists(item, min_size=1, max_size=2)
    if isinstance(type_, GraphQLInputObjectType):
        required: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for name, field in type_.fields.items():
            value = ordinary(field.type, world, probe, (*path, name))
            if not _optional(field.type, field.default_value):
                required[name] = value
            elif len(path) < 4:
                optional[name] = value
        return st.fixed_dictionaries(required, optional=optional)
    if isinstance(type_, GraphQLEnumType):
        return st.sampled_from(sorted(type_.values))
    assert isinstance(type_, GraphQLScalarType)
    if path[-1] in ("after", "before"):
        return st.sampled_from([_cursor("2024-01-01T00:00:00+00:00", 1), _cursor("M", 1)])
    return _scalar_ordinary(type_, world, id_kind(world, probe, path))


def nasty(
    type_: GraphQLInputType, world: World, probe: Probe, path: Path
) -> st.SearchStrategy[Any]:
    """A value that passes coercion and the input checks but is no ordinary one:
    null where allowed, empty or full (100 items) lists, edge values of the scalar."""
    inner = _unwrapped(type_)
    content: st.SearchStrategy[Any]
    if isinstance(inner, GraphQLList):
        item = ordinary(inner.of_type, world, probe, (*path, 0))
        content = st.one_of(st.just([]), item.map(lambda value: [value] * 100), item)
    elif isinstance(inner, GraphQLInputObjectType):
        content = st.just({})
    elif isinstance(inner, GraphQLEnumType):
        content = st.sampled_from(sorted(inner.values))
    else:
        assert isinstance(inner, GraphQLScalarType)
        content = _scalar_nasty(inner, world, id_kind(world, probe, path))
        if path[-1] in ("after", "before"):
            content = st.one_of(st.sampled_from(FORGED_CURSORS), content)
    if isinstance(type_, GraphQLNonNull):
        return content
    return _weighted((4, content), (1, st.none()))


def refused(
    type_: GraphQLInputType, world: World, probe: Probe, path: Path
) -> st.SearchStrategy[Any]:
    """A value the gateway turns away: null where the schema says non-null, another
    type, a list over 100 items, an unknown enum value, a malformed id, a control
    character..."""
    inner = _unwrapped(type_)
    content: st.SearchStrategy[Any]
    if isinstance(inner, GraphQLList):
        item = ordinary(inner.of_type, world, probe, (*path, 0))
        content = st.one_of(
            st.sampled_from(["not a list", {"a": 1}]),
            st.sampled_from([101, 150, 5000]).flatmap(
                lambda size: item.map(lambda value: [value] * size)
            ),
        )
    elif isinstance(inner, GraphQLInputObjectType):
        content = st.sampled_from([[], "x", {"notAField": 1}])
    elif isinstance(inner, GraphQLEnumType):
        content = st.sampled_from(["NOT_A_VALUE", "", "a\x00", inner.name.lower(), 1])
    else:
        assert isinstance(inner, GraphQLScalarType)
        content = _scalar_refused(inner, world, id_kind(world, probe, path))
    if isinstance(type_, GraphQLNonNull):
        return _weighted((4, content), (1, st.none()))
    return content


@st.composite
def hostile_arguments(draw: st.DrawFn, probe: Probe, field: GraphQLField, world: World) -> Any:
    """Ordinary arguments with about a third of their places made nasty, and every other
    time one place refused: whichever value the resolver gets, it must cope."""
    required = {}
    optional = {}
    for name, arg in field.args.items():
        value = ordinary(arg.type, world, probe, (name,))
        if _optional(arg.type, arg.default_value):
            optional[name] = value
        else:
            required[name] = value
    arguments: dict[str, Any] = draw(st.fixed_dictionaries(required, optional=optional))
    places = slots(field)
    for path, type_ in places:
        if draw(st.integers(0, 2)) == 0:
            put(arguments, path, draw(nasty(type_, world, probe, path)))
    if draw(st.booleans()):
        path, type_ = draw(st.sampled_from(places))
        put(arguments, path, draw(refused(type_, world, probe, path)))
    return arguments


# -- documents ---------------------------------------------------------------------


def selection(type_: GraphQLNamedType, depth: int) -> str:
    """``__typename`` and the leaves of ``type_`` (just its ``id`` below the top, where
    lists of records are), ``depth`` levels of objects, every member of a union."""
    if is_leaf_type(type_):
        return ""
    parts = ["__typename"]
    if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
        fields = type_.fields
        leaves_only_id = depth == 0 and "id" in fields
        for name, field in fields.items():
            if _required(field):
                continue
            child = get_named_type(field.type)
            if is_leaf_type(child) and (name == "id" or not leaves_only_id):
                parts.append(name)
            elif depth > 0 and isinstance(child, GraphQLObjectType):
                parts.append(f"{name} {selection(child, depth - 1)}")
    if isinstance(type_, GraphQLUnionType):
        parts += [f"... on {member.name} {selection(member, depth)}" for member in type_.types]
    return "{ " + " ".join(parts) + " }"


def document(world: World, probe: Probe, arguments: dict[str, Any]) -> str:
    schema = world.schema
    operation = "mutation" if probe.parent == "Mutation" else "query"
    parent = schema.type_map[probe.parent]
    assert isinstance(parent, GraphQLObjectType)
    field = parent.fields[probe.field]
    declared = ", ".join(f"${name}: {field.args[name].type}" for name in arguments)
    passed = ", ".join(f"{name}: ${name}" for name in arguments)
    call = f"{probe.field}({passed})" if passed else probe.field
    text = f"{call} {selection(get_named_type(field.type), 1)}"
    current: GraphQLObjectType | None = schema.query_type
    opened = []
    for step in probe.path:
        assert current is not None
        step_field = current.fields[step]
        opened.append(f"{step}(first: 1)" if "first" in step_field.args else step)
        current = _object(step_field.type)
    for step in reversed(opened):
        text = f"{step} {{ {text} }}"
    head = f"{operation} Probe({declared})" if declared else f"{operation} Probe"
    return f"{head} {{ {text} }}"


def _shown(variables: dict[str, Any]) -> str:
    text = json.dumps(variables, ensure_ascii=True)
    return text if len(text) < 600 else text[:600] + "..."


async def send(
    gateway: Gateway, world: World, probe: Probe, arguments: dict[str, Any]
) -> dict[str, Any]:
    """The response body, after checking it holds no internal error and is no 5xx."""
    query = document(world, probe, arguments)
    body = json.dumps({"query": query, "variables": arguments}, ensure_ascii=True)
    response = await gateway.client.post(
        "/graphql",
        content=body.encode(),
        headers={**gateway.headers(), "content-type": "application/json"},
    )
    where = f"{query}\nvariables: {_shown(arguments)}"
    assert response.status_code < 500, f"{response.status_code} for {where}"
    answer: dict[str, Any] = response.json()
    internal = [
        error
        for error in answer.get("errors") or []
        if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
    ]
    assert not internal, f"internal error for {where}"
    return answer


# -- tests -------------------------------------------------------------------------


async def test_probes_are_every_field_with_arguments(world: World) -> None:
    assert probes(world.schema) == PROBES
    assert len(PROBES) > 80


@pytest.mark.parametrize("probe", PROBES, ids=lambda probe: probe.name)
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_hostile_arguments_get_data_or_a_typed_error(
    gateway: Gateway, world: World, probe: Probe, data: st.DataObject
) -> None:
    parent = world.schema.type_map[probe.parent]
    assert isinstance(parent, GraphQLObjectType)
    arguments = data.draw(
        hostile_arguments(probe, parent.fields[probe.field], world), label="arguments"
    )
    await send(gateway, world, probe, arguments)


def plausible(type_: GraphQLInputType, world: World, probe: Probe, path: Path) -> Any:
    """One ordinary value of ``type_``, the same on every run."""
    type_ = _unwrapped(type_)
    if isinstance(type_, GraphQLList):
        return [plausible(type_.of_type, world, probe, (*path, 0))]
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: plausible(field.type, world, probe, (*path, name))
            for name, field in type_.fields.items()
            if not _optional(field.type, field.default_value)
        }
    if isinstance(type_, GraphQLEnumType):
        return sorted(type_.values)[0]
    assert isinstance(type_, GraphQLScalarType)
    if type_.name == "ID":
        kind = id_kind(world, probe, path)
        return world.ids_by_kind.get(kind or "", world.ids)[0]
    return {
        "Int": 1,
        "Float": 1.0,
        "Boolean": False,
        "DateTime": "2030-01-01T00:00:00+00:00",
        "Date": "2030-01-01",
        "Decimal": "1",
        "JSON": {},
    }.get(type_.name, "plausible")


def ordinary_arguments(probe: Probe, field: GraphQLField, world: World) -> dict[str, Any]:
    return {
        name: plausible(arg.type, world, probe, (name,))
        for name, arg in field.args.items()
        if not _optional(arg.type, arg.default_value)
    }


@pytest.mark.parametrize("probe", PROBES, ids=lambda probe: probe.name)
async def test_ordinary_arguments_run_and_a_null_in_any_nullable_place_is_a_typed_error(
    gateway: Gateway, world: World, probe: Probe
) -> None:
    """With ordinary values the operation passes validation and runs the field (so the
    hostile values above reach as far as a client's can). Then every nullable argument
    and input field, one at a time, is sent as null among ordinary values: a typed error
    or a deliberate clearing. (Where the schema says non-null, a null is refused before
    execution; the hostile examples send those too.)"""
    parent = world.schema.type_map[probe.parent]
    assert isinstance(parent, GraphQLObjectType)
    field = parent.fields[probe.field]
    body = await send(gateway, world, probe, ordinary_arguments(probe, field, world))
    ran = body.get("data") is not None or any(e.get("path") for e in body.get("errors") or [])
    assert ran, f"{probe.name} did not run: {body}"
    for path, type_ in slots(field):
        if isinstance(type_, GraphQLNonNull):
            continue
        arguments = ordinary_arguments(probe, field, world)
        put(arguments, path, None)
        await send(gateway, world, probe, arguments)
