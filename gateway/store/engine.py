"""Engine and session factory for either backend.

SQLite gets WAL, foreign keys and a busy timeout so the embedded default behaves
like a server database under concurrent requests. Its file holds personal data, so it
is readable by its owner only (0600, its ``-wal``/``-shm`` too; a folder made for it
0700), whatever the umask, and a file found with wider permissions is narrowed.

PostgreSQL's pool tests a connection before lending it (``pool_pre_ping``), so the dead
connections a restarted server left in the pool are replaced instead of failing
requests, and requests succeed again by themselves once the server is back; connecting
gives up after ``CONNECT_TIMEOUT`` seconds, so an unreachable server fails a request
quickly instead of holding it.

Every commit begun on an engine is counted for the request that began it
(`counting_commits`): a request failing because the database went away can then say
truthfully whether it may have written anything (``gateway.unavailable``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
from gateway.store.sqlite_functions import register_functions

SessionFactory = async_sessionmaker[AsyncSession]

CONNECT_TIMEOUT = 5.0


class _Commits:
    __slots__ = ("begun",)

    def __init__(self) -> None:
        self.begun = 0


_COMMITS: ContextVar[_Commits | None] = ContextVar("talentgraph_commits", default=None)


@contextmanager
def counting_commits() -> Iterator[None]:
    """Count, until the block ends, the commits begun in this context (and in the tasks
    it starts); `commits_begun` reads the count."""
    token = _COMMITS.set(_Commits())
    try:
        yield
    finally:
        _COMMITS.reset(token)


def commits_begun() -> int:
    """Commits begun (not necessarily finished) inside the current `counting_commits`."""
    commits = _COMMITS.get()
    return commits.begun if commits is not None else 0


def _count_commit(_conn: Any) -> None:
    commits = _COMMITS.get()
    if commits is not None:
        commits.begun += 1


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
    register_functions(dbapi_connection)


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
    else:
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=True,
            connect_args={"timeout": CONNECT_TIMEOUT}
            if make_url(url).get_driver_name() == "asyncpg"
            else {},
        )
    event.listen(engine.sync_engine, "commit", _count_commit)
    return engine


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)
