"""Real PostgreSQL and Redis for the test-suite: find them, or start throwaway ones.

Each service is looked for in this order (see `decide_source`):

1. the URL in ``TALENTGRAPH_TEST_DATABASE_URL`` / ``TALENTGRAPH_TEST_REDIS_URL``;
2. a usable server on the standard local port (PostgreSQL as user ``postgres`` with
   trust auth on 127.0.0.1:5432, Redis on 127.0.0.1:6379);
3. a throwaway server started from the system binaries in a temporary directory,
   stopped and deleted when the session ends.

``TALENTGRAPH_TEST_FORCE_THROWAWAY=1`` skips steps 1 and 2, to exercise step 3 on a
machine that has servers running.

A shared server is left as it was found: every run works in its own PostgreSQL
databases (dropped at the end) and under its own Redis key prefix (whose keys are
deleted at the end; the database is never flushed).

Resolution is lazy and cached per session, failures included, so a missing server
costs one attempt and tests that need it are skipped, or fail when ``CI`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]
import pytest
import redis
import redis.asyncio
from sqlalchemy.engine import make_url

POSTGRES_ENV = "TALENTGRAPH_TEST_DATABASE_URL"
REDIS_ENV = "TALENTGRAPH_TEST_REDIS_URL"
FORCE_THROWAWAY_ENV = "TALENTGRAPH_TEST_FORCE_THROWAWAY"
LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
DATABASE_PREFIX = "talentgraph_test"
REDIS_KEY_PREFIX = "tgtest"
POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin/initdb"

Source = Literal["env", "local", "throwaway"]
T = TypeVar("T")


class ServiceUnavailable(Exception):
    """A server could be neither found nor started; the message says why and what to do."""


class Throwaway(Protocol):
    url: str

    def stop(self) -> None: ...


@dataclass(frozen=True)
class ServiceSpec:
    """How to find, check and start one kind of server.

    ``check`` raises `ServiceUnavailable` when a server at a URL cannot be used;
    ``probe`` is the cheap yes/no asked of the standard local URL.
    """

    name: str
    env_var: str
    local_url: str
    probe: Callable[[str], bool]
    check: Callable[[str], None]
    start: Callable[[], Throwaway]


@dataclass(frozen=True)
class Decision:
    """Where a server comes from; ``url`` is None when a throwaway one has to be started."""

    source: Source
    url: str | None


@dataclass(frozen=True)
class Backend:
    """A database the store can run on: ``name`` is "sqlite" or "postgresql"."""

    name: str
    url: str


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def is_ci(environ: Mapping[str, str]) -> bool:
    return truthy(environ.get("CI"))


def decide_source(
    spec: ServiceSpec, environ: Mapping[str, str], probe: Callable[[str], bool]
) -> Decision:
    """Where this session gets ``spec`` from; ``probe`` is only asked about the local URL."""
    if truthy(environ.get(FORCE_THROWAWAY_ENV)):
        return Decision("throwaway", None)
    if url := environ.get(spec.env_var, "").strip():
        return Decision("env", url)
    if probe(spec.local_url):
        return Decision("local", spec.local_url)
    return Decision("throwaway", None)


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop.

    Sync fixtures can be requested from async ones (``request.getfixturevalue``), where
    ``asyncio.run`` would refuse to nest, so the coroutine gets a loop of its own in a
    short-lived thread.
    """
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(factory()))
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target, name="tests-services", daemon=True)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def _run(cmd: list[str], *, cwd: Path, what: str, timeout: float = 60) -> None:
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServiceUnavailable(f"{what} failed: {exc}") from exc
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip()[-2000:]
        raise ServiceUnavailable(f"{what} failed ({shlex.join(cmd)}):\n{output}")


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


# PostgreSQL


def admin_dsn(server_url: str) -> str:
    """The plain ``postgresql://`` DSN asyncpg connects to for CREATE/DROP DATABASE.

    The server URL's database is the maintenance database, ``postgres`` if it names none.
    """
    url = make_url(server_url)
    return url.set(drivername="postgresql", database=url.database or "postgres").render_as_string(
        hide_password=False
    )


def async_database_url(server_url: str, database: str) -> str:
    url = make_url(server_url).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


def database_name(prefix: str = DATABASE_PREFIX) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", prefix):
        raise ValueError(f"database prefix must be a lowercase identifier, got {prefix!r}")
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    if len(name) > 63:
        raise ValueError(f"database name {name!r} is longer than PostgreSQL's 63 bytes")
    return name


async def _connect_admin(server_url: str) -> Any:
    try:
        return await asyncpg.connect(admin_dsn(server_url), timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise ServiceUnavailable(
            f"cannot connect to PostgreSQL at {redact(server_url)}: {exc!r}"
        ) from exc


async def _check_postgres(server_url: str) -> None:
    conn = await _connect_admin(server_url)
    try:
        can_create = await conn.fetchval(
            "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user"
        )
    finally:
        await conn.close()
    if not can_create:
        raise ServiceUnavailable(
            f"the PostgreSQL user of {redact(server_url)} may not create databases"
        )


def check_postgres(server_url: str) -> None:
    run_coroutine(lambda: _check_postgres(server_url))


def postgres_usable(server_url: str) -> bool:
    parts = urlsplit(server_url)
    if not port_open(parts.hostname or "127.0.0.1", parts.port or 5432):
        return False
    try:
        check_postgres(server_url)
    except ServiceUnavailable:
        return False
    return True


async def create_database(server_url: str, name: str) -> None:
    """Create an empty database; template0 and the C locale keep it the same everywhere."""
    conn = await _connect_admin(server_url)
    try:
        await conn.execute(
            f'CREATE DATABASE "{name}" TEMPLATE template0 '
            "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    finally:
        await conn.close()


async def drop_database(server_url: str, name: str) -> None:
    """Drop a database even if a leaked connection still uses it."""
    conn = await _connect_admin(server_url)
    try:
        version = int(await conn.fetchval("SHOW server_version_num"))
        if version >= 130000:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            await conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await conn.close()


async def database_exists(server_url: str, name: str) -> bool:
    conn = await _connect_admin(server_url)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def fresh_postgres_database(
    prefix: str = DATABASE_PREFIX, *, server_url: str | None = None
) -> AsyncIterator[str]:
    """Create an empty database, yield its ``postgresql+asyncpg://`` URL, drop it after.

    ``server_url`` defaults to this session's server; pass the ``postgres_server_url``
    fixture to get its skip/fail behaviour when there is none.
    """
    server = server_url if server_url is not None else session_services().postgres()
    name = database_name(prefix)
    await create_database(server, name)
    try:
        yield async_database_url(server, name)
    finally:
        await drop_database(server, name)


def find_postgres_bindir() -> Path | None:
    """The newest Debian-style ``/usr/lib/postgresql/N/bin``, else the one on PATH."""

    def version(bindir: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", bindir.parent.name))

    candidates = sorted((Path(p).parent for p in glob.glob(POSTGRES_BIN_GLOB)), key=version)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.insert(0, Path(on_path).resolve().parent)
    for bindir in reversed(candidates):
        if all((bindir / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as, which refuses to run as root; None if not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise ServiceUnavailable("running as root and there is no 'postgres' or 'nobody' user")


def _as_user(cmd: list[str], user: pwd.struct_passwd | None) -> list[str]:
    if user is None:
        return cmd
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", user.pw_name, "--", *cmd]
    if su := shutil.which("su"):
        return [su, user.pw_name, "-s", "/bin/sh", "-c", shlex.join(cmd)]
    raise ServiceUnavailable("running as root and neither runuser nor su is available")


class ThrowawayPostgres:
    """A private PostgreSQL cluster in a temp dir, listening on 127.0.0.1:<free port>."""

    def __init__(self, bindir: Path, root: Path, user: pwd.struct_passwd | None) -> None:
        self.bindir = bindir
        self.root = root
        self.user = user
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.url = ""

    @classmethod
    def start(cls) -> ThrowawayPostgres:
        bindir = find_postgres_bindir()
        if bindir is None:
            raise ServiceUnavailable(
                f"no initdb/pg_ctl/postgres under {POSTGRES_BIN_GLOB.removesuffix('/initdb')} "
                "or on PATH (install the postgresql package)"
            )
        user = _unprivileged_user()
        root = Path(tempfile.mkdtemp(prefix="talentgraph-pg-"))
        server = cls(bindir, root, user)
        try:
            if user is not None:
                os.chown(root, user.pw_uid, user.pw_gid)
            server._initdb()
            server._start()
        except BaseException:
            server.stop()
            raise
        return server

    def _initdb(self) -> None:
        cmd = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres"]
        cmd += ["-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]
        _run(_as_user(cmd, self.user), cwd=self.root, what="initdb")

    def _pg_ctl_start(self, port: int) -> None:
        options = (
            f"-p {port} -h 127.0.0.1 -k {shlex.quote(str(self.root))} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        cmd = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
        cmd += ["-w", "-t", "30", "-o", options, "start"]
        _run(_as_user(cmd, self.user), cwd=self.root, what="pg_ctl start")

    def _start(self, attempts: int = 3) -> None:
        for attempt in range(attempts):
            port = free_port()
            try:
                self._pg_ctl_start(port)
            except ServiceUnavailable as exc:
                if attempt == attempts - 1:
                    raise ServiceUnavailable(f"{exc}\n{_tail(self.log)}") from exc
                continue
            self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
            return

    def down(self, mode: Literal["smart", "fast", "immediate"] = "fast") -> None:
        """Stop the server, keeping its data and port, for a test of an outage: "fast"
        ends the open sessions, "immediate" also skips the shutdown checkpoint."""
        cmd = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]
        _run(_as_user(cmd, self.user), cwd=self.root, what="pg_ctl stop")

    def up(self) -> None:
        """Start again, after `down`, on the same port (so the same URL)."""
        port = urlsplit(self.url).port
        assert port is not None, "up() is for a server that was started"
        self._pg_ctl_start(port)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            cmd = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w"]
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                subprocess.run(
                    _as_user([*cmd, "stop"], self.user),
                    cwd=self.root,
                    capture_output=True,
                    timeout=60,
                    check=False,
                )
        shutil.rmtree(self.root, ignore_errors=True)


# Redis


def check_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ServiceUnavailable(f"cannot use Redis at {redact(url)}: {exc!r}") from exc
    finally:
        client.close()


def redis_usable(url: str) -> bool:
    parts = urlsplit(url)
    if not port_open(parts.hostname or "127.0.0.1", parts.port or 6379):
        return False
    try:
        check_redis(url)
    except ServiceUnavailable:
        return False
    return True


def redis_key_prefix() -> str:
    return f"{REDIS_KEY_PREFIX}:{os.getpid()}:{secrets.token_hex(4)}:"


def _glob_escape(text: str) -> str:
    return re.sub(r"([\\*?\[\]])", r"\\\1", text)


ARQ_KEY_FAMILIES = ("arq:job:", "arq:in-progress:", "arq:retry:", "arq:result:")
"""arq keeps a job's keys under these, followed by the job id, which starts with our prefix."""


async def delete_prefixed_keys(url: str, prefix: str, batch: int = 500) -> int:
    """Delete every key starting with ``prefix``, and arq's keys of jobs whose id does
    (SCAN + DEL, never FLUSHDB); return how many."""
    if not prefix:
        raise ValueError("refusing to delete every key of a Redis database")
    client = redis.asyncio.Redis.from_url(url)
    deleted = 0
    try:
        keys: list[bytes] = []
        for family in ("", *ARQ_KEY_FAMILIES):
            match = _glob_escape(family + prefix) + "*"
            async for key in client.scan_iter(match=match, count=batch):
                keys.append(key)
                if len(keys) >= batch:
                    deleted += await client.delete(*keys)
                    keys.clear()
        if keys:
            deleted += await client.delete(*keys)
    finally:
        await client.aclose()
    return deleted


@contextlib.asynccontextmanager
async def redis_prefix_scope(url: str) -> AsyncIterator[str]:
    """Yield a fresh key prefix; delete every key under it on exit."""
    prefix = redis_key_prefix()
    try:
        yield prefix
    finally:
        await delete_prefixed_keys(url, prefix)


class ThrowawayRedis:
    """A private ``redis-server`` without persistence, on 127.0.0.1:<free port>."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.log = root / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    @classmethod
    def start(cls) -> ThrowawayRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceUnavailable("no redis-server on PATH (install the redis-server package)")
        server = cls(Path(tempfile.mkdtemp(prefix="talentgraph-redis-")))
        try:
            server._start(binary)
        except BaseException:
            server.stop()
            raise
        return server

    def _start(self, binary: str, attempts: int = 3) -> None:
        for attempt in range(attempts):
            port = free_port()
            cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
            cmd += ["--appendonly", "no", "--dir", str(self.root), "--logfile", str(self.log)]
            self.process = subprocess.Popen(
                cmd, cwd=self.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            url = f"redis://127.0.0.1:{port}/0"
            if self._wait_ready(url):
                self.url = url
                return
            self._terminate()
            if attempt == attempts - 1:
                raise ServiceUnavailable(f"redis-server did not start:\n{_tail(self.log)}")

    def _wait_ready(self, url: str, timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            if redis_usable(url):
                return True
            time.sleep(0.02)
        return False

    def _terminate(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def stop(self) -> None:
        self._terminate()
        shutil.rmtree(self.root, ignore_errors=True)


# Session

POSTGRES = ServiceSpec(
    "PostgreSQL",
    POSTGRES_ENV,
    LOCAL_POSTGRES_URL,
    probe=postgres_usable,
    check=check_postgres,
    start=ThrowawayPostgres.start,
)
REDIS = ServiceSpec(
    "Redis",
    REDIS_ENV,
    LOCAL_REDIS_URL,
    probe=redis_usable,
    check=check_redis,
    start=ThrowawayRedis.start,
)


class Services:
    """The servers of one test session, resolved on first use and remembered."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        postgres_spec: ServiceSpec = POSTGRES,
        redis_spec: ServiceSpec = REDIS,
    ) -> None:
        self.environ: Mapping[str, str] = dict(os.environ if environ is None else environ)
        self.ci = is_ci(self.environ)
        self._specs = {"postgres": postgres_spec, "redis": redis_spec}
        self._urls: dict[str, str] = {}
        self._errors: dict[str, str] = {}
        self._throwaways: list[Throwaway] = []

    def postgres(self) -> str:
        """A PostgreSQL server URL (``postgresql://``) whose user may create databases."""
        return self._resolve("postgres")

    def found_postgres(self) -> str | None:
        """The PostgreSQL server URL if this session has one already; never looks for one."""
        return self._urls.get("postgres")

    def redis(self) -> str:
        """A ``redis://host:port/db`` URL; the database defaults to 0."""
        parts = urlsplit(self._resolve("redis"))
        if parts.path in ("", "/"):
            parts = parts._replace(path="/0")
        return urlunsplit(parts)

    def require_all(self) -> None:
        """Resolve every service now; used at session start under CI."""
        for key in self._specs:
            self._resolve(key)

    def shutdown(self) -> None:
        while self._throwaways:
            self._throwaways.pop().stop()
        self._urls.clear()
        self._errors.clear()

    def _resolve(self, key: str) -> str:
        if key in self._urls:
            return self._urls[key]
        if key in self._errors:
            raise ServiceUnavailable(self._errors[key])
        spec = self._specs[key]
        try:
            url = self._find(spec)
        except ServiceUnavailable as exc:
            self._errors[key] = f"{spec.name} unavailable: {exc}"
            raise ServiceUnavailable(self._errors[key]) from exc
        self._urls[key] = url
        return url

    def _find(self, spec: ServiceSpec) -> str:
        decision = decide_source(spec, self.environ, spec.probe)
        if decision.url is not None:
            if decision.source == "env":
                try:
                    spec.check(decision.url)
                except ServiceUnavailable as exc:
                    raise ServiceUnavailable(f"{spec.env_var} is set, but {exc}") from exc
            return decision.url
        try:
            server = spec.start()
        except ServiceUnavailable as exc:
            if truthy(self.environ.get(FORCE_THROWAWAY_ENV)):
                looked = f"{FORCE_THROWAWAY_ENV} is set"
            else:
                looked = f"{spec.env_var} is not set, no usable server at {redact(spec.local_url)}"
            raise ServiceUnavailable(
                f"{looked}, and no throwaway server could be started: {exc}"
            ) from exc
        self._throwaways.append(server)
        return server.url

    def require(self, get: Callable[[], str]) -> str:
        """``get()``, or skip the test when it raises `ServiceUnavailable` (fail under CI)."""
        try:
            return get()
        except ServiceUnavailable as exc:
            unavailable(str(exc), ci=self.ci)


def require_services_in_ci() -> None:
    """Under CI, find or start every server before any test runs, and stop the run if one
    is missing: a CI run that silently skipped the database tests would prove nothing."""
    services = session_services()
    if not services.ci:
        return
    try:
        services.require_all()
    except ServiceUnavailable as exc:
        raise pytest.UsageError(f"{exc} (CI is set, so a missing server is an error)") from exc


def unavailable(reason: str, *, ci: bool) -> NoReturn:
    if ci:
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


_session: Services | None = None


def session_services() -> Services:
    """This process's `Services`, created from ``os.environ`` on first use."""
    global _session
    if _session is None:
        _session = Services()
    return _session


def shutdown_session_services() -> None:
    global _session
    if _session is not None:
        _session.shutdown()
        _session = None
