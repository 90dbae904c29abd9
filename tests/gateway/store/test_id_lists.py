"""``in_ids`` on SQLite and PostgreSQL: the rows it selects, the one array parameter
PostgreSQL receives whatever the length, and cached compilations that take the values
of the statement at hand."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.store.id_lists import in_ids
from tests.support.services import Backend

ROWS = 6_000

metadata = sa.MetaData()
numbered = sa.Table(
    "id_list_rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, nullable=False),
)


def ids_of(*ids: int) -> sa.Select[tuple[int]]:
    return sa.select(numbered.c.id).where(in_ids(numbered.c.id, ids)).order_by(numbered.c.id)


@pytest.fixture(scope="module")
async def engine(backend: Backend) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(backend.url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(
            numbered.insert(), [{"id": i, "tenant_id": i % 2} for i in range(1, ROWS + 1)]
        )
    try:
        yield engine
    finally:
        await engine.dispose()


async def selected(engine: AsyncEngine, stmt: sa.Select[tuple[int]]) -> list[int]:
    async with engine.connect() as conn:
        return list((await conn.scalars(stmt)).all())


async def test_no_ids_select_nothing(engine: AsyncEngine) -> None:
    assert await selected(engine, ids_of()) == []


async def test_one_id_selects_its_row(engine: AsyncEngine) -> None:
    assert await selected(engine, ids_of(42)) == [42]
    assert await selected(engine, ids_of(ROWS + 1)) == []


async def test_five_thousand_ids_select_their_rows(engine: AsyncEngine) -> None:
    wanted = range(2, 10_002, 2)
    assert await selected(engine, ids_of(*wanted)) == [i for i in wanted if i <= ROWS]


async def test_duplicates_select_each_row_once(engine: AsyncEngine) -> None:
    assert await selected(engine, ids_of(7, 3, 7, 7, 3, 9)) == [3, 7, 9]


async def test_ids_combine_with_other_conditions(engine: AsyncEngine) -> None:
    stmt = sa.select(numbered.c.id).where(
        numbered.c.tenant_id == 1, in_ids(numbered.c.id, {1, 2, 3, 4, 5})
    )
    assert sorted(await selected(engine, stmt)) == [1, 3, 5]


async def test_a_cached_statement_takes_the_new_ids(engine: AsyncEngine) -> None:
    """The second and third lists reuse the first one's compilation (the statement
    cache hits) and still select their own rows."""
    async with engine.connect() as conn:
        first = await conn.execute(ids_of(1, 2, 3))
        assert first.scalars().all() == [1, 2, 3]
        same_length = await conn.execute(ids_of(4, 5, 6))
        longer = await conn.execute(ids_of(*range(100, 300)))
        assert same_length.context.cache_hit == CacheStats.CACHE_HIT
        assert longer.context.cache_hit == CacheStats.CACHE_HIT
        assert same_length.scalars().all() == [4, 5, 6]
        assert longer.scalars().all() == list(range(100, 300))


def test_postgresql_receives_one_parameter_whatever_the_length() -> None:
    for count in (0, 1, 2, 2_000, 5_000):
        compiled = ids_of(*range(count)).compile(dialect=asyncpg.dialect())
        assert list(compiled.params) == ["param_1"]
        assert compiled.params["param_1"] == list(range(count))
        assert "= ANY ($1::INTEGER[])" in str(compiled)


def test_postgresql_statement_text_is_the_same_for_any_length() -> None:
    dialect = asyncpg.dialect()
    short = ids_of(1, 2).compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    long = ids_of(*range(2_000)).compile(
        dialect=dialect, compile_kwargs={"render_postcompile": True}
    )
    assert str(short) == str(long)
    assert ids_of(1, 2)._generate_cache_key() == ids_of(*range(2_000))._generate_cache_key()


def test_sqlite_keeps_an_expanding_in() -> None:
    compiled = ids_of(1, 2, 3).compile(
        dialect=sqlite.dialect(), compile_kwargs={"render_postcompile": True}
    )
    assert "WHERE id_list_rows.id IN (?, ?, ?) ORDER BY" in str(compiled)
