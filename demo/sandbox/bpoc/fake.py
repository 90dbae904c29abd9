"""The fake BPOC's state: three agencies with their recruiters and clients, and the
main agency's jobs, candidates, applications, interviews and onboarding tasks, seeded
deterministically (ids from a seeded random generator); which writes tell the webhook
receiver. ``app`` serves it (``routes``)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from starlette.types import ASGIApp

from demo.sandbox.bpoc.payloads import (
    agency_clients,
    agency_recruiters,
    onboarding_tasks,
    release_time,
    seeded_application,
    seeded_candidate,
    seeded_interview,
    seeded_job,
    seeded_status,
)
from demo.sandbox.bpoc.records import (
    CLIENT_IDS,
    MAIN_AGENCY_ID,
    MAIN_API_KEY,
    OTHER_AGENCY_ID,
    OTHER_API_KEY,
    SEED_TIME,
    STARTER_AGENCY_ID,
    STARTER_API_KEY,
    Agency,
    Record,
    Write,
    iso,
)
from demo.sandbox.bpoc.routes import build_app
from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.webhook_sender import Provider, WebhookEmitter, WebhookSource


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class BpocFake(WebhookSource):
    """BPOC's state and its Starlette app (``app``, already wrapped with ``faults``)."""

    webhook_provider: ClassVar[Provider] = "bpoc"

    faults: Faults = field(default_factory=Faults)
    now: Callable[[], datetime] = _utcnow
    rng: random.Random = field(default_factory=lambda: random.Random(41_770_915))
    agencies: dict[str, Agency] = field(default_factory=dict)
    recruiters: dict[str, Record] = field(default_factory=dict)
    clients: dict[str, Record] = field(default_factory=dict)
    jobs: dict[str, Record] = field(default_factory=dict)
    candidates: dict[str, Record] = field(default_factory=dict)
    applications: dict[str, Record] = field(default_factory=dict)
    interviews: dict[str, Record] = field(default_factory=dict)
    tasks: dict[str, Record] = field(default_factory=dict)
    invites: dict[str, Record] = field(default_factory=dict)
    writes: list[Write] = field(default_factory=list)
    webhooks: WebhookEmitter | None = None
    webhook_agency_id: str = MAIN_AGENCY_ID
    """The agency whose writes are notified."""
    app: ASGIApp = field(init=False)

    def __post_init__(self) -> None:
        self._agencies()
        self.app = with_faults(build_app(self), self.faults)

    # state

    def _agencies(self) -> None:
        for agency in (
            Agency(MAIN_AGENCY_ID, "Manila Talent Partners", MAIN_API_KEY),
            Agency(OTHER_AGENCY_ID, "Cebu Staffing Co", OTHER_API_KEY),
            Agency(STARTER_AGENCY_ID, "Starter Agency", STARTER_API_KEY, enterprise=False),
        ):
            self.agencies[agency.api_key] = agency
        self.recruiters.update(agency_recruiters())
        self.clients.update(agency_clients())

    def new_id(self) -> str:
        """A fresh record id: a UUID from ``rng``."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """Add that many records to the main agency, all updated before ``SEED_TIME``.
        Application ``i`` links candidate ``i % candidates`` (so every candidate has one
        when ``applications >= candidates``); released ones get a client interview,
        hired ones three onboarding tasks."""
        start = SEED_TIME - timedelta(days=60)
        new_jobs = self._seed_jobs(jobs, start)
        new_candidates = self._seed_candidates(candidates, start)
        job_pool = new_jobs or [j for j, r in self.jobs.items() if r["agencyId"] == MAIN_AGENCY_ID]
        candidate_pool = new_candidates or list(self.candidates)
        if applications and not (job_pool and candidate_pool):
            raise ValueError("applications need seeded jobs and candidates")
        for number in range(applications):
            job_id = job_pool[(number + number // len(candidate_pool)) % len(job_pool)]
            candidate_id = candidate_pool[number % len(candidate_pool)]
            self._seed_application(job_id, candidate_id, start + timedelta(days=2, hours=number))

    def _seed_jobs(self, count: int, start: datetime) -> list[str]:
        main = [r for r in self.recruiters.values() if r["agencyId"] == MAIN_AGENCY_ID]
        active: list[str] = [r["id"] for r in main if r["isActive"]]
        new_jobs: list[str] = []
        for number in range(count):
            serial = len(self.jobs)
            client = self.clients[CLIENT_IDS[serial % len(CLIENT_IDS)]]
            created = start + timedelta(hours=3 * number)
            job_id = self.new_id()
            posted_by = active[serial % len(active)]
            self.jobs[job_id] = seeded_job(job_id, serial, created, client, posted_by)
            new_jobs.append(job_id)
        return new_jobs

    def _seed_candidates(self, count: int, start: datetime) -> list[str]:
        new_candidates: list[str] = []
        for number in range(count):
            serial = len(self.candidates)
            created = start + timedelta(hours=2 * number)
            candidate_id = self.new_id()
            self.candidates[candidate_id] = seeded_candidate(candidate_id, serial, created)
            new_candidates.append(candidate_id)
        return new_candidates

    def _seed_application(self, job_id: str, candidate_id: str, applied: datetime) -> None:
        status = seeded_status(len(self.applications))
        application_id = self.new_id()
        self.applications[application_id] = seeded_application(
            application_id, job_id, candidate_id, status, applied
        )
        released = release_time(status, applied)
        if released is None:
            return
        interview_id = self.new_id()
        self.interviews[interview_id] = seeded_interview(
            interview_id, application_id, status, released
        )
        if status != "hired":
            return
        interview_at = released + timedelta(days=2)
        self.tasks.update(
            onboarding_tasks(
                self.new_id, application_id, candidate_id, interview_at + timedelta(days=3)
            )
        )

    def touch_job(self, remote_id: str) -> None:
        self.jobs[remote_id]["updatedAt"] = iso(self.now())

    def job_ids(self, agency_id: str = MAIN_AGENCY_ID) -> list[str]:
        return [j for j, r in self.jobs.items() if r["agencyId"] == agency_id]

    def notify_of_write(self, agency: Agency, event: str, record: Record) -> None:
        """Notify ``event`` about a job (``record`` a job) or an application (an
        application or interview: its application's job and candidate ride along), if
        ``agency`` is the one the webhooks are for."""
        if agency.id != self.webhook_agency_id:
            return
        if event.startswith("job."):
            self.notify(event, job_id=record["id"])
            return
        application = self.applications[record.get("applicationId") or record["id"]]
        self.notify(
            event,
            job_id=application["jobId"],
            application_id=application["id"],
            candidate_id=application["candidateId"],
        )


def make_app() -> ASGIApp:
    """A fake with demo data, for ``uvicorn --factory demo.sandbox.bpoc:make_app``."""
    fake = BpocFake()
    fake.seed(jobs=8, candidates=20, applications=30)
    return fake.app
