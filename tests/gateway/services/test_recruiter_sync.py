"""The recruiter sync run directly against the BPOC fake served over real HTTP: links
to users gone or inactive at the source are dropped, the tenant's admins and recruiters
are linked by email to the one active remote user that fits, a manual link stands, a
run that changes nothing records nothing, missing recruiters are created when asked
(a refusal skips one, a failure that would repeat stops the rest), refusals change
nothing, and only the integration's own tenant is ever read or linked."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from demo.sandbox.bpoc import (
    INACTIVE_RECRUITER_ID,
    MAIN_AGENCY_ID,
    MAIN_API_KEY,
    RECRUITER_ID,
    UNKNOWN_RECRUITER_ID,
    BpocFake,
)
from gateway.errors import NotFound, Unsupported, ValidationFailed
from gateway.services.activities import Actor
from gateway.services.recruiter_sync import RecruiterSyncReport, sync_recruiters
from gateway.store.enums import ActorType, IntegrationStatus, Role
from gateway.store.models import Activity, Integration, RecruiterLink, User
from jobs.sync_api import SyncDeps
from tests.gateway.services.service_world import (
    World,
    add_integration,
    link_recruiter,
    listening,
)
from tests.support.gateway import Gateway
from tests.support.serving import served_on_loopback


async def no_sleep(_seconds: float) -> None:
    return None


@dataclass
class CreationGate:
    """In front of the fake: answers ``refuse[email]`` (or ``refuse["*"]``) to
    ``POST /recruiters/create`` for that email, and notes every email asked for."""

    app: ASGIApp
    refuse: dict[str, int] = field(default_factory=dict)
    attempts: list[str] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/recruiters/create"):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        email = str(json.loads(body or b"{}").get("email"))
        self.attempts.append(email)
        status = self.refuse.get(email, self.refuse.get("*"))
        if status is not None:
            refusal = JSONResponse({"error": "Refused", "status": status}, status_code=status)
            await refusal(scope, receive, send)
            return

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


@dataclass
class Sync:
    world: World
    fake: BpocFake
    gate: CreationGate
    integration_id: int

    @property
    def deps(self) -> SyncDeps:
        sync_deps: SyncDeps = self.world.gateway.app.state.sync_deps
        return dataclasses.replace(sync_deps, sleep=no_sleep)

    @property
    def system(self) -> Actor:
        return Actor(self.world.tenant_id(), ActorType.SYSTEM, "recruiter-sync", "Recruiter sync")

    async def run(
        self,
        *,
        create_missing: bool = False,
        actor: Actor | None = None,
        prune: bool = True,
        tenant: str = "demo",
        integration_id: int | None = None,
    ) -> RecruiterSyncReport:
        return await sync_recruiters(
            self.deps,
            self.world.tenant_id(tenant),
            integration_id or self.integration_id,
            create_missing=create_missing,
            actor=actor or self.world.actor(tenant),
            prune=prune,
        )

    async def synced_users(self) -> dict[str, User]:
        """The demo tenant's active admins and recruiters, by email."""
        async with self.world.session_factory() as session:
            users = await session.scalars(
                sa.select(User)
                .where(
                    User.tenant_id == self.world.tenant_id(),
                    User.is_active.is_(True),
                    User.role.in_((Role.ADMIN, Role.RECRUITER)),
                )
                .order_by(User.id)
            )
            return {user.email: user for user in users}

    def remote(self, email: str, *, active: bool = True) -> str:
        """A recruiter of the main agency, only at the source; its id."""
        remote_id = str(uuid.uuid4())
        self.fake.recruiters[remote_id] = {
            "id": remote_id,
            "agencyId": MAIN_AGENCY_ID,
            "email": email,
            "firstName": "Remote",
            "lastName": "Person",
            "role": "recruiter",
            "isActive": active,
        }
        return remote_id

    async def links(self, integration_id: int | None = None) -> dict[int, str]:
        rows = await self.world.rows(
            sa.select(RecruiterLink.user_id, RecruiterLink.remote_id).where(
                RecruiterLink.integration_id == (integration_id or self.integration_id)
            )
        )
        return {int(row.user_id): str(row.remote_id) for row in rows}

    async def recorded(self) -> list[Activity]:
        """The demo tenant's recruiter activities about this integration, oldest first."""
        async with self.world.session_factory() as session:
            rows = await session.scalars(
                sa.select(Activity)
                .where(
                    Activity.tenant_id == self.world.tenant_id(),
                    Activity.action.like("recruiter.%"),
                )
                .order_by(Activity.id)
            )
            return [
                a for a in rows if (a.details or {}).get("integrationId") == self.integration_id
            ]


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> AsyncIterator[World]:
    async with listening(gateway) as world:
        yield world


@pytest.fixture
async def sync(world: World) -> AsyncIterator[Sync]:
    fake = BpocFake()
    gate = CreationGate(fake.app)
    async with served_on_loopback(gate) as loopback:
        integration_id = await add_integration(
            world,
            "bpoc",
            credentials={"apiKey": MAIN_API_KEY},
            config={"baseUrl": loopback.url + "/api/v1"},
        )
        yield Sync(world, fake, gate, integration_id)


async def test_links_follow_the_source_and_a_manual_link_stands(sync: Sync) -> None:
    users = await sync.synced_users()
    admin, first, inactive, gone, ambiguous = users.values()
    matched = sync.remote(admin.email.upper())
    sync.remote(first.email)
    sync.remote(ambiguous.email)
    sync.remote(ambiguous.email)
    viewer = await sync.world.get(User, sync.world.gateway.tenants["demo"].readonly_user_id)
    sync.remote(viewer.email)
    await link_recruiter(sync.world, first.id, sync.integration_id, RECRUITER_ID)
    await link_recruiter(sync.world, inactive.id, sync.integration_id, INACTIVE_RECRUITER_ID)
    await link_recruiter(sync.world, gone.id, sync.integration_id, UNKNOWN_RECRUITER_ID)

    report = await sync.run()

    assert (report.matched, report.created, report.kept, report.removed) == (1, 0, 1, 2)
    assert report.unmatched == tuple(sorted([inactive.email, gone.email, ambiguous.email]))
    assert report.failures == ()
    assert await sync.links() == {admin.id: matched, first.id: RECRUITER_ID}
    kept = await sync.world.scalar(
        sa.select(RecruiterLink.remote_email).where(
            RecruiterLink.integration_id == sync.integration_id,
            RecruiterLink.user_id == first.id,
        )
    )
    assert kept == sync.fake.recruiters[RECRUITER_ID]["email"]
    assert not [w for w in sync.fake.writes if w.path == "/recruiters/create"]
    recorded = {(a.action, a.subject_id): a for a in await sync.recorded()}
    assert set(recorded) == {
        ("recruiter.linked", admin.id),
        ("recruiter.unlinked", inactive.id),
        ("recruiter.unlinked", gone.id),
        ("recruiter.synced", sync.integration_id),
    }
    assert recorded["recruiter.linked", admin.id].details["via"] == "email"
    assert recorded["recruiter.unlinked", gone.id].details["reason"] == "gone"
    summary = recorded["recruiter.synced", sync.integration_id]
    assert summary.actor_type is ActorType.USER
    assert (summary.details["matched"], summary.details["removed"]) == (1, 2)


async def test_a_run_that_changes_nothing_records_nothing(sync: Sync) -> None:
    admin = next(iter((await sync.synced_users()).values()))
    remote_id = sync.remote(admin.email)
    first = await sync.run(actor=sync.system)
    recorded = len(await sync.recorded())

    again = await sync.run(actor=sync.system)

    assert (first.matched, again.matched, again.kept, again.removed) == (1, 0, 1, 0)
    assert not again.changed
    assert await sync.links() == {admin.id: remote_id}
    assert len(await sync.recorded()) == recorded == 2
    by_hand = await sync.run()
    assert not by_hand.changed
    assert [a.action for a in await sync.recorded()][recorded:] == ["recruiter.synced"], (
        "a run someone asked for is recorded even when it changes nothing"
    )


async def test_missing_recruiters_are_created_and_a_refused_one_is_skipped(sync: Sync) -> None:
    admin, known_inactive, refused, *created = (await sync.synced_users()).values()
    sync.remote(known_inactive.email, active=False)
    sync.gate.refuse[refused.email] = 400

    report = await sync.run(create_missing=True)

    assert (report.matched, report.created) == (0, 1 + len(created))
    assert report.unmatched == tuple(sorted([known_inactive.email, refused.email]))
    [failure] = report.failures
    assert failure.startswith(f"{refused.email}: ")
    remote_by_email = {r["email"]: r for r in sync.fake.recruiters.values()}
    assert known_inactive.email not in sync.gate.attempts, "a known email is never created"
    for user in (admin, *created):
        remote = remote_by_email[user.email]
        assert (remote["firstName"], remote["lastName"]) == tuple(user.name.split(" ", 1))
        assert remote["role"] == ("admin" if user.role is Role.ADMIN else "recruiter")
    assert await sync.links() == {
        user.id: remote_by_email[user.email]["id"] for user in (admin, *created)
    }
    linked = [a for a in await sync.recorded() if a.action == "recruiter.linked"]
    assert {a.subject_id for a in linked} == {user.id for user in (admin, *created)}
    assert {a.details["via"] for a in linked} == {"created"}


async def test_a_creation_failure_that_would_repeat_stops_the_rest(sync: Sync) -> None:
    first, *rest = (await sync.synced_users()).values()
    sync.gate.refuse["*"] = 503

    report = await sync.run(create_missing=True)

    assert set(sync.gate.attempts) == {first.email}
    assert report.failures[0].startswith(f"{first.email}: ")
    assert report.failures[1:] == tuple(
        f"{user.email}: not tried after that failure" for user in rest
    )
    assert report.created == 0
    assert await sync.links() == {}


async def test_without_pruning_a_stale_link_stays_and_still_counts_as_linked(sync: Sync) -> None:
    admin, stale, *_ = (await sync.synced_users()).values()
    matched = sync.remote(admin.email)
    sync.remote(stale.email)
    await link_recruiter(sync.world, stale.id, sync.integration_id, UNKNOWN_RECRUITER_ID)

    report = await sync.run(prune=False)

    assert (report.matched, report.removed) == (1, 0)
    assert await sync.links() == {admin.id: matched, stale.id: UNKNOWN_RECRUITER_ID}
    assert "recruiter.unlinked" not in {a.action for a in await sync.recorded()}


async def test_refusals_call_no_one_and_change_nothing(sync: Sync) -> None:
    world = sync.world
    admin = next(iter((await sync.synced_users()).values()))
    sync.remote(admin.email)
    theirs = await add_integration(
        world, "bpoc", credentials={"apiKey": MAIN_API_KEY}, config={}, tenant="other"
    )
    unsupported = {
        provider: await add_integration(world, provider, credentials={"apiKey": "k"}, config={})
        for provider in ("jobvite", "recruiterflow")
    }
    requests = sync.fake.faults.requests

    with pytest.raises(NotFound):
        await sync.run(integration_id=theirs)
    with pytest.raises(NotFound):
        await sync.run(tenant="other")
    with pytest.raises(Unsupported):
        await sync.run(integration_id=unsupported["jobvite"])
    with pytest.raises(Unsupported):
        await sync.run(integration_id=unsupported["recruiterflow"], create_missing=True)
    async with world.session_factory.begin() as session:
        integration = await session.get(Integration, sync.integration_id)
        assert integration is not None
        integration.status = IntegrationStatus.INACTIVE
    with pytest.raises(ValidationFailed) as disabled:
        await sync.run()

    assert disabled.value.field == "integrationId"
    assert sync.fake.faults.requests == requests
    assert await sync.links() == {}
    assert await sync.recorded() == []
    for integration_id in (theirs, *unsupported.values()):
        assert await sync.links(integration_id) == {}


async def test_only_the_integrations_tenant_is_read_and_linked(sync: Sync) -> None:
    world = sync.world
    other = world.gateway.tenants["other"]
    their_admin = await world.get(User, other.admin_user_id)
    sync.remote(their_admin.email)
    admin = next(iter((await sync.synced_users()).values()))
    matched = sync.remote(admin.email)
    theirs = await add_integration(
        world, "bpoc", credentials={"apiKey": MAIN_API_KEY}, config={}, tenant="other"
    )
    await link_recruiter(world, other.admin_user_id, theirs, UNKNOWN_RECRUITER_ID)

    report = await sync.run()

    assert await sync.links() == {admin.id: matched}
    assert their_admin.email not in report.unmatched
    assert await sync.links(theirs) == {other.admin_user_id: UNKNOWN_RECRUITER_ID}
    assert await world.activities("recruiter.linked", tenant="other") == 0
    assert await world.activities("recruiter.unlinked", tenant="other") == 0
