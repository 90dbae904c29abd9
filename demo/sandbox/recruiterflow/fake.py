"""The fake Recruiterflow's state: the account's users and job custom fields, its jobs,
candidates, applications, activities and notes, seeded deterministically; the state
changes seeding and writes share (a stage move, a logged activity, a kept note); the
records as the API serves them. ``app`` serves it all (``routes``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from starlette.types import ASGIApp

from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.recruiterflow.payloads import (
    account_job_custom_fields,
    account_users,
    activity_record,
    candidate_job,
    candidate_record,
    job_record,
    listed_job,
    signed_file,
)
from demo.sandbox.recruiterflow.records import (
    BASE_TIME,
    JSON,
    PIPELINE,
    Application,
    ApplicationTable,
    RecordedWrite,
    rf_time,
    user_ref,
)
from demo.sandbox.recruiterflow.routes import build_app
from demo.sandbox.webhook_sender import Provider, WebhookEmitter, WebhookSource


@dataclass
class FakeRecruiterflow(WebhookSource):
    """Recruiterflow's state and its Starlette app (``app``, already wrapped with
    ``faults``)."""

    webhook_provider: ClassVar[Provider] = "recruiterflow"

    api_key: str = "rf-fake-key-3f9a1c"
    display_name: str = "RF (company)"
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    faults: Faults = field(default_factory=Faults)
    users: dict[int, JSON] = field(default_factory=dict)
    jobs: dict[int, JSON] = field(default_factory=dict)
    candidates: dict[int, JSON] = field(default_factory=dict)
    applications: dict[tuple[int, int], Application] = field(default_factory=ApplicationTable)
    activities: dict[int, list[JSON]] = field(default_factory=dict)
    notes: dict[int, list[JSON]] = field(default_factory=dict)
    job_custom_fields: list[JSON] = field(default_factory=list)
    writes: list[RecordedWrite] = field(default_factory=list)
    webhooks: WebhookEmitter | None = None
    files_signed_at: datetime = BASE_TIME
    """When the candidates' file links were presigned (``X-Amz-Date``). The real API signs
    them anew on every listing; here they change only when a test moves this."""
    _next_activity: int = 1000
    _next_note: int = 1

    def __post_init__(self) -> None:
        self.users = account_users()
        self.job_custom_fields = account_job_custom_fields()
        self.app: ASGIApp = with_faults(build_app(self), self.faults)

    @property
    def owner(self) -> JSON:
        """The user the API key belongs to: who acts when a write names nobody."""
        return self.users[40201]

    # seeding

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """``seed(jobs=3, candidates=4, applications=5)``: deterministic records, all
        updated in the past; applications pair candidate ``a % candidates`` with a job."""
        if applications > jobs * candidates:
            raise ValueError("more applications than candidate x job pairs")
        job_ids = [self.add_job(n) for n in range(jobs)]
        candidate_ids = [self.add_candidate(n) for n in range(candidates)]
        for a in range(applications):
            c, k = a % candidates, a // candidates
            self._seed_application(a, candidate_ids[c], job_ids[(k + c) % jobs])

    def add_job(self, n: int, **overrides: Any) -> int:
        job_id = 1001 + len(self.jobs)
        self.jobs[job_id] = {**job_record(job_id, n, self.users[10447]), **overrides}
        return job_id

    def add_candidate(self, n: int, **overrides: Any) -> int:
        candidate_id = 154651 + len(self.candidates)
        adder = self.users[18993]
        self.candidates[candidate_id] = {**candidate_record(candidate_id, n, adder), **overrides}
        self.activities.setdefault(candidate_id, [])
        return candidate_id

    def _seed_application(self, a: int, candidate_id: int, job_id: int) -> None:
        start = BASE_TIME + timedelta(days=2, hours=a)
        mover = user_ref(self.users[10447])
        app = Application(candidate_id, job_id, added_by=mover)
        self.applications[candidate_id, job_id] = app
        self._log(candidate_id, job_id, "added", start, self.users[10447])
        path = [PIPELINE[i] for i in range(a % 5 + 1)]
        if a % 6 == 5:
            path.append("Disqualified")
            app.disqualification_reason = "Not a fit"
        for step, stage in enumerate(path):
            when = start + timedelta(days=step)
            self._move(app, stage, when, mover)
            if step:
                kind = "disqualified" if stage == "Disqualified" else "moved"
                self._log(candidate_id, job_id, kind, when, self.users[10447])
        if a % 3 == 0:
            when = start + timedelta(days=len(path), hours=3)
            self._log(candidate_id, job_id, "emailed", when, self.users[10447])

    def touch_job(self, job_id: int) -> None:
        """Mark a job as updated now (rounded up to the whole second, as Recruiterflow
        times have no fraction)."""
        now = self.now()
        self.jobs[job_id]["updated_at"] = rf_time(
            datetime.fromtimestamp(math.ceil(now.timestamp()), UTC)
        )

    # state changes shared by seeding and writes

    def _move(self, app: Application, stage: str, when: datetime, mover: JSON) -> None:
        previous = app.stage
        if app.transitions:
            app.transitions[-1]["left"] = rf_time(when)
        app.transitions.append(
            {
                "entered": rf_time(when),
                "from": previous,
                "left": None,
                "stage_moved_by": mover,
                "to": stage,
            }
        )

    def _log(
        self, candidate_id: int, job_id: int | None, kind: str, when: datetime, user: JSON
    ) -> None:
        self._next_activity += 1
        candidate = self.candidates[candidate_id]
        job = self.jobs.get(job_id) if job_id is not None else None
        activity = activity_record(
            self._next_activity,
            candidate_id,
            candidate,
            job_id,
            job,
            kind=kind,
            when=when,
            user=user,
        )
        self.activities.setdefault(candidate_id, []).append(activity)
        candidate["latest_activity_time"] = rf_time(when)

    def keep_note(self, candidate_id: int, value: str, user: JSON) -> int:
        """Add a note by ``user`` to the candidate, logged as an activity; its id."""
        note_id, self._next_note = self._next_note, self._next_note + 1
        self.notes.setdefault(candidate_id, []).append(
            {"id": note_id, "value": value, "created_by": user["id"]}
        )
        self._log(candidate_id, None, "note", self.now(), user)
        return note_id

    # views

    def job_view(self, job: JSON, *, detail: bool) -> JSON:
        return dict(job) if detail else listed_job(job)

    def candidate_view(self, candidate: JSON, base_url: str = "https://fake/") -> JSON:
        """The candidate with the jobs they are in and presigned links to their files."""
        jobs = [
            candidate_job(app, self.jobs[app.job_id])
            for app in self.applications_of(candidate["id"])
        ]
        files = [
            signed_file(file, self.api_key, self.files_signed_at, base_url)
            for file in candidate.get("files") or []
        ]
        return {**candidate, "files": files, "jobs": jobs}

    def applications_of(self, candidate_id: int) -> list[Application]:
        """The candidate's applications, by job id."""
        if not isinstance(self.applications, ApplicationTable):  # replaced by a plain dict
            self.applications = ApplicationTable(self.applications)
        return self.applications.of_candidate(candidate_id)
