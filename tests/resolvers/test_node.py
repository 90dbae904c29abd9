"""``node(id:)`` and ``nodes(ids:)``: every node type resolves by its global id within the
caller's tenant and nowhere else; malformed ids are the client's error; typed lookups
(``job(id:)`` ...) given an id of another type find nothing."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.store.enums import DeliveryStatus, MappedEntity, Role, SyncKind, WebhookEventStatus
from gateway.store.models import (
    BackgroundJob,
    FieldMapping,
    Integration,
    SyncRun,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from tests.support.gateway import Gateway

SAMPLES = """
{
  jobs(first: 1) { nodes { id title } }
  candidates(first: 1) { nodes { id name } }
  applications(first: 1) { nodes { id currentStage { id name } } }
  interviews(first: 1) { nodes { id status } }
  integrations(first: 1) { nodes { id name } }
  recruiters(first: 1) { nodes { id name } }
  prompts { id name }
  personas { id name }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Job { title }
    ... on Candidate { name }
    ... on Application { currentStage { id } }
    ... on Interview { status }
    ... on Integration { name }
    ... on Recruiter { name }
    ... on Prompt { name }
    ... on Persona { name }
    ... on PipelineStage { name }
  }
}
"""

JOB_UPDATE = """
mutation Update($input: JobUpdateInput!) {
  jobUpdate(input: $input) {
    __typename
    ... on UserError { message code }
    ... on ValidationError { field }
  }
}
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id }
}
"""

NODE_IMPLEMENTERS = """
{ __type(name: "Node") { possibleTypes { name } } }
"""

EVERY_KIND_OF_ID = """
{
  jobs(first: 1) { nodes { id } }
  candidates(first: 1) { nodes { id } }
  integrations(first: 1) { nodes { id } }
  recruiters(first: 1) { nodes { id } }
  prompts { id }
  personas { id }
  fieldMappings { id }
  activities(first: 1) { nodes { id } }
  webhookSubscriptions(first: 1) { nodes { id } }
  webhookDeliveries(first: 1) { nodes { id } }
  webhookEvents(first: 1) { nodes { id } }
  syncRuns(first: 1) { nodes { id } }
  backgroundJobs { items(first: 1) { nodes { id } } }
  applications(first: 100) {
    nodes {
      id
      currentStage { id }
      analysis { id }
      offers { id }
      onboardingTasks { id }
      interviews { id messages { id } evaluation { id } }
    }
  }
}
"""

TYPED_LOOKUPS = {
    "Job": "job",
    "Candidate": "candidate",
    "Application": "application",
    "Interview": "interview",
    "Integration": "integration",
    "Recruiter": "recruiter",
    "Prompt": "prompt",
    "Persona": "persona",
}
"""Node type -> the root field that fetches only that type."""

NODE_TYPES = [*TYPED_LOOKUPS, "PipelineStage"]


def encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def global_id(type_name: str, key: int) -> str:
    return encode(f"{type_name}:{key}")


def codes(errors: list[dict[str, Any]]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in errors]


async def samples(gateway: Gateway, tenant: str = "demo") -> dict[str, dict[str, Any]]:
    """One object of every node type, with the field NODE reads back for it."""
    data = await gateway.execute(SAMPLES, tenant=tenant)
    application = data["applications"]["nodes"][0]
    found = {
        "Job": (data["jobs"]["nodes"][0], "title"),
        "Candidate": (data["candidates"]["nodes"][0], "name"),
        "Application": (application, "currentStage"),
        "Interview": (data["interviews"]["nodes"][0], "status"),
        "Integration": (data["integrations"]["nodes"][0], "name"),
        "Recruiter": (data["recruiters"]["nodes"][0], "name"),
        "Prompt": (data["prompts"][0], "name"),
        "Persona": (data["personas"][0], "name"),
        "PipelineStage": (application["currentStage"], "name"),
    }
    result = {}
    for type_name, (node, field) in found.items():
        value = node[field]
        if field == "currentStage":
            value = {"id": value["id"]}
        result[type_name] = {"id": node["id"], field: value}
    return result


def typed_query(field: str) -> str:
    return f"query Lookup($id: ID!) {{ {field}(id: $id) {{ id }} }}"


@pytest.mark.parametrize("type_name", NODE_TYPES)
@pytest.mark.parametrize("tenant", ["demo", "other"])
async def test_node_resolves_every_type(gateway: Gateway, type_name: str, tenant: str) -> None:
    expected = (await samples(gateway, tenant))[type_name]
    node = (await gateway.execute(NODE, {"id": expected["id"]}, tenant=tenant))["node"]
    assert node is not None
    assert node["__typename"] == type_name
    assert {key: node[key] for key in expected} == expected
    assert base64.b64decode(node["id"]).decode().startswith(f"{type_name}:")


@pytest.mark.parametrize("type_name", NODE_TYPES)
async def test_node_of_the_other_tenant_is_null(gateway: Gateway, type_name: str) -> None:
    theirs = (await samples(gateway, "other"))[type_name]["id"]
    ours = (await samples(gateway, "demo"))[type_name]["id"]
    assert theirs != ours
    assert (await gateway.execute(NODE, {"id": theirs}))["node"] is None
    assert (await gateway.execute(NODE, {"id": ours}, tenant="other"))["node"] is None


@pytest.mark.parametrize("role", list(Role))
async def test_node_resolves_for_every_role(gateway: Gateway, role: Role) -> None:
    for type_name, expected in (await samples(gateway)).items():
        node = (await gateway.execute(NODE, {"id": expected["id"]}, role=role))["node"]
        assert node is not None, (type_name, role)
        assert node["__typename"] == type_name


@pytest.mark.parametrize(
    "bad_id",
    [
        "!!!",
        "not base64 at all",
        "Sm9i",  # "Job": no key
        encode("Job:"),
        encode("Job:abc"),
        encode("Job:1.5"),
        base64.b64encode(b"\xff\xfe:1").decode(),  # not UTF-8
        "",
    ],
    ids=[
        "punctuation",
        "spaces",
        "no-colon",
        "empty-key",
        "text-key",
        "float-key",
        "binary",
        "empty",
    ],
)
async def test_malformed_id_is_bad_user_input(gateway: Gateway, bad_id: str) -> None:
    errors = await gateway.errors(NODE, {"id": bad_id})
    assert codes(errors) == ["BAD_USER_INPUT"]


def near_misses(real_id: str) -> dict[str, str]:
    """Ids that a lenient parser (``int()``, loose base64) reads as ``real_id``'s key,
    or that overflow the key column."""
    type_name, _, key = base64.b64decode(real_id).decode().partition(":")
    arabic_indic = key.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    raw = f"{type_name}:{key}".encode()
    stray_bits = base64.b64encode(raw).decode()
    if stray_bits.endswith("="):
        last = stray_bits.rstrip("=")
        index = len(last) - 1
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        flipped = alphabet[alphabet.index(last[index]) | 1]
        stray_bits = last[:index] + flipped + stray_bits[len(last) :]
    return {
        "spaces": encode(f"{type_name}: {key} "),
        "underscore": encode(f"{type_name}:{key}_0"),
        "arabic-indic-digits": encode(f"{type_name}:{arabic_indic}"),
        "leading-zero": encode(f"{type_name}:0{key}"),
        "plus-sign": encode(f"{type_name}:+{key}"),
        "zero": encode(f"{type_name}:0"),
        "negative": encode(f"{type_name}:-{key}"),
        "above-bigint": encode(f"{type_name}:{2**63}"),
        "above-uint64": encode(f"{type_name}:{2**64 + int(key)}"),
        "unpadded": real_id.rstrip("="),
        "extra-padding": real_id + "=" * (4 - len(real_id) % 4 if "=" in real_id else 4),
        "newline": real_id[:4] + "\n" + real_id[4:],
        "stray-bits": stray_bits,
        "nul-suffix": encode(f"{type_name}:{key}\x00"),
    }


NEAR_MISS_KINDS = sorted(near_misses(global_id("Job", 7)))


@pytest.mark.parametrize("kind", NEAR_MISS_KINDS)
async def test_an_id_that_only_resembles_a_real_one_is_bad_user_input(
    gateway: Gateway, kind: str
) -> None:
    real = (await samples(gateway))["Job"]["id"]
    bad = near_misses(real)[kind]
    assert bad != real
    errors = await gateway.errors(NODE, {"id": bad})
    assert codes(errors) == ["BAD_USER_INPUT"], errors
    errors = await gateway.errors(typed_query("job"), {"id": bad})
    assert codes(errors) == ["BAD_USER_INPUT"], errors


async def test_an_id_that_only_resembles_a_real_one_is_a_validation_error_in_mutations(
    gateway: Gateway,
) -> None:
    real = (await samples(gateway))["Job"]["id"]
    for kind, bad in near_misses(real).items():
        data = await gateway.execute(JOB_UPDATE, {"input": {"id": bad, "isActive": True}})
        result = data["jobUpdate"]
        assert result["__typename"] == "ValidationError", (kind, result)
        assert result["field"] == "id", (kind, result)


@pytest.mark.parametrize("field", sorted(TYPED_LOOKUPS.values()))
async def test_typed_lookup_with_a_malformed_id_is_bad_user_input(
    gateway: Gateway, field: str
) -> None:
    errors = await gateway.errors(typed_query(field), {"id": "!!!"})
    assert codes(errors) == ["BAD_USER_INPUT"]


async def test_unknown_type_or_missing_key_is_null(gateway: Gateway) -> None:
    for missing in (
        global_id("Spaceship", 1),
        global_id("Job", 10**9),
        global_id("Job", 2**63 - 1),
        global_id("Tenant", 1),
        global_id("User", 1),
    ):
        assert (await gateway.execute(NODE, {"id": missing}))["node"] is None, missing


@pytest.mark.parametrize("type_name", sorted(TYPED_LOOKUPS))
async def test_typed_lookups_find_their_type_and_only_it(gateway: Gateway, type_name: str) -> None:
    found = await samples(gateway)
    field = TYPED_LOOKUPS[type_name]
    own = found[type_name]["id"]
    assert (await gateway.execute(typed_query(field), {"id": own}))[field] == {"id": own}
    for other_type, sample in found.items():
        if other_type == type_name:
            continue
        data = await gateway.execute(typed_query(field), {"id": sample["id"]})
        assert data[field] is None, (field, other_type)


def key_of(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


async def test_job_lookup_with_a_candidate_id_is_null(gateway: Gateway) -> None:
    """Even when a job has the same key as the candidate, the type in the id decides."""
    data = await gateway.execute(
        "{ jobs(first: 100) { nodes { id } } candidates(first: 100) { nodes { id } } }"
    )
    job_keys = {key_of(job["id"]): job["id"] for job in data["jobs"]["nodes"]}
    twins = [c["id"] for c in data["candidates"]["nodes"] if key_of(c["id"]) in job_keys]
    assert twins, "some candidate shares its key with a job"
    for candidate in twins:
        assert (await gateway.execute(typed_query("job"), {"id": candidate}))["job"] is None
        node = (await gateway.execute(NODE, {"id": candidate}))["node"]
        assert node["__typename"] == "Candidate"
        twin = job_keys[key_of(candidate)]
        assert (await gateway.execute(typed_query("job"), {"id": twin}))["job"] == {"id": twin}


async def test_nodes_in_order_with_null_where_absent(gateway: Gateway) -> None:
    found = await samples(gateway)
    theirs = await samples(gateway, "other")
    ids = [
        found["Job"]["id"],
        theirs["Job"]["id"],
        found["Candidate"]["id"],
        global_id("Spaceship", 1),
        found["PipelineStage"]["id"],
        found["Job"]["id"],
    ]
    data = await gateway.execute(NODES, {"ids": ids})
    nodes = data["nodes"]
    assert len(nodes) == len(ids)
    assert nodes[0] == {"__typename": "Job", "id": ids[0]}
    assert nodes[1] is None
    assert nodes[2] == {"__typename": "Candidate", "id": ids[2]}
    assert nodes[3] is None
    assert nodes[4] == {"__typename": "PipelineStage", "id": ids[4]}
    assert nodes[5] == nodes[0]


async def test_nodes_of_every_type_at_once(gateway: Gateway) -> None:
    found = await samples(gateway)
    ids = [sample["id"] for sample in found.values()]
    data = await gateway.execute(NODES, {"ids": ids})
    assert [node["__typename"] for node in data["nodes"]] == list(found)
    assert [node["id"] for node in data["nodes"]] == ids
    assert (await gateway.execute(NODES, {"ids": []}))["nodes"] == []


async def test_nodes_with_a_malformed_id_is_bad_user_input(gateway: Gateway) -> None:
    found = await samples(gateway)
    errors = await gateway.errors(NODES, {"ids": [found["Job"]["id"], "!!!"]})
    assert set(codes(errors)) == {"BAD_USER_INPUT"}


async def test_nodes_caps_the_number_of_ids(gateway: Gateway) -> None:
    found = await samples(gateway)
    errors = await gateway.errors(NODES, {"ids": [found["Job"]["id"]] * 101})
    assert codes(errors) == ["BAD_USER_INPUT"]
    data = await gateway.execute(NODES, {"ids": [found["Job"]["id"]] * 100})
    assert len(data["nodes"]) == 100


def ids_by_type(data: dict[str, Any]) -> dict[str, str]:
    """One global id of every node type found in ``EVERY_KIND_OF_ID``'s answer."""
    found: dict[str, str] = {}

    def add(global_id: str | None) -> None:
        if global_id:
            type_name = base64.b64decode(global_id).decode().partition(":")[0]
            found.setdefault(type_name, global_id)

    connections = ("jobs", "candidates", "integrations", "recruiters", "activities")
    webhooks = ("webhookSubscriptions", "webhookDeliveries", "webhookEvents")
    for field in (*connections, *webhooks):
        for node in data[field]["nodes"]:
            add(node["id"])
    for field in ("prompts", "personas", "fieldMappings"):
        for node in data[field]:
            add(node["id"])
    for node in data["syncRuns"]["nodes"] + data["backgroundJobs"]["items"]["nodes"]:
        add(node["id"])
    for application in data["applications"]["nodes"]:
        add(application["id"])
        add(application["currentStage"]["id"])
        add((application["analysis"] or {}).get("id"))
        for child in (*application["offers"], *application["onboardingTasks"]):
            add(child["id"])
        for interview in application["interviews"]:
            add(interview["id"])
            add((interview["evaluation"] or {}).get("id"))
            for message in interview["messages"]:
                add(message["id"])
    return found


async def seed_webhooks(gateway: Gateway) -> None:
    """The demo seed has no webhooks: one subscription, delivery and inbound event."""
    tenant_id = gateway.tenants["demo"].tenant_id
    async with gateway.app.state.session_factory.begin() as session:
        if await session.scalar(sa.select(sa.func.count()).select_from(WebhookSubscription)):
            return
        integration = await session.scalar(
            sa.select(Integration).where(Integration.tenant_id == tenant_id).limit(1)
        )
        assert integration is not None
        subscription = WebhookSubscription(
            tenant_id=tenant_id,
            name="Mirror",
            url="https://hooks.example.com/tg",
            events=["job.opened"],
            secret_encrypted="v1.t2.x.y",
        )
        session.add(subscription)
        await session.flush()
        session.add_all(
            [
                WebhookDelivery(
                    tenant_id=tenant_id,
                    subscription_id=subscription.id,
                    event="job.opened",
                    message_id="msg_node_test",
                    payload={},
                    status=DeliveryStatus.SUCCEEDED,
                ),
                WebhookEvent(
                    tenant_id=tenant_id,
                    integration_id=integration.id,
                    provider=integration.provider,
                    body_sha256="0" * 64,
                    body=b"{}",
                    status=WebhookEventStatus.PROCESSED,
                ),
                SyncRun(tenant_id=tenant_id, integration_id=integration.id, kind=SyncKind.FULL),
                FieldMapping(
                    tenant_id=tenant_id,
                    provider=integration.provider,
                    entity=MappedEntity.JOB,
                    source_field="Division",
                    target_field="department",
                ),
                BackgroundJob(tenant_id=tenant_id, job_type="sync_integration"),
            ]
        )


async def test_every_type_implementing_node_is_fetchable_by_node(gateway: Gateway) -> None:
    """The Node interface promises every implementer is "fetchable with node(id:)"."""
    await seed_webhooks(gateway)
    possible = (await gateway.execute(NODE_IMPLEMENTERS))["__type"]["possibleTypes"]
    implementers = {t["name"] for t in possible}
    found = ids_by_type(await gateway.execute(EVERY_KIND_OF_ID))
    assert set(found) <= implementers
    assert len(implementers - set(found)) <= 1, "the seed holds nearly every kind of node"
    unresolved = []
    for type_name, node_id in sorted(found.items()):
        node = (await gateway.execute(NODES, {"ids": [node_id]}))["nodes"][0]
        if node is None:
            unresolved.append(type_name)
        else:
            assert node == {"__typename": type_name, "id": node_id}
    assert unresolved == [], f"node(id:) returns null for {unresolved}"
