"""Recruiterflow: the agency ATS that owns job metadata and candidate pipelines.

    connector = RecruiterflowConnector.create(
        client, {"apiKey": key}, {"feeCustomField": "Placement Fee"}, integration="7:recruiterflow"
    )
    async for job in connector.jobs():            # GET /api/external/job/list, page by page
        ...
    await connector.move_stage("154651:12", "Client Interview", Attribution(remote_id="10447"))
    # POST /api/external/candidate/move-to-stage
    #      {"id": 154651, "job_id": 12, "stage": {"name": "Client Interview"}, "user_id": 10447}

What the API does that the rest of talentgraph should not have to know:

- Every request carries the header ``RF-Api-Key`` (``RecruiterflowAuth``).
- Lists page with ``current_page`` (1-based) and ``items_per_page``. Without
  ``include_count`` the job list is a bare JSON array, other lists ``{"data": [...]}``;
  with it ``{"data": [...], "total_items": N}``. The last page is the first one shorter
  than ``items_per_page``, possibly empty.
- No list filters by update time, so ``updated_since`` is applied here, on an explicit
  ``updated_at`` when a record has one (records without it are always yielded), and on
  the latest stage transition for applications. Hence no ``INCREMENTAL`` capability.
- An application is not a resource: the stage-movement list of one candidate names
  each job the candidate is in, with its transitions. Its remote id here is
  ``f"{candidate_id}:{job_id}"``. So ``get_applications`` (a webhook's refetch) reads
  each candidate's detail, then their stage movements.
- Writes answer ``{"RESULT": "SUCCESS"}``; refusals ``{"RESULT": "FAILURE", "message": ...}``.
  A 403 "The specified user is not present in your account" is an unknown acting user
  (``InvalidRecruiterError``), not bad credentials.
- Timestamps come as ``2023-03-29T14:26:43+0000``, ``+05:30`` offsets or bare dates.

Records are read leniently (``connectors.lenient``): a number sent as text, an object
where text was documented, a ``null`` list are taken for what they mean. A record that
still makes no sense (no id) raises ``MappingError`` from its mapper; the connector reads
every record through ``map_record``, so it is reported and skipped while the listing
goes on. Text is cut to what the store holds; values that are useless cut (an email,
a phone number, a URL, a currency) are dropped instead.

The package: ``payloads`` (the raw shapes), ``fields`` (one value at a time),
``jobs``, ``candidates``, ``applications`` and ``account`` (users, stages, custom
fields) map records; ``responses`` reads the answers around them; ``connector``
reads and writes.
"""

from connectors.kit.provider import ProviderSpec
from connectors.recruiterflow.account import custom_field_from_raw, user_from_raw
from connectors.recruiterflow.applications import application_from_raw
from connectors.recruiterflow.candidates import activity_from_raw, candidate_from_raw
from connectors.recruiterflow.connector import RecruiterflowAuth, RecruiterflowConnector
from connectors.recruiterflow.jobs import job_from_raw
from connectors.recruiterflow.webhooks import RECRUITERFLOW_WEBHOOKS

PROVIDER = ProviderSpec(
    slug="recruiterflow",
    title="Recruiterflow",
    connector=RecruiterflowConnector,
    auth="api_key",
    webhook=RECRUITERFLOW_WEBHOOKS,
)

__all__ = [
    "PROVIDER",
    "RecruiterflowAuth",
    "RecruiterflowConnector",
    "activity_from_raw",
    "application_from_raw",
    "candidate_from_raw",
    "custom_field_from_raw",
    "job_from_raw",
    "user_from_raw",
]
