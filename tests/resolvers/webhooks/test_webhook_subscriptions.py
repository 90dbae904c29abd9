"""Outbound webhook subscriptions and inbound webhook events through GraphQL, on SQLite
and PostgreSQL: create (the secret shown once), update, delete and test against a real
receiver that verifies signatures with ``standardwebhooks``, or with its own ``hmac``
check for the integration framework's scheme; switching a subscription's scheme;
hostile input refused with nothing written; roles and tenant isolation; the delivery
log, its stats and no N+1; the inbound event log with its admin-only body excerpt and
retry."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.services.webhook_subscriptions import secret_context
from gateway.store.base import utcnow
from gateway.store.enums import DeliveryStatus, Provider, Role, WebhookEventStatus
from gateway.store.models import (
    Activity,
    Integration,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from gateway.webhook_signature import FRAMEWORK_ID_NAMESPACE, generate_secret
from tests.support.gateway import Gateway, running_gateway
from tests.support.receiver import FRAMEWORK, STANDARD, Answer, Receiver, serving
from tests.support.services import Backend

CREATE = """
mutation($input: WebhookSubscriptionCreateInput!) {
  webhookSubscriptionCreate(input: $input) {
    __typename
    ... on WebhookSubscriptionCreateSuccess {
      secret
      webhookSubscription {
        id name url events retryAttempts timeoutMs isActive hasSecret secretHint
        signatureScheme createdAt updatedAt
      }
    }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
UPDATE = """
mutation($input: WebhookSubscriptionUpdateInput!) {
  webhookSubscriptionUpdate(input: $input) {
    __typename
    ... on WebhookSubscriptionUpdateSuccess {
      webhookSubscription {
        id name url events retryAttempts timeoutMs isActive secretHint signatureScheme
      }
    }
    ... on NotFoundError { entity }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
DELETE = """
mutation($id: ID!) {
  webhookSubscriptionDelete(input: {id: $id}) {
    __typename
    ... on WebhookSubscriptionDeleteSuccess { deletedId }
    ... on NotFoundError { entity }
    ... on PermissionDeniedError { permission }
  }
}
"""
TEST = """
mutation($id: ID!, $event: WebhookSubscriptionEvent) {
  webhookSubscriptionTest(input: {id: $id, event: $event}) {
    __typename
    ... on WebhookSubscriptionTestSuccess {
      delivery {
        id event messageId status attempt statusCode durationMs responseExcerpt error
        payload nextAttemptAt deliveredAt subscription { id }
      }
    }
    ... on NotFoundError { entity }
    ... on PermissionDeniedError { permission }
  }
}
"""
SUBSCRIPTION = """
query($id: ID!, $since: DateTime, $filter: WebhookDeliveryFilter) {
  webhookSubscription(id: $id) {
    id name
    stats(since: $since) {
      total succeeded failed pending successRate p50LatencyMs p95LatencyMs
    }
    deliveries(first: 5, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id event status durationMs }
    }
  }
}
"""
SUBSCRIPTIONS = """
query($filter: WebhookSubscriptionFilter) {
  webhookSubscriptions(first: 100, filter: $filter) {
    totalCount
    nodes {
      id name
      stats { total p50LatencyMs }
      deliveries(first: 3) { totalCount nodes { id status subscription { id } } }
    }
  }
}
"""
DELIVERIES = """
query($filter: WebhookDeliveryFilter, $first: Int, $after: String) {
  webhookDeliveries(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id event status subscription { id } }
  }
}
"""
NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on WebhookSubscription { name }
    ... on WebhookDelivery { event }
    ... on WebhookEvent { eventType }
  }
}
"""
EVENTS = """
query($filter: WebhookEventFilter) {
  webhookEvents(first: 100, filter: $filter) {
    totalCount
    nodes {
      id provider deliveryId eventType status attempts lastError result receivedAt
      processedAt nextAttemptAt bodyExcerpt integration { id }
    }
  }
}
"""
EVENT_RETRY = """
mutation($id: ID!) {
  webhookEventRetry(input: {id: $id}) {
    __typename
    ... on WebhookEventRetrySuccess { webhookEvent { id status attempts lastError } }
    ... on NotFoundError { entity }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""

NODE_SCHEME = """
query($id: ID!) { node(id: $id) { ... on WebhookSubscription { signatureScheme secretHint } } }
"""

_paths = count(1)


@dataclass
class Setup:
    gateway: Gateway
    receiver: Receiver
    base_url: str


@pytest.fixture(scope="module")
async def setup(backend: Backend) -> AsyncIterator[Setup]:
    receiver = Receiver()
    async with (
        serving(receiver) as base_url,
        running_gateway(
            backend.url,
            webhook_allow_private_targets=True,
            webhook_sweep_interval_seconds=0,
        ) as gateway,
    ):
        yield Setup(gateway, receiver, base_url)


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


def path() -> str:
    return f"/hooks/{next(_paths)}"


async def create(
    setup: Setup, *, tenant: str = "demo", role: Role = Role.ADMIN, **fields: Any
) -> dict[str, Any]:
    values = {"name": "Mirror", "url": setup.base_url + path(), "events": ["APPLICATION_CREATED"]}
    data = await setup.gateway.execute(
        CREATE, {"input": {**values, **fields}}, tenant=tenant, role=role
    )
    result: dict[str, Any] = data["webhookSubscriptionCreate"]
    return result


async def created(setup: Setup, **fields: Any) -> dict[str, Any]:
    result = await create(setup, **fields)
    assert result["__typename"] == "WebhookSubscriptionCreateSuccess", result
    subscription: dict[str, Any] = result["webhookSubscription"]
    return subscription


async def subscription_count(setup: Setup) -> int:
    async with setup.gateway.app.state.session_factory() as session:
        return int(
            await session.scalar(sa.select(sa.func.count()).select_from(WebhookSubscription))
        )


# --- create, read, update, delete ----------------------------------------------------


async def test_create_returns_a_generated_secret_once(setup: Setup) -> None:
    url = setup.base_url + path()
    result = await create(
        setup,
        name="ATS mirror",
        url=url,
        events=["APPLICATION_CREATED", "JOB_CLOSED", "APPLICATION_CREATED"],
        retryAttempts=5,
        timeoutMs=5000,
    )
    secret = result["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    subscription = result["webhookSubscription"]
    assert subscription["name"] == "ATS mirror" and subscription["url"] == url
    assert subscription["events"] == ["APPLICATION_CREATED", "JOB_CLOSED"]
    assert (subscription["retryAttempts"], subscription["timeoutMs"]) == (5, 5000)
    assert subscription["isActive"] and subscription["hasSecret"]
    assert subscription["secretHint"] == "••••" + secret[-4:]
    read = await setup.gateway.post(SUBSCRIPTION, {"id": subscription["id"]})
    assert secret not in read.text
    async with setup.gateway.app.state.session_factory() as session:
        row = await session.get(WebhookSubscription, pk(subscription["id"]))
        assert row is not None and secret not in row.secret_encrypted
        activity = await session.scalar(
            sa.select(Activity).where(
                Activity.subject_type == "WebhookSubscription", Activity.subject_id == row.id
            )
        )
        assert activity is not None and activity.action == "webhook_subscription.created"
    keyring = setup.gateway.app.state.keyring
    plain = keyring.decrypt(row.secret_encrypted, context=secret_context(row.tenant_id))
    assert plain.decode() == secret


async def test_a_given_secret_is_kept_and_not_echoed(setup: Setup) -> None:
    secret = generate_secret()
    result = await create(setup, secret=secret)
    assert result["secret"] is None
    assert result["webhookSubscription"]["secretHint"] == "••••" + secret[-4:]


async def test_update_changes_only_what_is_sent(setup: Setup) -> None:
    subscription = await created(setup, retryAttempts=2)
    secret = generate_secret()
    data = await setup.gateway.execute(
        UPDATE,
        {
            "input": {
                "id": subscription["id"],
                "name": "Renamed",
                "events": ["OFFER_SENT", "OFFER_ACCEPTED"],
                "isActive": False,
                "secret": secret,
            }
        },
    )
    updated = data["webhookSubscriptionUpdate"]["webhookSubscription"]
    assert updated["name"] == "Renamed"
    assert updated["events"] == ["OFFER_SENT", "OFFER_ACCEPTED"]
    assert updated["isActive"] is False
    assert (updated["url"], updated["retryAttempts"]) == (subscription["url"], 2)
    assert updated["secretHint"] == "••••" + secret[-4:]
    nulled = await setup.gateway.execute(
        UPDATE, {"input": {"id": subscription["id"], "name": None}}
    )
    assert nulled["webhookSubscriptionUpdate"] == {
        "__typename": "ValidationError",
        "field": "name",
        "message": "name cannot be null",
    }


async def test_delete_removes_the_subscription_and_its_log(setup: Setup) -> None:
    subscription = await created(setup)
    await seed_deliveries(setup, pk(subscription["id"]), [(DeliveryStatus.SUCCEEDED, 10)])
    data = await setup.gateway.execute(DELETE, {"id": subscription["id"]})
    assert data["webhookSubscriptionDelete"] == {
        "__typename": "WebhookSubscriptionDeleteSuccess",
        "deletedId": subscription["id"],
    }
    found = await setup.gateway.execute(SUBSCRIPTION, {"id": subscription["id"]})
    assert found["webhookSubscription"] is None
    async with setup.gateway.app.state.session_factory() as session:
        left = await session.scalar(
            sa.select(sa.func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == pk(subscription["id"]))
        )
    assert left == 0
    again = await setup.gateway.execute(DELETE, {"id": subscription["id"]})
    assert again["webhookSubscriptionDelete"]["__typename"] == "NotFoundError"


# --- hostile input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "n" * 256}, "name"),
        ({"url": "ftp://hooks.example.com/x"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://hooks.example.com/" + "a" * 3000}, "url"),
        ({"url": "https://admin:pw@hooks.example.com/"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"events": []}, "events"),
        ({"retryAttempts": -1}, "retryAttempts"),
        ({"retryAttempts": 11}, "retryAttempts"),
        ({"timeoutMs": 999}, "timeoutMs"),
        ({"timeoutMs": 30_001}, "timeoutMs"),
        ({"secret": "hunter2"}, "secret"),
        ({"secret": "whsec_c2hvcnQ="}, "secret"),
        ({"secret": "a plain secret, long enough"}, "secret"),
        ({"signatureScheme": "INTEGRATION_FRAMEWORK", "secret": "hunter2"}, "secret"),
        ({"signatureScheme": "INTEGRATION_FRAMEWORK", "secret": "x" * 257}, "secret"),
        ({"signatureScheme": "INTEGRATION_FRAMEWORK", "secret": "tab\tinside-sixteen"}, "secret"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_written(
    setup: Setup, fields: dict[str, Any], field: str
) -> None:
    before = await subscription_count(setup)
    result = await create(setup, **fields)
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field
    assert await subscription_count(setup) == before


@pytest.mark.parametrize("scheme", ["HMAC_SHA1", "standard_webhooks", ""])
async def test_an_unknown_signature_scheme_is_refused_before_execution(
    setup: Setup, scheme: str
) -> None:
    subscription = await created(setup)
    before = await subscription_count(setup)
    values = {"name": "x", "url": setup.base_url, "events": ["JOB_OPENED"]}
    errors = await setup.gateway.errors(CREATE, {"input": {**values, "signatureScheme": scheme}})
    [error] = errors
    assert "WebhookSignatureScheme" in error["message"] and repr(scheme)[1:-1] in error["message"]
    update = {"id": subscription["id"], "signatureScheme": scheme}
    [error] = await setup.gateway.errors(UPDATE, {"input": update})
    assert "WebhookSignatureScheme" in error["message"]
    assert await subscription_count(setup) == before


async def test_an_unknown_event_is_refused_before_execution(setup: Setup) -> None:
    errors = await setup.gateway.errors(
        CREATE, {"input": {"name": "x", "url": setup.base_url, "events": ["JOB_EXPLODED"]}}
    )
    assert "JOB_EXPLODED" in errors[0]["message"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost/hook",
    ],
)
async def test_private_targets_are_refused_unless_the_setting_allows(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    subscription = await created(setup)
    monkeypatch.setattr(setup.gateway.settings, "webhook_allow_private_targets", False)
    result = await create(setup, url=url)
    assert result["__typename"] == "ValidationError" and result["field"] == "url"
    assert "refused" in result["message"]
    update = await setup.gateway.execute(UPDATE, {"input": {"id": subscription["id"], "url": url}})
    assert update["webhookSubscriptionUpdate"]["field"] == "url"
    monkeypatch.undo()
    assert (await create(setup, url=url))["__typename"] == "WebhookSubscriptionCreateSuccess"


# --- roles and tenants ---------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.READONLY, Role.RECRUITER])
async def test_only_admins_manage_subscriptions(setup: Setup, role: Role) -> None:
    subscription = await created(setup)
    denied = {"__typename": "PermissionDeniedError", "permission": "integrations:manage"}
    assert await create(setup, role=role) == denied
    calls = [
        (UPDATE, {"input": {"id": subscription["id"], "name": "x"}}, "webhookSubscriptionUpdate"),
        (DELETE, {"id": subscription["id"]}, "webhookSubscriptionDelete"),
        (TEST, {"id": subscription["id"]}, "webhookSubscriptionTest"),
        (EVENT_RETRY, {"id": gid("WebhookEvent", 1)}, "webhookEventRetry"),
    ]
    for query, variables, field in calls:
        data = await setup.gateway.execute(query, variables, role=role)
        assert data[field] == denied, field
    read = await setup.gateway.execute(SUBSCRIPTION, {"id": subscription["id"]}, role=role)
    assert read["webhookSubscription"]["name"] == subscription["name"]


async def test_another_tenants_subscription_is_not_found(setup: Setup) -> None:
    theirs = await created(setup)
    other = {"tenant": "other"}
    assert (await setup.gateway.execute(SUBSCRIPTION, {"id": theirs["id"]}, **other))[
        "webhookSubscription"
    ] is None
    assert (await setup.gateway.execute(NODE, {"id": theirs["id"]}, **other))["node"] is None
    listed = await setup.gateway.execute(SUBSCRIPTIONS, **other)
    assert theirs["id"] not in {node["id"] for node in listed["webhookSubscriptions"]["nodes"]}
    for query, variables, field in [
        (UPDATE, {"input": {"id": theirs["id"], "name": "mine"}}, "webhookSubscriptionUpdate"),
        (DELETE, {"id": theirs["id"]}, "webhookSubscriptionDelete"),
        (TEST, {"id": theirs["id"]}, "webhookSubscriptionTest"),
    ]:
        data = await setup.gateway.execute(query, variables, **other)
        assert data[field]["__typename"] == "NotFoundError", field
    deliveries = await setup.gateway.post(
        DELIVERIES, {"filter": {"subscriptionId": theirs["id"]}}, tenant="other"
    )
    assert deliveries.json()["data"]["webhookDeliveries"]["totalCount"] == 0


# --- the test mutation against a real receiver ---------------------------------------


async def test_the_test_mutation_sends_a_signed_message_and_logs_it(setup: Setup) -> None:
    result = await create(setup)
    subscription, secret = result["webhookSubscription"], result["secret"]
    hook = subscription["url"].removeprefix(setup.base_url)
    setup.receiver.expect(hook, secret)
    setup.receiver.script(hook, Answer(200, body='{"received": true}'))
    data = await setup.gateway.execute(TEST, {"id": subscription["id"]})
    delivery = data["webhookSubscriptionTest"]["delivery"]
    [request] = setup.receiver.at(hook)
    assert request.verified, "standardwebhooks could not verify the test message"
    assert request.headers["x-webhook-event"] == "webhook.test"
    assert request.headers["webhook-id"] == delivery["messageId"]
    assert request.payload == delivery["payload"]
    assert request.payload["organizationId"] == "demo"
    assert request.payload["data"] == {"test": True, "subscriptionId": subscription["id"]}
    assert delivery["event"] == "webhook.test"
    assert (delivery["status"], delivery["attempt"], delivery["statusCode"]) == (
        "SUCCEEDED",
        1,
        200,
    )
    assert delivery["responseExcerpt"] == '{"received": true}'
    assert delivery["durationMs"] >= 0 and delivery["deliveredAt"]
    assert delivery["subscription"] == {"id": subscription["id"]}
    logged = await setup.gateway.execute(
        DELIVERIES, {"filter": {"subscriptionId": subscription["id"]}}
    )
    assert [node["id"] for node in logged["webhookDeliveries"]["nodes"]] == [delivery["id"]]


async def test_a_failed_test_is_logged_and_never_retried(setup: Setup) -> None:
    result = await create(setup, retryAttempts=5)
    subscription, secret = result["webhookSubscription"], result["secret"]
    hook = subscription["url"].removeprefix(setup.base_url)
    setup.receiver.expect(hook, secret)
    setup.receiver.script(hook, Answer(500, body="boom"))
    data = await setup.gateway.execute(TEST, {"id": subscription["id"], "event": "JOB_OPENED"})
    delivery = data["webhookSubscriptionTest"]["delivery"]
    assert setup.receiver.at(hook)[0].headers["x-webhook-event"] == "job.opened"
    assert (delivery["status"], delivery["statusCode"], delivery["error"]) == (
        "FAILED",
        500,
        "HTTP 500",
    )
    assert delivery["nextAttemptAt"] is None and delivery["deliveredAt"] is None


# --- signature schemes --------------------------------------------------------------


async def send_test(setup: Setup, subscription: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The subscription's test message: what the receiver got, and the logged delivery."""
    hook = subscription["url"].removeprefix(setup.base_url)
    data = await setup.gateway.execute(TEST, {"id": subscription["id"]})
    delivery = data["webhookSubscriptionTest"]["delivery"]
    return setup.receiver.at(hook)[-1], delivery


def hook_of(setup: Setup, subscription: dict[str, Any]) -> str:
    return str(subscription["url"]).removeprefix(setup.base_url)


async def test_an_integration_framework_subscription_signs_its_test_message_so(
    setup: Setup,
) -> None:
    result = await create(setup, signatureScheme="INTEGRATION_FRAMEWORK")
    subscription, secret = result["webhookSubscription"], result["secret"]
    assert subscription["signatureScheme"] == "INTEGRATION_FRAMEWORK"
    assert len(secret) == 64 and int(secret, 16) >= 0, "a plain secret of 64 hex digits"
    assert subscription["secretHint"] == "••••" + secret[-4:]
    setup.receiver.expect(hook_of(setup, subscription), secret, FRAMEWORK)
    request, delivery = await send_test(setup, subscription)
    assert request.verified, "the design's HMAC-SHA256 of the body did not verify"
    assert request.headers["x-webhook-event"] == "webhook.test"
    assert request.headers["x-webhook-id"] == str(
        uuid.uuid5(FRAMEWORK_ID_NAMESPACE, delivery["messageId"])
    )
    assert "webhook-signature" not in request.headers
    assert request.payload == delivery["payload"] and delivery["status"] == "SUCCEEDED"
    setup.receiver.expect(hook_of(setup, subscription), "not-the-secret-at-all", FRAMEWORK)
    wrong, _ = await send_test(setup, subscription)
    assert not wrong.verified


async def test_a_given_plain_secret_is_kept(setup: Setup) -> None:
    plain = "  the-design's webhook_secret, long enough  "
    result = await create(setup, signatureScheme="INTEGRATION_FRAMEWORK", secret=plain)
    assert result["secret"] is None
    subscription = result["webhookSubscription"]
    setup.receiver.expect(hook_of(setup, subscription), plain.strip(), FRAMEWORK)
    request, _ = await send_test(setup, subscription)
    assert request.verified


async def test_switching_the_scheme_signs_the_next_message_the_new_way(setup: Setup) -> None:
    result = await create(setup)
    subscription, secret = result["webhookSubscription"], result["secret"]
    assert subscription["signatureScheme"] == "STANDARD_WEBHOOKS"
    hook = hook_of(setup, subscription)
    setup.receiver.expect(hook, secret, STANDARD)
    assert (await send_test(setup, subscription))[0].verified

    switched = await setup.gateway.execute(
        UPDATE, {"input": {"id": subscription["id"], "signatureScheme": "INTEGRATION_FRAMEWORK"}}
    )
    updated = switched["webhookSubscriptionUpdate"]["webhookSubscription"]
    assert updated["signatureScheme"] == "INTEGRATION_FRAMEWORK"
    assert updated["secretHint"] == subscription["secretHint"], "the secret is kept"
    setup.receiver.expect(hook, secret, FRAMEWORK)
    request, _ = await send_test(setup, subscription)
    assert request.verified and "webhook-signature" not in request.headers

    plain = "a-new-plain-secret-for-the-framework"
    await setup.gateway.execute(UPDATE, {"input": {"id": subscription["id"], "secret": plain}})
    setup.receiver.expect(hook, plain, FRAMEWORK)
    assert (await send_test(setup, subscription))[0].verified

    back = await setup.gateway.execute(
        UPDATE, {"input": {"id": subscription["id"], "signatureScheme": "STANDARD_WEBHOOKS"}}
    )
    refused = back["webhookSubscriptionUpdate"]
    assert refused["__typename"] == "ValidationError" and refused["field"] == "secret"
    assert "whsec_" in refused["message"]
    read = await setup.gateway.execute(NODE_SCHEME, {"id": subscription["id"]})
    assert read["node"]["signatureScheme"] == "INTEGRATION_FRAMEWORK", "nothing was changed"

    standard = generate_secret()
    back = await setup.gateway.execute(
        UPDATE,
        {
            "input": {
                "id": subscription["id"],
                "signatureScheme": "STANDARD_WEBHOOKS",
                "secret": standard,
            }
        },
    )
    assert back["webhookSubscriptionUpdate"]["webhookSubscription"]["signatureScheme"] == (
        "STANDARD_WEBHOOKS"
    )
    setup.receiver.expect(hook, standard, STANDARD)
    assert (await send_test(setup, subscription))[0].verified


async def test_a_secret_that_does_not_fit_the_new_scheme_is_refused(setup: Setup) -> None:
    subscription = await created(setup)
    data = await setup.gateway.execute(
        UPDATE,
        {
            "input": {
                "id": subscription["id"],
                "signatureScheme": "INTEGRATION_FRAMEWORK",
                "secret": "short",
            }
        },
    )
    assert data["webhookSubscriptionUpdate"]["field"] == "secret"
    plain_on_standard = await setup.gateway.execute(
        UPDATE, {"input": {"id": subscription["id"], "secret": "a plain secret, long enough"}}
    )
    assert plain_on_standard["webhookSubscriptionUpdate"]["field"] == "secret"
    read = await setup.gateway.execute(NODE_SCHEME, {"id": subscription["id"]})
    assert read["node"]["signatureScheme"] == "STANDARD_WEBHOOKS"
    assert read["node"]["secretHint"] == subscription["secretHint"]


WRITES_IN_ONE_REQUEST = """
mutation($id: ID!) {
  before: webhookSubscriptionUpdate(input: {id: $id, name: "Before"}) {
    ... on WebhookSubscriptionUpdateSuccess {
      webhookSubscription { name stats { total } deliveries(first: 5) { totalCount } }
    }
  }
  test: webhookSubscriptionTest(input: {id: $id}) {
    ... on WebhookSubscriptionTestSuccess { delivery { id subscription { name } } }
  }
  rename: webhookSubscriptionUpdate(input: {id: $id, name: "After"}) {
    ... on WebhookSubscriptionUpdateSuccess {
      webhookSubscription {
        name stats { total } deliveries(first: 5) { totalCount nodes { id } }
      }
    }
  }
  again: webhookSubscriptionTest(input: {id: $id}) {
    ... on WebhookSubscriptionTestSuccess { delivery { id subscription { name } } }
  }
}
"""


async def test_each_write_in_a_request_sees_the_writes_before_it(setup: Setup) -> None:
    """The stats and the delivery log read before a test message, and the subscription
    read before a rename, are read again after them."""
    result = await create(setup)
    subscription = result["webhookSubscription"]
    setup.receiver.expect(hook_of(setup, subscription), result["secret"])
    data = await setup.gateway.execute(WRITES_IN_ONE_REQUEST, {"id": subscription["id"]})
    before = data["before"]["webhookSubscription"]
    assert (before["stats"]["total"], before["deliveries"]["totalCount"]) == (0, 0)
    first = data["test"]["delivery"]
    assert first["subscription"]["name"] == "Before"
    renamed = data["rename"]["webhookSubscription"]
    assert renamed["stats"]["total"] == 1, "the stats read before the test message"
    assert renamed["deliveries"]["totalCount"] == 1
    assert renamed["deliveries"]["nodes"] == [{"id": first["id"]}]
    assert data["again"]["delivery"]["subscription"]["name"] == "After", "the name before"


# --- the delivery log and its stats --------------------------------------------------


async def seed_deliveries(
    setup: Setup, subscription_id: int, rows: list[tuple[DeliveryStatus, int | None]]
) -> list[int]:
    now = utcnow()
    async with setup.gateway.app.state.session_factory.begin() as session:
        subscription = await session.get(WebhookSubscription, subscription_id)
        assert subscription is not None
        created_rows = [
            WebhookDelivery(
                tenant_id=subscription.tenant_id,
                subscription_id=subscription_id,
                event="application.created" if n % 2 else "job.opened",
                message_id=f"msg_seed_{subscription_id}_{n}",
                payload={"n": n},
                status=status,
                attempt=1,
                duration_ms=duration,
                created_at=now - timedelta(minutes=len(rows) - n),
            )
            for n, (status, duration) in enumerate(rows)
        ]
        session.add_all(created_rows)
        await session.flush()
        return [row.id for row in created_rows]


async def test_stats_count_outcomes_and_rank_latencies(setup: Setup) -> None:
    subscription = await created(setup)
    durations = [(DeliveryStatus.SUCCEEDED, ms) for ms in range(200, 0, -10)]
    rows = [
        *durations[:17],
        *[(DeliveryStatus.FAILED, ms) for _, ms in durations[17:]],
        (DeliveryStatus.PENDING, None),
        (DeliveryStatus.RETRYING, None),
    ]
    await seed_deliveries(setup, pk(subscription["id"]), rows)
    data = await setup.gateway.execute(SUBSCRIPTION, {"id": subscription["id"]})
    stats = data["webhookSubscription"]["stats"]
    assert stats == {
        "total": 22,
        "succeeded": 17,
        "failed": 3,
        "pending": 2,
        "successRate": 0.85,
        "p50LatencyMs": 100,
        "p95LatencyMs": 190,
    }
    recent = await setup.gateway.execute(
        SUBSCRIPTION,
        {"id": subscription["id"], "since": (utcnow() - timedelta(minutes=2.5)).isoformat()},
    )
    assert recent["webhookSubscription"]["stats"]["total"] == 2
    empty = await created(setup)
    none = await setup.gateway.execute(SUBSCRIPTION, {"id": empty["id"]})
    assert none["webhookSubscription"]["stats"] == {
        "total": 0,
        "succeeded": 0,
        "failed": 0,
        "pending": 0,
        "successRate": None,
        "p50LatencyMs": None,
        "p95LatencyMs": None,
    }


async def test_deliveries_filter_and_page(setup: Setup) -> None:
    subscription = await created(setup)
    statuses = [DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED] * 4
    ids = await seed_deliveries(setup, pk(subscription["id"]), [(s, 5) for s in statuses])
    newest_first = [gid("WebhookDelivery", i) for i in reversed(ids)]
    nested = await setup.gateway.execute(
        SUBSCRIPTION, {"id": subscription["id"], "filter": {"status": ["FAILED"]}}
    )
    connection = nested["webhookSubscription"]["deliveries"]
    assert connection["totalCount"] == 4
    assert {node["status"] for node in connection["nodes"]} == {"FAILED"}
    seen: list[str] = []
    after = None
    while True:
        variables = {"filter": {"subscriptionId": subscription["id"]}, "first": 3, "after": after}
        page = (await setup.gateway.execute(DELIVERIES, variables))["webhookDeliveries"]
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == newest_first
    by_event = await setup.gateway.execute(
        DELIVERIES,
        {"filter": {"subscriptionId": subscription["id"], "event": ["job.opened"]}},
    )
    assert by_event["webhookDeliveries"]["totalCount"] == 4
    node = await setup.gateway.execute(NODE, {"id": newest_first[0]})
    assert node["node"]["__typename"] == "WebhookDelivery"
    assert (await setup.gateway.execute(NODE, {"id": newest_first[0]}, tenant="other"))[
        "node"
    ] is None


async def test_subscription_lists_do_not_query_per_row(setup: Setup) -> None:
    async def statements() -> int:
        setup.gateway.statements.reset()
        data = await setup.gateway.execute(SUBSCRIPTIONS, {"filter": {"isActive": True}})
        assert data["webhookSubscriptions"]["nodes"]
        return setup.gateway.statements.count

    for _ in range(2):
        subscription = await created(setup)
        await seed_deliveries(setup, pk(subscription["id"]), [(DeliveryStatus.SUCCEEDED, 7)] * 4)
    fewer = await statements()
    for _ in range(3):
        subscription = await created(setup)
        await seed_deliveries(setup, pk(subscription["id"]), [(DeliveryStatus.FAILED, 9)] * 2)
    assert await statements() == fewer, setup.gateway.statements.statements


# --- inbound events ------------------------------------------------------------------


async def seed_events(setup: Setup, tenant: str = "demo") -> dict[str, int]:
    """One event per status that no background processing picks up."""
    tenant_id = setup.gateway.tenants[tenant].tenant_id
    now = utcnow()
    n = next(_paths)
    async with setup.gateway.app.state.session_factory.begin() as session:
        integrations = list(
            await session.scalars(
                sa.select(Integration).where(Integration.tenant_id == tenant_id).order_by("id")
            )
        )
        rows = {
            "processed": WebhookEvent(
                status=WebhookEventStatus.PROCESSED,
                integration_id=integrations[0].id,
                provider=integrations[0].provider,
                event_type="job.updated",
                body=b'{"job": {"id": 1}}',
                received_at=now - timedelta(hours=2),
                processed_at=now - timedelta(hours=2),
                result={"counts": {"jobs": {"updated": 1}}},
            ),
            "failed": WebhookEvent(
                status=WebhookEventStatus.FAILED,
                integration_id=integrations[1].id,
                provider=integrations[1].provider,
                event_type="candidate.created",
                body=b"caf\xc3\xa9 \xff\xfe" + b"x" * 5000,
                received_at=now - timedelta(minutes=5),
                attempts=5,
                last_error="HTTP 500 from the provider",
            ),
            "retrying": WebhookEvent(
                status=WebhookEventStatus.RETRYING,
                integration_id=integrations[1].id,
                provider=integrations[1].provider,
                event_type="candidate.updated",
                body=b"{}",
                received_at=now - timedelta(minutes=1),
                attempts=1,
                next_attempt_at=now + timedelta(days=1),
            ),
        }
        for name, row in rows.items():
            row.tenant_id = tenant_id
            row.delivery_id = f"dlv-{n}-{name}"
            row.body_sha256 = "0" * 64
            row.headers = {"x-secret-header": "do-not-show"}
            session.add(row)
        await session.flush()
        return {name: row.id for name, row in rows.items()}


async def test_inbound_events_are_listed_filtered_and_excerpted(setup: Setup) -> None:
    ids = await seed_events(setup)
    await seed_events(setup, "other")
    mine = {gid("WebhookEvent", i) for i in ids.values()}
    data = await setup.gateway.execute(
        EVENTS, {"filter": {"receivedAfter": (utcnow() - timedelta(hours=3)).isoformat()}}
    )
    nodes = {node["id"]: node for node in data["webhookEvents"]["nodes"]}
    assert mine <= set(nodes)
    failed = nodes[gid("WebhookEvent", ids["failed"])]
    assert failed["status"] == "FAILED" and failed["attempts"] == 5
    assert failed["lastError"] == "HTTP 500 from the provider"
    assert failed["bodyExcerpt"].startswith("café \ufffd\ufffd")
    assert len(failed["bodyExcerpt"]) == 2000
    assert "do-not-show" not in str(data)
    processed = nodes[gid("WebhookEvent", ids["processed"])]
    assert processed["result"] == {"counts": {"jobs": {"updated": 1}}}
    readonly = await setup.gateway.execute(EVENTS, role=Role.READONLY)
    assert all(node["bodyExcerpt"] is None for node in readonly["webhookEvents"]["nodes"])

    async def listed(**filter: Any) -> set[str]:
        found = await setup.gateway.execute(EVENTS, {"filter": filter})
        return {node["id"] for node in found["webhookEvents"]["nodes"]} & mine

    assert await listed(status=["RETRYING"]) == {gid("WebhookEvent", ids["retrying"])}
    assert await listed(receivedBefore=(utcnow() - timedelta(hours=1)).isoformat()) == {
        gid("WebhookEvent", ids["processed"])
    }
    first_integration = failed["integration"]["id"]
    assert gid("WebhookEvent", ids["failed"]) in await listed(integrationId=first_integration)
    assert gid("WebhookEvent", ids["processed"]) not in await listed(
        integrationId=first_integration
    )
    providers = [p.name for p in Provider]
    assert await listed(provider=providers) == mine
    other = await setup.gateway.execute(NODE, {"id": failed["id"]}, tenant="other")
    assert other["node"] is None


async def test_a_failed_inbound_event_can_be_retried(setup: Setup) -> None:
    ids = await seed_events(setup)
    retried = await setup.gateway.execute(EVENT_RETRY, {"id": gid("WebhookEvent", ids["failed"])})
    assert retried["webhookEventRetry"]["__typename"] == "WebhookEventRetrySuccess"
    event = retried["webhookEventRetry"]["webhookEvent"]
    assert (event["status"], event["attempts"], event["lastError"]) == ("RECEIVED", 0, None)
    refused = await setup.gateway.execute(EVENT_RETRY, {"id": gid("WebhookEvent", ids["retrying"])})
    assert refused["webhookEventRetry"]["__typename"] == "ValidationError"
    theirs = await seed_events(setup, "other")
    missing = await setup.gateway.execute(
        EVENT_RETRY, {"id": gid("WebhookEvent", theirs["failed"])}
    )
    assert missing["webhookEventRetry"] == {"__typename": "NotFoundError", "entity": "WebhookEvent"}
