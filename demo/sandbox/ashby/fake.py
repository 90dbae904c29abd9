"""The fake Ashby's state: its users, jobs with their interview plans and stages,
candidates with resume files, applications with their stage history, interview
schedules and archive reasons, seeded deterministically, as the API serves them; the
writes it takes (stage changes, notes), recorded with the API key's user, who is the
only actor Ashby knows. ``app`` serves it all (``routes``)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from starlette.types import ASGIApp

from demo.sandbox.ashby.files import file_handle
from demo.sandbox.ashby.routes import build_app
from demo.sandbox.ashby.webhooks import ASHBY_FORMAT
from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.resumes import SandboxResume, sandbox_resume
from demo.sandbox.seeding import FIRST_NAMES, LAST_NAMES, TITLES, in_turn
from demo.sandbox.webhook_sender import WebhookEmitter, WebhookFormat, WebhookSource

JSON = dict[str, Any]
BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PIPELINE = (
    ("New Lead", "Lead"),
    ("Application Review", "PreInterviewScreen"),
    ("Recruiter Screen", "PreInterviewScreen"),
    ("Technical Interview", "Active"),
    ("Onsite", "Active"),
    ("Offer", "Offer"),
    ("Hired", "Hired"),
    ("Archived", "Archived"),
)
SEEDED_STAGES = 5
"""Seeded applications sit in one of the first five stages (New Lead to Onsite)."""
ARCHIVE_REASONS = ("Lacking skill(s)/qualification(s)", "Hired another candidate", "Other")
_NAMESPACE = uuid.UUID("5f0c2a5e-8f0e-4c3b-9a51-1d3c7e0a9b42")


def ashby_id(kind: str, n: int) -> str:
    """A deterministic UUID for the ``n``th record of ``kind``."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}-{n}"))


def ashby_time(moment: datetime) -> str:
    """``2026-01-05T09:00:00.000Z``, as Ashby writes times."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class RecordedWrite:
    endpoint: str
    body: JSON
    acting_user: str
    """The user Ashby records as the actor: always the API key's."""


@dataclass
class FakeAshby(WebhookSource):
    """Ashby's state and its Starlette app (``app``, already wrapped with ``faults``).

    ``api_key`` is the one key it accepts (Basic, empty password); ``rate_limit`` calls
    per ``rate_window`` are answered, then 429 with ``Retry-After`` (the rest of the
    window) until the window ends or ``reset_rate_limits``;
    ``sync_token_ttl`` is how long a ``syncToken`` stays accepted, and
    ``max_incremental_pages`` how many pages of changes one may be behind."""

    webhook_format: ClassVar[WebhookFormat | None] = ASHBY_FORMAT

    api_key: str = "ashby-key-2f9c41d8e7b0"
    rate_limit: int = 10_000
    rate_window: timedelta = timedelta(minutes=1)
    files_on_request_host: bool = False
    """``file.info`` answers URLs on the host the request came to instead of
    ``FILES_URL``'s (a sandbox served on a port, where the storage host does not resolve)."""
    sync_token_ttl: timedelta = timedelta(days=7)
    max_incremental_pages: int = 1_000
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    faults: Faults = field(default_factory=Faults)
    users: dict[str, JSON] = field(default_factory=dict)
    jobs: dict[str, JSON] = field(default_factory=dict)
    stages: dict[str, JSON] = field(default_factory=dict)
    candidates: dict[str, JSON] = field(default_factory=dict)
    applications: dict[str, JSON] = field(default_factory=dict)
    schedules: dict[str, JSON] = field(default_factory=dict)
    archive_reasons: dict[str, JSON] = field(default_factory=dict)
    notes: dict[str, list[JSON]] = field(default_factory=dict)
    used: int = 0
    window_started: datetime | None = None
    writes: list[RecordedWrite] = field(default_factory=list)
    webhooks: WebhookEmitter | None = None

    def __post_init__(self) -> None:
        for index, (first, last) in enumerate(
            (("Kate", "Austen"), ("Ben", "Linus"), ("Jin", "Kwon"))
        ):
            user_id = ashby_id("user", index)
            self.users[user_id] = {
                "id": user_id,
                "firstName": first,
                "lastName": last,
                "email": f"{first.lower()}@agency.example",
                "globalRole": "Organization Admin" if index == 0 else "Interviewer",
                "isEnabled": True,
                "updatedAt": ashby_time(BASE_TIME),
            }
        for index, text in enumerate(ARCHIVE_REASONS):
            reason_id = ashby_id("archive-reason", index)
            self.archive_reasons[reason_id] = {
                "id": reason_id,
                "text": text,
                "reasonType": "RejectedByOrg",
                "isArchived": False,
            }
        self.app: ASGIApp = with_faults(build_app(self), self.faults)

    @property
    def key_user(self) -> str:
        """The user the API key belongs to: the author of every write."""
        return ashby_id("user", 0)

    # seeding

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """Deterministic records added to what is there: application ``i`` puts
        candidate ``i % candidates`` in job ``i % jobs`` (pairs never repeat while
        ``applications`` stays under ``jobs * candidates``), at stage ``i % 5``."""
        new_jobs = [self._add_job(len(self.jobs)) for _ in range(jobs)]
        new_candidates = [self.add_candidate(len(self.candidates)) for _ in range(candidates)]
        job_ids = new_jobs or list(self.jobs)
        candidate_ids = new_candidates or list(self.candidates)
        for candidate, job in in_turn(candidate_ids, job_ids, applications):
            self._add_application(len(self.applications), candidate, job)

    def plan_stages(self, plan_id: str) -> list[JSON]:
        found = [s for s in self.stages.values() if s["interviewPlanId"] == plan_id]
        return sorted(found, key=lambda stage: stage["orderInInterviewPlan"])

    def _add_job(self, n: int) -> str:
        job_id = ashby_id("job", n)
        plan_id = ashby_id("plan", n)
        created = BASE_TIME - timedelta(days=60 - n % 30)
        recruiter = list(self.users.values())[n % len(self.users)]
        closed = n % 7 == 6
        self.jobs[job_id] = {
            "id": job_id,
            "title": f"{TITLES[n % len(TITLES)]} #{n + 1}",
            "confidential": False,
            "status": "Closed" if closed else "Open",
            "employmentType": "FullTime",
            "locationId": ashby_id("location", 0),
            "departmentId": ashby_id("department", 0),
            "defaultInterviewPlanId": plan_id,
            "interviewPlanIds": [plan_id],
            "customFields": [{"id": ashby_id("field", 0), "title": "Cost center", "value": "CC-7"}],
            "jobPostingIds": [],
            "customRequisitionId": f"REQ-{n + 1:04d}",
            "hiringTeam": [
                {
                    "userId": recruiter["id"],
                    "firstName": recruiter["firstName"],
                    "lastName": recruiter["lastName"],
                    "email": recruiter["email"],
                    "role": "Recruiter",
                }
            ],
            "createdAt": ashby_time(created),
            "updatedAt": ashby_time(created + timedelta(days=1)),
            "openedAt": ashby_time(created),
            "closedAt": ashby_time(created + timedelta(days=20)) if closed else None,
            "location": {"id": ashby_id("location", 0), "name": "New York"},
        }
        for position, (title, kind) in enumerate(PIPELINE):
            stage_id = ashby_id(f"stage-{n}", position)
            self.stages[stage_id] = {
                "id": stage_id,
                "title": title,
                "type": kind,
                "orderInInterviewPlan": position,
                "interviewStageGroupId": ashby_id("stage-group", position),
                "interviewPlanId": plan_id,
            }
        return job_id

    def add_candidate(self, n: int) -> str:
        """A candidate in no job yet; their id."""
        candidate_id = ashby_id("candidate", n)
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        created = BASE_TIME - timedelta(days=30 - n % 20, hours=n)
        email = f"{first}.{last}.{n}@mail.example".lower()
        resume = sandbox_resume(n, f"{first} {last}", TITLES[n % len(TITLES)])
        handle = {
            "id": ashby_id("file", n),
            "name": resume.filename,
            "handle": file_handle(candidate_id),
        }
        self.candidates[candidate_id] = {
            "id": candidate_id,
            "createdAt": ashby_time(created),
            "updatedAt": ashby_time(created + timedelta(hours=2)),
            "name": f"{first} {last}",
            "primaryEmailAddress": {"value": email, "type": "Personal", "isPrimary": True},
            "emailAddresses": [{"value": email, "type": "Personal", "isPrimary": True}],
            "primaryPhoneNumber": {"value": f"+1 555 01{n:02d}", "type": "Mobile"},
            "phoneNumbers": [{"value": f"+1 555 01{n:02d}", "type": "Mobile"}],
            "socialLinks": [],
            "tags": [{"id": ashby_id("tag", 0), "title": "sandbox", "isArchived": False}],
            "position": TITLES[n % len(TITLES)],
            "company": "Initech",
            "school": "State University",
            "applicationIds": [],
            "resumeFileHandle": handle,
            "fileHandles": [handle],
            "customFields": [],
            "profileUrl": f"https://app.ashbyhq.com/candidates/{candidate_id}",
            "source": {"id": ashby_id("source", 0), "title": "Referral", "isArchived": False},
            "location": {
                "id": ashby_id("location", 1),
                "locationSummary": "United States, New York, Brooklyn",
                "locationComponents": [],
            },
        }
        return candidate_id

    def resume(self, candidate_id: str) -> SandboxResume | None:
        """The candidate's resume file, made from their profile; served at the URL
        ``file.info`` gives for their handle."""
        record = self.candidates.get(candidate_id)
        if record is None:
            return None
        n = list(self.candidates).index(candidate_id)
        return sandbox_resume(n, record["name"], record["position"])

    def _stage_ref(self, stage: JSON) -> JSON:
        return {key: stage[key] for key in ("id", "title", "type", "orderInInterviewPlan")} | {
            "interviewStageGroupId": stage["interviewStageGroupId"],
            "interviewPlanId": stage["interviewPlanId"],
        }

    def _add_application(self, n: int, candidate_id: str, job_id: str) -> str:
        application_id = ashby_id("application", n)
        job = self.jobs[job_id]
        stages = self.plan_stages(job["defaultInterviewPlanId"])
        reached = n % SEEDED_STAGES
        applied = BASE_TIME - timedelta(days=20 - n % 15, hours=n % 24)
        history: list[JSON] = []
        entered = applied
        for number, stage in enumerate(stages[: reached + 1]):
            left = entered + timedelta(days=1 + n % 3) if number < reached else None
            history.append(
                {
                    "id": ashby_id(f"history-{n}", number),
                    "stageId": stage["id"],
                    "title": stage["title"],
                    "enteredStageAt": ashby_time(entered),
                    "leftStageAt": ashby_time(left) if left else None,
                    "stageNumber": number,
                    "allowedActions": ["delete", "set_entered_at"],
                    "actorId": self.key_user if number else None,
                }
            )
            entered = left or entered
        current = stages[reached]
        candidate = self.candidates[candidate_id]
        self.applications[application_id] = {
            "id": application_id,
            "createdAt": ashby_time(applied),
            "updatedAt": ashby_time(entered),
            "status": "Lead" if current["type"] == "Lead" else "Active",
            "customFields": [],
            "candidate": {
                "id": candidate_id,
                "name": candidate["name"],
                "primaryEmailAddress": candidate["primaryEmailAddress"],
            },
            "currentInterviewStage": self._stage_ref(current),
            "source": candidate["source"],
            "archiveReason": None,
            "archivedAt": None,
            "job": {
                "id": job_id,
                "title": job["title"],
                "locationId": job["locationId"],
                "departmentId": job["departmentId"],
            },
            "creditedToUser": None,
            "hiringTeam": [],
            "applicationHistory": history,
        }
        candidate["applicationIds"].append(application_id)
        if n % 3 == 0:
            schedule_id = ashby_id("schedule", n)
            start = entered + timedelta(days=3)
            interviewer = list(self.users.values())[1]
            self.schedules[schedule_id] = {
                "id": schedule_id,
                "status": "Scheduled" if n % 2 == 0 else "Complete",
                "applicationId": application_id,
                "interviewStageId": current["id"],
                "interviewEvents": [
                    {
                        "id": ashby_id("event", n),
                        "interviewId": ashby_id("interview", 0),
                        "interviewScheduleId": schedule_id,
                        "interviewerUserIds": [interviewer["id"]],
                        "createdAt": ashby_time(entered),
                        "updatedAt": ashby_time(entered),
                        "startTime": ashby_time(start),
                        "endTime": ashby_time(start + timedelta(hours=1)),
                        "location": "Video call",
                        "interview": {
                            "id": ashby_id("interview", 0),
                            "title": "Technical Interview",
                        },
                        "interviewers": [
                            {
                                "id": interviewer["id"],
                                "firstName": interviewer["firstName"],
                                "lastName": interviewer["lastName"],
                                "email": interviewer["email"],
                            }
                        ],
                    }
                ],
                "createdAt": ashby_time(entered),
                "updatedAt": ashby_time(entered),
            }
        return application_id

    def touch_job(self, job_id: str) -> None:
        self.jobs[job_id]["updatedAt"] = ashby_time(self.now())

    def reset_rate_limits(self) -> None:
        self.used = 0
        self.window_started = None

    def spend_call(self) -> int | None:
        """Count one call against the window; the seconds to wait when it is spent."""
        now = self.now()
        if self.window_started is None or now - self.window_started >= self.rate_window:
            self.window_started, self.used = now, 0
        if self.used >= self.rate_limit:
            left = (self.window_started + self.rate_window - now).total_seconds()
            return max(1, math.ceil(left))
        self.used += 1
        return None

    # writes

    def change_stage(self, application_id: str, stage_id: str, reason_id: str | None) -> JSON:
        application = self.applications[application_id]
        stage = self.stages[stage_id]
        moment = ashby_time(self.now())
        history = application["applicationHistory"]
        if history:
            history[-1]["leftStageAt"] = moment
        history.append(
            {
                "id": ashby_id(f"history-{application_id}", len(history)),
                "stageId": stage["id"],
                "title": stage["title"],
                "enteredStageAt": moment,
                "leftStageAt": None,
                "stageNumber": len(history),
                "allowedActions": ["delete", "set_entered_at"],
                "actorId": self.key_user,
            }
        )
        archived = stage["type"] == "Archived"
        application.update(
            currentInterviewStage=self._stage_ref(stage),
            updatedAt=moment,
            status="Archived" if archived else "Hired" if stage["type"] == "Hired" else "Active",
            archiveReason=self.archive_reasons[reason_id] if archived and reason_id else None,
            archivedAt=moment if archived else None,
        )
        body: JSON = {"applicationId": application_id, "interviewStageId": stage_id}
        if reason_id:
            body["archiveReasonId"] = reason_id
        self.writes.append(RecordedWrite("application.changeStage", body, self.key_user))
        self.notify(
            "candidateStageChange",
            application_id=application_id,
            candidate_id=application["candidate"]["id"],
            job_id=application["job"]["id"],
        )
        return application

    def create_note(self, candidate_id: str, content: str, note_type: str) -> JSON:
        author = self.users[self.key_user]
        note = {
            "id": ashby_id(f"note-{candidate_id}", len(self.notes.get(candidate_id, []))),
            "createdAt": ashby_time(self.now()),
            "isPrivate": False,
            "content": content,
            "author": {
                "id": author["id"],
                "firstName": author["firstName"],
                "lastName": author["lastName"],
                "email": author["email"],
            },
        }
        self.notes.setdefault(candidate_id, []).append(note)
        self.writes.append(
            RecordedWrite(
                "candidate.createNote",
                {"candidateId": candidate_id, "note": {"type": note_type, "value": content}},
                self.key_user,
            )
        )
        return note
