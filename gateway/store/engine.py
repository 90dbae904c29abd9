"""Engine and session factory for either backend.

SQLite gets WAL, foreign keys and a busy timeout so the embedded default behaves
like a server database under concurrent requests. Its file holds personal data, so it
is readable by its owner only (0600, its ``-wal``/``-shm`` too; a folder made for it
0700), whatever the umask, and a file found with wider permissions is narrowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from gateway.private_files import narrow_file, private_directory, private_file

SessionFactory = async_sessionmaker[AsyncSession]


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names; ``None`` for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        return None
    if url.query.get("uri") in ("true", "1") or database.startswith("file:"):
        database = urlparse(database).path
    return Path(database) if database else None


def private_sqlite_path(url: str | URL) -> None:
    """Make the database file of a SQLite ``url`` (and its folder if missing) private;
    the ``-wal`` and ``-shm`` files SQLite creates take the database file's mode."""
    path = _sqlite_file(make_url(url))
    if path is None:
        return
    private_directory(path.parent)
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        narrow_file(path.with_name(path.name + suffix))


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        private_sqlite_path(url)
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)
