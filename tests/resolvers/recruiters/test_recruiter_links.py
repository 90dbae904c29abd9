"""Recruiter links through GraphQL, on SQLite and PostgreSQL, against the BPOC and
Recruiterflow fakes: ``recruiterLink`` checks the id with the source and upserts,
``recruiterUnlink`` removes, ``recruiterSync`` matches by email and creates missing BPOC
recruiters only when asked; refusals are typed and write nothing; ``Recruiter.links``
is batched."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.types import Receive, Scope, Send

from demo.sandbox.bpoc import (
    INACTIVE_RECRUITER_ID,
    MAIN_AGENCY_ID,
    MAIN_API_KEY,
    MANAGER_ID,
    OTHER_AGENCY_RECRUITER_ID,
    RECRUITER_ID,
    UNKNOWN_RECRUITER_ID,
    BpocFake,
)
from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.crypto import credentials_context
from gateway.store.enums import IntegrationStatus, Role
from gateway.store.models import Activity, Integration, RecruiterLink, User
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

LINK = """mutation($input: RecruiterLinkInput!) {
  recruiterLink(input: $input) {
    __typename
    ... on RecruiterLinkSuccess {
      previousRemoteId
      recruiter { id email }
      link { remoteId remoteEmail linkedAt integration { id name } }
    }
    ... on UserError { message code }
    ... on RecruiterRejectedError { reason }
    ... on NotFoundError { entity }
    ... on ValidationError { field }
    ... on ConnectorError { retryable statusCode }
  }
}"""

UNLINK = """mutation($input: RecruiterUnlinkInput!) {
  recruiterUnlink(input: $input) {
    __typename
    ... on RecruiterUnlinkSuccess { remoteId recruiter { id } }
    ... on UserError { message code }
    ... on NotFoundError { entity }
  }
}"""

SYNC = """mutation($input: RecruiterSyncInput!) {
  recruiterSync(input: $input) {
    __typename
    ... on RecruiterSyncSuccess {
      integration { id }
      matched created kept removed unmatched failures
    }
    ... on UserError { message code }
    ... on UnsupportedOperationError { provider operation }
  }
}"""

RECRUITER_LINKS = """query($id: ID!) {
  recruiter(id: $id) { links { remoteId remoteEmail integration { id } } }
}"""

RECRUITERS_WITH_LINKS = """query($first: Int!) {
  recruiters(first: $first) {
    nodes { email links { remoteId remoteEmail linkedAt integration { name provider } } }
  }
}"""

_hosts = itertools.count(1)


class Hosts:
    """One ASGI app in front of many fakes, chosen by the request's host, so each test
    gets a BPOC of its own."""

    def __init__(self) -> None:
        self.apps: dict[str, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = dict(scope.get("headers") or {}).get(b"host", b"").decode()
        await self.apps[host](scope, receive, send)


@dataclass
class World:
    gateway: Gateway
    hosts: Hosts
    bpoc: BpocFake
    bpoc_id: int
    rf: FakeRecruiterflow
    rf_id: int
    other_integration_id: int
    integrations: list[int] = field(default_factory=list)

    @property
    def demo(self) -> Any:
        return self.gateway.tenants["demo"]

    async def add_integration(
        self,
        provider: str,
        credentials: dict[str, str],
        *,
        tenant: str = "demo",
        config: dict[str, Any] | None = None,
    ) -> int:
        state = self.gateway.app.state
        tenant_id = self.gateway.tenants[tenant].tenant_id
        async with state.session_factory.begin() as session:
            integration = Integration(
                tenant_id=tenant_id,
                provider=provider,
                name=f"{provider} {next(_hosts)}",
                status=IntegrationStatus.ACTIVE,
                config={"rateLimitPerSecond": 10_000, **(config or {})},
                credentials_encrypted=state.keyring.encrypt_json(
                    credentials, context=credentials_context(tenant_id)
                ),
            )
            session.add(integration)
            await session.flush()
            return integration.id

    async def new_bpoc(self) -> tuple[BpocFake, int]:
        """A BPOC fake of its own, and a demo integration onto its main agency."""
        fake = BpocFake()
        host = f"bpoc-{next(_hosts)}.test"
        self.hosts.apps[host] = fake.app
        integration_id = await self.add_integration(
            "bpoc", {"apiKey": MAIN_API_KEY}, config={"baseUrl": f"https://{host}/api/v1"}
        )
        return fake, integration_id

    async def link(
        self, user_id: int, integration_id: int, remote_id: str, **kwargs: Any
    ) -> dict[str, Any]:
        data = await self.gateway.execute(
            LINK,
            {
                "input": {
                    "userId": to_global_id("Recruiter", user_id),
                    "integrationId": to_global_id("Integration", integration_id),
                    "remoteId": remote_id,
                }
            },
            **kwargs,
        )
        result: dict[str, Any] = data["recruiterLink"]
        return result

    async def sync(self, integration_id: int, **extra: Any) -> dict[str, Any]:
        data = await self.gateway.execute(
            SYNC, {"input": {"integrationId": to_global_id("Integration", integration_id), **extra}}
        )
        result: dict[str, Any] = data["recruiterSync"]
        return result

    async def links(self, integration_id: int) -> dict[int, tuple[str, str | None]]:
        async with self.gateway.app.state.session_factory() as session:
            rows = await session.execute(
                sa.select(
                    RecruiterLink.user_id, RecruiterLink.remote_id, RecruiterLink.remote_email
                ).where(RecruiterLink.integration_id == integration_id)
            )
            return {row.user_id: (row.remote_id, row.remote_email) for row in rows}

    async def actions(self, action: str) -> int:
        async with self.gateway.app.state.session_factory() as session:
            return int(
                await session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Activity)
                    .where(Activity.action == action)
                )
                or 0
            )

    async def users(self) -> dict[int, User]:
        async with self.gateway.app.state.session_factory() as session:
            found = await session.scalars(
                sa.select(User).where(User.tenant_id == self.demo.tenant_id)
            )
            return {user.id: user for user in found}


@pytest.fixture(scope="module")
async def world(backend: Backend) -> AsyncIterator[World]:
    hosts = Hosts()
    bpoc = BpocFake()
    rf = FakeRecruiterflow()
    hosts.apps["bpoc.io"] = bpoc.app
    client = httpx.AsyncClient(
        mounts={
            "https://api.recruiterflow.com": httpx.ASGITransport(app=rf.app),
            "https://": httpx.ASGITransport(app=hosts),
        }
    )
    async with running_gateway(backend.url, http_client=client) as gateway:
        world = World(gateway, hosts, bpoc, 0, rf, 0, 0)
        world.bpoc_id = await world.add_integration("bpoc", {"apiKey": MAIN_API_KEY})
        world.rf_id = await world.add_integration("recruiterflow", {"apiKey": rf.api_key})
        world.other_integration_id = await world.add_integration(
            "bpoc", {"apiKey": MAIN_API_KEY}, tenant="other"
        )
        yield world
    await client.aclose()


async def test_a_link_is_checked_with_bpoc_normalized_and_replaced(world: World) -> None:
    admin = world.demo.admin_user_id
    result = await world.link(admin, world.bpoc_id, RECRUITER_ID.upper())
    assert result["__typename"] == "RecruiterLinkSuccess", result
    assert result["previousRemoteId"] is None
    assert result["link"]["remoteId"] == RECRUITER_ID
    assert result["link"]["remoteEmail"] == world.bpoc.recruiters[RECRUITER_ID]["email"]
    assert result["link"]["integration"]["id"] == to_global_id("Integration", world.bpoc_id)

    again = await world.link(admin, world.bpoc_id, MANAGER_ID)
    assert again["__typename"] == "RecruiterLinkSuccess", again
    assert again["previousRemoteId"] == RECRUITER_ID
    assert (await world.links(world.bpoc_id))[admin] == (
        MANAGER_ID,
        world.bpoc.recruiters[MANAGER_ID]["email"],
    )
    data = await world.gateway.execute(RECRUITER_LINKS, {"id": to_global_id("Recruiter", admin)})
    mine = [
        link
        for link in data["recruiter"]["links"]
        if link["integration"]["id"] == to_global_id("Integration", world.bpoc_id)
    ]
    assert [link["remoteId"] for link in mine] == [MANAGER_ID]
    assert world.bpoc.writes == [], "checking an id writes nothing to BPOC"


@pytest.mark.parametrize(
    ("remote_id", "reason"),
    [
        ("not-a-uuid", "unknown_recruiter"),
        (INACTIVE_RECRUITER_ID, "unknown_recruiter"),
        (OTHER_AGENCY_RECRUITER_ID, "not_in_agency"),
        (UNKNOWN_RECRUITER_ID, "not_in_agency"),
    ],
    ids=["malformed", "inactive", "other-agency", "unknown-uuid"],
)
async def test_bpoc_refuses_ids_outside_the_agency_with_a_reason(
    world: World, remote_id: str, reason: str
) -> None:
    user = world.demo.recruiter_user_ids[3]
    before = await world.links(world.bpoc_id)
    result = await world.link(user, world.bpoc_id, remote_id)
    assert result["__typename"] == "RecruiterRejectedError", result
    assert result["reason"] == reason
    assert result["code"] == "RECRUITER_REJECTED"
    if reason == "not_in_agency":
        assert "another agency, or to none" in result["message"]
    assert await world.links(world.bpoc_id) == before


async def test_recruiterflow_ids_are_checked_against_its_users(world: World) -> None:
    user = world.demo.recruiter_user_ids[2]
    refused = await world.link(user, world.rf_id, "99999")
    assert refused["__typename"] == "RecruiterRejectedError", refused
    assert refused["reason"] == "unknown_recruiter"
    linked = await world.link(user, world.rf_id, " 18993 ")
    assert linked["__typename"] == "RecruiterLinkSuccess", linked
    assert linked["link"]["remoteId"] == "18993"
    assert linked["link"]["remoteEmail"] == "bikash@rfstaging.xyz"


async def test_other_tenants_records_are_not_found_and_ids_are_not_shared(world: World) -> None:
    other = world.gateway.tenants["other"]
    demo_user = world.demo.recruiter_user_ids[0]
    not_mine = await world.link(other.admin_user_id, world.bpoc_id, RECRUITER_ID)
    assert not_mine["__typename"] == "NotFoundError", not_mine
    assert not_mine["entity"] == "Recruiter"
    other_integration = await world.link(demo_user, world.other_integration_id, RECRUITER_ID)
    assert other_integration["__typename"] == "NotFoundError", other_integration
    assert other_integration["entity"] == "Integration"

    await world.link(world.demo.admin_user_id, world.bpoc_id, MANAGER_ID)
    taken = await world.link(demo_user, world.bpoc_id, MANAGER_ID)
    assert taken["__typename"] == "ValidationError", taken
    assert taken["field"] == "remoteId"
    users = await world.users()
    admin = users[world.demo.admin_user_id]
    assert admin.name in taken["message"] and admin.email in taken["message"]
    assert demo_user not in await world.links(world.bpoc_id)


async def test_only_admins_link_and_a_bad_key_is_a_connector_error(world: World) -> None:
    user = world.demo.recruiter_user_ids[1]
    denied = await world.link(user, world.bpoc_id, RECRUITER_ID, role=Role.RECRUITER)
    assert denied["__typename"] == "PermissionDeniedError", denied
    revoked = await world.add_integration("bpoc", {"apiKey": "bpoc_sk_live_revoked_0000"})
    failed = await world.link(user, revoked, RECRUITER_ID)
    assert failed["__typename"] == "ConnectorError", failed
    assert failed["retryable"] is False
    assert await world.links(revoked) == {}


async def test_unlink_removes_the_link_once(world: World) -> None:
    user = world.demo.recruiter_user_ids[2]
    _fake, integration_id = await world.new_bpoc()
    assert (await world.link(user, integration_id, RECRUITER_ID))["__typename"] == (
        "RecruiterLinkSuccess"
    )
    variables = {
        "input": {
            "userId": to_global_id("Recruiter", user),
            "integrationId": to_global_id("Integration", integration_id),
        }
    }
    unlinked = (await world.gateway.execute(UNLINK, variables))["recruiterUnlink"]
    assert unlinked["__typename"] == "RecruiterUnlinkSuccess", unlinked
    assert unlinked["remoteId"] == RECRUITER_ID
    assert await world.links(integration_id) == {}
    again = (await world.gateway.execute(UNLINK, variables))["recruiterUnlink"]
    assert again["__typename"] == "NotFoundError", again
    assert again["entity"] == "RecruiterLink"


def _recruiter(fake: BpocFake, rid: str, email: str, *, active: bool = True) -> None:
    fake.recruiters[rid] = {
        "id": rid,
        "agencyId": MAIN_AGENCY_ID,
        "email": email,
        "firstName": "Synced",
        "lastName": "Person",
        "role": "recruiter",
        "isActive": active,
    }


async def test_sync_matches_by_email_whatever_the_case_and_drops_stale_links(
    world: World,
) -> None:
    fake, integration_id = await world.new_bpoc()
    users = await world.users()
    first, second, third, fourth = world.demo.recruiter_user_ids
    matched_id = "0f6d2b8e-4d3c-4b7a-9b1e-2c5d8e7f6a01"
    stale_id = "0f6d2b8e-4d3c-4b7a-9b1e-2c5d8e7f6a02"
    _recruiter(fake, matched_id, users[first].email.upper())
    _recruiter(fake, "0f6d2b8e-4d3c-4b7a-9b1e-2c5d8e7f6a03", users[second].email, active=False)
    _recruiter(fake, stale_id, "someone.gone@manilatalent.ph")
    assert (await world.link(third, integration_id, stale_id))["__typename"] == (
        "RecruiterLinkSuccess"
    )
    del fake.recruiters[stale_id]
    linked_before = await world.actions("recruiter.linked")

    report = await world.sync(integration_id)

    assert report["__typename"] == "RecruiterSyncSuccess", report
    assert (report["matched"], report["created"], report["kept"], report["removed"]) == (
        1,
        0,
        0,
        1,
    )
    eligible = [world.demo.admin_user_id, first, second, third, fourth]
    assert report["unmatched"] == sorted(users[u].email for u in eligible if u != first)
    assert report["failures"] == []
    assert await world.links(integration_id) == {first: (matched_id, users[first].email.upper())}
    assert not [w for w in fake.writes if w.path == "/recruiters/create"]
    assert await world.actions("recruiter.linked") == linked_before + 1

    again = await world.sync(integration_id)
    assert (again["matched"], again["kept"], again["removed"]) == (0, 1, 0)
    assert await world.links(integration_id) == {first: (matched_id, users[first].email.upper())}


async def test_sync_keeps_a_manual_link_over_an_email_match(world: World) -> None:
    fake, integration_id = await world.new_bpoc()
    users = await world.users()
    user = world.demo.recruiter_user_ids[0]
    _recruiter(fake, "1a6d2b8e-4d3c-4b7a-9b1e-2c5d8e7f6a01", users[user].email)
    await world.link(user, integration_id, RECRUITER_ID)
    report = await world.sync(integration_id)
    assert (report["matched"], report["kept"]) == (0, 1)
    assert (await world.links(integration_id))[user][0] == RECRUITER_ID


async def test_sync_creates_missing_bpoc_recruiters_only_when_asked(world: World) -> None:
    fake, integration_id = await world.new_bpoc()
    users = await world.users()
    eligible = sorted(
        (u for u in users.values() if u.is_active and u.role in (Role.ADMIN, Role.RECRUITER)),
        key=lambda u: u.id,
    )

    plain = await world.sync(integration_id)
    assert plain["created"] == 0 and plain["unmatched"] == sorted(u.email for u in eligible)
    assert [w for w in fake.writes if w.path == "/recruiters/create"] == []

    report = await world.sync(integration_id, createMissing=True)

    assert report["__typename"] == "RecruiterSyncSuccess", report
    assert (report["created"], report["matched"], report["unmatched"]) == (len(eligible), 0, [])
    creations = [w for w in fake.writes if w.path == "/recruiters/create"]
    assert [w.body for w in creations] == [
        {
            "email": u.email,
            "firstName": u.name.split()[0],
            "lastName": " ".join(u.name.split()[1:]),
            "role": "admin" if u.role is Role.ADMIN else "recruiter",
        }
        for u in eligible
    ]
    by_email = {r["email"]: rid for rid, r in fake.recruiters.items()}
    assert await world.links(integration_id) == {
        u.id: (by_email[u.email], u.email) for u in eligible
    }
    assert world.demo.readonly_user_id not in await world.links(integration_id)

    settled = await world.sync(integration_id, createMissing=True)
    assert (settled["created"], settled["kept"]) == (0, len(eligible))
    assert len([w for w in fake.writes if w.path == "/recruiters/create"]) == len(eligible)


async def test_sync_needs_a_provider_that_lists_and_creates_users(world: World) -> None:
    jobvite = await world.add_integration("jobvite", {"apiKey": "k", "apiSecret": "s"})
    refused = await world.sync(jobvite)
    assert refused["__typename"] == "UnsupportedOperationError", refused
    assert refused["provider"] == "jobvite"
    no_create = await world.sync(world.rf_id, createMissing=True)
    assert no_create["__typename"] == "UnsupportedOperationError", no_create
    plain = await world.sync(world.rf_id)
    assert plain["__typename"] == "RecruiterSyncSuccess", plain


async def test_recruiter_links_load_in_one_statement_for_any_number_of_recruiters(
    world: World,
) -> None:
    counts = []
    for first in (2, 6):
        world.gateway.statements.reset()
        data = await world.gateway.execute(RECRUITERS_WITH_LINKS, {"first": first})
        nodes = data["recruiters"]["nodes"]
        assert len(nodes) == first
        counts.append(world.gateway.statements.count)
    assert any(node["links"] for node in nodes)
    assert counts[0] == counts[1], counts


INVITE = """mutation($input: RecruiterInviteInput!) {
  recruiterInvite(input: $input) {
    __typename
    ... on RecruiterInviteSuccess { integration { id } email role inviteToken expiresAt }
    ... on ValidationError { field message }
    ... on UnsupportedOperationError { provider }
    ... on NotFoundError { entity }
    ... on PermissionDeniedError { permission }
    ... on ConnectorError { message }
  }
}"""


async def _invite(
    world: World, integration_id: int, as_role: Role = Role.ADMIN, **fields: Any
) -> Any:
    data = await world.gateway.execute(
        INVITE,
        {
            "input": {
                "integrationId": to_global_id("Integration", integration_id),
                "email": "jane@agency.example",
                "name": "Jane Recruiter",
                **fields,
            }
        },
        role=as_role,
    )
    return data["recruiterInvite"]


async def test_an_admin_invites_to_the_bpoc_team_and_gets_the_token_once(world: World) -> None:
    fake, integration_id = await world.new_bpoc()
    invited = await _invite(world, integration_id, email=" Jane@Agency.example ", role="Manager")
    assert invited["__typename"] == "RecruiterInviteSuccess", invited
    assert (invited["email"], invited["role"]) == ("jane@agency.example", "manager")
    [write] = [w for w in fake.writes if w.path == "/team/invite"]
    assert write.body == {
        "email": "jane@agency.example",
        "name": "Jane Recruiter",
        "role": "manager",
    }
    stored = fake.invites[invited["inviteToken"]]
    assert (stored["email"], stored["role"]) == ("jane@agency.example", "manager")
    assert invited["expiresAt"] == stored["expiresAt"]
    async with world.gateway.app.state.session_factory() as session:
        activity = await session.scalar(
            sa.select(Activity).where(
                Activity.action == "recruiter.invited", Activity.subject_id == integration_id
            )
        )
    assert activity is not None and activity.details["role"] == "manager"
    assert invited["inviteToken"] not in str(activity.details) + activity.description


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"email": "not-an-address"}, "email"),
        ({"name": "   "}, "name"),
        ({"name": "Jane\nRecruiter"}, "name"),
        ({"role": "owner"}, "role"),
    ],
)
async def test_bad_invitations_are_refused_before_any_request(
    world: World, fields: dict[str, Any], field: str
) -> None:
    fake, integration_id = await world.new_bpoc()
    refused = await _invite(world, integration_id, **fields)
    assert refused["__typename"] == "ValidationError" and refused["field"] == field, refused
    assert fake.writes == []


async def test_invitations_need_an_admin_a_team_source_and_the_tenants_integration(
    world: World,
) -> None:
    fake, integration_id = await world.new_bpoc()
    denied = await _invite(world, integration_id, as_role=Role.RECRUITER)
    assert denied["__typename"] == "PermissionDeniedError", denied
    unsupported = await _invite(world, world.rf_id)
    assert unsupported == {"__typename": "UnsupportedOperationError", "provider": "recruiterflow"}
    foreign = await _invite(world, world.other_integration_id)
    assert foreign["__typename"] == "NotFoundError", foreign
    assert fake.writes == []
    fake.recruiters.clear()
    taken_email = await _invite(world, integration_id)
    again = await _invite(world, integration_id)
    assert taken_email["__typename"] == again["__typename"] == "RecruiterInviteSuccess"
    assert taken_email["inviteToken"] != again["inviteToken"], "each invitation its own token"
