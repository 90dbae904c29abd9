"""The fake Greenhouse's state: its users, departments, offices, jobs with their owners
and interview stages, candidates with their attachments, applications with their
application stages, interviews, notes and rejection reasons, seeded deterministically
in the shapes of Harvest v3's reference schemas; the writes the API takes (move,
reject, a new application, a note), recorded with the user whose token made them.
``app`` serves it all (``routes``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from starlette.types import ASGIApp

from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.greenhouse.routes import FILES_HOST, build_app
from demo.sandbox.resumes import SandboxResume, sandbox_resume
from demo.sandbox.seeding import FIRST_NAMES, LAST_NAMES, TITLES, in_turn
from demo.sandbox.webhook_sender import Provider, WebhookEmitter, WebhookSource

JSON = dict[str, Any]
BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PIPELINE = ("Application Review", "Recruiter Screen", "Technical Interview", "Onsite", "Offer")
FILES_URL = FILES_HOST + "/attachments"
"""Where attachments live: signed storage URLs, fetched without the API's token. The
fake serves them at ``/attachments`` (see ``files_on_request_host``)."""
REJECTION_REASONS = ("Lacking skill(s)/qualification(s)", "Hired another candidate", "Other")
DEPARTMENT_ID = 237
OFFICE_IDS = (54, 55)
INTERVIEW_KINDS = ((77, "Technical Interview"), (78, "Onsite Interview"))


def gh_time(moment: datetime) -> str:
    """``2026-01-05T09:00:00.000Z``, as Harvest writes times."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


@dataclass(frozen=True)
class RecordedWrite:
    method: str
    path: str
    body: JSON
    acting_user: str
    """The ``sub`` of the token the write came with."""


@dataclass
class FakeGreenhouse(WebhookSource):
    """Harvest v3's state and its Starlette app (``app``, already wrapped with ``faults``).

    ``client_id``/``client_secret`` mint tokens at ``POST /token``; ``rate_limit`` is
    what ``X-RateLimit-Limit`` says (the fake counts ``X-RateLimit-Remaining`` down per
    token and answers 429 with ``Retry-After`` when it reaches zero; ``reset_rate_limits``
    opens a new window)."""

    webhook_provider: ClassVar[Provider] = "greenhouse"

    client_id: str = "gh-client-7d41"
    client_secret: str = "gh-secret-3c9e5f27a1"
    rate_limit: int = 10_000
    files_on_request_host: bool = False
    """List attachment URLs on the host a request came to instead of ``FILES_URL``'s
    (a sandbox served on a port, where the storage host does not resolve)."""
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    faults: Faults = field(default_factory=Faults)
    users: dict[int, JSON] = field(default_factory=dict)
    departments: dict[int, JSON] = field(default_factory=dict)
    offices: dict[int, JSON] = field(default_factory=dict)
    jobs: dict[int, JSON] = field(default_factory=dict)
    job_owners: dict[int, JSON] = field(default_factory=dict)
    stages: dict[int, JSON] = field(default_factory=dict)
    """Job interview stages (``/v3/job_interview_stages``)."""
    job_interviews: dict[int, JSON] = field(default_factory=dict)
    candidates: dict[int, JSON] = field(default_factory=dict)
    attachments: dict[int, JSON] = field(default_factory=dict)
    applications: dict[int, JSON] = field(default_factory=dict)
    application_stages: dict[int, JSON] = field(default_factory=dict)
    interviews: dict[int, JSON] = field(default_factory=dict)
    interviewers: dict[int, JSON] = field(default_factory=dict)
    notes: dict[int, JSON] = field(default_factory=dict)
    rejection_details: dict[int, JSON] = field(default_factory=dict)
    rejection_reasons: dict[int, JSON] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    """access token -> the user id (``sub``) it was minted for."""
    used: dict[str, int] = field(default_factory=dict)
    writes: list[RecordedWrite] = field(default_factory=list)
    webhooks: WebhookEmitter | None = None

    def __post_init__(self) -> None:
        for index, (first, last) in enumerate(
            (("Kate", "Austen"), ("Ben", "Linus"), ("Jin", "Kwon"))
        ):
            user_id = 4080 + index
            self.users[user_id] = {
                "id": user_id,
                "first_name": first,
                "last_name": last,
                "name": f"{first} {last}",
                "primary_email": f"{first.lower()}@agency.example",
                "emails": [f"{first.lower()}@agency.example"],
                "job_title": "Recruiter",
                "site_admin": index == 0,
                "deactivated": False,
                "employee_id": None,
                "linked_candidate_ids": [],
                "office_ids": [OFFICE_IDS[0]],
                "department_ids": [DEPARTMENT_ID],
                "custom_fields": {},
                "created_at": gh_time(BASE_TIME),
                "updated_at": gh_time(BASE_TIME),
            }
        self.departments[DEPARTMENT_ID] = self._named(DEPARTMENT_ID, "Engineering")
        for office_id, name in zip(OFFICE_IDS, ("New York", "Remote"), strict=True):
            self.offices[office_id] = self._named(office_id, name)
        for index, name in enumerate(REJECTION_REASONS):
            self.rejection_reasons[8 + index] = {
                **self._named(8 + index, name),
                "type": {"id": 1, "key": "we_rejected", "name": "We rejected them"},
            }
        self.app: ASGIApp = with_faults(build_app(self), self.faults)

    # seeding

    @staticmethod
    def _named(record_id: int, name: str) -> JSON:
        stamp = gh_time(BASE_TIME - timedelta(days=90))
        return {"id": record_id, "name": name, "created_at": stamp, "updated_at": stamp}

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

    def _add_job(self, n: int) -> int:
        job_id = 100_001 + n
        created = BASE_TIME - timedelta(days=60 - n % 30)
        recruiter = self.users[4080 + n % len(self.users)]
        self.jobs[job_id] = {
            "id": job_id,
            "name": f"{TITLES[n % len(TITLES)]} #{n + 1}",
            "requisition_id": f"REQ-{n + 1:04d}",
            "notes": "<p>Build things people use.</p>",
            "confidential": False,
            "status": "closed" if n % 7 == 6 else "open",
            "created_at": gh_time(created),
            "opened_at": gh_time(created),
            "closed_at": gh_time(created + timedelta(days=20)) if n % 7 == 6 else None,
            "updated_at": gh_time(created + timedelta(days=1)),
            "is_template": False,
            "copied_from_id": None,
            "department_id": DEPARTMENT_ID,
            "office_ids": [OFFICE_IDS[n % 2]],
            "custom_fields": {
                "employment_type": {
                    "name": "Employment Type",
                    "type": "single_select",
                    "value": "Full-time",
                }
            },
        }
        owner_id = 500_001 + n
        self.job_owners[owner_id] = {
            "id": owner_id,
            "job_id": job_id,
            "user_id": recruiter["id"],
            "type": "recruiter",
            "responsible": True,
            "created_at": gh_time(created),
            "updated_at": gh_time(created),
        }
        for position, name in enumerate(PIPELINE):
            stage_id = job_id * 10 + position
            self.stages[stage_id] = {
                "id": stage_id,
                "job_id": job_id,
                "name": name,
                "sort_order": position,
                "active": True,
                "created_at": gh_time(created),
                "updated_at": gh_time(created),
            }
        for offset, (kind, name) in enumerate(INTERVIEW_KINDS):
            interview_id = job_id * 100 + kind
            self.job_interviews[interview_id] = {
                "id": interview_id,
                "job_id": job_id,
                "job_interview_stage_id": job_id * 10 + 2 + offset,
                "name": name,
                "sort_order": offset,
                "scheduling_type": "needs_scheduling",
                "duration": 60,
                "active": True,
                "created_at": gh_time(created),
                "updated_at": gh_time(created),
            }
        return job_id

    def add_candidate(self, n: int) -> int:
        """A candidate in no job yet, with a resume attachment; their id."""
        candidate_id = 200_001 + n
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        created = BASE_TIME - timedelta(days=30 - n % 20, hours=n)
        self.candidates[candidate_id] = {
            "id": candidate_id,
            "first_name": first,
            "last_name": last,
            "preferred_name": None,
            "company": "Initech",
            "title": TITLES[n % len(TITLES)],
            "created_at": gh_time(created),
            "updated_at": gh_time(created + timedelta(hours=2)),
            "last_activity_at": gh_time(created + timedelta(hours=2)),
            "private": False,
            "can_email": True,
            "time_zone": None,
            "email_addresses": [
                {"value": f"{first}.{last}.{n}@mail.example".lower(), "type": "personal"}
            ],
            "phone_numbers": [{"value": f"+1 555 01{n:02d}", "type": "mobile"}],
            "addresses": [{"value": "Brooklyn, NY", "type": "home"}],
            "website_addresses": [],
            "social_media_addresses": [],
            "tags": ["sandbox"],
            "linked_user_ids": [],
            "custom_fields": {},
        }
        resume = self.resume(candidate_id)
        attachment_id = 700_001 + n
        self.attachments[attachment_id] = {
            "id": attachment_id,
            "candidate_id": candidate_id,
            "application_id": None,
            "type": "resume",
            "filename": resume.filename,
            "url": f"{FILES_URL}/{candidate_id}/{resume.filename}",
            "created_at": gh_time(created),
            "updated_at": gh_time(created),
        }
        return candidate_id

    def resume(self, candidate_id: int) -> SandboxResume:
        """The candidate's resume file (PDF, DOCX or text by turns), made from their
        profile; served at its attachment URL."""
        record = self.candidates.get(candidate_id)
        n = candidate_id - 200_001
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        title = record["title"] if record else TITLES[n % len(TITLES)]
        return sandbox_resume(n, f"{first} {last}", title)

    def _add_application(self, n: int, candidate_id: int, job_id: int) -> int:
        application_id = 300_001 + n
        stage = self.stages[job_id * 10 + n % len(PIPELINE)]
        applied = BASE_TIME - timedelta(days=20 - n % 15, hours=n % 24)
        moved = applied + timedelta(days=2 + n % 5)
        self.applications[application_id] = {
            "id": application_id,
            "candidate_id": candidate_id,
            "job_id": job_id,
            "job_post_id": None,
            "prospect": False,
            "status": "in_process",
            "stage_id": None,
            "stage_name": None,
            "created_at": gh_time(applied),
            "updated_at": gh_time(moved),
            "last_activity_at": gh_time(moved),
            "rejected_at": None,
            "source_id": 2,
            "referrer_id": None,
            "recruiter_id": 4080,
            "coordinator_id": None,
            "agency_note_id": None,
            "needs_decision": False,
            "location_address": None,
            "answers": [],
            "prospective_job_ids": [],
            "custom_fields": {},
        }
        self._enter_stage(application_id, stage["id"], gh_time(moved))
        if n % 3 == 0:
            interview_id = 900_001 + n
            start = moved + timedelta(days=3)
            kind, _name = INTERVIEW_KINDS[n % len(INTERVIEW_KINDS)]
            self.interviews[interview_id] = {
                "id": interview_id,
                "application_id": application_id,
                "job_id": job_id,
                "job_interview_id": job_id * 100 + kind,
                "external_event_id": f"evt-{interview_id}",
                "starts_at": gh_time(start),
                "ends_at": gh_time(start + timedelta(hours=1)),
                "location": "Video call",
                "status": "scheduled" if n % 2 == 0 else "complete",
                "organizer_id": 4080,
                "video_conferencing_url": None,
                "created_at": gh_time(moved),
                "updated_at": gh_time(moved),
            }
            self.interviewers[950_001 + n] = {
                "id": 950_001 + n,
                "interview_id": interview_id,
                "user_id": 4081,
                "email": self.users[4081]["primary_email"],
                "scorecard_id": None,
                "response_status": "accepted",
                "created_at": gh_time(moved),
                "updated_at": gh_time(moved),
            }
        return application_id

    def _enter_stage(self, application_id: int, stage_id: int, moment: str) -> None:
        """Close the application's current application-stage row and open one for the
        job interview stage ``stage_id``; ``stage_id`` on the application names the
        open row (as v3 lists it), ``stage_name`` the stage."""
        application = self.applications[application_id]
        for row in self.application_stages.values():
            if row["application_id"] == application_id and row["current"]:
                row.update(current=False, exited_at=moment, updated_at=moment)
        row_id = 800_001 + len(self.application_stages)
        self.application_stages[row_id] = {
            "id": row_id,
            "application_id": application_id,
            "job_interview_stage_id": stage_id,
            "entered_at": moment,
            "exited_at": None,
            "days_in_stage": 0,
            "current": True,
            "created_at": moment,
            "updated_at": moment,
        }
        application.update(stage_id=row_id, stage_name=self.stages[stage_id]["name"])

    def touch_job(self, job_id: int) -> None:
        self.jobs[job_id]["updated_at"] = gh_time(self.now())

    # tokens and writes

    def mint_token(self, user_id: str) -> str:
        token = "gh_at_" + secrets.token_urlsafe(24)
        self.tokens[token] = user_id
        return token

    def reset_rate_limits(self) -> None:
        self.used.clear()

    def move(
        self, application_id: int, stage_id: int, acting_user: str, body: JSON | None = None
    ) -> None:
        """The application into job interview stage ``stage_id``, as ``acting_user``;
        ``body`` is what the move request sent (recorded as it came)."""
        application = self.applications[application_id]
        body = body if body is not None else {"to_stage_id": stage_id}
        moment = gh_time(self.now())
        self._enter_stage(application_id, stage_id, moment)
        application.update(last_activity_at=moment, updated_at=moment)
        self.writes.append(
            RecordedWrite("POST", f"/v3/applications/{application_id}/move", body, acting_user)
        )
        self._notify("candidate_stage_change", application)

    def reject(
        self, application_id: int, reason_id: int, notes: str | None, acting_user: str
    ) -> None:
        application = self.applications[application_id]
        moment = gh_time(self.now())
        application.update(
            status="rejected", rejected_at=moment, last_activity_at=moment, updated_at=moment
        )
        detail_id = 650_001 + len(self.rejection_details)
        self.rejection_details[detail_id] = {
            "id": detail_id,
            "application_id": application_id,
            "rejected_by_id": int(acting_user),
            "rejection_note_id": None,
            "rejection_reason_id": reason_id,
            "rejected_at": moment,
            "question_custom_fields": {},
            "created_at": moment,
            "updated_at": moment,
        }
        body: JSON = {"rejection_reason_id": reason_id, "notes": notes}
        self.writes.append(
            RecordedWrite("POST", f"/v3/applications/{application_id}/reject", body, acting_user)
        )
        self._notify("reject_candidate", application)

    def apply(self, candidate_id: int, job_id: int, acting_user: str) -> JSON:
        """``POST /v3/applications``: the candidate in the job's first stage."""
        application_id = self._add_application(len(self.applications), candidate_id, job_id)
        application = self.applications[application_id]
        moment = gh_time(self.now())
        self._enter_stage(application_id, job_id * 10, moment)
        application.update(created_at=moment, updated_at=moment, last_activity_at=moment)
        body: JSON = {"candidate_id": candidate_id, "job_id": job_id}
        self.writes.append(RecordedWrite("POST", "/v3/applications", body, acting_user))
        self._notify("new_candidate_application", application)
        return application

    def add_note(self, body: JSON, acting_user: str) -> JSON:
        """``POST /v3/notes``, answered with the note as ``/v3/notes`` lists it."""
        note_id = 600_001 + len(self.notes)
        moment = gh_time(self.now())
        visibility = {"public": "publicly_visible", "private": "privately_visible"}
        self.notes[note_id] = {
            "id": note_id,
            "candidate_id": body["candidate_id"],
            "application_id": body.get("application_id"),
            "user_id": body.get("user_id"),
            "type": body.get("note_type", "NOTE"),
            "subject": None,
            "body": body["body"],
            "body_with_tags": body["body"],
            "visibility": visibility.get(body.get("visibility", ""), "admin_only_visible"),
            "email_from": None,
            "email_to": None,
            "email_cc": None,
            "created_at": moment,
            "updated_at": moment,
        }
        self.writes.append(RecordedWrite("POST", "/v3/notes", body, acting_user))
        return self.notes[note_id]

    def _notify(self, action: str, application: JSON) -> None:
        self.notify(
            action,
            application_id=application["id"],
            candidate_id=application["candidate_id"],
            job_id=application["job_id"],
        )
