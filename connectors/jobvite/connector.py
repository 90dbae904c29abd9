"""``JobviteConnector``: v2 reads, and onboarding through ``JobviteOnboardingClient``
when its keys are configured.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal

from connectors.assembly import Choice, ConnectorSettings, Count, Text, setting
from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import ConfigurationError
from connectors.http import OffsetPaginator, Params
from connectors.jobvite.auth import JobviteAuth
from connectors.jobvite.mapping import application_from_raw, candidate_from_raw, job_from_raw
from connectors.jobvite.onboarding import JobviteOnboardingClient
from connectors.jobvite.onboarding_tasks import OnboardingProcessRaw, task_from_raw
from connectors.jobvite.wire import status_error, to_epoch_ms
from connectors.jobvite.workflow import stages_from_config
from connectors.lenient import dig, identifier
from connectors.models import (
    Attribution,
    CheckResult,
    OnboardingTaskDraft,
    RemoteApplication,
    RemoteCandidate,
    RemoteJob,
    RemoteOnboardingTask,
    RemoteStage,
    WriteResult,
)

BASE_URLS = {
    "stage": "https://api-stage.jobvite.com/api/v2",
    "prod": "https://api.jobvite.com/api/v2",
}
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100


class JobvitePaginator(OffsetPaginator):
    """``start``/``count`` paging that reads Jobvite's in-body error status first."""

    def items(self, body: Any) -> list[Any]:
        error = status_error(body)
        if error is not None:
            raise error
        return super().items(body)


@dataclass(frozen=True, kw_only=True)
class JobviteSettings(ConnectorSettings):
    auth_scheme: Literal["plain", "signed"] = setting(
        "authScheme", Choice(("plain", "signed"), default="plain")
    )
    page_size: int = setting(
        "pageSize", Count(default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE, clamp=True)
    )
    onboarding_base_url: str | None = setting("onboardingBaseUrl", Text())
    jobvite_public_key: str | None = setting("jobvitePublicKey", Text())
    """Also accepted as a credential of the same name."""


class JobviteConnector(ConnectorBase):
    """Requisitions, candidates and their applications from v2; onboarding tasks from
    the Onboarding API when its keys are configured.

    tasks = await connector.create_onboarding_tasks("oAppl123", [draft], attribution)
    # POST /task/create, sealed for Jobvite; [WriteResult(remote_id="t-...")]
    """

    provider = "jobvite"
    capabilities = (
        Capability.INCREMENTAL
        | Capability.ONBOARDING
        | Capability.ONBOARDING_WRITE
        | Capability.APPLICATIONS_BY_CANDIDATE
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("apiKey", "apiSecret")
    """``onboardingPrivateKey`` (with ``jobvitePublicKey``) is optional: it turns on onboarding."""

    settings_model = JobviteSettings
    settings: JobviteSettings
    base_url = BASE_URLS
    default_headers = {"accept": "application/json"}
    passthrough_paths = ("/job", "/candidate")

    def __init__(
        self, context: ConnectorContext, settings: ConnectorSettings | None = None
    ) -> None:
        super().__init__(context, settings)
        self.onboarding = self._onboarding_client(context)

    @classmethod
    def auth_for(cls, credentials: Mapping[str, str], settings: ConnectorSettings) -> JobviteAuth:
        assert isinstance(settings, JobviteSettings)
        return JobviteAuth(credentials["apiKey"], credentials["apiSecret"], settings.auth_scheme)

    def _onboarding_client(self, context: ConnectorContext) -> JobviteOnboardingClient | None:
        private_key = context.credentials.get("onboardingPrivateKey")
        if not private_key:
            return None
        public_key = self.settings.jobvite_public_key or context.credentials.get("jobvitePublicKey")
        if not public_key:
            raise ConfigurationError("onboardingPrivateKey is set but jobvitePublicKey is missing")
        return JobviteOnboardingClient(
            self.http,
            private_key=private_key,
            jobvite_public_key=str(public_key),
            base_url=self.settings.onboarding_base_url,
            page_size=self.page_size,
        )

    def _require_onboarding(self) -> JobviteOnboardingClient:
        if self.onboarding is None:
            raise ConfigurationError(
                "Jobvite onboarding needs onboardingPrivateKey and jobvitePublicKey"
            )
        return self.onboarding

    async def check(self) -> CheckResult:
        """``GET /job?start=0&count=1`` (and one sealed onboarding call when configured)."""
        body = await self.http.get_json("/job", params={"start": 0, "count": 1})
        JobvitePaginator(items_key="requisitions").items(body)
        detail = f"{body.get('total', 0)} requisitions"
        if self.onboarding is not None:
            processes = await self.onboarding.check()
            detail += f"; onboarding: {processes} processes"
        return CheckResult(ok=True, detail=detail)

    # reads

    def _params(self, updated_since: datetime | None) -> Params:
        return {} if updated_since is None else {"datestart": to_epoch_ms(updated_since)}

    async def _rows(self, path: str, key: str, params: Params) -> AsyncGenerator[Any, None]:
        """The raw rows of every page, whatever their shape: the mappers judge them."""
        paginator = JobvitePaginator(items_key=key, count=self.page_size)
        async for page in self.http.pages(path, paginator, params):
            for row in page:
                yield row

    async def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        async for row in self._rows("/job", "requisitions", self._params(updated_since)):
            job = self.map_record("jobs", job_from_raw, row)
            if job is not None:
                yield job

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        """Each person once per read, though Jobvite lists them once per application."""
        seen: set[str] = set()
        async for row in self._rows("/candidate", "candidates", self._params(updated_since)):
            candidate = self.map_record("candidates", candidate_from_raw, row)
            if candidate is not None and candidate.remote_id not in seen:
                seen.add(candidate.remote_id)
                yield candidate

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        async for row in self._rows("/candidate", "candidates", self._params(updated_since)):
            application = self.map_record("applications", application_from_raw, row)
            if application is not None:
                yield application

    def onboarding_tasks(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteOnboardingTask]:
        if self.onboarding is None:
            return super().onboarding_tasks(updated_since)
        return self.onboarding.remote_tasks(updated_since, mapper=self._task)

    def _task(self, raw: Any, process: OnboardingProcessRaw | None) -> RemoteOnboardingTask | None:
        return self.map_record("onboarding_tasks", task_from_raw, raw, process)

    async def stages(self) -> list[RemoteStage]:
        """The workflow in pipeline order (``WORKFLOW`` or ``config["workflowStates"]``):
        v2 has no call that lists a company's workflow, so nothing is requested."""
        return stages_from_config(self.context.config)

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        """v2 has no documented lookup by ``eId``: scan, stopping once all are found."""
        rows = await self._find("/job", "requisitions", set(remote_ids))
        jobs = (self.map_record("jobs", job_from_raw, row) for row in rows)
        return [job for job in jobs if job is not None]

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        """As ``get_jobs``: a scan of ``/candidate`` that stops once all are found."""
        rows = await self._find("/candidate", "candidates", set(remote_ids))
        found = (self.map_record("candidates", candidate_from_raw, row) for row in rows)
        return [candidate for candidate in found if candidate is not None]

    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]:
        """The application of every ``/candidate`` row of these people, as
        ``applications()`` maps them.

        v2 documents no lookup by candidate, and a person with two applications is two
        rows that need not be next to each other, so this is one full scan of
        ``/candidate`` (``total / pageSize`` requests) that cannot stop early as
        ``get_candidates`` does. Where an incremental read (``datestart``) since the
        last sync would be short, that is the cheaper way to catch up; this one answers
        for these people whatever their update times say."""
        wanted = set(candidate_remote_ids)
        found: dict[str, RemoteApplication] = {}
        if not wanted:
            return []
        async for row in self._rows("/candidate", "candidates", {}):
            if identifier(dig(row, "eId")) in wanted:
                application = self.map_record("applications", application_from_raw, row)
                if application is not None:
                    found.setdefault(application.remote_id, application)
        return list(found.values())

    async def _find(self, path: str, key: str, wanted: set[str]) -> list[Any]:
        found: list[Any] = []
        if not wanted:
            return found
        async with aclosing(self._rows(path, key, {})) as rows:
            async for row in rows:
                eid = identifier(dig(row, "eId"))
                if eid is not None and eid in wanted:
                    wanted.discard(eid)
                    found.append(row)
                    if not wanted:
                        break
        return found

    # onboarding writes

    async def create_onboarding_tasks(
        self,
        application_remote_id: str,
        tasks: Sequence[OnboardingTaskDraft],
        attribution: Attribution,
    ) -> list[WriteResult]:
        """Add tasks to the onboarding process of the hire behind an application."""
        onboarding = self._require_onboarding()
        if not tasks:
            return []
        process = await onboarding.process_for_application(application_remote_id)
        created = await onboarding.create_tasks(process["id"], tasks, attribution)
        return [WriteResult(remote_id=task["id"], raw=task) for task in created]

    async def review_onboarding_task(
        self, task_remote_id: str, approve: bool, attribution: Attribution, notes: str | None = None
    ) -> WriteResult:
        onboarding = self._require_onboarding()
        task = await onboarding.review_task(
            task_remote_id, approve=approve, attribution=attribution, notes=notes
        )
        return WriteResult(remote_id=task["id"], raw=task)
