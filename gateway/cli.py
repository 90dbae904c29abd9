"""``talentgraph``: serve, worker, sync, migrate, seed the demo, issue tokens, export the schema."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import sqlalchemy as sa
import typer
from rich.console import Console

from gateway import links
from gateway.auth import issue_token
from gateway.cli_ids import pk_parser
from gateway.cli_progress import progress_display
from gateway.cli_serve_guards import refuse_busy_start, url_host
from gateway.cli_tokens import current_token_version, user_for_token
from gateway.settings import Settings
from gateway.settings_errors import load_settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus, Provider, Role, SyncStatus
from gateway.store.migrate import upgrade
from gateway.version import VERSION

if TYPE_CHECKING:
    from demo.sync import SandboxServers
    from jobs.sync_api import ProgressCallback, SyncOutcome

app = typer.Typer(
    no_args_is_help=True, add_completion=True, rich_markup_mode="markdown", help=__doc__
)
console = Console(stderr=True)


async def _migrate(settings: Settings) -> None:
    engine = create_engine(settings.resolved_database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@app.command()
def migrate() -> None:
    """Bring the database schema to the newest revision."""
    settings = load_settings()
    asyncio.run(_migrate(settings))
    console.print(f"[green]migrated[/] {_safe_url(settings)}")


async def _seed(settings: Settings, origins: dict[Provider, str]) -> tuple[int, int, str]:
    """The demo tenant, its data synced from the sandbox ATS servers at ``origins`` with
    a progress bar."""
    from demo.sync import demo_through_sync
    from gateway.outbound_http import connector_client
    from jobs.sync_api import SyncProgress

    with progress_display(console) as bars:

        def progress(provider: Provider) -> ProgressCallback:
            task = bars.add_task(f"syncing {provider.value} sandbox", total=None)

            def report(update: SyncProgress) -> None:
                bars.update(
                    task,
                    completed=update.processed,
                    description=(f"syncing {provider.value} sandbox: {update.phase}"),
                )

            return report

        async with connector_client(settings) as client:
            demo = await demo_through_sync(settings, client, origins, progress=progress)
    return demo.tenant_id, demo.admin_user_id, "demo"


def _refuse_unsafe_start(settings: Settings, *, demo: bool) -> None:
    """Stop before anything starts when the configuration is unsafe: a short or missing
    JWT secret outside development, or the demo (a known admin token) in production."""
    if demo and not settings.is_development:
        console.print(
            "[red]error:[/] the demo is refused in production: it seeds a tenant and prints "
            "an admin token"
        )
        raise typer.Exit(2)
    try:
        settings.resolved_jwt_secret()
        settings.keyring()
    except (RuntimeError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


def _demo_admin_token(settings: Settings, origins: dict[Provider, str]) -> str:
    tenant_id, user_id, slug = asyncio.run(_seed(settings, origins))
    return issue_token(
        settings.resolved_jwt_secret(),
        tenant_id=tenant_id,
        tenant_slug=slug,
        user_id=user_id,
        role=Role.ADMIN,
        ttl_seconds=settings.jwt_ttl_seconds,
        token_version=asyncio.run(current_token_version(settings, user_id)),
    )


def _start_sandboxes(settings: Settings, *, allocate: bool) -> SandboxServers:
    """The folder's demo sandboxes, reachable (see ``demo.sync``); a clear error
    and exit 2 when a recorded one cannot be served."""
    from demo.sync import SandboxUnavailable, start_sandboxes

    try:
        return start_sandboxes(settings, allocate=allocate)
    except SandboxUnavailable as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


def _print_version(requested: bool) -> None:
    if requested:
        typer.echo(f"talentgraph {VERSION}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Before ``sync`` and ``worker`` in a demo folder, start the demo sandboxes no other
    process serves, so the demo's integrations sync from there too."""
    if ctx.invoked_subcommand not in ("sync", "worker") or "--help" in sys.argv[2:]:
        return
    settings = load_settings()
    if not settings.is_development:
        return
    servers = _start_sandboxes(settings, allocate=False)
    if servers.started:
        ctx.call_on_close(servers.stop)


@app.command()
def demo() -> None:
    """Migrate, sync the demo tenant (slug ``demo``) from the sandbox servers, print an
    admin token."""
    settings = load_settings()
    _refuse_unsafe_start(settings, demo=True)
    servers = _start_sandboxes(settings, allocate=True)
    try:
        typer.echo(_demo_admin_token(settings, servers.origins))
    finally:
        servers.stop()


def _demo_banner(settings: Settings, host: str, port: int, origins: dict[Provider, str]) -> None:
    """Where everything is, with the host and port the gateway really listens on."""
    from demo.sync import SECRETS_DIR

    base = f"http://{url_host(host)}:{port}"
    console.print(f"GraphiQL: [bold]{base}/graphql[/]")
    for provider, origin in sorted(origins.items()):
        console.print(f"{provider.value} sandbox: {origin}")
    for provider, route in sorted(asyncio.run(_webhook_routes(settings)).items()):
        console.print(f"{provider.value} webhooks: {base}/webhooks/{route}")
    console.print(f"Webhook secrets: {settings.data_dir / SECRETS_DIR}/<provider>")
    console.print("Admin token (send as 'Authorization: Bearer <token>'):")


async def _webhook_routes(settings: Settings) -> dict[Provider, str]:
    """The demo integrations' webhook routes (``recruiterflow/1``, ``jobvite/<company>``)."""
    from connectors.registry import provider_spec
    from gateway.store.models import Integration, Tenant

    engine = create_engine(settings.resolved_database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.select(Integration.provider, Integration.id, Integration.external_account_id)
                .join(Tenant, Tenant.id == Integration.tenant_id)
                .where(Tenant.slug == "demo", Integration.status == IntegrationStatus.ACTIVE)
            )
            routes: dict[Provider, str] = {}
            for provider, integration_id, account in rows:
                paths = provider_spec(Provider(provider).value).webhook_paths(
                    integration_id, account
                )
                if paths:
                    routes[Provider(provider)] = paths[0]
            return routes
    finally:
        await engine.dispose()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Sync a demo tenant from built-in sandbox ATS servers.")
    ] = False,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the gateway (migrating first). One in-process gateway per data folder: a second
    one, or a port in use, is refused before anything changes."""
    import uvicorn

    settings = load_settings()
    _refuse_unsafe_start(settings, demo=demo)
    lock = refuse_busy_start(settings, host, port, demo=demo)
    servers: SandboxServers | None = None
    try:
        asyncio.run(_migrate(settings))
        if demo:
            servers = _start_sandboxes(settings, allocate=True)
            token = _demo_admin_token(settings, servers.origins)
            _demo_banner(settings, host, port, servers.origins)
            typer.echo(token)
        elif settings.is_development:  # a demo folder served without --demo
            servers = _start_sandboxes(settings, allocate=False)
        links.record_listen_address(host, port)
        uvicorn.run(
            "demo.sync:create_demo_app" if demo else "gateway.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level.lower(),
            proxy_headers=False,  # gateway.proxy_headers decides whom to believe
            server_header=False,
        )
    finally:
        if servers is not None:
            servers.stop()
        lock.release()


@app.command()
def worker(
    burst: Annotated[
        bool, typer.Option("--burst", help="Exit once the queue is empty (for scripts).")
    ] = False,
) -> None:
    """Run the background worker (arq over TALENTGRAPH_REDIS_URL), migrating first.

    Runs queued syncs and the schedule: due syncs every minute, health checks every
    five minutes, maintenance hourly. Without Redis, `serve` does this in process.
    """
    from gateway.logging import configure_logging
    from jobs.worker import run_worker

    settings = load_settings()
    if not settings.redis_url:
        console.print("[red]the worker needs Redis:[/] set TALENTGRAPH_REDIS_URL")
        raise typer.Exit(2)
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(_migrate(settings))
    asyncio.run(run_worker(settings, burst=burst))


async def _sync(
    settings: Settings, integration_id: int, full: bool, progress: ProgressCallback
) -> SyncOutcome | None:
    from gateway.cache import ResponseCache
    from gateway.locks import create_locks
    from gateway.outbound_http import connector_client
    from gateway.pubsub import EventBus
    from gateway.queue import Leases
    from gateway.store.models import Integration
    from jobs import tasks
    from jobs.sync_api import SyncDeps, SyncMode

    Leases.configure(settings.job_lease_seconds)
    engine = create_engine(settings.resolved_database_url)
    http = connector_client(settings)
    bus = EventBus.create(settings)
    cache = ResponseCache(settings)
    locks = create_locks(settings.redis_url, settings.redis_prefix)
    try:
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        async with session_factory() as session:
            tenant_id = await session.scalar(
                sa.select(Integration.tenant_id).where(Integration.id == integration_id)
            )
        if tenant_id is None:
            return None
        deps = SyncDeps(session_factory, settings.keyring(), http, bus, cache, locks)
        return await tasks.sync_integration(
            deps,
            tenant_id,
            integration_id,
            mode=SyncMode.FULL if full else SyncMode.INCREMENTAL,
            trigger="cli",
            progress=progress,
        )
    finally:
        await locks.close()
        await bus.close()
        await cache.close()
        await http.aclose()
        await engine.dispose()


@app.command()
def sync(
    integration_id: Annotated[
        int,
        typer.Argument(
            parser=pk_parser("Integration"),
            metavar="INTEGRATION_ID",
            help="The integration's id as the API shows it (SW50ZWdyYXRpb246Mw==) or its "
            "database id (3).",
        ),
    ],
    full: Annotated[
        bool, typer.Option("--full", help="Full sync: everything, and detect deletes.")
    ] = False,
) -> None:
    """Sync one integration now, in the foreground, showing progress."""
    from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from gateway.global_ids import to_global_id
    from jobs.sync_api import SyncProgress

    settings = load_settings()
    with progress_display(
        console,
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} records"),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def on_progress(update: SyncProgress) -> None:
            bar.update(task, description=update.phase, completed=update.processed)

        outcome = asyncio.run(_sync(settings, integration_id, full, on_progress))
    if outcome is None:
        raise typer.BadParameter(
            f"no integration {to_global_id('Integration', integration_id)} "
            f"(database id {integration_id})",
            param_hint="INTEGRATION_ID",
        )
    if outcome.already_running:
        console.print(f"[yellow]a sync of integration {integration_id} is already running[/]")
        raise typer.Exit(1)
    out = Console()
    status = outcome.status.value if outcome.status is not None else "not run"
    ok = outcome.status is SyncStatus.SUCCEEDED
    out.print(f"[{'green' if ok else 'red'}]{status}[/] run {outcome.run_id}")
    if outcome.counts:
        outcomes = sorted({name for counts in outcome.counts.values() for name in counts})
        table = Table("entity", *outcomes)
        for entity, counts in outcome.counts.items():
            table.add_row(entity, *(str(counts.get(name, 0)) for name in outcomes))
        out.print(table)
    if outcome.error:
        out.print(f"[red]error:[/] {outcome.error}")
    if not ok:
        raise typer.Exit(1)


@app.command()
def token(
    tenant: Annotated[str, typer.Option(help="Tenant slug.")],
    email: Annotated[str, typer.Option(help="The user's email.")],
    role: Annotated[Role, typer.Option(help="admin, recruiter or readonly.")] = Role.ADMIN,
    create: Annotated[
        bool, typer.Option("--create", help="Create tenant/user if missing.")
    ] = False,
    name: Annotated[str | None, typer.Option(help="Display name when creating.")] = None,
) -> None:
    """Print a bearer token for a user."""
    settings = load_settings()
    asyncio.run(_migrate(settings))
    tenant_id, user_id, version = asyncio.run(
        user_for_token(settings, tenant, email, role, create=create, name=name)
    )
    typer.echo(
        issue_token(
            settings.resolved_jwt_secret(),
            tenant_id=tenant_id,
            tenant_slug=tenant,
            user_id=user_id,
            role=role,
            ttl_seconds=settings.jwt_ttl_seconds,
            token_version=version,
        )
    )


@app.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every stored secret with the newest key of TALENTGRAPH_ENCRYPTION_KEYS."""
    from gateway.services.rotation import rotate_secrets

    settings = load_settings()
    keyring = settings.keyring()

    async def run() -> tuple[int, int]:
        engine = create_engine(settings.resolved_database_url)
        try:
            await upgrade(engine)
            async with create_session_factory(engine).begin() as session:
                report = await rotate_secrets(session, keyring)
        finally:
            await engine.dispose()
        return report.rotated, report.current

    rotated, current = asyncio.run(run())
    console.print(
        f"re-encrypted {rotated} secret(s) with key {keyring.current.key_id!r}; "
        f"{current} already used it"
    )


@app.command("export-schema")
def export_schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Print the GraphQL SDL (the content of schema.graphql)."""
    from resolvers.schema import schema

    sdl = schema.as_str() + "\n"
    if output is None:
        typer.echo(sdl, nl=False)
    else:
        output.write_text(sdl)


@app.command("settings-example")
def settings_example(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Print every setting as TALENTGRAPH_NAME=default with its description (the content
    of .env.example)."""
    from gateway.settings_example import env_example

    text = env_example()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)


@app.command("new-connector")
def new_connector(
    slug: Annotated[
        str, typer.Argument(help="The provider's slug: lower-case letters, digits and _.")
    ],
    title: Annotated[
        str | None, typer.Option(help='Its name as people write it ("Acme ATS").')
    ] = None,
    root: Annotated[Path, typer.Option(help="The talentgraph checkout to write into.")] = Path("."),
) -> None:
    """Write a new provider (connector, fake, contract harness, first test), register
    it, and regenerate schema.graphql; README "Adding a connector" goes on from there."""
    from gateway.cli_scaffold import ScaffoldRefused, export_schema, scaffold

    try:
        made = scaffold(root, slug, title=title)
    except ScaffoldRefused as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    typer.echo(f"wrote the {made.names.title} provider ({slug}) in {root.resolve()}:")
    for path in made.written:
        typer.echo(f"  {path.as_posix()}")
    typer.echo(f"registered it in connectors/registry.py: {made.registry}")
    try:
        export_schema(root)
    except (OSError, RuntimeError) as exc:
        console.print(
            f"[red]error:[/] schema.graphql was not regenerated ({exc}); run "
            "`talentgraph export-schema -o schema.graphql` there"
        )
        raise typer.Exit(1) from None
    typer.echo(f"regenerated schema.graphql: the Provider enum gains {slug.upper()}")
    typer.echo(
        "next steps (README, 'Adding a connector'):\n"
        f"  1. replace every TODO in connectors/{slug}/__init__.py with the vendor's facts "
        "and their sources\n"
        f"  2. adapt connectors/{slug}/connector.py (auth, base URL, paginator, incremental "
        "filter), records.py (the mappers) and webhooks.py (the signature scheme)\n"
        f"  3. make demo/sandbox/{slug}/ answer as the vendor does\n"
        f"  4. .venv/bin/python -m pytest -n 0 tests/connectors/test_contract.py -k {slug} "
        f"tests/connectors/{slug}"
    )


def _safe_url(settings: Settings) -> str:
    return sa.engine.make_url(settings.resolved_database_url).render_as_string(hide_password=True)


def main() -> None:
    app()
