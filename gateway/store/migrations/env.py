"""Alembic environment: runs migrations over the async engine for either backend."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from gateway.store import models  # noqa: F401  (registers the tables)
from gateway.store.base import Base
from gateway.store.engine import create_engine
from gateway.store.migrate import schema_transaction

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    """Inside the caller's ``schema_transaction``: Alembic opens none of its own."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run_in_one_transaction)
    await engine.dispose()


def _run_in_one_transaction(connection: Connection) -> None:
    with schema_transaction(connection):
        _run(connection)


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no database URL given to the migration environment")
    asyncio.run(_run_async(url))


run()
