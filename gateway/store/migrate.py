"""Run the Alembic migrations programmatically: ``talentgraph migrate`` and start-up.

>>> await upgrade(engine)   # brings the schema to head, idempotent

An upgrade is one transaction on both backends: it is committed whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.store.engine import private_sqlite_path

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class MigrationError(RuntimeError):
    """An upgrade could not run safely, or would have left the data inconsistent."""


def _heads(connection: Connection) -> tuple[str, ...]:
    return MigrationContext.configure(connection).get_current_heads()


@contextmanager
def schema_transaction(connection: Connection) -> Iterator[None]:
    """One transaction around a whole upgrade; on SQLite, with foreign keys off.

    SQLite changes a table by copying it into a new one and dropping the old one; with
    foreign keys on, that drop deletes every row referring to the table (``ON DELETE
    CASCADE``) or nulls their references. SQLite ignores ``PRAGMA foreign_keys`` inside
    a transaction, so the pragma is switched before the transaction opens (the driver
    opens none by itself before the first write; ``BEGIN`` here is explicit) and back on
    after it ends. When a migration ran, ``PRAGMA foreign_key_check`` must then find no
    reference left dangling, or nothing is committed.
    """
    if connection.dialect.name != "sqlite":
        with connection.begin():
            yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
            raise MigrationError(
                "SQLite foreign keys could not be switched off for the upgrade: "
                "the connection is already inside a transaction"
            )
        connection.exec_driver_sql("BEGIN")
        try:
            before = _heads(connection)
            yield
            if _heads(connection) != before:
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if dangling:
                    raise MigrationError(
                        f"the upgrade would leave {len(dangling)} references dangling, "
                        f"e.g. {[tuple(row) for row in dangling[:5]]}; nothing was changed"
                    )
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
    finally:
        _foreign_keys_back_on(connection)


def _foreign_keys_back_on(connection: Connection) -> None:
    """Or the connection is discarded: the pool must never hand one out with them off."""
    try:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        on = bool(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())
        connection.commit()
    except Exception:
        on = False
    if not on:
        connection.invalidate()


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with schema_transaction(connection):
        command.upgrade(config, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    if engine.url.get_backend_name() == "sqlite":
        private_sqlite_path(engine.url)
    async with engine.connect() as connection:
        await connection.run_sync(_upgrade, revision)
