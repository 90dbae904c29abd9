"""The read compiler's connections: no pre-ping, so one retry when the server dropped the
connection; the main engine on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.exc

from gateway.store.engine import create_engine
from gateway.store.statement_reader import StatementReader

BACKEND_PID = sa.text("SELECT pg_backend_pid()")


async def test_a_dropped_connection_is_retried_once_on_a_fresh_one(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    reader = StatementReader.for_engine(engine)
    try:
        assert reader.owned
        first = await reader.scalar(BACKEND_PID, {})
        async with engine.connect() as admin:
            await admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})

        second = await reader.scalar(BACKEND_PID, {})

        assert second != first
    finally:
        await reader.close()
        await engine.dispose()


async def test_a_failing_statement_is_not_retried(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    reader = StatementReader.for_engine(engine)
    try:
        with pytest.raises(sqlalchemy.exc.DBAPIError):
            await reader.scalar(sa.text("SELECT 1 / 0"), {})
    finally:
        await reader.close()
        await engine.dispose()


async def test_sqlite_reads_through_the_main_engine(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'reader.db'}")
    reader = StatementReader.for_engine(engine)
    try:
        assert reader.engine is engine and not reader.owned
        assert await reader.scalar(sa.text("SELECT tg_global_id('Job', 42)"), {}) == "Sm9iOjQy"
    finally:
        await reader.close()
        await engine.dispose()
