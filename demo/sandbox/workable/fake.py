"""The fake Workable's state: its members, pipeline stages, jobs (by shortcode),
candidates (one person in one job each) with their activities, interview events and
webhook subscriptions, seeded deterministically as SPI v3 serves them; the writes it
takes (move, disqualify, comment), recorded with the acting member. ``app`` serves it
all (``routes``)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from starlette.types import ASGIApp

from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.resumes import SandboxResume, sandbox_resume
from demo.sandbox.seeding import FIRST_NAMES, LAST_NAMES, TITLES
from demo.sandbox.webhook_sender import WebhookEmitter, WebhookFormat, WebhookSource
from demo.sandbox.workable.routes import FILES_HOST, build_app
from demo.sandbox.workable.webhooks import WORKABLE_FORMAT

JSON = dict[str, Any]
BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STAGES = (
    ("sourced", "Sourced", "sourced"),
    ("applied", "Applied", "applied"),
    ("phone-screen", "Phone Screen", "phone-screen"),
    ("interview", "Interview", "interview"),
    ("offer", "Offer", "offer"),
    ("hired", "Hired", "hired"),
)
"""(slug, name, kind) in pipeline order."""
FILES_URL = FILES_HOST + "/resumes"
"""Where resumes live: storage URLs, fetched without the API's token. The fake serves
them at ``/resumes`` (see ``files_on_request_host``)."""
SUBDOMAIN = "talentgraph-sandbox"
RATE_INTERVAL = 10.0
"""Seconds of one rate-limit interval."""


def wk_time(moment: datetime) -> str:
    """``2026-01-05T09:00:00Z``, as SPI v3 writes times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class RecordedWrite:
    method: str
    path: str
    body: JSON
    member_id: str
    """The ``member_id`` the write was made as."""


@dataclass
class FakeWorkable(WebhookSource):
    """SPI v3's state and its Starlette app (``app``, already wrapped with ``faults``).

    ``access_token`` is the account token (all scopes); ``read_only_token`` lacks the
    write scope. ``rate_limit`` requests per token per 10 s (``reset_rate_limits``
    opens a new interval)."""

    webhook_provider: ClassVar[str] = "workable"
    webhook_format: ClassVar[WebhookFormat | None] = WORKABLE_FORMAT

    subdomain: str = SUBDOMAIN
    access_token: str = "wk-account-token-5e2f9c71d3"
    read_only_token: str = "wk-readonly-token-07b6a4e2"
    rate_limit: int = 10_000
    files_on_request_host: bool = False
    """List ``resume_url`` on the host a request came to instead of ``FILES_URL``'s (a
    sandbox served on a port, where the storage host does not resolve)."""
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    clock: Callable[[], float] = time.time
    faults: Faults = field(default_factory=Faults)
    members: dict[str, JSON] = field(default_factory=dict)
    hiring_teams: dict[str, dict[str, str]] = field(default_factory=dict)
    """shortcode -> {member id: collaboration_role}."""
    stages: list[JSON] = field(default_factory=list)
    jobs: dict[str, JSON] = field(default_factory=dict)
    candidates: dict[str, JSON] = field(default_factory=dict)
    activities: dict[str, list[JSON]] = field(default_factory=dict)
    events: dict[str, JSON] = field(default_factory=dict)
    subscriptions: dict[str, JSON] = field(default_factory=dict)
    resumes: dict[str, SandboxResume] = field(default_factory=dict)
    activity_count: int = 0
    used: dict[str, tuple[float, int]] = field(default_factory=dict)
    """token -> (start of its interval, requests in it)."""
    writes: list[RecordedWrite] = field(default_factory=list)
    webhooks: WebhookEmitter | None = None

    def __post_init__(self) -> None:
        for index, (first, last, role) in enumerate(
            (("Kate", "Austen", "admin"), ("Ben", "Linus", "simple"), ("Jin", "Kwon", "simple"))
        ):
            member_id = format(0x13E0EB0E + index, "x")
            self.members[member_id] = {
                "id": member_id,
                "name": f"{first} {last}",
                "headline": "Recruiter",
                "email": f"{first.lower()}@agency.example",
                "role": role,
            }
        self.stages = [
            {"slug": slug, "name": name, "kind": kind, "position": position}
            for position, (slug, name, kind) in enumerate(STAGES)
        ]
        self.app: ASGIApp = with_faults(build_app(self), self.faults)

    @property
    def base_url(self) -> str:
        return f"https://{self.subdomain}.workable.com/spi/v3"

    @property
    def member_ids(self) -> list[str]:
        return list(self.members)

    # seeding

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """Deterministic records added to what is there. A Workable candidate is one
        person in one job, so ``applications`` candidate records are made: record ``i``
        is person ``i % candidates`` (same name and email) in job ``i % jobs``, at stage
        ``1 + i % 4`` (Applied to Offer); every seventh is disqualified, every third has
        an interview."""
        new_jobs = [self._add_job(len(self.jobs)) for _ in range(jobs)]
        job_codes = new_jobs or list(self.jobs)
        if not job_codes or not candidates:
            return
        for i in range(applications):
            self._add_candidate(len(self.candidates), i % candidates, job_codes[i % len(job_codes)])

    def _add_job(self, n: int) -> str:
        shortcode = f"TG{n + 1:04d}{format(0xA0 + n, 'X')}"
        created = BASE_TIME - timedelta(days=60 - n % 30)
        state = "closed" if n % 7 == 6 else "published"
        self.jobs[shortcode] = {
            "id": format(0x61A7C0 + n, "x"),
            "title": f"{TITLES[n % len(TITLES)]} #{n + 1}",
            "full_title": f"{TITLES[n % len(TITLES)]} #{n + 1} - ENG",
            "shortcode": shortcode,
            "code": f"REQ-{n + 1:04d}",
            "state": state,
            "department": "Engineering",
            "url": f"https://apply.workable.com/{self.subdomain}/j/{shortcode}/",
            "application_url": f"https://apply.workable.com/{self.subdomain}/j/{shortcode}/apply/",
            "shortlink": f"https://apply.workable.com/j/{shortcode}",
            "location": {
                "location_str": "New York, New York, United States",
                "country": "United States",
                "country_code": "US",
                "region": "New York",
                "region_code": "NY",
                "city": "New York",
                "zip_code": "10001",
                "telecommuting": False,
            },
            "created_at": wk_time(created),
            "updated_at": wk_time(created + timedelta(days=1)),
        }
        ids = self.member_ids
        recruiter, manager = ids[n % len(ids)], ids[(n + 1) % len(ids)]
        self.hiring_teams[shortcode] = {recruiter: "recruiter", manager: "hiring_manager"}
        return shortcode

    def hiring_team(self, shortcode: str) -> list[JSON]:
        """``GET /jobs/:shortcode/members``: each member of the job's hiring team with
        their ``collaboration_role`` in it."""
        team = self.hiring_teams.get(shortcode, {})
        return [
            {**self.members[member_id], "collaboration_role": role}
            for member_id, role in team.items()
            if member_id in self.members
        ]

    def _stage(self, slug: str) -> JSON:
        return next(stage for stage in self.stages if stage["slug"] == slug)

    def _member_ref(self, member_id: str) -> JSON:
        member = self.members[member_id]
        return {"id": member["id"], "name": member["name"]}

    def _add_candidate(self, n: int, person: int, shortcode: str | None) -> str:
        candidate_id = format(0xCE4DA98 + n, "x")
        first, last = FIRST_NAMES[person % len(FIRST_NAMES)], LAST_NAMES[person % len(LAST_NAMES)]
        title = TITLES[person % len(TITLES)]
        created = BASE_TIME - timedelta(days=20 - n % 15, hours=n % 24)
        stage = self._stage(STAGES[1 + n % 4][0]) if shortcode else None
        disqualified = shortcode is not None and n % 7 == 6
        resume = sandbox_resume(n, f"{first} {last}", title)
        moved = created + timedelta(days=1 + n % 4)
        job = self.jobs[shortcode] if shortcode else None
        self.candidates[candidate_id] = {
            "id": candidate_id,
            "name": f"{first} {last}",
            "firstname": first,
            "lastname": last,
            "headline": f"{title} at Initech",
            "account": {"subdomain": self.subdomain, "name": "Talentgraph Sandbox"},
            "job": {"shortcode": job["shortcode"], "title": job["title"]} if job else None,
            "stage": stage["name"] if stage else None,
            "stage_kind": stage["kind"] if stage else None,
            "disqualified": disqualified,
            "withdrew": False,
            "disqualification_reason": "Salary expectations" if disqualified else None,
            "disqualified_at": wk_time(moved + timedelta(days=1)) if disqualified else None,
            "hired_at": None,
            "sourced": n % 5 == 0,
            "profile_url": f"https://{self.subdomain}.workable.com/backend/candidates/{candidate_id}",
            "address": "Brooklyn, NY",
            "phone": f"+1 555 01{person % 100:02d}",
            "email": f"{first}.{last}.{person}@mail.example".lower(),
            "domain": "linkedin.com" if n % 2 else "indeed.com",
            "created_at": wk_time(created),
            "updated_at": wk_time((moved if stage else created) + timedelta(days=1)),
            "summary": f"{title} with a habit of shipping.",
            "cover_letter": None,
            "tags": ["sandbox", title.split()[0].lower()],
            "skills": [{"name": "Python"}, {"name": "SQL"}],
            "location": {"location_str": "Brooklyn, New York, United States", "city": "Brooklyn"},
            "resume_url": f"{FILES_URL}/{candidate_id}/{resume.filename}",
            "resume_metadata": {"filename": resume.filename, "filetype": resume.content_type},
        }
        self.resumes[candidate_id] = resume
        history: list[JSON] = []
        if stage is not None:
            mover = self.member_ids[n % len(self.members)]
            for step in range(2, stage["position"] + 1):
                history.append(
                    self._activity(
                        candidate_id,
                        "moved",
                        created + timedelta(days=step - 1, hours=step),
                        mover,
                        stage_name=self.stages[step]["name"],
                    )
                )
        self.activities[candidate_id] = history
        if shortcode and n % 3 == 0:
            event_id = format(0xE7000 + n, "x")
            starts = moved + timedelta(days=3)
            interviewer = self.member_ids[(n + 1) % len(self.members)]
            self.events[event_id] = {
                "id": event_id,
                "title": "Technical interview",
                "description": "Pairing on a small service.",
                "type": "interview",
                "starts_at": wk_time(starts),
                "ends_at": wk_time(starts + timedelta(hours=1)),
                "cancelled": n % 2 == 1,
                "job": {"shortcode": shortcode, "title": self.jobs[shortcode]["title"]},
                "members": [{**self._member_ref(interviewer), "status": "accepted"}],
                "candidate": {"id": candidate_id, "name": f"{first} {last}"},
                "conference": None,
            }
        return candidate_id

    def add_candidate_in_no_job(self) -> str:
        """A candidate in the talent pool (no job); their id."""
        n = len(self.candidates)
        return self._add_candidate(n, n, None)

    def resume(self, candidate_id: str) -> SandboxResume | None:
        return self.resumes.get(candidate_id)

    def _activity(
        self, candidate_id: str, action: str, moment: datetime, member_id: str, **extra: Any
    ) -> JSON:
        self.activity_count += 1
        return {
            "id": format(0xAC71000 + self.activity_count, "x"),
            "action": action,
            "created_at": wk_time(moment),
            "updated_at": wk_time(moment),
            "member": self._member_ref(member_id),
            "body": None,
            **extra,
        }

    def touch_job(self, shortcode: str) -> None:
        self.jobs[shortcode]["updated_at"] = wk_time(self.now())

    # tokens, limits and writes

    def reset_rate_limits(self) -> None:
        self.used.clear()

    def move(self, candidate_id: str, slug: str, member_id: str) -> JSON:
        candidate = self.candidates[candidate_id]
        stage = self._stage(slug)
        moment = self.now()
        candidate.update(stage=stage["name"], stage_kind=stage["kind"], updated_at=wk_time(moment))
        if slug == "hired":
            candidate["hired_at"] = wk_time(moment)
        self.activities[candidate_id].append(
            self._activity(candidate_id, "moved", moment, member_id, stage_name=stage["name"])
        )
        self.writes.append(
            RecordedWrite(
                "POST",
                f"/spi/v3/candidates/{candidate_id}/move",
                {"member_id": member_id, "target_stage": slug},
                member_id,
            )
        )
        job = candidate.get("job") or {}
        self.notify(
            "candidate_moved",
            candidate_id=candidate_id,
            job_shortcode=job.get("shortcode"),
            stage=stage["name"],
        )
        return candidate

    def disqualify(self, candidate_id: str, body: JSON, member_id: str) -> None:
        candidate = self.candidates[candidate_id]
        moment = self.now()
        reason = body.get("disqualify_note") or body.get("disqualification_reason")
        candidate.update(
            disqualified=True,
            withdrew=body.get("withdrew") is True,
            disqualification_reason=reason if isinstance(reason, str) else None,
            disqualified_at=wk_time(moment),
            updated_at=wk_time(moment),
        )
        self.activities[candidate_id].append(
            self._activity(candidate_id, "disqualified", moment, member_id, body=reason)
        )
        self.writes.append(
            RecordedWrite("POST", f"/spi/v3/candidates/{candidate_id}/disqualify", body, member_id)
        )

    def comment(self, candidate_id: str, body: JSON, member_id: str) -> JSON:
        moment = self.now()
        text = body["comment"]["body"]
        activity = self._activity(candidate_id, "comment", moment, member_id, body=text)
        self.activities[candidate_id].append(activity)
        self.candidates[candidate_id]["updated_at"] = wk_time(moment)
        self.writes.append(
            RecordedWrite("POST", f"/spi/v3/candidates/{candidate_id}/comments", body, member_id)
        )
        return {"id": activity["id"]}

    def subscribe(self, body: JSON) -> JSON:
        subscription_id = secrets.token_hex(4)
        self.subscriptions[subscription_id] = {"id": subscription_id, **body}
        return {"id": subscription_id}
