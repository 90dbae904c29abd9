"""``talentgraph``: serve, migrate, seed the demo, issue tokens, export the schema."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.console import Console

from gateway.auth import issue_token
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import Role
from gateway.store.migrate import upgrade

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
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
    settings = Settings()
    asyncio.run(_migrate(settings))
    console.print(f"[green]migrated[/] {_safe_url(settings)}")


async def _seed(settings: Settings) -> tuple[int, int, str]:
    from gateway.demo import seed_demo

    engine = create_engine(settings.resolved_database_url)
    try:
        await upgrade(engine)
        demo = await seed_demo(create_session_factory(engine))
    finally:
        await engine.dispose()
    return demo.tenant_id, demo.admin_user_id, "demo"


def _demo_admin_token(settings: Settings) -> str:
    tenant_id, user_id, slug = asyncio.run(_seed(settings))
    return issue_token(
        settings.resolved_jwt_secret(),
        tenant_id=tenant_id,
        tenant_slug=slug,
        user_id=user_id,
        role=Role.ADMIN,
        ttl_seconds=settings.jwt_ttl_seconds,
    )


@app.command()
def demo() -> None:
    """Migrate and seed the demo tenant (slug ``demo``), then print an admin token."""
    typer.echo(_demo_admin_token(Settings()))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Seed the demo tenant first.")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the gateway (migrating first)."""
    import uvicorn

    settings = Settings()
    asyncio.run(_migrate(settings))
    if demo:
        token = _demo_admin_token(settings)
        console.print(f"GraphiQL: [bold]http://{host}:{port}/graphql[/]")
        console.print("Admin token (send as 'Authorization: Bearer <token>'):")
        typer.echo(token)
    uvicorn.run(
        "gateway.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
    )


async def _token(
    settings: Settings, tenant: str, email: str, role: Role, create: bool, name: str | None
) -> tuple[int, int]:
    from gateway.store.models import Tenant, User

    engine = create_engine(settings.resolved_database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            tenant_row = (
                await session.execute(sa.select(Tenant).where(Tenant.slug == tenant))
            ).scalar_one_or_none()
            if tenant_row is None:
                if not create:
                    raise typer.BadParameter(f"no tenant {tenant!r}", param_hint="--tenant")
                tenant_row = Tenant(slug=tenant, name=tenant)
                session.add(tenant_row)
                await session.flush()
            user = (
                await session.execute(
                    sa.select(User).where(
                        User.tenant_id == tenant_row.id, User.email == email.lower()
                    )
                )
            ).scalar_one_or_none()
            if user is None:
                if not create:
                    raise typer.BadParameter(
                        f"no user {email!r} in tenant {tenant!r} (pass --create)",
                        param_hint="--email",
                    )
                user = User(
                    tenant_id=tenant_row.id, email=email.lower(), name=name or email, role=role
                )
                session.add(user)
                await session.flush()
            elif user.role is not role:
                if not create:
                    raise typer.BadParameter(
                        f"{email} has role {user.role.value}, not {role.value}", param_hint="--role"
                    )
                user.role = role
            return tenant_row.id, user.id
    finally:
        await engine.dispose()


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
    settings = Settings()
    asyncio.run(_migrate(settings))
    tenant_id, user_id = asyncio.run(_token(settings, tenant, email, role, create, name))
    typer.echo(
        issue_token(
            settings.resolved_jwt_secret(),
            tenant_id=tenant_id,
            tenant_slug=tenant,
            user_id=user_id,
            role=role,
            ttl_seconds=settings.jwt_ttl_seconds,
        )
    )


@app.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every stored secret with the newest key of TALENTGRAPH_ENCRYPTION_KEYS."""
    from gateway.services.rotation import rotate_secrets

    settings = Settings()
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


def _safe_url(settings: Settings) -> str:
    return sa.engine.make_url(settings.resolved_database_url).render_as_string(hide_password=True)


def main() -> None:
    app()
