"""The fake Greenhouse's state: its users, jobs with their stages, candidates,
applications, scheduled interviews and rejection reasons, seeded deterministically, as
Harvest v3 serves them; the writes the API takes (move, reject), recorded with the user
whose token made them. ``app`` serves it all (``routes``)."""

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
from demo.sandbox.webhook_sender import Provider, WebhookEmitter, WebhookSource

JSON = dict[str, Any]
BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PIPELINE = ("Application Review", "Recruiter Screen", "Technical Interview", "Onsite", "Offer")
FIRST_NAMES = ("Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Frances")
LAST_NAMES = ("Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Thompson")
TITLES = ("Backend Engineer", "Data Analyst", "Product Designer", "Site Reliability Engineer")
FILES_URL = FILES_HOST + "/attachments"
"""Where attachments live: signed storage URLs, fetched without the API's token. The
fake serves them at ``/attachments`` and lists them on the host a request came to."""
REJECTION_REASONS = ("Lacking skill(s)/qualification(s)", "Hired another candidate", "Other")


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
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    faults: Faults = field(default_factory=Faults)
    users: dict[int, JSON] = field(default_factory=dict)
    jobs: dict[int, JSON] = field(default_factory=dict)
    stages: dict[int, JSON] = field(default_factory=dict)
    candidates: dict[int, JSON] = field(default_factory=dict)
    applications: dict[int, JSON] = field(default_factory=dict)
    interviews: dict[int, JSON] = field(default_factory=dict)
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
                "name": f"{first} {last}",
                "first_name": first,
                "last_name": last,
                "primary_email_address": f"{first.lower()}@agency.example",
                "emails": [f"{first.lower()}@agency.example"],
                "site_admin": index == 0,
                "disabled": False,
                "created_at": gh_time(BASE_TIME),
                "updated_at": gh_time(BASE_TIME),
            }
        for index, name in enumerate(REJECTION_REASONS):
            self.rejection_reasons[8 + index] = {
                "id": 8 + index,
                "name": name,
                "type": {"id": 1, "name": "We rejected them"},
            }
        self.app: ASGIApp = with_faults(build_app(self), self.faults)

    # seeding

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """Deterministic records added to what is there: application ``i`` puts
        candidate ``i % candidates`` in job ``i % jobs`` (pairs never repeat while
        ``applications`` stays under ``jobs * candidates``), at stage ``i % 5``."""
        new_jobs = [self._add_job(len(self.jobs)) for _ in range(jobs)]
        new_candidates = [self.add_candidate(len(self.candidates)) for _ in range(candidates)]
        job_ids = new_jobs or list(self.jobs)
        candidate_ids = new_candidates or list(self.candidates)
        if not job_ids or not candidate_ids:
            return
        for i in range(applications):
            self._add_application(
                len(self.applications),
                candidate_ids[i % len(candidate_ids)],
                job_ids[i % len(job_ids)],
            )

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
            "departments": [{"id": 237, "name": "Engineering"}],
            "offices": [{"id": 54, "name": "New York", "location": {"name": "New York, NY"}}],
            "hiring_team": {
                "recruiters": [
                    {
                        "id": recruiter["id"],
                        "first_name": recruiter["first_name"],
                        "last_name": recruiter["last_name"],
                        "name": recruiter["name"],
                        "responsible": True,
                    }
                ],
                "coordinators": [],
                "hiring_managers": [],
                "sourcers": [],
            },
            "custom_fields": {"employment_type": "Full-time"},
        }
        for position, name in enumerate(PIPELINE):
            stage_id = job_id * 10 + position
            self.stages[stage_id] = {
                "id": stage_id,
                "name": name,
                "job_id": job_id,
                "priority": position,
                "active": True,
                "created_at": gh_time(created),
                "updated_at": gh_time(created),
            }
        return job_id

    def add_candidate(self, n: int) -> int:
        """A candidate in no job yet; their id."""
        candidate_id = 200_001 + n
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        created = BASE_TIME - timedelta(days=30 - n % 20, hours=n)
        self.candidates[candidate_id] = {
            "id": candidate_id,
            "first_name": first,
            "last_name": last,
            "company": "Initech",
            "title": TITLES[n % len(TITLES)],
            "created_at": gh_time(created),
            "updated_at": gh_time(created + timedelta(hours=2)),
            "last_activity": gh_time(created + timedelta(hours=2)),
            "is_private": False,
            "email_addresses": [
                {"value": f"{first}.{last}.{n}@mail.example".lower(), "type": "personal"}
            ],
            "phone_numbers": [{"value": f"+1 555 01{n:02d}", "type": "mobile"}],
            "addresses": [{"value": "Brooklyn, NY", "type": "home"}],
            "tags": ["sandbox"],
            "attachments": [
                {
                    "filename": self.resume(candidate_id).filename,
                    "url": f"{FILES_URL}/{candidate_id}/{self.resume(candidate_id).filename}",
                    "type": "resume",
                    "content_type": self.resume(candidate_id).content_type,
                    "created_at": gh_time(created),
                }
            ],
            "application_ids": [],
            "custom_fields": {},
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
            "prospect": False,
            "applied_at": gh_time(applied),
            "rejected_at": None,
            "last_activity_at": gh_time(moved),
            "updated_at": gh_time(moved),
            "source": {"id": 2, "public_name": "Jobs page on your website"},
            "credited_to": {"id": 4080, "name": "Kate Austen"},
            "rejection_reason": None,
            "jobs": [{"id": job_id, "name": self.jobs[job_id]["name"]}],
            "job_id": job_id,
            "status": "active",
            "current_stage": {"id": stage["id"], "name": stage["name"]},
            "attachments": [],
            "custom_fields": {},
        }
        self.candidates[candidate_id]["application_ids"].append(application_id)
        if n % 3 == 0:
            interview_id = 900_001 + n
            start = moved + timedelta(days=3)
            self.interviews[interview_id] = {
                "id": interview_id,
                "application_id": application_id,
                "external_event_id": f"evt-{interview_id}",
                "start": {"date_time": gh_time(start)},
                "end": {"date_time": gh_time(start + timedelta(hours=1))},
                "location": "Video call",
                "status": "scheduled" if n % 2 == 0 else "complete",
                "interview": {"id": 77, "name": "Technical Interview"},
                "interviewers": [{"id": 4081, "name": "Ben Linus", "scorecard_id": None}],
                "created_at": gh_time(moved),
                "updated_at": gh_time(moved),
            }
        return application_id

    def touch_job(self, job_id: int) -> None:
        self.jobs[job_id]["updated_at"] = gh_time(self.now())

    # tokens and writes

    def mint_token(self, user_id: str) -> str:
        token = "gh_at_" + secrets.token_urlsafe(24)
        self.tokens[token] = user_id
        return token

    def reset_rate_limits(self) -> None:
        self.used.clear()

    def move(self, application_id: int, stage_id: int, acting_user: str) -> JSON:
        application = self.applications[application_id]
        stage = self.stages[stage_id]
        moment = gh_time(self.now())
        application.update(
            current_stage={"id": stage["id"], "name": stage["name"]},
            last_activity_at=moment,
            updated_at=moment,
        )
        self.writes.append(
            RecordedWrite(
                "POST",
                f"/v3/applications/{application_id}/move",
                {"to_stage_id": stage_id},
                acting_user,
            )
        )
        self._notify("candidate_stage_change", application)
        return application

    def reject(
        self, application_id: int, reason_id: int, notes: str | None, acting_user: str
    ) -> None:
        application = self.applications[application_id]
        moment = gh_time(self.now())
        application.update(
            status="rejected",
            rejected_at=moment,
            last_activity_at=moment,
            updated_at=moment,
            rejection_reason=self.rejection_reasons[reason_id],
        )
        body: JSON = {"rejection_reason_id": reason_id, "notes": notes}
        self.writes.append(
            RecordedWrite("POST", f"/v3/applications/{application_id}/reject", body, acting_user)
        )
        self._notify("reject_candidate", application)

    def _notify(self, action: str, application: JSON) -> None:
        self.notify(
            action,
            application_id=application["id"],
            candidate_id=application["candidate_id"],
            job_id=application["job_id"],
        )
