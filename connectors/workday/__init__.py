"""Workday Recruiting (REST v4): job postings, prospects and interviews.

    connector = WorkdayConnector.create(client, credentials, {}, integration="9:workday")
    async for job in connector.jobs():          # GET /jobPostings, limit/offset paging
        ...
    async for interview in connector.interviews():
        ...
    async for application in connector.applications():   # the interviews' job applications
        ...
    [prospect] = await connector.get_candidates(["3aa5550b7fe348b98d7b5741afc65534"])

Credentials (the integration's encrypted blob): ``tenantUrl`` (e.g.
``https://wd2-impl-services1.workday.com``), ``tenantId`` (e.g. ``acme``),
``clientId``, ``clientSecret`` and ``refreshToken`` of an API client for integrations.

What the API (``workday-recruiting-v4.json``) offers, and so what this connector does:

- Auth: OAuth2 refresh-token grant at ``{tenantUrl}/ccx/oauth2/{tenant}/token``
  (``WorkdayAuth``); the API is at ``{tenantUrl}/ccx/api/recruiting/v4/{tenant}``.
- Lists answer ``{"total": N, "data": [...]}`` and page with ``limit`` (default 20,
  at most 100) and ``offset`` (0-based).
- Jobs are job postings (``GET /jobPostings``). No resource carries an update time
  and no list takes an updated-since filter: every read is a full read
  (``updated_since`` is accepted and ignored) and ``remote_updated_at`` stays ``None``.
- Prospects can be read one at a time (``GET /prospects/{ID}``) but not listed: there
  is no ``GET /prospects``, and ``get_candidates`` reads them by id. No resource lists
  job applications either; they are known only as the ``jobApplication`` an interview
  event names (``{id, descriptor, numberOfJobs, ...}``: no candidate, prospect, status
  or date) next to its ``jobRequisition``. So the people synced are the applicants of
  those applications (see "Applications" below), and ``get_applications`` refuses (no
  ``APPLICATIONS_BY_CANDIDATE``: nothing reads the applications of a person).
- A prospect's resume is a subresource: ``get_candidates`` reads
  ``/prospects/{ID}/resumeAttachments`` and gives the first file's
  ``.../resumeAttachments/{file}?type=viewFile`` URL (bearer token needed) as ``resume_url``.
- Interviews (``GET /interviews``) name their job application, requisition and
  interviewers, but not a time. Job postings name no recruiter (only an interview's
  requisition does), so jobs have no ``recruiter_remote_id``.
- Applications: ``applications()`` yields one per distinct ``jobApplication`` of the
  interview events, in the stage ``"Interview"`` (all the events say about it). Its job
  is the job posting of the event's requisition: postings do not show their
  requisition, but ``GET /jobPostings?jobRequisition={ID}`` lists a requisition's
  postings (one call per requisition, ``LOOKUP_CONCURRENCY`` at a time; of several the
  smallest id). A requisition with no posting costs its applications, each reported as
  a failed record naming the requisition (and their interviews then fail alone).
  ``candidates()`` yields each application's applicant (``candidate_from_application``:
  remote id the application's id, name from its descriptor ``"Ada Lovelace - Nurse"``),
  since nothing the API answers leads from an application to a prospect.
- Records are read leniently (``connectors.lenient``); one that cannot be mapped (no id,
  not an object) is reported through ``map_record`` and skipped, the listing goes on.
- The API's writes (creating prospects and their skills, educations, experiences,
  languages and resumes; submitting interview feedback) match no write of the
  connector contract, so this connector writes nothing.

The package: ``auth`` (the tenant's endpoints and token), ``payloads`` (the raw
shapes), ``mapping`` (postings, prospects, interviews), ``applications`` (what the
interview events tell of applications and applicants) and ``connector``.
"""

from collections.abc import Mapping

from connectors.errors import ConfigurationError
from connectors.kit.provider import OAuthSpec, ProviderSpec
from connectors.workday.auth import WorkdayAuth, api_base_url, authorization_endpoint, token_url
from connectors.workday.connector import WorkdayConnector


def _oauth_endpoints(credentials: Mapping[str, str]) -> tuple[str, str]:
    tenant_url, tenant = credentials.get("tenantUrl"), credentials.get("tenantId")
    if not tenant_url or not tenant:
        raise ConfigurationError("Workday OAuth needs tenantUrl and tenantId")
    return authorization_endpoint(tenant_url, tenant), token_url(tenant_url, tenant)


PROVIDER = ProviderSpec(
    slug="workday",
    title="Workday",
    connector=WorkdayConnector,
    auth="oauth2",
    oauth=OAuthSpec(endpoints=_oauth_endpoints),
)

__all__ = [
    "PROVIDER",
    "WorkdayAuth",
    "WorkdayConnector",
    "api_base_url",
    "authorization_endpoint",
    "token_url",
]
