"""A caller without a mutation's permission learns nothing from the ids it sends: a
malformed id, an id of another type and an id that names no record all answer
``PermissionDeniedError``, as a valid one does. Only a caller holding the permission
hears that an id is malformed (``ValidationError``) or names nothing (``NotFoundError``).

One mutation of each shared write path: the tenant's own records (update, delete), a
write to a source system, a request for queued work.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import pytest

from gateway.store.enums import Role
from tests.support.gateway import Gateway

MALFORMED = "not an id!"
OF_ANOTHER_TYPE = base64.b64encode(b"Tenant:1").decode()


@dataclass(frozen=True)
class Sent:
    mutation: str
    input_type: str
    id_field: str
    node_type: str
    rest: dict[str, Any] = field(default_factory=dict)

    def document(self) -> str:
        return f"""
        mutation($input: {self.input_type}!) {{
          {self.mutation}(input: $input) {{
            __typename
            ... on ValidationError {{ field }}
            ... on PermissionDeniedError {{ permission }}
          }}
        }}
        """

    def unknown_id(self) -> str:
        return base64.b64encode(f"{self.node_type}:999999999".encode()).decode()


MUTATIONS = [
    Sent("personaUpdate", "PersonaUpdateInput", "id", "Persona", {"name": "x"}),
    Sent("promptDelete", "PromptDeleteInput", "id", "Prompt"),
    Sent(
        "webhookSubscriptionUpdate",
        "WebhookSubscriptionUpdateInput",
        "id",
        "WebhookSubscription",
        {"name": "x"},
    ),
    Sent("integrationDelete", "IntegrationDeleteInput", "id", "Integration"),
    Sent(
        "applicationReject",
        "ApplicationRejectInput",
        "applicationId",
        "Application",
        {"reason": "x"},
    ),
    Sent("candidateAddNote", "CandidateAddNoteInput", "candidateId", "Candidate", {"text": "x"}),
    Sent("jobApprove", "JobApproveInput", "jobId", "Job"),
    Sent(
        "onboardingTaskReview",
        "OnboardingTaskReviewInput",
        "taskId",
        "OnboardingTask",
        {"decision": "APPROVE"},
    ),
    Sent("integrationSync", "IntegrationSyncInput", "integrationId", "Integration"),
    Sent("applicationReprocess", "ApplicationReprocessInput", "applicationId", "Application"),
]


async def _answer(gateway: Gateway, sent: Sent, id_: str, role: Role) -> dict[str, Any]:
    data = await gateway.execute(
        sent.document(), {"input": {sent.id_field: id_, **sent.rest}}, role=role
    )
    answer: dict[str, Any] = data[sent.mutation]
    return answer


@pytest.mark.parametrize("sent", MUTATIONS, ids=[m.mutation for m in MUTATIONS])
async def test_without_the_permission_every_id_is_denied(gateway: Gateway, sent: Sent) -> None:
    for id_ in (MALFORMED, OF_ANOTHER_TYPE, sent.unknown_id()):
        answer = await _answer(gateway, sent, id_, Role.READONLY)
        assert answer["__typename"] == "PermissionDeniedError", (id_, answer)


@pytest.mark.parametrize("sent", MUTATIONS, ids=[m.mutation for m in MUTATIONS])
async def test_with_the_permission_the_ids_are_told_apart(gateway: Gateway, sent: Sent) -> None:
    malformed = await _answer(gateway, sent, MALFORMED, Role.ADMIN)
    assert malformed == {"__typename": "ValidationError", "field": sent.id_field}
    for id_ in (OF_ANOTHER_TYPE, sent.unknown_id()):
        answer = await _answer(gateway, sent, id_, Role.ADMIN)
        assert answer["__typename"] == "NotFoundError", (id_, answer)
