"""A running gateway for tests: migrated store, seeded tenants, an HTTP client over
the ASGI app, tokens per tenant and role, and a SQL statement counter."""

from __future__ import annotations

import base64
import contextlib
import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from demo.seed import DemoTenant, seed_demo
from gateway.app import create_app
from gateway.auth import issue_token
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import Role
from gateway.store.migrate import upgrade
from tests.support.store_template import StoreTemplates

JWT_SECRET = "test-secret-" + "x" * 40
ENCRYPTION_KEYS = (
    "t2:" + base64.b64encode(b"2" * 32).decode() + ",t1:" + base64.b64encode(b"1" * 32).decode()
)
"""Two keys, newest first, so rotation can be tested against the older one."""

SIZES = {
    "demo": {"jobs": 6, "candidates": 60, "applications": 90, "seed": 7},
    "other": {"jobs": 3, "candidates": 40, "applications": 20, "seed": 11},
}
"""Two tenants of different sizes; tests prove one never sees the other."""


def demo_token(tenants: dict[str, DemoTenant], tenant: str, role: Role) -> str:
    """A token, signed with `JWT_SECRET`, for the seeded user of ``tenant`` with ``role``."""
    demo = tenants[tenant]
    user_id = {
        Role.ADMIN: demo.admin_user_id,
        Role.RECRUITER: demo.recruiter_user_ids[0],
        Role.READONLY: demo.readonly_user_id,
    }[role]
    return issue_token(
        JWT_SECRET, tenant_id=demo.tenant_id, tenant_slug=tenant, user_id=user_id, role=role
    )


_BACKGROUND: contextvars.ContextVar[bool] = contextvars.ContextVar("background", default=False)


@dataclass
class StatementCounter:
    """The SQL statements run since ``reset()`` by the test and what it asked for.

    The gateway's own background work (outbox and inbox sweeps, deliveries, periodic
    jobs) runs in tasks its start-up created; ``running_gateway`` starts it in a context
    marked background, which those tasks inherit, and their statements are not counted:
    how often a sweep happens to run during a request depends on the machine's load,
    not on the request.
    """

    count: int = 0
    statements: list[str] = field(default_factory=list)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.count_text(statement)

    def count_text(self, statement: str) -> None:
        """Also the listener of the compiled reads, which bypass SQLAlchemy's events."""
        if _BACKGROUND.get():
            return
        self.count += 1
        self.statements.append(statement)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()


@dataclass
class Gateway:
    app: Starlette
    client: httpx.AsyncClient
    settings: Settings
    tenants: dict[str, DemoTenant]
    statements: StatementCounter

    def token(self, tenant: str = "demo", role: Role = Role.ADMIN) -> str:
        return demo_token(self.tenants, tenant, role)

    def headers(self, tenant: str = "demo", role: Role = Role.ADMIN) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token(tenant, role)}"}

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: str = "demo",
        role: Role | None = Role.ADMIN,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if role is not None:
            sent.update(self.headers(tenant, role))
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return await self.client.post("/graphql", json=body, headers=sent)

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: str = "demo",
        role: Role | None = Role.ADMIN,
    ) -> dict[str, Any]:
        """The ``data`` of a request that must succeed with no errors at all."""
        response = await self.post(query, variables, tenant=tenant, role=role)
        assert response.status_code == 200, response.text
        body = response.json()
        if body.get("errors"):
            pytest.fail(f"unexpected GraphQL errors: {body['errors']}")
        data: dict[str, Any] = body["data"]
        return data

    async def errors(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: str = "demo",
        role: Role | None = Role.ADMIN,
    ) -> list[dict[str, Any]]:
        """The ``errors`` of a request that must fail."""
        response = await self.post(query, variables, tenant=tenant, role=role)
        body = response.json()
        assert body.get("errors"), f"expected errors, got {body}"
        errors: list[dict[str, Any]] = body["errors"]
        return errors


async def migrate_and_seed(database_url: str) -> dict[str, DemoTenant]:
    """Bring the store to the latest schema and seed the `SIZES` tenants unless present."""
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        return {slug: await seed_demo(factory, slug=slug, **sizes) for slug, sizes in SIZES.items()}
    finally:
        await engine.dispose()


STANDARD_STORE = StoreTemplates(migrate_and_seed)
"""What `migrate_and_seed` makes of an empty database, copied rather than rebuilt."""


@asynccontextmanager
async def running_gateway(
    database_url: str,
    *,
    redis_url: str | None = None,
    redis_prefix: str = "talentgraph",
    http_client: httpx.AsyncClient | None = None,
    **overrides: Any,
) -> AsyncIterator[Gateway]:
    """The gateway over ``database_url`` with the `SIZES` tenants: an empty database of
    the test's own gets a copy of the standard store, any other is migrated and seeded in
    place (tenants already there are kept as they are)."""
    tenants = await STANDARD_STORE.copy_into(database_url)
    if tenants is None:
        tenants = await migrate_and_seed(database_url)

    settings = Settings(
        database_url=database_url,
        jwt_secret=JWT_SECRET,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        **{
            "encryption_keys": ENCRYPTION_KEYS,
            "health_check_interval_seconds": 0,
            "sync_scheduler_interval_seconds": 0,
            "rate_limit_public_per_minute": 0,
            "rate_limit_user_per_minute": 0,
            "rate_limit_credentials_per_minute": 0,
            "connector_allow_private_targets": True,
            # every request then signs in with the same one statement, so statement
            # counts compare requests; tests/gateway/test_principal_cache.py turns it on
            "principal_cache_seconds": 0,
            **overrides,
        },
    )
    app = create_app(settings, http_client=http_client)
    counter = StatementCounter()
    async with contextlib.AsyncExitStack() as stack:
        background = _BACKGROUND.set(True)
        try:
            await stack.enter_async_context(app.router.lifespan_context(app))
        finally:
            _BACKGROUND.reset(background)
        event.listen(app.state.engine.sync_engine, "before_cursor_execute", counter)
        app.state.runtime.statements.listeners.append(counter.count_text)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Gateway(app, client, settings, tenants, counter)
