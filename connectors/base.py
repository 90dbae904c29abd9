"""The contract every provider implements.

A connector is made by ``ConnectorBase.create``, one template for every provider: from
the injected ``httpx.AsyncClient``, the decrypted credentials and the integration's
config it checks the credentials, reads the config into the provider's settings model
(``connectors.assembly``), builds the ``HttpClient`` and hands the connector a
``ConnectorContext``. A provider only declares what differs:

    class BpocConnector(ConnectorBase):
        required_credentials = ("apiKey",)
        settings_model = BpocSettings            # its config keys, pageSize bounds included
        base_url = "https://bpoc.io/api/v1"      # or {"prod": ..., "stage": ...}
        default_headers = {}

        @classmethod
        def auth_for(cls, credentials, settings):
            return BpocAuth(credentials["apiKey"])

    connector = BpocConnector.create(client, {"apiKey": key}, {"pageSize": 100},
                                     integration="9:bpoc")

A connector reads through async iterators over the common model and writes through
methods that take the acting recruiter's ``Attribution``:

    async for job in connector.jobs(updated_since=last_sync):
        ...
    await connector.move_stage(application_id, "Client Interview", attribution)

``capabilities`` says what a provider supports; a method outside them raises
``UnsupportedOperationError`` (``ConnectorBase`` provides those refusals).

A record the connector cannot map fails alone: read through ``self.map_record``, a
mapper's ``MappingError`` (or any other exception it raises) becomes a ``RecordFailure``
handed to ``connector.on_failure`` and the record is skipped, while the listing goes on.
The sync sets ``on_failure`` to list the record with the run; by default failures
are kept in ``connector.failures``:

    async for raw in self._records("/jobs"):
        job = self.map_record("jobs", job_from_raw, raw)
        if job is not None:
            yield job

A webhook that names candidates is answered with a targeted refetch where the provider
allows one, and with an incremental sync where it does not:

    if Capability.APPLICATIONS_BY_CANDIDATE in connector.capabilities:
        applications = await connector.get_applications(["154651"])
    else:
        ...  # schedule an incremental sync
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Flag, auto
from typing import Any, ClassVar, Protocol, Self, TypeVar

import httpx
from aiolimiter import AsyncLimiter

from connectors.assembly import (
    ConnectorSettings,
    credential,
    environment_url,
    read_settings,
    require_credentials,
)
from connectors.errors import (
    AuthError,
    ConfigurationError,
    ConnectorError,
    MappingError,
    NotFoundError,
    UnsupportedOperationError,
)
from connectors.http import HttpClient, Sleep
from connectors.lenient import remote_id_of
from connectors.models import (
    Attribution,
    CheckResult,
    InterviewRequest,
    JobDraft,
    OnboardingTaskDraft,
    RecordFailure,
    RemoteActivity,
    RemoteApplication,
    RemoteCandidate,
    RemoteCustomField,
    RemoteInterview,
    RemoteJob,
    RemoteOnboardingTask,
    RemoteStage,
    RemoteUser,
    WriteResult,
)
from connectors.passthrough import PassthroughAnswer, PassthroughRequest
from connectors.passthrough import send as send_passthrough

logger = logging.getLogger("talentgraph.connectors")

_T = TypeVar("_T")

MAX_KEPT_FAILURES = 1_000


class Capability(Flag):
    INCREMENTAL = auto()
    WEBHOOKS = auto()
    INTERVIEWS = auto()
    ONBOARDING = auto()
    USERS = auto()
    ACTIVITIES = auto()
    MOVE_STAGE = auto()
    ADD_TO_JOB = auto()
    REJECT = auto()
    NOTES = auto()
    CUSTOM_FIELDS = auto()
    JOB_CREATE = auto()
    JOB_APPROVE = auto()
    RELEASE = auto()
    SCHEDULE_INTERVIEW = auto()
    ONBOARDING_WRITE = auto()
    RECRUITER_MANAGEMENT = auto()
    ATTRIBUTION = auto()
    APPLICATIONS_BY_CANDIDATE = auto()
    """``get_applications(candidate_ids)`` works; without it, it refuses."""


@dataclass(frozen=True, slots=True)
class ConnectorContext:
    http: HttpClient
    credentials: Mapping[str, str]
    config: Mapping[str, Any] = field(default_factory=dict)

    def credential(self, name: str) -> str:
        return credential(self.credentials, name)


class Connector(Protocol):
    provider: ClassVar[str]
    capabilities: ClassVar[Capability]

    async def check(self) -> CheckResult: ...

    def use_cursors(self, cursors: Mapping[str, str]) -> None: ...
    def cursors(self) -> dict[str, str]: ...

    def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]: ...
    def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]: ...
    def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]: ...
    def interviews(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteInterview]: ...
    def users(self) -> AsyncIterator[RemoteUser]: ...
    def onboarding_tasks(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteOnboardingTask]: ...
    async def stages(self) -> list[RemoteStage]: ...

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]: ...
    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]: ...
    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]: ...

    async def move_stage(
        self, application_remote_id: str, stage: str, attribution: Attribution | None
    ) -> WriteResult: ...
    async def add_to_job(
        self, candidate_remote_id: str, job_remote_id: str, attribution: Attribution | None
    ) -> WriteResult: ...
    async def reject(
        self, application_remote_id: str, reason: str, attribution: Attribution | None
    ) -> WriteResult: ...
    async def add_note(
        self, candidate_remote_id: str, text: str, attribution: Attribution | None
    ) -> WriteResult: ...
    async def update_job_custom_field(
        self, job_remote_id: str, field_name: str, value: str
    ) -> WriteResult: ...
    async def create_job(self, draft: JobDraft, attribution: Attribution) -> WriteResult: ...
    async def approve_job(self, job_remote_id: str, attribution: Attribution) -> WriteResult: ...
    async def release_application(
        self, application_remote_id: str, notes: str | None, attribution: Attribution
    ) -> WriteResult: ...
    async def schedule_interview(
        self, request: InterviewRequest, attribution: Attribution
    ) -> WriteResult: ...
    async def create_onboarding_tasks(
        self,
        application_remote_id: str,
        tasks: Sequence[OnboardingTaskDraft],
        attribution: Attribution,
    ) -> list[WriteResult]: ...
    async def review_onboarding_task(
        self, task_remote_id: str, approve: bool, attribution: Attribution, notes: str | None = None
    ) -> WriteResult: ...
    async def create_recruiter(
        self, email: str, first_name: str, last_name: str, role: str
    ) -> WriteResult: ...
    async def invite_recruiter(self, email: str, name: str, role: str) -> WriteResult: ...


async def _nothing() -> AsyncIterator[Any]:
    return
    yield  # pragma: no cover


class ConnectorBase:
    """The template ``create`` and its hooks (see the module docstring), and defaults
    for what a provider does not support: reads of data it does not have yield nothing;
    writes outside its capabilities refuse."""

    provider: ClassVar[str] = ""
    capabilities: ClassVar[Capability] = Capability(0)
    required_credentials: ClassVar[tuple[str, ...]] = ()
    """Credential names an integration of this provider must store; ``create`` refuses
    an empty one."""
    settings_model: ClassVar[type[ConnectorSettings]] = ConnectorSettings
    """The config keys this provider reads, with their defaults and bounds."""
    base_url: ClassVar[str | Mapping[str, str]] = ""
    """The API's address when the config names no ``baseUrl``: one URL, or one per
    environment (``{"prod": ..., "stage": ...}``)."""
    default_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/json"}
    """Sent with every request."""
    passthrough_paths: ClassVar[tuple[str, ...]] = ()
    """Path prefixes under the base URL that ``passthrough`` may call (segment-wise:
    ``"/jobs"`` allows ``/jobs`` and ``/jobs/7``, not ``/jobsx``); none, no passthrough."""

    settings: ConnectorSettings

    def __init__(
        self, context: ConnectorContext, settings: ConnectorSettings | None = None
    ) -> None:
        self.context = context
        self.http = context.http
        self.settings = (
            settings if settings is not None else read_settings(self.settings_model, context.config)
        )
        self.page_size = self.settings.page_size
        self.failures: list[RecordFailure] = []
        self.on_failure: Callable[[RecordFailure], None] = self._keep_failure
        self.resume_cursors: dict[str, str] = {}
        self.warnings: list[str] = []
        self.on_warning: Callable[[str], None] = self._keep_warning

    @classmethod
    def create(
        cls,
        client: httpx.AsyncClient,
        credentials: Mapping[str, str],
        config: Mapping[str, Any],
        *,
        integration: str,
        sleep: Sleep = asyncio.sleep,
        rate_limit: AsyncLimiter | None = None,
    ) -> Self:
        """The connector of one integration, or the ``ConfigurationError`` of its first
        missing credential or bad config key.

        connector = RecruiterflowConnector.create(
            client, {"apiKey": key}, {"pageSize": 50}, integration="7:recruiterflow"
        )
        """
        require_credentials(credentials, cls.credentials_needed(credentials))
        settings = read_settings(cls.settings_model, config)
        http = HttpClient(
            client,
            base_url=settings.base_url or cls.default_base_url(credentials, settings),
            integration=integration,
            auth=cls.auth_for(credentials, settings),
            headers=cls.default_headers,
            rate_limit=rate_limit,
            sleep=sleep,
        )
        return cls(ConnectorContext(http=http, credentials=credentials, config=config), settings)

    @classmethod
    def credentials_needed(cls, credentials: Mapping[str, str]) -> Sequence[str]:
        """What ``create`` requires: ``required_credentials``, unless a provider with
        more than one way in (an API key or OAuth) picks by what ``credentials`` name."""
        return cls.required_credentials

    @classmethod
    def default_base_url(cls, credentials: Mapping[str, str], settings: ConnectorSettings) -> str:
        """``base_url``, picked by the config's ``environment`` when it is one per
        environment. A provider whose address depends on its credentials overrides this."""
        if not isinstance(cls.base_url, str):
            return environment_url(cls.base_url, settings.environment)
        if not cls.base_url:
            raise ConfigurationError(f"{cls.provider or cls.__name__} needs config baseUrl")
        return cls.base_url

    @classmethod
    def auth_for(
        cls, credentials: Mapping[str, str], settings: ConnectorSettings
    ) -> httpx.Auth | None:
        """How the (already checked) credentials authenticate each request; none here."""
        return None

    def _keep_warning(self, warning: str) -> None:
        if warning not in self.warnings and len(self.warnings) < MAX_KEPT_FAILURES:
            self.warnings.append(warning)

    def skipped_read(self, what: str, exc: ConnectorError) -> None:
        """Report an enrichment read the source refused (see ``is_optional_refusal``):
        the records go on without it, and the run says what it could not read."""
        self.on_warning(f"{what} not read: {exc.message}")

    async def optional(
        self,
        what: str,
        read: Awaitable[_T],
        empty: _T,
        *,
        quiet: tuple[type[ConnectorError], ...] = (),
    ) -> _T:
        """``await read``, or ``empty`` where the source refuses an enrichment read
        (``is_optional_refusal``; reported as ``what`` for the run) instead of the read
        failing the phase it serves. Errors in ``quiet`` give ``empty`` unreported (a
        record gone between its listing and its details)."""
        try:
            return await read
        except quiet:
            return empty
        except ConnectorError as exc:
            if not is_optional_refusal(exc):
                raise
            self.skipped_read(what, exc)
            return empty

    async def optional_all(
        self,
        what: str,
        records: AsyncIterator[Any],
        *,
        quiet: tuple[type[ConnectorError], ...] = (),
    ) -> list[Any]:
        """Every record of an enrichment listing, or none as ``optional`` says."""
        return await self.optional(what, collected(records), [], quiet=quiet)

    def _keep_failure(self, failure: RecordFailure) -> None:
        if len(self.failures) < MAX_KEPT_FAILURES:
            self.failures.append(failure)

    def map_record(
        self, entity: str, mapper: Callable[..., _T], raw: Any, *args: Any, **kwargs: Any
    ) -> _T | None:
        """``mapper(raw, *args, **kwargs)``, or ``None`` after reporting the record as a
        ``RecordFailure`` when it cannot be mapped. A mapper that raises something other
        than ``MappingError`` has met a shape nobody foresaw: logged, and the record
        fails alone all the same."""
        try:
            return mapper(raw, *args, **kwargs)
        except MappingError as exc:
            self.on_failure(
                RecordFailure(
                    entity=exc.entity or entity,
                    remote_id=exc.remote_id or remote_id_of(raw),
                    reason=exc.message[:500],
                )
            )
        except Exception as exc:  # one bad record must not end the listing
            logger.warning(
                "%s: a %s record could not be mapped", self.provider, entity, exc_info=True
            )
            self.on_failure(
                RecordFailure(
                    entity=entity,
                    remote_id=remote_id_of(raw),
                    reason=f"unreadable record ({type(exc).__name__}: {str(exc)[:300]})",
                )
            )
        return None

    def use_cursors(self, cursors: Mapping[str, str]) -> None:
        """The cursors ``cursors()`` gave at the end of the integration's last successful
        run: a provider whose API hands out change tokens (Ashby's ``syncToken``) reads
        since a time through them; others ignore them."""
        self.resume_cursors = {str(name): str(value) for name, value in cursors.items()}

    def cursors(self) -> dict[str, str]:
        """Opaque change tokens the source gave in this run, by stream, for the sync to
        keep once the run succeeds; none for a provider read by time alone."""
        return {}

    async def check(self) -> CheckResult:
        """One cheap authenticated call; every provider overrides this."""
        raise NotImplementedError

    async def passthrough(self, request: PassthroughRequest) -> PassthroughAnswer:
        """One request to the provider's API as it is, through this connector's auth,
        rate limit and retries, if ``connectors.passthrough`` allows it (else
        ``PassthroughRefusedError``, before anything is sent)."""
        return await send_passthrough(self.http, request, self.passthrough_paths)

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def _unsupported(self, operation: str) -> UnsupportedOperationError:
        return UnsupportedOperationError(f"{self.provider} does not support {operation}")

    def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        return _nothing()

    def candidates(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteCandidate]:
        return _nothing()

    def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        return _nothing()

    def interviews(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteInterview]:
        return _nothing()

    def users(self) -> AsyncIterator[RemoteUser]:
        return _nothing()

    def onboarding_tasks(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteOnboardingTask]:
        return _nothing()

    def activities(self, candidate_remote_id: str) -> AsyncIterator[RemoteActivity]:
        return _nothing()

    async def stages(self) -> list[RemoteStage]:
        return []

    async def custom_fields(self) -> list[RemoteCustomField]:
        return []

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        wanted = set(remote_ids)
        return [job async for job in self.jobs() if job.remote_id in wanted]

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        wanted = set(remote_ids)
        return [c async for c in self.candidates() if c.remote_id in wanted]

    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]:
        """The current applications of these candidates, stage history included, as
        ``applications()`` yields them; unknown candidates and candidates in no job
        contribute nothing. For refreshing what a webhook names without a sync.

        Refused here (``UnsupportedOperationError``, before any request) unless the
        provider declares ``Capability.APPLICATIONS_BY_CANDIDATE``: unlike
        ``get_jobs``, no generic fallback is offered, because scanning every
        application is what the caller's incremental sync already does."""
        raise self._unsupported("reading applications by candidate")

    async def move_stage(
        self, application_remote_id: str, stage: str, attribution: Attribution | None
    ) -> WriteResult:
        raise self._unsupported("moving an application to a stage")

    async def add_to_job(
        self, candidate_remote_id: str, job_remote_id: str, attribution: Attribution | None
    ) -> WriteResult:
        raise self._unsupported("adding a candidate to a job")

    async def reject(
        self, application_remote_id: str, reason: str, attribution: Attribution | None
    ) -> WriteResult:
        raise self._unsupported("rejecting an application")

    async def add_note(
        self, candidate_remote_id: str, text: str, attribution: Attribution | None
    ) -> WriteResult:
        raise self._unsupported("adding a note")

    async def update_job_custom_field(
        self, job_remote_id: str, field_name: str, value: str
    ) -> WriteResult:
        raise self._unsupported("updating a job custom field")

    async def create_job(self, draft: JobDraft, attribution: Attribution) -> WriteResult:
        raise self._unsupported("creating a job")

    async def approve_job(self, job_remote_id: str, attribution: Attribution) -> WriteResult:
        raise self._unsupported("approving a job")

    async def release_application(
        self, application_remote_id: str, notes: str | None, attribution: Attribution
    ) -> WriteResult:
        raise self._unsupported("releasing an application")

    async def schedule_interview(
        self, request: InterviewRequest, attribution: Attribution
    ) -> WriteResult:
        raise self._unsupported("scheduling an interview")

    async def create_onboarding_tasks(
        self,
        application_remote_id: str,
        tasks: Sequence[OnboardingTaskDraft],
        attribution: Attribution,
    ) -> list[WriteResult]:
        raise self._unsupported("creating onboarding tasks")

    async def review_onboarding_task(
        self, task_remote_id: str, approve: bool, attribution: Attribution, notes: str | None = None
    ) -> WriteResult:
        raise self._unsupported("reviewing an onboarding task")

    async def create_recruiter(
        self, email: str, first_name: str, last_name: str, role: str
    ) -> WriteResult:
        raise self._unsupported("creating a recruiter")

    async def invite_recruiter(self, email: str, name: str, role: str) -> WriteResult:
        raise self._unsupported("inviting a recruiter")


def is_optional_refusal(exc: ConnectorError) -> bool:
    """A refusal an enrichment read (names, owners, attachments, a record's extras) may
    meet without its records failing: the path is not there (404) or the key lacks that
    endpoint's permission (403; Greenhouse, Lever and Ashby grant reads per endpoint).
    Refused credentials (401) and everything else still end the read."""
    return isinstance(exc, NotFoundError) or (isinstance(exc, AuthError) and exc.status == 403)


async def collected(records: AsyncIterator[Any]) -> list[Any]:
    return [raw async for raw in records]
