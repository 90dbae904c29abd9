"""``Candidate.documents``: Jobvite's attachments, synced from its fake over real HTTP,
read back with their links; a candidate of a source that keeps none answers ``[]``."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.store.models import Candidate
from resolvers.relay import to_global_id
from tests.connectors.harness.jobvite import make_harness
from tests.support.services import Backend
from tests.support.worlds import gateway_world

DOCUMENTS = """query($id: ID!) {
  candidate(id: $id) { name documents { url name kind contentType } }
}"""


async def test_jobvite_attachments_are_the_candidates_documents(backend: Backend) -> None:
    harness = make_harness()
    harness.seed(jobs=2, candidates=3, applications=3)
    async with gateway_world(backend, {"https://api.jobvite.com": harness.app}) as world:
        integration_id = await world.add_integration(
            "jobvite", "Jobvite", dict(harness.good_credentials), harness.config(50)
        )
        await world.sync(integration_id)
        rows = await world.rows(
            sa.select(Candidate.id, Candidate.remote_id).where(
                Candidate.integration_id == integration_id
            )
        )
        assert rows
        for pk, remote_id in rows:
            found = (await world.gateway.execute(DOCUMENTS, {"id": to_global_id("Candidate", pk)}))[
                "candidate"
            ]
            [document] = found["documents"]
            assert document["url"].endswith(f"/api/v2/candidate/{remote_id}/resume")
            assert (document["kind"], document["contentType"]) == ("Resume", "text/plain")
            assert document["name"].endswith("-resume.txt")
        seeded = await world.scalar(
            sa.select(Candidate.id).where(
                Candidate.tenant_id == world.tenant_id, Candidate.integration_id != integration_id
            )
        )
        other = await world.gateway.execute(DOCUMENTS, {"id": to_global_id("Candidate", seeded)})
        assert other["candidate"]["documents"] == []
