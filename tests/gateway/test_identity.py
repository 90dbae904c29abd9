"""Identities that cannot be inherited, tokens that can be revoked, files only their
owner reads.

On SQLite and PostgreSQL: a deleted user's token never acts as the user created after
them, and a deleted integration's global id never names the next one (ids are never
handed out twice); revoking a user's tokens closes their HTTP access at once, for an
admin revoking anyone's and a user revoking their own; tokens issued before versions
existed still work for the users of that time only; ``talentgraph token`` issues tokens
of the user's current version. The upgrade to never-reused ids keeps every row on a
populated database. The SQLite database and the development secrets are private files.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import stat
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.operations import Operations
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable
from typer.testing import CliRunner

from demo.seed import seed_demo
from gateway.auth import AuthenticationError, decode_token, issue_token
from gateway.cli import app as cli
from gateway.crypto import Keyring
from gateway.services.principals import principal_for_token
from gateway.store.base import Base
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import Role
from gateway.store.migrate import alembic_config, schema_transaction, upgrade
from gateway.store.models import Activity, Tenant, User
from gateway.store.reader import Reader
from resolvers.relay import from_global_id, to_global_id
from tests.support.gateway import JWT_SECRET, SIZES, Gateway

ME = "{ me { id email role } }"
NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"
INTEGRATION = "query Integration($id: ID!) { integration(id: $id) { id name } }"
RECRUITER_CREATE = """
mutation RecruiterCreate($input: RecruiterCreateInput!) {
  recruiterCreate(input: $input) {
    __typename
    ... on RecruiterCreateSuccess { recruiter { id email role } }
    ... on UserError { message code }
  }
}
"""
RECRUITER_DELETE = """
mutation RecruiterDelete($input: RecruiterDeleteInput!) {
  recruiterDelete(input: $input) { __typename ... on UserError { message code } }
}
"""
TOKENS_REVOKE = """
mutation Revoke($input: RecruiterTokensRevokeInput!) {
  recruiterTokensRevoke(input: $input) {
    __typename
    ... on RecruiterTokensRevokeSuccess { recruiter { id email } }
    ... on PermissionDeniedError { permission }
    ... on UserError { message code }
  }
}
"""
INTEGRATION_CREATE = """
mutation IntegrationCreate($input: IntegrationCreateInput!) {
  integrationCreate(input: $input) {
    __typename
    ... on IntegrationCreateSuccess { integration { id name } }
    ... on UserError { message code }
  }
}
"""
INTEGRATION_DELETE = """
mutation IntegrationDelete($id: ID!) {
  integrationDelete(input: {id: $id}) { __typename ... on UserError { message code } }
}
"""


def _token(gateway: Gateway, user_id: int, *, version: int | None = None) -> str:
    """A token of ``user_id`` in tenant demo; ``version`` defaults to a new user's."""
    extra = {} if version is None else {"token_version": version}
    return issue_token(
        JWT_SECRET,
        tenant_id=gateway.tenants["demo"].tenant_id,
        tenant_slug="demo",
        user_id=user_id,
        role=Role.ADMIN,
        ttl_seconds=3600,
        **extra,
    )


def _unversioned_token(gateway: Gateway, user_id: int) -> str:
    """A token as issued before tokens carried a version."""
    now = int(time.time())
    claims = {
        "iss": "talentgraph",
        "sub": str(user_id),
        "tid": gateway.tenants["demo"].tenant_id,
        "tenant": "demo",
        "role": "admin",
        "iat": now,
        "exp": now + 3600,
    }
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256")


async def _me(gateway: Gateway, token: str) -> tuple[int, dict[str, Any]]:
    response = await gateway.client.post(
        "/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"}
    )
    body: dict[str, Any] = response.json()
    return response.status_code, body


async def _assert_acts_as(gateway: Gateway, token: str, email: str) -> None:
    status, body = await _me(gateway, token)
    assert status == 200, body
    assert body["data"]["me"]["email"] == email


async def _assert_refused(gateway: Gateway, token: str) -> str:
    status, body = await _me(gateway, token)
    assert status == 401, body
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    message: str = error["message"]
    return message


async def _create_user(gateway: Gateway, role: str = "RECRUITER") -> tuple[str, int, str]:
    """A new user in tenant demo: (global id, primary key, email)."""
    email = f"identity-{uuid.uuid4().hex[:10]}@example.com"
    data = await gateway.execute(
        RECRUITER_CREATE, {"input": {"name": "Identity", "email": email, "role": role}}
    )
    result = data["recruiterCreate"]
    assert result["__typename"] == "RecruiterCreateSuccess", result
    global_id: str = result["recruiter"]["id"]
    return global_id, from_global_id(global_id)[1], email


async def _revoke(gateway: Gateway, global_id: str, token: str) -> dict[str, Any]:
    response = await gateway.client.post(
        "/graphql",
        json={"query": TOKENS_REVOKE, "variables": {"input": {"recruiterId": global_id}}},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["recruiterTokensRevoke"]
    return result


# --- ids are never handed out twice ---------------------------------------------------------


async def test_a_deleted_users_token_never_acts_as_the_user_created_next(
    gateway: Gateway,
) -> None:
    """The deleted recruiter holds the largest user id, the one SQLite without
    AUTOINCREMENT gives to the next insert; the next user is an admin."""
    global_id, deleted_pk, email = await _create_user(gateway, "RECRUITER")
    old_token = _token(gateway, deleted_pk)
    await _assert_acts_as(gateway, old_token, email)

    deleted = await gateway.execute(RECRUITER_DELETE, {"input": {"id": global_id}})
    assert deleted["recruiterDelete"]["__typename"] == "RecruiterDeleteSuccess"
    _next_id, next_pk, next_email = await _create_user(gateway, "ADMIN")

    assert next_pk > deleted_pk
    await _assert_refused(gateway, old_token)
    await _assert_acts_as(gateway, _token(gateway, next_pk), next_email)


async def test_a_deleted_integrations_global_id_never_names_the_one_created_next(
    gateway: Gateway,
) -> None:
    async def create(name: str) -> str:
        variables = {
            "input": {"provider": "RECRUITERFLOW", "name": name, "credentials": {"apiKey": "k"}}
        }
        result = (await gateway.execute(INTEGRATION_CREATE, variables))["integrationCreate"]
        assert result["__typename"] == "IntegrationCreateSuccess", result
        integration_id: str = result["integration"]["id"]
        return integration_id

    old_id = await create("Soon deleted")
    deleted = await gateway.execute(INTEGRATION_DELETE, {"id": old_id})
    assert deleted["integrationDelete"]["__typename"] == "IntegrationDeleteSuccess"
    new_id = await create("Created next")

    assert from_global_id(new_id)[1] > from_global_id(old_id)[1]
    assert (await gateway.execute(NODE, {"id": old_id}))["node"] is None
    assert (await gateway.execute(INTEGRATION, {"id": old_id}))["integration"] is None
    assert (await gateway.execute(INTEGRATION, {"id": new_id}))["integration"]["name"] == (
        "Created next"
    )


async def test_seeding_a_tenant_never_reuses_a_deleted_users_id(
    gateway: Gateway, tmp_path: Path
) -> None:
    """The demo seeder picks its ids itself: above the highest id ever handed out, not
    only above the highest id still there."""
    global_id, deleted_pk, _email = await _create_user(gateway, "RECRUITER")
    deleted = await gateway.execute(RECRUITER_DELETE, {"input": {"id": global_id}})
    assert deleted["recruiterDelete"]["__typename"] == "RecruiterDeleteSuccess"
    engine = create_engine(gateway.settings.resolved_database_url)
    try:
        seeded = await seed_demo(
            create_session_factory(engine),
            slug=f"seeded-{uuid.uuid4().hex[:6]}",
            jobs=1,
            candidates=2,
            applications=1,
        )
    finally:
        await engine.dispose()
    users = [seeded.admin_user_id, seeded.readonly_user_id, *seeded.recruiter_user_ids]
    assert min(users) > deleted_pk
    _next_id, next_pk, _next_email = await _create_user(gateway, "ADMIN")
    assert next_pk > max(users), "the database's own counter moved past the seeded ids"


# --- revocation -------------------------------------------------------------------------------


async def test_an_admin_revokes_a_users_tokens(gateway: Gateway) -> None:
    global_id, pk, email = await _create_user(gateway)
    first, second = _token(gateway, pk), _token(gateway, pk)
    await _assert_acts_as(gateway, first, email)

    result = await _revoke(gateway, global_id, gateway.token())
    assert result == {
        "__typename": "RecruiterTokensRevokeSuccess",
        "recruiter": {"id": global_id, "email": email},
    }

    assert "revoked" in await _assert_refused(gateway, first)
    await _assert_refused(gateway, second)
    await _assert_acts_as(gateway, _token(gateway, pk, version=2), email)
    async with gateway.app.state.session_factory() as session:
        actions = (
            await session.scalars(
                sa.select(Activity.action).where(
                    Activity.subject_type == "Recruiter", Activity.subject_id == pk
                )
            )
        ).all()
    assert "recruiter.tokens_revoked" in actions


async def test_a_user_revokes_their_own_tokens_but_nobody_elses(gateway: Gateway) -> None:
    own_id, own_pk, own_email = await _create_user(gateway)
    other_id, other_pk, other_email = await _create_user(gateway)
    own, other = _token(gateway, own_pk), _token(gateway, other_pk)

    refused = await _revoke(gateway, other_id, own)
    assert (refused["__typename"], refused["permission"]) == (
        "PermissionDeniedError",
        "recruiters:manage",
    )
    await _assert_acts_as(gateway, other, other_email)

    await _assert_acts_as(gateway, own, own_email)
    assert (await _revoke(gateway, own_id, own))["__typename"] == "RecruiterTokensRevokeSuccess"
    await _assert_refused(gateway, own)


async def test_tokens_without_a_version_work_only_for_users_from_before_versions(
    gateway: Gateway,
) -> None:
    """Users the upgrade found are at version 0, the version of a token that has none."""
    email = f"earlier-{uuid.uuid4().hex[:8]}@example.com"
    async with gateway.app.state.session_factory.begin() as session:
        earlier = User(
            tenant_id=gateway.tenants["demo"].tenant_id,
            email=email,
            name="From before versions",
            role=Role.RECRUITER,
            token_version=0,
        )
        session.add(earlier)
        await session.flush()
        earlier_pk = earlier.id
    _new_id, new_pk, _email = await _create_user(gateway)

    unversioned = _unversioned_token(gateway, earlier_pk)
    await _assert_acts_as(gateway, unversioned, email)
    await _assert_refused(gateway, _unversioned_token(gateway, new_pk))

    revoked = await _revoke(gateway, to_global_id("Recruiter", earlier_pk), gateway.token())
    assert revoked["__typename"] == "RecruiterTokensRevokeSuccess"
    await _assert_refused(gateway, unversioned)


def test_the_cli_issues_tokens_of_the_users_current_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "cli.db"
    url = f"sqlite+aiosqlite:///{database}"
    monkeypatch.setenv("TALENTGRAPH_DATABASE_URL", url)
    monkeypatch.setenv("TALENTGRAPH_JWT_SECRET", JWT_SECRET)
    monkeypatch.setenv("TALENTGRAPH_DATA_DIR", str(tmp_path / "data"))
    arguments = ["token", "--tenant", "acme", "--email", "lead@acme.example", "--create"]

    first = CliRunner().invoke(cli, arguments)
    assert first.exit_code == 0, first.output
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE users SET token_version = token_version + 1")
    second = CliRunner().invoke(cli, arguments)
    assert second.exit_code == 0, second.output

    async def principal(token: str) -> int:
        engine = create_engine(url)
        try:
            return (await principal_for_token(Reader(engine), JWT_SECRET, token)).user_id
        finally:
            await engine.dispose()

    old, new = first.stdout.strip(), second.stdout.strip()
    assert decode_token(JWT_SECRET, new).token_version == 2
    assert asyncio.run(principal(new)) == decode_token(JWT_SECRET, old).user_id
    with pytest.raises(AuthenticationError, match="revoked"):
        asyncio.run(principal(old))


# --- the upgrade to never-reused ids ------------------------------------------------------------


def test_every_model_with_a_generated_id_declares_it_never_reused() -> None:
    """What a new table's migration is generated from: the models."""
    generated = [t for t in Base.metadata.sorted_tables if t.autoincrement_column is not None]
    assert len(generated) >= 26
    for table in generated:
        assert "AUTOINCREMENT" in str(CreateTable(table).compile(dialect=sqlite.dialect())), table


def _counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _indexes(connection: sqlite3.Connection) -> set[tuple[str, str]]:
    rows = connection.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    )
    return {(name, table) for name, table in rows}


def _copy_rows(source: Path, target: Path) -> None:
    """Every row of ``source`` into the same tables of ``target`` (a revision 0007 schema)."""
    with sqlite3.connect(target) as connection:
        connection.execute("PRAGMA foreign_keys=OFF")
        connection.execute("ATTACH DATABASE ? AS seeded", (str(source),))
        for table in _counts(connection):
            if table == "alembic_version":
                continue
            columns = ", ".join(
                f'"{row[1]}"' for row in connection.execute(f'PRAGMA main.table_info("{table}")')
            )
            connection.execute(
                f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM seeded."{table}"'
            )
        connection.commit()
        connection.execute("DETACH DATABASE seeded")


@contextlib.contextmanager
def tables_as_before_autoincrement() -> Iterator[None]:
    """Migrations create tables as releases before revision 0008 did: without
    ``AUTOINCREMENT``, so the upgrade has every table to rebuild."""
    original = Operations.create_table

    def create_table(self: Operations, name: str, *elements: Any, **kwargs: Any) -> Any:
        kwargs.pop("sqlite_autoincrement", None)
        return original(self, name, *elements, **kwargs)

    Operations.create_table = create_table  # type: ignore[method-assign]
    try:
        yield
    finally:
        Operations.create_table = original  # type: ignore[method-assign]


async def test_a_new_database_is_made_never_reusing_ids_without_a_rebuild(
    tmp_path: Path,
) -> None:
    database = tmp_path / "new.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await upgrade(engine, "0007")
    finally:
        await engine.dispose()
    with sqlite3.connect(database) as connection:
        plain = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE "
            "'%AUTOINCREMENT%' AND name NOT IN ('settings', 'alembic_version', 'sqlite_sequence')"
        ).fetchall()
    assert plain == []


async def test_upgrading_a_populated_sqlite_database_keeps_every_row_and_stops_id_reuse(
    tmp_path: Path,
) -> None:
    seeded, database = tmp_path / "seeded.db", tmp_path / "at-0007.db"
    engine = create_engine(f"sqlite+aiosqlite:///{seeded}")
    try:
        await upgrade(engine)
        for slug, sizes in SIZES.items():
            await seed_demo(create_session_factory(engine), slug=slug, **sizes)
    finally:
        await engine.dispose()
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        with tables_as_before_autoincrement():
            await upgrade(engine, "0007")
    finally:
        await engine.dispose()
    await asyncio.to_thread(_copy_rows, seeded, database)
    with sqlite3.connect(database) as connection:
        before, indexes = _counts(connection), _indexes(connection)
        legacy = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%'"
        ).fetchone()[0]
    assert legacy == 0, "the database is laid out as releases before 0008 made it"
    assert before["users"] > 0 and before["recruiter_links"] > 0 and before["applications"] > 0

    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            versions = (await connection.execute(sa.select(User.token_version))).scalars().all()
            foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        factory = create_session_factory(engine)
        tenant_id = await _scalar(factory, sa.select(Tenant.id).limit(1))
        first = await _insert_user(factory, tenant_id)
        async with factory.begin() as session:
            await session.execute(sa.delete(User).where(User.id == first))
        after_delete = await _insert_user(factory, tenant_id)
    finally:
        await engine.dispose()

    with sqlite3.connect(database) as connection:
        after = _counts(connection)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        tables_then = {table for _, table in indexes}
        assert {i for i in _indexes(connection) if i[1] in tables_then} == indexes, (
            "the rebuilt tables keep their indexes (tables made since have their own)"
        )
        sequences = dict(connection.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
        schemas = dict(
            connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        )
        tops = {
            table: connection.execute(f'SELECT max(id) FROM "{table}"').fetchone()[0]
            for table in after
            if table not in ("settings", "alembic_version", "sqlite_sequence")
        }
    assert {k: v for k, v in after.items() if k in before} == {
        **before,
        "users": before["users"] + 1,
    }
    assert all(after[k] == 0 for k in after.keys() - before.keys() - {"sqlite_sequence"}), (
        "tables made since 0007 start empty"
    )
    for table, top in tops.items():
        assert "AUTOINCREMENT" in schemas[table], table
        assert top is None or sequences[table] >= top, table
    assert "AUTOINCREMENT" not in schemas["settings"]
    assert set(versions) == {0}
    assert after_delete > first
    assert foreign_keys == 1, "the upgrade's connection went back to the pool without them"


async def _scalar(factory: Any, statement: Any) -> Any:
    async with factory() as session:
        return await session.scalar(statement)


async def _insert_user(factory: Any, tenant_id: int) -> int:
    async with factory.begin() as session:
        user = User(
            tenant_id=tenant_id,
            email=f"after-{uuid.uuid4().hex[:8]}@example.com",
            name="After the upgrade",
            role=Role.RECRUITER,
        )
        session.add(user)
        await session.flush()
        return user.id


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with schema_transaction(connection):
        command.downgrade(config, revision)


async def test_upgrading_a_populated_postgresql_database_adds_token_versions_only(
    private_postgres_url: str,
) -> None:
    engine = create_engine(private_postgres_url)
    try:
        await upgrade(engine)
        await seed_demo(create_session_factory(engine), slug="demo", **SIZES["demo"])
        async with engine.connect() as connection:
            await connection.run_sync(_downgrade, "0007")
        tables = [t for t in await _pg_tables(engine) if t != "alembic_version"]
        before = await _pg_counts(engine, tables)
        await upgrade(engine)
        after = await _pg_counts(engine, tables)
        async with engine.connect() as connection:
            versions = (await connection.execute(sa.select(User.token_version))).scalars().all()
    finally:
        await engine.dispose()
    assert before["users"] > 0
    assert after == before
    assert set(versions) == {0}


async def _pg_tables(engine: Any) -> list[str]:
    async with engine.connect() as connection:
        names: list[str] = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
        return names


async def _pg_counts(engine: Any, tables: list[str]) -> dict[str, int]:
    async with engine.connect() as connection:
        return {
            t: (await connection.execute(sa.text(f'SELECT count(*) FROM "{t}"'))).scalar_one()
            for t in tables
        }


# --- private files ----------------------------------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Files created as the umask allows would be world-readable: modes must not depend
    on it."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(*paths: Path) -> tuple[int | None, ...]:
    """Each file's permission bits; ``None`` for a file that does not exist."""
    return tuple(stat.S_IMODE(p.stat().st_mode) if p.exists() else None for p in paths)


def _create_readable(*paths: Path) -> None:
    for path in paths:
        path.touch()
        path.chmod(0o644)


async def test_the_sqlite_database_its_journal_and_its_new_folder_are_private(
    tmp_path: Path, open_umask: None
) -> None:
    folder = tmp_path / "made" / "for-it"
    database = folder / "talentgraph.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await upgrade(engine)
        async with create_session_factory(engine).begin() as session:
            session.add(Tenant(slug="private", name="Private"))
        async with engine.connect() as connection:
            await connection.execute(sa.select(Tenant.id))
            wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
            assert _modes(wal, shm) == (0o600, 0o600)
    finally:
        await engine.dispose()
    assert _modes(database, folder, folder.parent) == (0o600, 0o700, 0o700)


async def test_an_existing_readable_database_is_made_private_when_opened(
    tmp_path: Path, open_umask: None
) -> None:
    database = tmp_path / "old.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade(engine)
    await engine.dispose()
    wal = Path(f"{database}-wal")
    _create_readable(database, wal)
    assert _modes(database, wal) == (0o644, 0o644)

    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await engine.dispose()
    assert _modes(database, wal) == (0o600, 0o600)


def test_the_development_key_and_its_folder_are_private(tmp_path: Path, open_umask: None) -> None:
    data_dir = tmp_path / "data"
    keyring = Keyring.development(data_dir)
    key_file = data_dir / "encryption-keys"
    assert _modes(data_dir, key_file) == (0o700, 0o600)

    data_dir.chmod(0o755)
    key_file.chmod(0o644)
    again = Keyring.development(data_dir)
    assert _modes(data_dir, key_file) == (0o700, 0o600)
    assert again.current == keyring.current
    assert [p.name for p in data_dir.iterdir()] == ["encryption-keys"]
