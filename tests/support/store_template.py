"""A migrated and seeded store built once per session and backend, copied into each
test's empty database instead of migrating and seeding it again.

    templates = StoreTemplates(migrate_and_seed)     # async (url) -> what the build returns
    result = await templates.copy_into(url)          # None: not a copy, build it in place

Migrating an empty database and seeding the standard tenants takes about a second (more
on PostgreSQL), and the suite starts well over a hundred gateways. The outcome is the
same every time: the migrations are fixed, and the seed draws every value from its
random seed, never from the clock or from database ids. So the first call per backend
builds it in a template of this session's own, and later calls copy that template:

- PostgreSQL: the test's database is dropped and created again with
  ``CREATE DATABASE ... TEMPLATE``; tables, rows and sequence positions come along.
  Once built, the template takes no connections, so nothing can write to it.
- SQLite: the template file (checkpointed, no ``-wal`` left) is copied to the test's
  path as 0600, ``sqlite_sequence`` included.

A copy is made only where it cannot change what a test sees: a SQLite path where no
file exists yet, or a PostgreSQL database this process made (`fresh_postgres_database`)
on this session's server that holds nothing and that nobody is connected to. Anything
else is left alone (``None``), and the caller migrates and seeds it as before. Every
test keeps a database of its own; the templates are only ever read, and are deleted
by `close` at the end of the session.
"""

from __future__ import annotations

import asyncio
import copy
import os
import re
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

from gateway.private_files import PRIVATE_FILE, private_directory
from tests.support import services as svc

T = TypeVar("T")

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

USER_OBJECTS = """
SELECT
    (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_%')
  + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_%')
  + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_%')
  + (SELECT count(*) FROM pg_namespace
     WHERE nspname NOT IN ('public', 'information_schema') AND nspname NOT LIKE 'pg\\_%')
  + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql')
"""
"""Everything a database holds beyond what ``template0`` gives it: tables, sequences,
views, types, functions, schemas, extensions."""


class StoreTemplates(Generic[T]):
    """Templates per backend, built on first use by ``build(url)``.

    ``build`` must leave no connection open and return the same result for any empty
    database; each copy gets its own deep copy of that result.
    """

    def __init__(self, build: Callable[[str], Awaitable[T]]) -> None:
        self._build = build
        self._sqlite: tuple[Path, T] | None = None
        self._postgres: dict[str, tuple[str, T]] = {}
        self._building: set[str] = set()
        self._folder: Path | None = None

    async def copy_into(self, database_url: str) -> T | None:
        """Fill the empty database at ``database_url`` from the template; ``None`` when
        that database is not one a copy may replace."""
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite":
            return await self._copy_sqlite(database_url)
        if url.get_backend_name() == "postgresql":
            return await self._copy_postgres(database_url)
        return None

    def close(self) -> None:
        """Delete every template (sync, for ``config.add_cleanup``)."""
        postgres, self._postgres = self._postgres, {}

        async def drop_postgres_templates() -> None:
            for server, (name, _result) in postgres.items():
                await _drop_with_retries(server, name)

        if postgres:
            svc.run_coroutine(drop_postgres_templates)
        self._sqlite = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    # SQLite

    async def _copy_sqlite(self, database_url: str) -> T | None:
        path = sqlite_target(database_url)
        if path is None:
            return None
        template = await self._sqlite_template()
        if template is None:
            return None
        source, result = template
        private_directory(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        except FileExistsError:
            return None
        with os.fdopen(fd, "wb") as target, source.open("rb") as data:
            os.fchmod(fd, PRIVATE_FILE)
            shutil.copyfileobj(data, target)
        return copy.deepcopy(result)

    async def _sqlite_template(self) -> tuple[Path, T] | None:
        if self._sqlite is not None:
            return self._sqlite
        if "sqlite" in self._building:
            return None
        self._building.add("sqlite")
        try:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="talentgraph-template-"))
            path = self._folder / "template.db"
            for stale in (path, *(side_file(path, s) for s in SQLITE_SIDE_FILES)):
                stale.unlink(missing_ok=True)
            result = await self._build(f"sqlite+aiosqlite:///{path}")
            checkpoint_sqlite(path)
            self._sqlite = (path, result)
            return self._sqlite
        finally:
            self._building.discard("sqlite")

    # PostgreSQL

    async def _copy_postgres(self, database_url: str) -> T | None:
        target = postgres_target(database_url)
        if target is None:
            return None
        server, name = target
        template = await self._postgres_template(server)
        if template is None or not await replaceable_postgres_database(server, name):
            return None
        source, result = template
        conn = await asyncpg.connect(svc.admin_dsn(server), timeout=5)
        try:
            try:
                await conn.execute(f'DROP DATABASE "{name}"')
            except asyncpg.ObjectInUseError:
                return None
            try:
                await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            except BaseException:
                await svc.create_database(server, name)
                raise
        finally:
            await conn.close()
        return copy.deepcopy(result)

    async def _postgres_template(self, server: str) -> tuple[str, T] | None:
        if server in self._postgres:
            return self._postgres[server]
        key = f"postgresql:{server}"
        if key in self._building:
            return None
        self._building.add(key)
        try:
            name = svc.database_name(f"{svc.DATABASE_PREFIX}_tmpl")
            await svc.create_database(server, name)
            try:
                result = await self._build(svc.async_database_url(server, name))
                await refuse_connections(server, name)
            except BaseException:
                await svc.drop_database(server, name)
                raise
            self._postgres[server] = (name, result)
            return self._postgres[server]
        finally:
            self._building.discard(key)


DROP_TRIES = 5


async def _drop_with_retries(
    server: str, name: str, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> None:
    """Drop a template at the end of the session, trying again for a few seconds: at
    that moment the server may refuse a new connection (its connection slots taken by
    other sessions ending), and a template left behind is a database the run did not
    leave as found. Said on stderr if it cannot be done."""
    for attempt in range(DROP_TRIES):
        try:
            await svc.drop_database(server, name)
            return
        except (svc.ServiceUnavailable, asyncpg.PostgresError, OSError) as exc:
            if attempt == DROP_TRIES - 1:
                print(f"could not drop the test template {name}: {exc!r}", file=sys.stderr)
                return
            await sleep(0.5 * (attempt + 1))


def side_file(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def sqlite_target(database_url: str) -> Path | None:
    """The file of a plain SQLite URL when neither it nor its side files exist yet."""
    url = make_url(database_url)
    database = url.database
    if url.query or not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    if any(p.exists() for p in (path, *(side_file(path, s) for s in SQLITE_SIDE_FILES))):
        return None
    return path


def checkpoint_sqlite(path: Path) -> None:
    """Fold the write-ahead log into the file, so that copying the file alone is whole."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    leftovers = [p for p in (side_file(path, s) for s in SQLITE_SIDE_FILES) if p.exists()]
    if leftovers:
        raise RuntimeError(f"the SQLite template is still open: {leftovers}")


def postgres_target(database_url: str) -> tuple[str, str] | None:
    """(server URL, database name) when the URL names a database made by this process's
    `fresh_postgres_database` on this session's server."""
    name = make_url(database_url).database or ""
    if not re.fullmatch(rf"{svc.DATABASE_PREFIX}_{os.getpid()}_[0-9a-f]{{8}}", name):
        return None
    server = svc.session_services().found_postgres()
    if server is None or svc.async_database_url(server, name) != database_url:
        return None
    return server, name


async def refuse_connections(server: str, name: str) -> None:
    """Close ``name`` to connections; ``CREATE DATABASE ... TEMPLATE`` still copies it."""
    conn = await asyncpg.connect(svc.admin_dsn(server), timeout=5)
    try:
        await conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    finally:
        await conn.close()


async def replaceable_postgres_database(server: str, name: str) -> bool:
    """Nobody is connected to ``name`` and it holds nothing of its own."""
    admin = await asyncpg.connect(svc.admin_dsn(server), timeout=5)
    try:
        connected = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name
        )
    finally:
        await admin.close()
    if connected:
        return False
    conn: Any = await asyncpg.connect(
        make_url(svc.admin_dsn(server)).set(database=name).render_as_string(hide_password=False),
        timeout=5,
    )
    try:
        return int(await conn.fetchval(USER_OBJECTS)) == 0
    finally:
        await conn.close()
