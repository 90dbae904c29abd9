"""The read compiler's statements: straight on asyncpg with no pre-ping, so one retry when
the server dropped the connection; the main engine on SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from gateway.store.engine import create_engine
from gateway.store.statement_reader import StatementReader


async def test_a_dropped_connection_is_retried_once_on_a_fresh_one(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    reader = StatementReader(engine)
    try:
        assert reader.direct
        backend_pid = reader.prepare(sa.select(sa.func.pg_backend_pid()))
        first = await reader.scalar(backend_pid, {})
        async with engine.connect() as admin:
            await admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})

        second = await reader.scalar(backend_pid, {})

        assert second != first
    finally:
        await reader.close()
        await engine.dispose()


async def test_a_read_that_meets_a_dropped_connection_is_retried_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(postgres_url)
    reader = StatementReader(engine)
    fetch = reader._fetchval
    failures = [ConnectionResetError(104, "Connection reset by peer")]

    async def flaky(sql: str, arguments: list[Any]) -> Any:
        if failures:
            raise failures.pop()
        return await fetch(sql, arguments)

    monkeypatch.setattr(reader, "_fetchval", flaky)
    one = reader.prepare(sa.select(sa.literal(1)))
    try:
        assert await reader.scalar(one, {}) == 1
        failures += [ConnectionResetError(104, "reset"), ConnectionResetError(104, "reset")]
        with pytest.raises(ConnectionResetError):
            await reader.scalar(one, {})
    finally:
        await reader.close()
        await engine.dispose()


async def test_a_failing_statement_is_not_retried(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    reader = StatementReader(engine)
    try:
        failing = reader.prepare(sa.select(sa.literal(1) / sa.bindparam("zero", 0)))
        with pytest.raises(asyncpg.DivisionByZeroError):
            await reader.scalar(failing, {})
    finally:
        await reader.close()
        await engine.dispose()


async def test_sqlite_reads_through_the_main_engine(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'reader.db'}")
    reader = StatementReader(engine)
    try:
        assert not reader.direct
        statement = reader.prepare(sa.select(sa.func.tg_global_id("Job", sa.bindparam("pk"))))
        assert await reader.scalar(statement, {"pk": 42}) == "Sm9iOjQy"
    finally:
        await reader.close()
        await engine.dispose()
