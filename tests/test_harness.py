"""The test harness itself: real servers are found, isolated per run, and cleaned up."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import redis.asyncio
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import services as svc
from tests.support import store_template
from tests.support.services import Backend, ServiceSpec, ServiceUnavailable


async def test_postgres_database_is_fresh_empty_and_writable(postgres_url: str) -> None:
    url = make_url(postgres_url)
    assert url.drivername == "postgresql+asyncpg"
    assert url.database is not None
    assert re.fullmatch(r"talentgraph_test_\d+_[0-9a-f]{8}", url.database)
    engine = create_async_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT current_database()")) == url.database
            tables = await conn.scalar(
                text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
            )
            assert tables == 0
            await conn.execute(text("CREATE TEMPORARY TABLE probe (id int PRIMARY KEY, v text)"))
            await conn.execute(text("INSERT INTO probe VALUES (1, 'written')"))
            assert await conn.scalar(text("SELECT v FROM probe WHERE id = 1")) == "written"
            await conn.execute(text("CREATE TABLE kept (id int)"))
            await conn.commit()
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT to_regclass('public.kept') IS NOT NULL"))
    finally:
        await engine.dispose()


async def test_fresh_database_is_dropped_even_with_a_leaked_connection(
    postgres_server_url: str,
) -> None:
    async with svc.fresh_postgres_database(
        "talentgraph_test", server_url=postgres_server_url
    ) as url:
        name = make_url(url).database
        assert name is not None
        assert await svc.database_exists(postgres_server_url, name)
        engine = create_async_engine(url)
        leaked = await engine.connect()
    assert not await svc.database_exists(postgres_server_url, name)
    with pytest.raises(DBAPIError):
        await leaked.execute(text("SELECT 1"))
    await leaked.close()
    await engine.dispose()


async def test_redis_prefix_is_used_and_keys_are_visible(redis_url: str, redis_prefix: str) -> None:
    assert re.fullmatch(r"redis://[^/]+/\d+", redis_url)
    assert re.fullmatch(r"tgtest:\d+:[0-9a-f]{8}:", redis_prefix)
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        await client.set(f"{redis_prefix}harness:a", "1")
        assert await client.get(f"{redis_prefix}harness:a") == b"1"
        seen = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
        assert f"{redis_prefix}harness:a".encode() in seen
    finally:
        await client.aclose()


async def test_delete_prefixed_keys_deletes_only_that_prefix(
    redis_url: str, redis_prefix: str
) -> None:
    doomed, kept = f"{redis_prefix}doomed:", f"{redis_prefix}kept:"
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        arq_keys = {f"arq:retry:{doomed}sync:1": 1, f"arq:in-progress:{doomed}sync:2": 1}
        await client.mset(
            {f"{doomed}{i}": i for i in range(1200)}
            | arq_keys
            | {f"{kept}x": 1, f"arq:retry:{kept}sync:1": 1}
        )
        assert await svc.delete_prefixed_keys(redis_url, doomed) == 1202
        assert [key async for key in client.scan_iter(match=f"{doomed}*")] == []
        assert await client.exists(*arq_keys) == 0, "arq's keys of our jobs go too"
        assert await client.get(f"{kept}x") == b"1"
        assert await client.get(f"arq:retry:{kept}sync:1") == b"1"
    finally:
        await client.delete(f"{kept}x", f"arq:retry:{kept}sync:1")
        await client.aclose()


async def test_backend_is_an_empty_writable_database(backend: Backend) -> None:
    url = make_url(backend.url)
    if backend.name == "sqlite":
        assert url.drivername == "sqlite+aiosqlite"
        assert url.database is not None
        assert Path(url.database).name == "test-test_harness.db"
    else:
        assert url.drivername == "postgresql+asyncpg"
    engine = create_async_engine(backend.url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE backend_probe (id integer PRIMARY KEY)"))
            await conn.execute(text("INSERT INTO backend_probe VALUES (1)"))
            assert await conn.scalar(text("SELECT count(*) FROM backend_probe")) == 1
    finally:
        await engine.dispose()


async def test_backend_is_shared_within_the_module(backend: Backend) -> None:
    engine = create_async_engine(backend.url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM backend_probe")) == 1
    finally:
        await engine.dispose()


# Discovery, with fake probes and servers


def fake_spec(probe: Callable[[str], bool] = lambda url: False) -> ServiceSpec:
    def start() -> svc.Throwaway:
        raise ServiceUnavailable("no binaries")

    def check(url: str) -> None:
        if "bad" in url:
            raise ServiceUnavailable("refused")

    return ServiceSpec("Fake", "FAKE_URL", "fake://127.0.0.1:1/0", probe, check, start)


class Prober:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, url: str) -> bool:
        self.asked.append(url)
        return self.answer


def test_env_url_wins_over_a_local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_URL", "fake://db.example:5/1")
    monkeypatch.delenv(svc.FORCE_THROWAWAY_ENV, raising=False)
    prober = Prober(True)
    decision = svc.decide_source(fake_spec(), os.environ, prober)
    assert decision == svc.Decision("env", "fake://db.example:5/1")
    assert prober.asked == []


def test_local_server_is_next_then_throwaway() -> None:
    assert svc.decide_source(fake_spec(), {}, Prober(True)) == svc.Decision(
        "local", "fake://127.0.0.1:1/0"
    )
    assert svc.decide_source(fake_spec(), {"FAKE_URL": " "}, Prober(False)) == svc.Decision(
        "throwaway", None
    )


def test_force_throwaway_overrides_everything() -> None:
    environ = {"FAKE_URL": "fake://db.example:5/1", svc.FORCE_THROWAWAY_ENV: "1"}
    assert svc.decide_source(fake_spec(), environ, Prober(True)) == svc.Decision("throwaway", None)


def test_real_specs_look_at_the_documented_variables() -> None:
    assert svc.POSTGRES.env_var == "TALENTGRAPH_TEST_DATABASE_URL"
    assert svc.REDIS.env_var == "TALENTGRAPH_TEST_REDIS_URL"
    assert svc.POSTGRES.local_url == "postgresql://postgres@127.0.0.1:5432/postgres"
    assert svc.REDIS.local_url == "redis://127.0.0.1:6379/0"


def test_a_bad_env_url_is_reported_not_replaced() -> None:
    services = svc.Services({"FAKE_URL": "fake://bad:1/0"}, postgres_spec=fake_spec(Prober(True)))
    with pytest.raises(ServiceUnavailable, match="Fake unavailable: FAKE_URL is set, but refused"):
        services.postgres()


def test_redis_url_gets_a_database_number() -> None:
    services = svc.Services({"FAKE_URL": "redis://cache.example:6380"}, redis_spec=fake_spec())
    assert services.redis() == "redis://cache.example:6380/0"


def test_missing_server_skips_locally_and_fails_under_ci() -> None:
    local = svc.Services({}, postgres_spec=fake_spec())
    with pytest.raises(pytest.skip.Exception, match=r"FAKE_URL is not set.*no binaries"):
        local.require(local.postgres)
    ci = svc.Services({"CI": "true"}, postgres_spec=fake_spec())
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        ci.require(ci.postgres)


def test_failures_are_remembered() -> None:
    starts: list[int] = []
    spec = fake_spec()

    def start() -> svc.Throwaway:
        starts.append(1)
        raise ServiceUnavailable("no binaries")

    services = svc.Services({}, postgres_spec=ServiceSpec(**{**spec.__dict__, "start": start}))
    for _ in range(3):
        with pytest.raises(ServiceUnavailable):
            services.postgres()
    assert starts == [1]


def test_database_names_are_safe_identifiers() -> None:
    assert re.fullmatch(r"talentgraph_test_\d+_[0-9a-f]{8}", svc.database_name())
    with pytest.raises(ValueError):
        svc.database_name('x"; DROP DATABASE postgres; --')


# Throwaway servers, started directly (cheap: ~0.1 s for Redis, ~1 s for PostgreSQL)


def test_throwaway_redis_starts_and_is_removed() -> None:
    try:
        server = svc.ThrowawayRedis.start()
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    try:
        svc.check_redis(server.url)
    finally:
        server.stop()
    assert not server.root.exists()
    assert not svc.redis_usable(server.url)


def test_throwaway_postgres_starts_and_is_removed() -> None:
    try:
        server = svc.ThrowawayPostgres.start()
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    try:
        svc.check_postgres(server.url)
    finally:
        server.stop()
    assert not server.root.exists()
    assert not svc.postgres_usable(server.url)


async def test_a_template_is_dropped_after_the_server_refused_the_first_tries(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """At the end of a session the server may refuse new connections for a moment; the
    template must still go (one was left behind, a database the run did not leave as
    found), and a template that cannot go is said, not ignored."""
    calls: list[str] = []

    async def refusing_twice(server: str, name: str) -> None:
        calls.append(name)
        if len(calls) <= 2:
            raise OSError("too many clients")

    async def no_wait(_seconds: float) -> None:
        return None

    monkeypatch.setattr(svc, "drop_database", refusing_twice)
    await store_template._drop_with_retries(
        "postgresql://server", "talentgraph_test_tmpl_1_x", no_wait
    )
    assert calls == ["talentgraph_test_tmpl_1_x"] * 3
    assert capsys.readouterr().err == ""

    calls.clear()
    monkeypatch.setattr(store_template, "DROP_TRIES", 2)
    await store_template._drop_with_retries(
        "postgresql://server", "talentgraph_test_tmpl_1_y", no_wait
    )
    assert len(calls) == 2
    assert "could not drop the test template talentgraph_test_tmpl_1_y" in capsys.readouterr().err
