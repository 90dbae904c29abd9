"""The role matrix, checked against the schema rather than a list of operations.

Every root field of ``Query`` and ``Mutation`` in the schema is sent as each non-admin
role with arguments made up from its types, and the permissions the request looked up
in the role table are noted on the way. Whatever a request asks that the role must
never hold (``NEVER``) has to be refused: ``PermissionDeniedError`` for a mutation,
a ``FORBIDDEN`` error for a query. A new operation is covered the day it is added,
and a permission slipped into the wrong role in ``gateway.permissions`` fails here.

The query side is also checked the other way round: with the permission a query asks
taken away from the role, the query must answer ``FORBIDDEN``; every role holds every
permission a query asks today, so only this shows that the check can refuse at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLSchema,
    get_named_type,
    is_enum_type,
    is_input_object_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    is_required_argument,
    is_required_input_field,
    is_scalar_type,
)

from gateway import permissions
from gateway.auth import Principal
from gateway.permissions import ROLE_PERMISSIONS, Permission, allows
from gateway.store.enums import Role
from resolvers.permissions import Forbidden, require
from resolvers.relay import to_global_id
from resolvers.schema import build_schema
from tests.support.gateway import Gateway, running_gateway

SCHEMA: GraphQLSchema = build_schema()._schema
assert SCHEMA.query_type is not None and SCHEMA.mutation_type is not None
QUERIES = sorted(SCHEMA.query_type.fields)
MUTATIONS = sorted(SCHEMA.mutation_type.fields)

READS = frozenset(p for p in Permission if p.value.endswith((":read", ":read-all")))
ADMIN_ONLY = frozenset(
    {
        Permission.SETTINGS_MANAGE,
        Permission.PERSONAS_MANAGE,
        Permission.PROMPTS_MANAGE,
        Permission.QUEUE_MANAGE,
        Permission.JOBS_APPROVE,
        Permission.CREDENTIALS_MANAGE,
        Permission.INTEGRATIONS_MANAGE,
        Permission.RECRUITERS_MANAGE,
        Permission.REMOTE_DATA_READ,
        Permission.INTEGRATIONS_PASSTHROUGH,
    }
)
"""Settings, personas and prompts, the background queue, approving requisitions,
integrations with their credentials, OAuth grants and webhook secrets, and who acts as
whom in them, and the sources' raw records and APIs."""

NEVER: dict[Role, frozenset[Permission]] = {
    Role.READONLY: (frozenset(Permission) - READS) | {Permission.REMOTE_DATA_READ},
    Role.RECRUITER: ADMIN_ONLY | {Permission.ACTIVITIES_READ_ALL},
}
"""What each role must never hold: read-only users change nothing; recruiters manage
no credentials, personas or other admin matters, and see the activity of their own
requisitions only."""

NARROWS = {
    Permission.ACTIVITIES_READ_ALL: "without it the activity log shows the caller's own "
    "requisitions only; the table test keeps it from recruiters",
}
"""Permissions a query looks up to narrow what it answers, not to refuse."""

NEEDS_NO_PERMISSION = {
    "me": "every signed-in user reads themselves",
    "publicInterview": "the candidate's invitation token is the credential",
    "publicInterviewStart": "the candidate's invitation token is the credential",
    "publicInterviewSendMessage": "the candidate's invitation token is the credential",
    "publicInterviewRequestHuman": "the candidate's invitation token is the credential",
}

SCALARS: dict[str, Any] = {
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "DateTime": "2030-01-01T00:00:00+00:00",
    "Date": "2030-01-01",
    "Decimal": "1",
    "JSON": {},
}
NODE_TYPES = sorted(
    (t.name for t in SCHEMA.get_possible_types(cast(Any, SCHEMA.get_type("Node")))),
    key=len,
    reverse=True,
)
MISSING_PK = 999_999
"""Mutations name records that do not exist: a made-up input must never change one."""


def _id_type(operation: str, field: str) -> str:
    """The Node type an ``ID`` most likely names: ``interviewId`` an Interview, the
    ``id`` of ``webhookSubscriptionUpdate`` a WebhookSubscription."""
    if field.endswith("Id") and field[:-2].capitalize() in NODE_TYPES:
        return field[:-2].capitalize()
    for type_name in NODE_TYPES:
        if operation.startswith(type_name[0].lower() + type_name[1:]):
            return type_name
    return "Job"


def _value(type_: GraphQLInputType, operation: str, field: str, pk: int) -> Any:
    if is_non_null_type(type_):
        return _value(cast(Any, type_).of_type, operation, field, pk)
    if is_list_type(type_):
        return [_value(cast(Any, type_).of_type, operation, field, pk)]
    if is_enum_type(type_):
        return next(iter(cast(Any, type_).values))
    if is_input_object_type(type_):
        fields = cast(GraphQLInputObjectType, type_).fields
        return {
            name: _value(spec.type, operation, name, pk)
            for name, spec in fields.items()
            if is_required_input_field(spec)
        }
    name = cast(Any, type_).name
    return to_global_id(_id_type(operation, field), pk) if name == "ID" else SCALARS[name]


def _document(kind: str, name: str, field: GraphQLField) -> tuple[str, dict[str, Any]]:
    """An operation calling only ``name``, with every required argument as a variable."""
    returned = get_named_type(field.type)
    operation = returned.name if kind == "query" and is_object_type(returned) else name
    pk = 1 if kind == "query" else MISSING_PK
    variables = {
        arg: _value(spec.type, operation, arg, pk)
        for arg, spec in field.args.items()
        if is_required_argument(spec)
    }
    declared = ", ".join(f"${arg}: {field.args[arg].type}" for arg in variables)
    passed = ", ".join(f"{arg}: ${arg}" for arg in variables)
    selection = ""
    if not is_scalar_type(returned) and not is_enum_type(returned):
        denied = SCHEMA.get_type("PermissionDeniedError")
        reports_denial = denied is not None and denied in _members(returned)
        selection = "{ __typename ... on PermissionDeniedError { permission } }"
        selection = selection if reports_denial else "{ __typename }"
    head = f"{kind} Probe({declared})" if variables else f"{kind} Probe"
    call = f"{name}({passed})" if variables else name
    return f"{head} {{ {call} {selection} }}", variables


def _members(named: Any) -> list[Any]:
    return list(SCHEMA.get_possible_types(named)) if not is_object_type(named) else [named]


class _Noted:
    """A role's permission set that notes every permission looked up in it."""

    def __init__(self, granted: Iterable[Permission], asked: list[Permission]) -> None:
        self.granted = frozenset(granted)
        self.asked = asked

    def __contains__(self, permission: object) -> bool:
        self.asked.append(cast(Permission, permission))
        return permission in self.granted

    def __iter__(self) -> Iterator[Permission]:
        return iter(self.granted)


@contextmanager
def _noting(role: Role, without: frozenset[Permission] = frozenset()) -> Iterator[list[Any]]:
    """While open, ``role`` holds what the table gives it less ``without``; yields the
    permissions looked up for it."""
    asked: list[Any] = []
    table = permissions.ROLE_PERMISSIONS
    kept = table[role]
    table[role] = cast(frozenset[Permission], _Noted(kept - without, asked))
    try:
        yield asked
    finally:
        table[role] = kept


@pytest.fixture(scope="module")
async def sqlite_gateway(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    """Permission checks come before any statement: one backend is enough here."""
    path = Path(tmp_path_factory.mktemp("roles")) / "roles.db"
    async with running_gateway(f"sqlite+aiosqlite:///{path}") as gateway:
        yield gateway


async def _send(
    gateway: Gateway, kind: str, name: str, role: Role, without: frozenset[Permission] = frozenset()
) -> tuple[dict[str, Any], set[Permission]]:
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    document, variables = _document(kind, name, root.fields[name])
    await gateway.app.state.cache.invalidate(gateway.tenants["demo"].tenant_id)
    with _noting(role, without) as asked:
        response = await gateway.post(document, variables or None, role=role)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    validation = [e for e in body.get("errors") or () if "locations" in e and "path" not in e]
    assert not validation, f"the made-up {kind} is not valid: {document} {variables} {body}"
    return body, {Permission(p) for p in asked}


def _forbidden(body: dict[str, Any]) -> set[str]:
    return {
        (error.get("extensions") or {}).get("permission", "")
        for error in body.get("errors") or ()
        if (error.get("extensions") or {}).get("code") == "FORBIDDEN"
    }


NEVER_PAIRS = [(role, p) for role in sorted(NEVER) for p in sorted(NEVER[role])]


@pytest.mark.parametrize(
    ("role", "permission"), NEVER_PAIRS, ids=[f"{r.value}-{p.value}" for r, p in NEVER_PAIRS]
)
def test_the_table_keeps_each_role_from_what_it_must_never_hold(
    role: Role, permission: Permission
) -> None:
    assert not allows(role, permission), f"{role.value} may {permission.value}"


def test_admins_hold_every_permission() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)


OPERATIONS = [("mutation", name) for name in MUTATIONS] + [("query", name) for name in QUERIES]


@pytest.mark.parametrize("role", sorted(NEVER), ids=str)
@pytest.mark.parametrize(("kind", "name"), OPERATIONS, ids=[f"{k}-{n}" for k, n in OPERATIONS])
async def test_no_role_runs_what_it_must_never_hold(
    sqlite_gateway: Gateway, role: Role, kind: str, name: str
) -> None:
    body, asked = await _send(sqlite_gateway, kind, name, role)
    if not asked:
        assert name in NEEDS_NO_PERMISSION, f"{name} checks no permission: {body}"
        return
    if kind == "mutation":
        assert asked - READS, f"{name} asks only for read permissions: {sorted(asked)}"
    privileged = {p.value for p in (asked - NARROWS.keys()) & NEVER[role]}
    if not privileged:
        return
    if kind == "mutation":
        result = (body.get("data") or {}).get(name) or {}
        assert result.get("__typename") == "PermissionDeniedError", (
            f"{role.value} ran {name} needing {sorted(privileged)}: {body}"
        )
        assert result["permission"] in privileged
    else:
        assert _forbidden(body) & privileged, (
            f"{role.value} read {name} needing {sorted(privileged)}: {body}"
        )


@pytest.mark.parametrize("name", QUERIES)
async def test_a_query_is_refused_to_a_role_without_its_permission(
    sqlite_gateway: Gateway, name: str
) -> None:
    body, asked = await _send(sqlite_gateway, "query", name, Role.READONLY)
    if not asked:
        assert name in NEEDS_NO_PERMISSION, f"{name} checks no permission: {body}"
        return
    for permission in asked - NARROWS.keys():
        refused, _ = await _send(
            sqlite_gateway, "query", name, Role.READONLY, without=frozenset({permission})
        )
        assert permission.value in _forbidden(refused), (
            f"{name} answered a role without {permission.value}: {refused}"
        )
        assert not (refused.get("data") or {}).get(name), refused


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_require_refuses_every_permission_the_role_lacks(role: Role) -> None:
    principal = Principal(tenant_id=1, tenant_slug="t", user_id=1, role=role)
    info = cast(Any, SimpleNamespace(context=SimpleNamespace(require_principal=lambda: principal)))
    for permission in Permission:
        if allows(role, permission):
            assert require(info, permission) is principal
        else:
            with pytest.raises(Forbidden) as refused:
                require(info, permission)
            assert refused.value.extensions == {
                "code": "FORBIDDEN",
                "permission": permission.value,
            }
