"""The demo's providers are found by convention: every provider ``connectors.registry``
lists whose fake's package (``demo/sandbox/<slug>``) declares ``SANDBOX`` is seeded,
given a webhook secret and, when the declaration can make a fake, served with a share
of the demo's sizes and reachable by its connector with the declared credentials and
config. Nothing else names it."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.base import ConnectorBase
from connectors.registry import PACKAGES, connector_class, provider_spec
from connectors.resumes import download_resume
from demo.sandbox.declaration import DemoSandbox, Sizes, demo_sandboxes, find_sandboxes
from demo.seed import organisation, seed_demo
from demo.seed.state import RECORD_GROUPS
from demo.sync import (
    IDENTITY_PATH,
    TOTAL,
    SandboxServers,
    build_sandbox,
    sandbox_sizes,
    start_sandboxes,
    webhook_secrets,
)
from gateway.outbound_http import connector_client
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import Provider
from gateway.store.migrate import upgrade
from gateway.store.models import Candidate, Integration, Job

IN_THE_DEMO = {"recruiterflow", "jobvite", "bpoc", "greenhouse", "workable", "ashby", "lever"}
"""Providers whose fakes declared a sandbox when this test was written: the convention
must keep finding at least these."""


def declared_here() -> dict[str, DemoSandbox]:
    """What each registered provider's fake declares, read without the demo's finder."""
    found: dict[str, DemoSandbox] = {}
    for slug in PACKAGES:
        try:
            module = importlib.import_module(f"demo.sandbox.{slug}")
        except ModuleNotFoundError:
            continue
        declared = getattr(module, "SANDBOX", None)
        if declared is not None:
            found[slug] = declared
    return found


def test_every_declaring_provider_is_seeded_served_and_given_a_secret(tmp_path: Path) -> None:
    declared = declared_here()
    served = {slug for slug, sandbox in declared.items() if sandbox.make is not None}
    assert served >= IN_THE_DEMO, served
    assert set(declared) - served >= {"workday"}, "Workday is seeded without a sandbox"
    assert [s.slug for s in demo_sandboxes()] == [
        *(slug for slug in PACKAGES if slug in served),
        *(slug for slug in PACKAGES if slug in set(declared) - served),
    ], "served ones first, each group in the registry's order"

    sandbox = build_sandbox()
    assert {provider.value for provider in sandbox.apps} == served
    for provider in sandbox.apps:
        assert sandbox.credentials[provider], provider
    assert {p.value for p in webhook_secrets(tmp_path)} == set(declared)
    assert sorted(p.name for p in (tmp_path / "demo-webhook-secrets").iterdir()) == sorted(declared)


def test_the_sizes_are_shared_out_to_the_demo_totals() -> None:
    providers = [Provider(s.slug) for s in demo_sandboxes() if s.served]
    assert sandbox_sizes([]) == {}
    for count in range(1, len(PACKAGES) + 1):
        sizes = sandbox_sizes([Provider(slug) for slug in PACKAGES][:count])
        assert (
            Sizes(
                jobs=sum(s.jobs for s in sizes.values()),
                candidates=sum(s.candidates for s in sizes.values()),
                applications=sum(s.applications for s in sizes.values()),
            )
            == TOTAL
        )
        assert max(s.jobs for s in sizes.values()) - min(s.jobs for s in sizes.values()) <= 1
    assert (TOTAL.jobs, TOTAL.candidates > 1000, TOTAL.applications > 2000) == (50, True, True)
    assert set(sandbox_sizes(providers)) == set(providers)


async def test_the_seed_makes_an_integration_for_every_declaration(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    try:
        await upgrade(engine)
        demo = await seed_demo(
            create_session_factory(engine), jobs=10, candidates=30, applications=40
        )
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    sa.select(Integration.provider, Integration.name, Integration.auth_type)
                    .where(Integration.tenant_id == demo.tenant_id)
                    .order_by(Integration.id)
                )
            ).all()
    finally:
        await engine.dispose()
    assert [str(row.provider) for row in rows] == [s.slug for s in demo_sandboxes()]
    for provider, name, auth_type in rows:
        spec = provider_spec(str(provider))
        assert (name, str(auth_type)) == (spec.title, spec.auth)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[SandboxServers]:
    servers = start_sandboxes(Settings(data_dir=tmp_path), allocate=True)
    try:
        yield servers
    finally:
        servers.stop()


async def test_each_connector_reaches_its_sandbox_as_declared(
    served: SandboxServers, tmp_path: Path
) -> None:
    """The declared credentials, API path and same-origin config (Greenhouse's token
    URL) are what the connector needs: its check passes, it reads the seeded jobs, and
    the resume links it lists are on the sandbox's origin and answer there."""
    sandbox = build_sandbox()
    sizes = sandbox_sizes(list(sandbox.apps))
    assert set(served.origins) == set(sandbox.apps)
    async with connector_client(Settings(data_dir=tmp_path)) as client:
        for provider, origin in served.origins.items():
            answer = await client.get(origin + IDENTITY_PATH)
            assert answer.json() == {"provider": provider.value}
            connector = connector_class(provider.value).create(
                client,
                sandbox.credentials[provider],
                sandbox.config(provider, origin),
                integration=f"demo:{provider.value}",
            )
            checked = await connector.check()
            assert checked.ok, (provider, checked.detail)
            jobs = [job async for job in connector.jobs()]
            assert len(jobs) == sizes[provider].jobs, provider
            resume = await first_resume(connector)
            assert resume.startswith(origin + "/"), (provider, resume)
            fetched = await download_resume(connector.http, resume)
            assert fetched.content, provider


async def first_resume(connector: ConnectorBase) -> str:
    """The first resume link the connector lists: the sync fetches every such link."""
    async for candidate in connector.candidates():
        if candidate.resume_url:
            return candidate.resume_url
    raise AssertionError(f"{connector.provider} lists no resume")


def write_package(root: Path, name: str, modules: dict[str, str]) -> None:
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, text in modules.items():
        (package / module).mkdir()
        (package / module / "__init__.py").write_text(textwrap.dedent(text))


@pytest.fixture
def fakes_package(tmp_path: Path) -> Iterator[str]:
    """A package of fakes beside ``demo.sandbox``: one declares a sandbox, one declares
    nothing, one declares another provider's, one fails to import."""
    declared = """
        from demo.sandbox.declaration import DemoFake, DemoSandbox
        from gateway.store.enums import JobStatus

        SANDBOX = DemoSandbox(
            slug="{slug}",
            job_statuses={{JobStatus.OPEN: "live"}},
            make=lambda sizes: DemoFake(app=None, credentials={{}}),
        )
    """
    write_package(
        tmp_path,
        "fakes_for_test",
        {
            "acme": declared.format(slug="acme"),
            "plain": "FAKE = object()\n",
            "mislabelled": declared.format(slug="someone_else"),
            "broken": "import a_module_that_is_not_installed\n",
        },
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield "fakes_for_test"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("fakes_for_test")]:
            del sys.modules[name]


def test_a_fake_is_found_by_its_declaration_alone(fakes_package: str) -> None:
    found = find_sandboxes(["plain", "acme", "absent"], package=fakes_package)
    assert [sandbox.slug for sandbox in found] == ["acme"]
    assert found[0].served
    with pytest.raises(TypeError, match="slug 'mislabelled'"):
        find_sandboxes(["mislabelled"], package=fakes_package)
    with pytest.raises(ModuleNotFoundError, match="a_module_that_is_not_installed"):
        find_sandboxes(["broken"], package=fakes_package)


async def test_a_provider_joining_the_demo_changes_no_other_seeded_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Integrations past the four that hold records draw from generators of their own:
    seeding with one provider fewer gives the same jobs and candidates."""
    every = demo_sandboxes()
    assert len(every) > RECORD_GROUPS + 1

    async def seeded(declarations: list[DemoSandbox], name: str) -> list[tuple[object, ...]]:
        monkeypatch.setattr(organisation, "demo_sandboxes", lambda: declarations)
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / name}")
        try:
            await upgrade(engine)
            demo = await seed_demo(
                create_session_factory(engine), jobs=12, candidates=40, applications=50
            )
            async with engine.connect() as connection:
                jobs = (
                    await connection.execute(
                        sa.select(Job.remote_id, Job.title, Job.status)
                        .where(Job.tenant_id == demo.tenant_id)
                        .order_by(Job.id)
                    )
                ).all()
                candidates = (
                    await connection.execute(
                        sa.select(Candidate.remote_id, Candidate.first_name, Candidate.email)
                        .where(Candidate.tenant_id == demo.tenant_id)
                        .order_by(Candidate.id)
                    )
                ).all()
        finally:
            await engine.dispose()
        return [tuple(row) for row in (*jobs, *candidates)]

    with_all = await seeded(every, "all.db")
    without_one = await seeded([s for s in every if s.slug != every[-2].slug], "fewer.db")
    assert with_all == without_one
