"""One read statement on an autocommit connection of a pool of its own.

A compiled read (``resolvers.compiled``) is one ``SELECT`` per request: it needs no
transaction, so on PostgreSQL its connections are in autocommit (no ``BEGIN`` and
``ROLLBACK`` around it) and checked out without the pre-ping the main engine does; a
connection the server dropped (a restart) fails its statement instead, which is retried
once on a fresh connection, as a read can be. Three round trips fewer per request.
SQLite has no round trips to save and uses the main engine.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.store.engine import CONNECT_TIMEOUT


class StatementReader:
    def __init__(self, engine: AsyncEngine, *, owned: bool) -> None:
        self.engine = engine
        self.owned = owned

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> StatementReader:
        if engine.dialect.name != "postgresql":
            return cls(engine, owned=False)
        own = create_async_engine(
            engine.url,
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=False,
            isolation_level="AUTOCOMMIT",
            connect_args={"timeout": CONNECT_TIMEOUT}
            if engine.url.get_driver_name() == "asyncpg"
            else {},
        )
        return cls(own, owned=True)

    @property
    def dialect_name(self) -> str:
        return self.engine.dialect.name

    async def scalar(self, statement: sa.Executable, params: dict[str, Any]) -> Any:
        """The one value of ``statement``; retried once when its connection was gone."""
        try:
            return await self._scalar(statement, params)
        except sqlalchemy.exc.DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            return await self._scalar(statement, params)

    async def _scalar(self, statement: sa.Executable, params: dict[str, Any]) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).scalar_one()

    async def close(self) -> None:
        if self.owned:
            await self.engine.dispose()
