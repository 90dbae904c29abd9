"""Sign-in through OpenID Connect providers, end to end over real sockets.

Real local issuers (``tests.support.oidc_issuer``: discovery and JWKS over HTTP, RSA and
EC keys) and the gateway served by uvicorn on loopback ports; requests go over HTTP and
WebSocket. Covered: RS256 and ES256 tokens signing in; key rotation; every refusal
(audience, issuer, expiry, not-yet-valid, unknown kid, ``alg: none``, HS256 keyed with
the provider's public key, an algorithm the key is not for, a tenant the issuer does not
serve, an unverified email); matching existing users by email and provisioning new ones;
the role claim; a provider going down after its keys were fetched, one never reachable
and one that hangs; a flood of made-up kids; the same over WebSocket; and the gateway's
own tokens working beside all this.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from gateway.events import application_created
from gateway.store.enums import Role
from gateway.store.models import Activity, Application, User
from resolvers import ws_session as ws_module
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.oidc_issuer import LocalIssuer, hs256_token
from tests.support.services import Backend
from tests.support.serving import free_port, served_on_loopback

ME = "{ me { id email name role } }"
WEB = "talentgraph-web"
FETCH_TIMEOUT = 2.0


@dataclass
class Issuers:
    main: LocalIssuer
    closed: LocalIssuer
    multi: LocalIssuer
    rotating: LocalIssuer
    flood: LocalIssuer
    flaky: LocalIssuer
    hanging: LocalIssuer
    absent_url: str

    def started(self) -> list[LocalIssuer]:
        return [
            self.main,
            self.closed,
            self.multi,
            self.rotating,
            self.flood,
            self.flaky,
            self.hanging,
        ]


@dataclass
class World:
    gateway: Gateway
    issuers: Issuers
    http: httpx.AsyncClient
    ws_url: str

    async def post(self, token: str, query: str = ME) -> httpx.Response:
        return await self.http.post(
            "/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"}
        )

    async def me(self, token: str) -> dict[str, Any]:
        response = await self.post(token)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        me: dict[str, Any] = body["data"]["me"]
        return me

    async def refused(self, token: str) -> str:
        response = await self.post(token)
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        message: str = error["message"]
        return message


def _config(issuers: Issuers) -> list[dict[str, Any]]:
    fixed = {"audience": WEB, "tenant": "demo", "roleClaim": "groups"}
    role_map = {"tg-admins": "ADMIN", "tg-recruiters": "recruiter"}
    return [
        {"issuer": issuers.main.url, **fixed, "roleMap": role_map, "defaultRole": "READONLY"},
        {"issuer": issuers.closed.url, "audience": WEB, "tenant": "other", "provision": False},
        {"issuer": issuers.multi.url, "audience": WEB, "tenants": ["demo"], "tenantClaim": "org"},
        *({"issuer": issuer.url, **fixed} for issuer in (issuers.rotating, issuers.flood)),
        *({"issuer": issuer.url, **fixed} for issuer in (issuers.flaky, issuers.hanging)),
        {"issuer": issuers.absent_url, **fixed},
    ]


@pytest.fixture(scope="module")
async def world(backend: Backend) -> AsyncIterator[World]:
    main, closed, multi, rotating, flood, flaky, hanging = (LocalIssuer() for _ in range(7))
    issuers = Issuers(
        main, closed, multi, rotating, flood, flaky, hanging, f"http://127.0.0.1:{free_port()}"
    )
    issuers.hanging.hanging = True
    async with contextlib.AsyncExitStack() as stack:
        for issuer in issuers.started():
            await stack.enter_async_context(issuer)
        gateway = await stack.enter_async_context(
            running_gateway(
                backend.url,
                oidc_issuers=_config(issuers),
                oidc_fetch_timeout_seconds=FETCH_TIMEOUT,
            )
        )
        loopback = await stack.enter_async_context(served_on_loopback(gateway.app))
        async with httpx.AsyncClient(base_url=loopback.url, timeout=10) as http:
            yield World(gateway, issuers, http, f"{loopback.ws_url}/graphql")


def _fresh_email() -> str:
    return f"new-{uuid.uuid4().hex[:10]}@demo.example"


async def _user(world: World, email: str) -> Any:
    async with world.gateway.app.state.session_factory() as session:
        return (
            await session.execute(
                sa.select(User.id, User.role, User.name, User.tenant_id).where(User.email == email)
            )
        ).one_or_none()


# --- signing in ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["RSA", "EC"], ids=["RS256", "ES256"])
async def test_a_provider_token_signs_in_as_the_demo_user_with_that_email(
    world: World, kind: Any
) -> None:
    demo = world.gateway.tenants["demo"]
    token = world.issuers.main.token(kind=kind, email="Recruiter1@demo.example", groups=None)
    me = await world.me(token)
    assert me["id"] == to_global_id("Recruiter", demo.recruiter_user_ids[0])
    assert me["email"] == "recruiter1@demo.example"
    assert me["role"] == "RECRUITER", "without a role claim the stored role stands"


async def test_the_gateways_own_tokens_keep_working_beside_providers(world: World) -> None:
    demo = world.gateway.tenants["demo"]
    me = await world.me(world.gateway.token("demo", Role.READONLY))
    assert me["id"] == to_global_id("Recruiter", demo.readonly_user_id)
    forged = world.gateway.token("demo", Role.ADMIN)[:-4] + "AAAA"
    assert "invalid" in await world.refused(forged)


async def test_a_first_sign_in_provisions_the_user_with_the_default_role(world: World) -> None:
    email = _fresh_email()
    token = world.issuers.main.token(email=email, name="Ada Lovelace", groups=None)
    me = await world.me(token)
    assert (me["email"], me["name"], me["role"]) == (email, "Ada Lovelace", "READONLY")
    user = await _user(world, email)
    assert user.tenant_id == world.gateway.tenants["demo"].tenant_id
    assert me["id"] == to_global_id("Recruiter", user.id)
    again = await world.me(world.issuers.main.token(kind="EC", email=email.upper()))
    assert again["id"] == me["id"], "the second sign-in is the same user, not a new one"
    async with world.gateway.app.state.session_factory() as session:
        actions = (
            await session.scalars(sa.select(Activity.action).where(Activity.subject_id == user.id))
        ).all()
    assert "user.provisioned" in actions


async def test_a_stored_email_in_other_case_is_the_same_user(world: World) -> None:
    email = _fresh_email()
    stored = email.replace(email[0], email[0].upper(), 1).replace("@", "@Mixed.", 1)
    async with world.gateway.app.state.session_factory.begin() as session:
        user = User(
            tenant_id=world.gateway.tenants["demo"].tenant_id,
            email=stored,
            name="Grace Hopper",
            role=Role.RECRUITER,
        )
        session.add(user)
        await session.flush()
        user_id = user.id
    me = await world.me(world.issuers.main.token(email=stored.lower(), groups=None))
    assert me["id"] == to_global_id("Recruiter", user_id), "not a second account"
    assert me["role"] == "RECRUITER"


async def test_concurrent_first_sign_ins_make_one_user(world: World) -> None:
    email = _fresh_email()
    tokens = [world.issuers.main.token(email=email) for _ in range(6)]
    seen = await asyncio.gather(*(world.me(token) for token in tokens))
    assert len({me["id"] for me in seen}) == 1


async def test_the_role_claim_maps_and_is_kept_in_the_store(world: World) -> None:
    email = _fresh_email()
    issuer = world.issuers.main
    assert (await world.me(issuer.token(email=email, groups=["x", "tg-admins"])))["role"] == "ADMIN"
    assert (await _user(world, email)).role is Role.ADMIN
    assert (await world.me(issuer.token(email=email, groups="tg-recruiters")))["role"] == (
        "RECRUITER"
    )
    assert (await _user(world, email)).role is Role.RECRUITER
    unmapped = issuer.token(email=email, groups=["staff"])
    assert (await world.me(unmapped))["role"] == "READONLY", "a claim that maps to nothing"
    assert (await world.me(issuer.token(email=email, groups=None)))["role"] == "READONLY"


async def test_without_provisioning_only_existing_users_get_in(world: World) -> None:
    other = world.gateway.tenants["other"]
    issuer = world.issuers.closed
    me = await world.me(issuer.token(email="admin@other.example"))
    assert (me["id"], me["role"]) == (to_global_id("Recruiter", other.admin_user_id), "ADMIN")
    stranger = _fresh_email()
    assert "no account" in await world.refused(issuer.token(email=stranger))
    assert await _user(world, stranger) is None


async def test_a_disabled_user_is_refused_whatever_the_provider_says(world: World) -> None:
    email = _fresh_email()
    token = world.issuers.main.token(email=email)
    await world.me(token)
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(sa.update(User).where(User.email == email).values(is_active=False))
    assert "disabled" in await world.refused(token)


async def test_the_tenant_claim_picks_among_the_issuers_tenants(world: World) -> None:
    issuer = world.issuers.multi
    me = await world.me(issuer.token(email="viewer@demo.example", org="demo"))
    assert me["id"] == to_global_id("Recruiter", world.gateway.tenants["demo"].readonly_user_id)
    assert "does not sign in to" in await world.refused(
        issuer.token(email="admin@other.example", org="other")
    )
    assert "names no tenant" in await world.refused(issuer.token(email="viewer@demo.example"))


# --- refusals -----------------------------------------------------------------------------


def _refusals(main: LocalIssuer) -> dict[str, tuple[str, str]]:
    now = int(time.time())
    rsa = main.key("RSA")
    return {
        "wrong audience": (main.token(aud="someone-else"), "another application"),
        "no audience": (main.token(aud=None), "no aud"),
        "expired": (main.token(iat=now - 900, exp=now - 120), "expired"),
        "not yet valid": (main.token(nbf=now + 600), "not yet valid"),
        "issued in the future": (main.token(iat=now + 600), "not yet valid"),
        "no expiry": (main.token(exp=None), "no exp"),
        "unknown kid": (main.token(headers={"kid": "nobody-has-this"}), "no key"),
        "unverified email": (main.token(email_verified=False), "not verified"),
        "no email": (main.token(email=None), "no email"),
        "another tenant": (main.token(tenant="other"), "does not sign in to"),
        "tampered": (main.token()[:-6] + "AAAAAA", "invalid token"),
        "alg none": (
            _unsigned(main.claims(), {"kid": rsa.kid}),
            "RS256 or ES256, not 'none'",
        ),
        "HS256 keyed with the public key": (
            hs256_token(main.claims(), rsa.public_pem(), {"kid": rsa.kid}),
            "RS256 or ES256, not 'HS256'",
        ),
        "ES256 header on the RSA key": (
            _with_header(main.token(), {"alg": "ES256"}),
            "is for RS256",
        ),
        "RS384": (_with_header(main.token(), {"alg": "RS384"}), "not 'RS384'"),
    }


def _unsigned(claims: dict[str, Any], headers: dict[str, Any]) -> str:
    return _join({"alg": "none", "typ": "JWT", **headers}, claims, b"")


def _with_header(token: str, changes: dict[str, Any]) -> str:
    head, body, signature = token.split(".")
    header = {**orjson.loads(_unb64(head)), **changes}
    return f"{_b64(orjson.dumps(header))}.{body}.{signature}"


def _join(header: dict[str, Any], claims: dict[str, Any], signature: bytes) -> str:
    return f"{_b64(orjson.dumps(header))}.{_b64(orjson.dumps(claims))}.{_b64(signature)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


REFUSALS = [
    "wrong audience",
    "no audience",
    "expired",
    "not yet valid",
    "issued in the future",
    "no expiry",
    "unknown kid",
    "unverified email",
    "no email",
    "another tenant",
    "tampered",
    "alg none",
    "HS256 keyed with the public key",
    "ES256 header on the RSA key",
    "RS384",
]


def test_every_refusal_is_listed() -> None:
    assert sorted(REFUSALS) == sorted(_refusals(LocalIssuer(port=1)))


@pytest.mark.parametrize("case", REFUSALS)
async def test_a_bad_provider_token_is_refused_with_a_clear_reason(world: World, case: str) -> None:
    token, reason = _refusals(world.issuers.main)[case]
    assert reason in await world.refused(token)


async def test_a_token_of_an_issuer_not_configured_is_refused(world: World) -> None:
    async with LocalIssuer() as stranger:
        message = await world.refused(stranger.token(email="admin@demo.example"))
    assert message == "invalid token"
    assert stranger.discovery_fetches == 0, "an unknown issuer is never contacted"
    main = world.issuers.main
    for near_miss in (main.url + "/", main.url.replace("127.0.0.1", "localhost")):
        assert await world.refused(main.token(iss=near_miss)) == "invalid token"


async def test_a_token_naming_another_configured_issuer_needs_that_issuers_key(
    world: World,
) -> None:
    token = world.issuers.main.token(iss=world.issuers.multi.url, org="demo")
    assert "no key" in await world.refused(token)


# --- keys: rotation, floods, outages --------------------------------------------------


async def test_a_rotated_key_is_fetched_once_and_the_removed_one_refused(world: World) -> None:
    issuer = world.issuers.rotating
    old = issuer.key("RSA")
    old_token = issuer.token(email="admin@demo.example")
    await world.me(old_token)
    assert issuer.jwks_fetches == 1
    new = issuer.rotate("RSA")
    assert (await world.me(issuer.token(key=new, email="admin@demo.example")))["role"] == "ADMIN"
    assert issuer.jwks_fetches == 2
    await world.me(issuer.token(key=new, email="admin@demo.example"))
    assert "no key" in await world.refused(issuer.token(key=old, email="admin@demo.example"))
    assert issuer.jwks_fetches == 2


async def test_a_flood_of_made_up_kids_costs_the_provider_one_fetch(world: World) -> None:
    issuer = world.issuers.flood
    await world.me(issuer.token(email="admin@demo.example"))
    assert (issuer.discovery_fetches, issuer.jwks_fetches) == (1, 1)
    made_up = [issuer.token(headers={"kid": uuid.uuid4().hex}) for _ in range(60)]
    responses = await asyncio.gather(*(world.post(token) for token in made_up[:40]))
    assert {response.status_code for response in responses} == {401}
    for token in made_up[40:]:
        assert "no key" in await world.refused(token)
    assert issuer.jwks_fetches == 2, "one refetch for the first unknown kid, then none"
    await world.me(issuer.token(email="admin@demo.example"))
    assert issuer.jwks_fetches == 2


async def test_cached_keys_keep_working_while_the_provider_is_down(world: World) -> None:
    issuer = world.issuers.flaky
    await world.me(issuer.token(email="admin@demo.example"))
    await issuer.stop()
    try:
        for kind in ("RSA", "EC"):
            await world.me(issuer.token(kind=kind, email="admin@demo.example"))
        unknown = issuer.token(headers={"kid": "rotated?"})
        await _unavailable(world, unknown)
        assert "no key" in await world.refused(unknown), "no second try within the cooldown"
    finally:
        await issuer.start()


async def _unavailable(world: World, token: str) -> float:
    started = time.monotonic()
    response = await world.post(token)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    return elapsed


async def test_a_provider_never_reached_is_503_at_once_and_not_hammered(world: World) -> None:
    token = world.issuers.main.token(iss=world.issuers.absent_url, email="admin@demo.example")
    assert await _unavailable(world, token) < FETCH_TIMEOUT
    assert await _unavailable(world, token) < FETCH_TIMEOUT / 2


async def test_a_hanging_provider_costs_one_request_the_timeout_and_no_more(world: World) -> None:
    issuer = world.issuers.hanging
    token = issuer.token(email="admin@demo.example")
    waits = await asyncio.gather(*(_unavailable(world, token) for _ in range(5)))
    assert max(waits) < FETCH_TIMEOUT + 1.5, "bounded by the fetch timeout"
    assert issuer.discovery_fetches == 1, "the waiting requests shared one fetch"
    assert await _unavailable(world, token) < FETCH_TIMEOUT / 2, "then refused at once for a while"
    assert issuer.discovery_fetches == 1


# --- WebSocket ----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _socket(world: World, token: str) -> AsyncIterator[Any]:
    async with connect(world.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(
            orjson.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            ).decode()
        )
        yield ws


async def _recv(ws: Any, within: float = 5.0) -> dict[str, Any]:
    message: dict[str, Any] = orjson.loads(await asyncio.wait_for(ws.recv(), within))
    return message


async def _closed_with(ws: Any, within: float) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(within):
            while True:
                await ws.recv()
    return closed.value.rcvd.code if closed.value.rcvd else None


PIPELINE = """subscription Pipeline($jobId: ID!) {
  pipelineUpdates(jobId: $jobId) { kind applicationId jobId }
}"""


async def test_a_provider_token_opens_a_websocket_that_ends_when_it_expires(
    world: World,
) -> None:
    state = world.gateway.app.state
    tenant = world.gateway.tenants["demo"].tenant_id
    async with state.session_factory() as session:
        application = (
            await session.execute(
                sa.select(Application.id, Application.job_id)
                .where(Application.tenant_id == tenant)
                .limit(1)
            )
        ).one()
    job = to_global_id("Job", application.job_id)
    now = int(time.time())
    token = world.issuers.main.token(kind="EC", email="admin@demo.example", exp=now + 3)
    baseline = state.bus.fanout.count()
    async with _socket(world, token) as ws:
        assert await _recv(ws) == {"type": "connection_ack"}
        subscribe = {"query": PIPELINE, "variables": {"jobId": job}}
        await ws.send(orjson.dumps({"type": "subscribe", "id": "1", "payload": subscribe}).decode())
        deadline = time.monotonic() + 5
        while state.bus.fanout.count() <= baseline:
            assert time.monotonic() < deadline, "the subscription never went live"
            await asyncio.sleep(0.01)
        created = application_created(
            tenant,
            application_id=application.id,
            remote_id="A-1",
            job_id=application.job_id,
            candidate_id=1,
            stage="New",
            status="active",
        )
        await state.bus.publish(created)
        message = await _recv(ws)
        assert message["type"] == "next", message
        update = message["payload"]["data"]["pipelineUpdates"]
        assert (update["kind"], update["jobId"]) == ("CREATED", job)
        assert await _closed_with(ws, within=8.0) == 4403
    assert time.time() >= now + 3 - 0.5, "closed at the token's expiry, not before"


@pytest.mark.parametrize("case", ["wrong audience", "alg none", "HS256 keyed with the public key"])
async def test_a_bad_provider_token_is_refused_on_the_websocket(world: World, case: str) -> None:
    token, _reason = _refusals(world.issuers.main)[case]
    async with _socket(world, token) as ws:
        assert await _closed_with(ws, within=5.0) == 4403


async def test_an_unreachable_provider_closes_the_websocket_try_again_later(world: World) -> None:
    token = world.issuers.main.token(iss=world.issuers.absent_url, email="admin@demo.example")
    async with _socket(world, token) as ws:
        assert await _closed_with(ws, within=5.0) == 1013


async def test_a_provider_token_socket_is_re_checked_and_closed_when_the_user_is_disabled(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ws_module, "ACCESS_CHECK_SECONDS", 0.2)
    email = _fresh_email()
    async with _socket(world, world.issuers.main.token(email=email)) as ws:
        assert await _recv(ws) == {"type": "connection_ack"}
        await asyncio.sleep(0.5)
        async with world.gateway.app.state.session_factory.begin() as session:
            await session.execute(
                sa.update(User).where(User.email == email).values(is_active=False)
            )
        assert await _closed_with(ws, within=5.0) == 4403
