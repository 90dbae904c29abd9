"""The seeded store template: a copy is exactly what migrating and seeding in place makes,
each copy is a database of its own, and nothing that holds data or is in use is replaced."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from demo.seed import DemoTenant
from tests.support import services as svc
from tests.support.gateway import STANDARD_STORE, migrate_and_seed
from tests.support.store_template import StoreTemplates

Snapshot = dict[str, list[tuple[Any, ...]]]


@contextlib.asynccontextmanager
async def empty_database(kind: str, tmp_path: Path, server_url: str | None) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / svc.database_name('copy')}.db"
        return
    assert server_url is not None
    async with svc.fresh_postgres_database(server_url=server_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server_url(kind: str, request: pytest.FixtureRequest) -> str | None:
    if kind == "sqlite":
        return None
    return str(request.getfixturevalue("postgres_server_url"))


@pytest.fixture
def templates() -> StoreTemplates[dict[str, DemoTenant]]:
    """The templates every `running_gateway` copies from."""
    return STANDARD_STORE


def template_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("talentgraph-template-*"))


async def snapshot(url: str) -> Snapshot:
    """Every row of every table, and on PostgreSQL every sequence's position; SQLite's
    ``sqlite_sequence`` is a table like the others."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            if url.startswith("sqlite"):
                listing = "SELECT name FROM sqlite_master WHERE type = 'table'"
            else:
                listing = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            tables = sorted((await conn.execute(text(listing))).scalars())
            state: Snapshot = {}
            for table in tables:
                rows = (await conn.execute(text(f'SELECT * FROM "{table}"'))).all()
                state[table] = sorted((tuple(row) for row in rows), key=repr)
            if not url.startswith("sqlite"):
                sequences = await conn.execute(
                    text(
                        "SELECT sequencename, last_value FROM pg_sequences "
                        "WHERE schemaname = 'public'"
                    )
                )
                state["<sequences>"] = sorted(tuple(row) for row in sequences)
            return state
    finally:
        await engine.dispose()


async def test_a_copy_holds_exactly_what_migrating_and_seeding_makes(
    kind: str,
    server_url: str | None,
    tmp_path: Path,
    templates: StoreTemplates[dict[str, DemoTenant]],
) -> None:
    async with (
        empty_database(kind, tmp_path, server_url) as built_url,
        empty_database(kind, tmp_path, server_url) as copied_url,
    ):
        built = await migrate_and_seed(built_url)
        copied = await templates.copy_into(copied_url)
        assert copied == built
        expected = await snapshot(built_url)
        assert len(expected["tenants"]) == 2
        assert sum(len(rows) for rows in expected.values()) > 1000
        assert await snapshot(copied_url) == expected


async def test_each_copy_is_a_database_of_its_own(
    kind: str,
    server_url: str | None,
    tmp_path: Path,
    templates: StoreTemplates[dict[str, DemoTenant]],
) -> None:
    async with (
        empty_database(kind, tmp_path, server_url) as first,
        empty_database(kind, tmp_path, server_url) as second,
    ):
        tenants = await templates.copy_into(first)
        assert tenants is not None
        tenants["demo"].recruiter_user_ids.clear()
        engine = create_async_engine(first)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("DELETE FROM activities"))
                await conn.execute(text("UPDATE tenants SET name = 'changed'"))
        finally:
            await engine.dispose()
        again = await templates.copy_into(second)
        assert again is not None
        assert again["demo"].recruiter_user_ids
        engine = create_async_engine(second)
        try:
            async with engine.connect() as conn:
                assert await conn.scalar(text("SELECT count(*) FROM activities"))
                names = set((await conn.execute(text("SELECT name FROM tenants"))).scalars())
                assert "changed" not in names
        finally:
            await engine.dispose()


async def test_a_database_that_holds_anything_or_is_in_use_is_left_alone(
    kind: str,
    server_url: str | None,
    tmp_path: Path,
    templates: StoreTemplates[dict[str, DemoTenant]],
) -> None:
    async with empty_database(kind, tmp_path, server_url) as url:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE own (id integer PRIMARY KEY)"))
            await engine.dispose()
            assert await templates.copy_into(url) is None
            async with engine.connect() as conn:
                assert await conn.scalar(text("SELECT count(*) FROM own")) == 0
                await conn.execute(text("DROP TABLE own"))
                await conn.commit()
                assert await templates.copy_into(url) is None
                assert set(await snapshot(url)) <= {"<sequences>"}
        finally:
            await engine.dispose()
        copied = await templates.copy_into(url)
        if kind == "sqlite":
            assert copied is None, "a file that exists is never replaced"
        else:
            assert copied is not None, "empty and unused, it is replaced"
            assert "tenants" in await snapshot(url)


async def test_close_deletes_the_templates(postgres_server_url: str, tmp_path: Path) -> None:
    templates = StoreTemplates(migrate_and_seed)
    async with (
        empty_database("sqlite", tmp_path, None) as sqlite_url,
        empty_database("postgresql", tmp_path, postgres_server_url) as postgres_url,
    ):
        assert await templates.copy_into(sqlite_url) is not None
        assert await templates.copy_into(postgres_url) is not None
    admin = create_async_engine(svc.async_database_url(postgres_server_url, "postgres"))
    listing = text("SELECT datname FROM pg_database WHERE datname LIKE :like")
    like = {"like": f"{svc.DATABASE_PREFIX}_tmpl_%"}
    try:
        async with admin.connect() as conn:
            databases = set((await conn.execute(listing, like)).scalars())
        files = template_folders()
        templates.close()
        async with admin.connect() as conn:
            databases -= set((await conn.execute(listing, like)).scalars())
        files -= template_folders()
    finally:
        await admin.dispose()
    assert len(databases) == 1
    assert len(files) == 1


async def test_a_postgres_template_takes_no_connections(
    postgres_server_url: str, templates: StoreTemplates[dict[str, DemoTenant]]
) -> None:
    async with svc.fresh_postgres_database(server_url=postgres_server_url) as url:
        assert await templates.copy_into(url) is not None
    listing = text("SELECT datname FROM pg_database WHERE datname LIKE :like")
    like = {"like": f"{svc.DATABASE_PREFIX}_tmpl_{os.getpid()}_%"}
    admin = create_async_engine(svc.async_database_url(postgres_server_url, "postgres"))
    try:
        async with admin.connect() as conn:
            names = list((await conn.execute(listing, like)).scalars())
    finally:
        await admin.dispose()
    assert names
    for name in names:
        engine = create_async_engine(svc.async_database_url(postgres_server_url, name))
        try:
            with pytest.raises(DBAPIError, match="not currently accepting connections"):
                async with engine.connect():
                    pass
        finally:
            await engine.dispose()
