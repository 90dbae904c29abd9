"""Read-only statements on short-lived connections.

Loaders of one request run concurrently, and an ``AsyncSession`` must not be shared
between tasks, so every read takes its own pooled connection for one statement.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class Reader:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def all(self, stmt: sa.Executable) -> list[Row[Any]]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(stmt)).all())

    async def one_or_none(self, stmt: sa.Executable) -> Row[Any] | None:
        async with self.engine.connect() as conn:
            row: Row[Any] | None = (await conn.execute(stmt)).one_or_none()
            return row

    async def scalar(self, stmt: sa.Executable) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(stmt)).scalar()
