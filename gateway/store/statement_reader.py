"""One read statement at a time, as cheaply as the backend allows: the read compiler's.

A compiled read (``resolvers.compiled``) is one ``SELECT`` per request, rendered once per
shape and then run many times with new parameters. On PostgreSQL it is compiled to its
SQL text once (``prepare``) and run straight on an asyncpg pool of its own: no
transaction around it (no ``BEGIN``/``ROLLBACK``), no pre-ping on checkout, no
SQLAlchemy execution context, and asyncpg's per-connection prepared statements. A
connection the server dropped (a restart) fails its statement instead of the ping, so a
read that meets an unreachable server, or a connection asyncpg finds in a broken state,
is retried once on a fresh connection; if that fails too the error goes up and the
transport answers 503. SQLite has no round trips to
save and runs the statement on the main engine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.store.engine import CONNECT_TIMEOUT
from gateway.unavailable import is_infrastructure_failure

POOL_SIZE = 10


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A statement as PostgreSQL text with ``$n`` parameters: their names in order, the
    values compiled into it, and each one's conversion to what the driver sends."""

    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]
    processors: dict[str, Callable[[Any], Any]]

    def arguments(self, params: dict[str, Any]) -> list[Any]:
        values = []
        for name in self.names:
            value = params[name] if name in params else self.defaults[name]
            process = self.processors.get(name)
            values.append(process(value) if process is not None else value)
        return values


class StatementReader:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.direct = engine.dialect.name == "postgresql"
        self.listeners: list[Callable[[str], None]] = []
        """Called with each statement's text (the tests count statements with it)."""
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    @property
    def dialect_name(self) -> str:
        return self.engine.dialect.name

    def prepare(self, statement: sa.Select[Any], params: dict[str, Any] | None = None) -> Any:
        """What ``scalar`` runs for ``statement`` with parameters named as ``params``: its
        text on PostgreSQL."""
        if not self.direct:
            return statement
        dialect = self.engine.dialect
        compiled = statement.compile(dialect=dialect)
        expanded = compiled.construct_expanded_state(params or {})
        processors: dict[str, Callable[[Any], Any]] = dict(expanded.processors)
        for name, bind in compiled.binds.items():
            process = bind.type.bind_processor(dialect)
            if process is not None and name in expanded.parameters:
                processors.setdefault(name, process)
        return PreparedText(
            expanded.statement,
            tuple(expanded.positiontup or ()),
            dict(expanded.parameters),
            processors,
        )

    async def scalar(self, prepared: Any, params: dict[str, Any]) -> Any:
        """The one value of a prepared statement with ``params``."""
        if not isinstance(prepared, PreparedText):
            return await self._scalar_on_engine(prepared, params)
        arguments = prepared.arguments(params)
        for listener in self.listeners:
            listener(prepared.sql)
        try:
            return await self._fetchval(prepared.sql, arguments)
        except Exception as exc:
            if not (is_infrastructure_failure(exc) or isinstance(exc, asyncpg.InternalClientError)):
                raise
            return await self._fetchval(prepared.sql, arguments)

    async def _fetchval(self, sql: str, arguments: list[Any]) -> Any:
        pool = await self._open()
        async with pool.acquire() as conn:
            return await conn.fetchval(sql, *arguments)

    async def _scalar_on_engine(self, statement: sa.Select[Any], params: dict[str, Any]) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).scalar_one()

    async def _open(self) -> asyncpg.Pool:
        if self._pool is not None:
            return self._pool
        async with self._opening:
            if self._pool is None:
                url = self.engine.url.set(drivername="postgresql")
                self._pool = await asyncpg.create_pool(
                    url.render_as_string(hide_password=False),
                    min_size=1,
                    max_size=POOL_SIZE,
                    timeout=CONNECT_TIMEOUT,
                )
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
