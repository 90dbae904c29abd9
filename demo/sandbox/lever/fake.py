"""The fake Lever's state: users, stages, archive reasons, postings, opportunities
(contacts with their candidacies), interviews and resumes, seeded deterministically,
as API v1 serves them; the writes it takes (stage, archive, note), recorded with the
``perform_as`` user. ``app`` serves it all (``routes``)."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from starlette.types import ASGIApp

from demo.sandbox.faults import Faults, with_faults
from demo.sandbox.lever.routes import build_app
from demo.sandbox.lever.webhooks import LEVER_FORMAT
from demo.sandbox.resumes import SandboxResume, sandbox_resume
from demo.sandbox.seeding import FIRST_NAMES, LAST_NAMES, TITLES, in_turn
from demo.sandbox.webhook_sender import WebhookEmitter, WebhookFormat, WebhookSource

JSON = dict[str, Any]
BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STAGES = (
    ("lead-new", "New lead"),
    ("lead-reached-out", "Reached out"),
    ("applicant-new", "New applicant"),
    ("7d1f2a3b-1c2d-4e5f-8a9b-0c1d2e3f4a51", "Recruiter screen"),
    ("7d1f2a3b-1c2d-4e5f-8a9b-0c1d2e3f4a52", "Phone interview"),
    ("7d1f2a3b-1c2d-4e5f-8a9b-0c1d2e3f4a53", "On-site interview"),
    ("offer", "Offer"),
)
ARCHIVE_REASONS = (
    ("63dd55b2-a99f-4e7b-985f-22c7bf80ab42", "Hired", "hired"),
    ("737df8d0-3a79-4e7e-8fbc-5bd4a1bcb4d9", "Underqualified", "non-hired"),
    ("c0d3e8f2-63b4-4b0f-a0e4-1f5e2c9d2e11", "Withdrew", "non-hired"),
    ("4f1b7f5a-0e2d-4a51-9b0f-7e6a3c5d8f22", "Position filled", "non-hired"),
)


def ms(moment: datetime) -> int:
    """Lever's times: epoch milliseconds."""
    return int(moment.timestamp() * 1000)


def _uuid(kind: int, n: int) -> str:
    return str(uuid.UUID(int=(kind << 64) | n, version=4))


@dataclass(frozen=True)
class RecordedWrite:
    method: str
    path: str
    body: JSON
    acting_user: str | None
    """``perform_as`` of the request (``None`` when it named no one)."""


@dataclass
class TokenBucket:
    """Lever's limit: ``rate`` requests a second steady, bursts to ``burst``."""

    rate: float = 10.0
    burst: float = 20.0
    clock: Callable[[], float] = time.monotonic
    tokens: float = -1.0
    at: float = 0.0

    def take(self) -> float | None:
        """``None`` when the request may go; else seconds until it could."""
        now = self.clock()
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate


@dataclass
class FakeLever(WebhookSource):
    """Lever API v1's state and its Starlette app (``app``, wrapped with ``faults``).

    ``api_key`` is accepted as Basic user name (empty password); ``forbidden_keys``
    are known keys without the permission (403). ``client_id``/``client_secret`` trade
    ``refresh_token`` for bearer tokens at ``POST /oauth/token`` (rotating it).
    ``limiter`` is the per-credential token bucket; ``None`` turns it off."""

    webhook_provider: ClassVar[str] = "lever"
    webhook_format: ClassVar[WebhookFormat | None] = LEVER_FORMAT

    api_key: str = "lever-key-4f8a1c2e9b7d"
    forbidden_keys: set[str] = field(default_factory=lambda: {"lever-key-readonly-000"})
    client_id: str = "lever-client-71c3"
    client_secret: str = "lever-secret-9e2b4d6f"
    refresh_token: str = "lever-refresh-0001"
    limiter: Callable[[], TokenBucket] | None = TokenBucket
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    faults: Faults = field(default_factory=Faults)
    users: dict[str, JSON] = field(default_factory=dict)
    stages: dict[str, JSON] = field(default_factory=dict)
    archive_reasons: dict[str, JSON] = field(default_factory=dict)
    postings: dict[str, JSON] = field(default_factory=dict)
    applications: dict[str, JSON] = field(default_factory=dict)
    opportunities: dict[str, JSON] = field(default_factory=dict)
    interviews: dict[str, list[JSON]] = field(default_factory=dict)
    resumes: dict[str, list[JSON]] = field(default_factory=dict)
    notes: dict[str, list[JSON]] = field(default_factory=dict)
    access_tokens: set[str] = field(default_factory=set)
    codes: dict[str, str] = field(default_factory=dict)
    """Authorization code -> the redirect URI it was granted for (single use)."""
    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    writes: list[RecordedWrite] = field(default_factory=list)
    webhooks: WebhookEmitter | None = None
    contacts: int = 0

    def __post_init__(self) -> None:
        for index, (first, last) in enumerate(
            (("Chandler", "Bing"), ("Monica", "Geller"), ("Ross", "Geller"))
        ):
            user_id = _uuid(1, index + 1)
            self.users[user_id] = {
                "id": user_id,
                "name": f"{first} {last}",
                "username": first.lower(),
                "email": f"{first.lower()}@agency.example",
                "accessRole": "super admin" if index == 0 else "team member",
                "photo": None,
                "createdAt": ms(BASE_TIME - timedelta(days=400)),
                "deactivatedAt": None,
                "externalDirectoryId": None,
                "linkedContactIds": None,
                "jobTitle": "Recruiter",
                "managerId": None,
            }
        for stage_id, text in STAGES:
            self.stages[stage_id] = {"id": stage_id, "text": text}
        for reason_id, text, status in ARCHIVE_REASONS:
            self.archive_reasons[reason_id] = {"id": reason_id, "text": text, "status": status}
        self.app: ASGIApp = with_faults(build_app(self), self.faults)

    @property
    def user_ids(self) -> list[str]:
        return list(self.users)

    # seeding

    def seed(self, *, jobs: int, candidates: int, applications: int) -> None:
        """Deterministic records added to what is there: ``candidates`` contacts, and
        ``applications`` opportunities, opportunity ``i`` for contact ``i % candidates``
        and posting ``i % jobs``, at stage ``i % 7`` with the stages before it in
        ``stageChanges``; every fifth archived (hired once in three, else not)."""
        new_postings = [self._add_posting(len(self.postings)) for _ in range(jobs)]
        new_contacts = [self.new_contact() for _ in range(candidates)]
        postings = new_postings or list(self.postings)
        contacts = new_contacts or [o["contact"] for o in self.opportunities.values()]
        for contact, posting in in_turn(contacts, postings, applications):
            self.add_opportunity(contact, posting)

    def _add_posting(self, n: int) -> str:
        posting_id = _uuid(2, n + 1)
        created = BASE_TIME - timedelta(days=60 - n % 30)
        owner = self.user_ids[n % len(self.users)]
        closed = n % 7 == 6
        self.postings[posting_id] = {
            "id": posting_id,
            "text": f"{TITLES[n % len(TITLES)]} #{n + 1}",
            "state": "closed" if closed else "published",
            "distributionChannels": ["public"],
            "confidentiality": "non-confidential",
            "user": owner,
            "owner": owner,
            "hiringManager": self.user_ids[(n + 1) % len(self.users)],
            "categories": {
                "team": "Platform",
                "department": "Engineering",
                "location": "New York, NY",
                "allLocations": ["New York, NY"],
                "commitment": "Full-time",
                "level": None,
            },
            "content": {
                "description": "Build things people use.",
                "descriptionHtml": "<div>Build things people use.</div>",
                "lists": [],
                "closing": "",
                "closingHtml": "",
            },
            "tags": ["sandbox"],
            "createdAt": ms(created),
            "updatedAt": ms(created + timedelta(days=1)),
            "urls": {},
            "requisitionCodes": [f"REQ-{n + 1:04d}"],
            "salaryRange": None,
        }
        return posting_id

    def new_contact(self) -> str:
        """A person in no opportunity yet; their contact id."""
        self.contacts += 1
        return _uuid(3, self.contacts)

    def _person(self, contact: str) -> tuple[int, str, str]:
        n = int(uuid.UUID(contact).int & ((1 << 64) - 1)) - 1
        return n, FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]

    def resume(self, contact: str) -> SandboxResume:
        """The person's resume file (PDF, DOCX or text by turns)."""
        n, first, last = self._person(contact)
        return sandbox_resume(n, f"{first} {last}", TITLES[n % len(TITLES)])

    def add_opportunity(self, contact: str, posting_id: str) -> str:
        n = len(self.opportunities)
        opportunity_id = _uuid(4, n + 1)
        person, first, last = self._person(contact)
        created = BASE_TIME - timedelta(days=20 - n % 15, hours=n % 24)
        position = n % len(STAGES)
        changes = [
            {
                "toStageId": STAGES[step][0],
                "toStageIndex": step,
                "updatedAt": ms(created + timedelta(days=step)),
                "userId": self.user_ids[step % len(self.users)],
            }
            for step in range(position + 1)
        ]
        updated = created + timedelta(days=position, hours=1)
        archived = None
        if n % 5 == 4:
            reason = ARCHIVE_REASONS[0 if n % 3 == 0 else 1][0]
            archived = {"reason": reason, "archivedAt": ms(updated)}
        self.opportunities[opportunity_id] = {
            "id": opportunity_id,
            "name": f"{first} {last}",
            "headline": "Initech, Globex",
            "contact": contact,
            "emails": [f"{first}.{last}.{person}@mail.example".lower()],
            "phones": [{"type": "mobile", "value": f"+1 555 01{person % 100:02d}"}],
            "confidentiality": "non-confidential",
            "location": "Brooklyn, NY",
            "links": [],
            "createdAt": ms(created),
            "updatedAt": ms(updated),
            "lastInteractionAt": ms(updated),
            "lastAdvancedAt": ms(updated),
            "snoozedUntil": None,
            "archivedAt": archived["archivedAt"] if archived else None,
            "archiveReason": archived["reason"] if archived else None,
            "archived": archived,
            "stage": STAGES[position][0],
            "stageChanges": changes,
            "owner": self.postings[posting_id]["owner"],
            "tags": ["sandbox"],
            "sources": ["LinkedIn"],
            "origin": "sourced",
            "sourcedBy": self.user_ids[0],
            "applications": [_uuid(5, n + 1)],
            "followers": [],
            "urls": {},
            "isAnonymized": False,
            "dataProtection": None,
        }
        self.applications[_uuid(5, n + 1)] = {
            "id": _uuid(5, n + 1),
            "type": "referral" if n % 4 == 1 else "user",
            "candidateId": opportunity_id,
            "opportunityId": opportunity_id,
            "posting": posting_id,
            "postingHiringManager": self.postings[posting_id]["hiringManager"],
            "postingOwner": self.postings[posting_id]["owner"],
            "user": self.user_ids[0],
            "name": f"{first} {last}",
            "email": f"{first}.{last}.{person}@mail.example".lower(),
            "phone": None,
            "createdAt": ms(created),
            "customQuestions": [],
            "archived": archived,
            "requisitionForHire": None,
        }
        resume = self.resume(contact)
        self.resumes[opportunity_id] = [
            {
                "id": _uuid(6, n + 1),
                "createdAt": ms(created),
                "file": {
                    "name": resume.filename,
                    "ext": resume.filename.rpartition(".")[2],
                    "uploadedAt": ms(created),
                    "status": "processed",
                    "size": len(resume.content),
                },
                "parsedData": {},
            }
        ]
        if n % 3 == 0:
            start = updated + timedelta(days=3)
            self.interviews[opportunity_id] = [
                {
                    "id": _uuid(7, n + 1),
                    "panel": _uuid(8, n + 1),
                    "subject": "On-site interview",
                    "note": "",
                    "interviewers": [
                        {
                            "id": self.user_ids[1],
                            "email": self.users[self.user_ids[1]]["email"],
                            "name": self.users[self.user_ids[1]]["name"],
                        }
                    ],
                    "timezone": "America/New_York",
                    "createdAt": ms(updated),
                    "date": ms(start),
                    "duration": 60,
                    "location": "Video call",
                    "feedbackTemplate": None,
                    "feedbackForms": [],
                    "feedbackReminder": "frequently",
                    "user": self.user_ids[0],
                    "stage": STAGES[position][0],
                    "canceledAt": ms(updated) if n % 2 else None,
                    "postings": [posting_id],
                    "gcalEventUrl": None,
                }
            ]
        return opportunity_id

    def posting_of(self, opportunity: JSON) -> str:
        return str(self.applications[opportunity["applications"][0]]["posting"])

    def touch_posting(self, posting_id: str) -> None:
        self.postings[posting_id]["updatedAt"] = ms(self.now())

    # credentials and writes

    def grant_code(self, redirect_uri: str) -> str:
        code = "lever_code_" + secrets.token_urlsafe(12)
        self.codes[code] = redirect_uri
        return code

    def mint_tokens(self) -> JSON:
        access = "lever_at_" + secrets.token_urlsafe(24)
        self.access_tokens.add(access)
        self.refresh_token = "lever-refresh-" + secrets.token_urlsafe(12)
        return {
            "access_token": access,
            "refresh_token": self.refresh_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "offline_access opportunities:write:admin",
        }

    def bucket(self, credential: str) -> TokenBucket | None:
        if self.limiter is None:
            return None
        if credential not in self.buckets:
            self.buckets[credential] = self.limiter()
        return self.buckets[credential]

    def _touched(self, opportunity: JSON) -> int:
        stamp = ms(self.now())
        opportunity["updatedAt"] = stamp
        return stamp

    def move(self, opportunity_id: str, stage_id: str, acting_user: str | None) -> JSON:
        opportunity = self.opportunities[opportunity_id]
        before = opportunity["stage"]
        stamp = self._touched(opportunity)
        opportunity["stage"] = stage_id
        opportunity["lastAdvancedAt"] = stamp
        opportunity["stageChanges"].append(
            {
                "toStageId": stage_id,
                "toStageIndex": [s for s, _ in STAGES].index(stage_id)
                if stage_id in dict(STAGES)
                else None,
                "updatedAt": stamp,
                "userId": acting_user,
            }
        )
        self.writes.append(
            RecordedWrite(
                "PUT", f"/v1/opportunities/{opportunity_id}/stage", {"stage": stage_id}, acting_user
            )
        )
        self._notify(
            "candidateStageChange", opportunity, from_stage_id=before, to_stage_id=stage_id
        )
        return opportunity

    def archive(self, opportunity_id: str, reason_id: str, acting_user: str | None) -> JSON:
        opportunity = self.opportunities[opportunity_id]
        stamp = self._touched(opportunity)
        opportunity["archived"] = {"reason": reason_id, "archivedAt": stamp}
        opportunity["archivedAt"] = stamp
        opportunity["archiveReason"] = reason_id
        self.writes.append(
            RecordedWrite(
                "PUT",
                f"/v1/opportunities/{opportunity_id}/archived",
                {"reason": reason_id},
                acting_user,
            )
        )
        hired = self.archive_reasons[reason_id]["status"] == "hired"
        self._notify("candidateHired" if hired else "candidateArchiveChange", opportunity)
        return opportunity

    def add_note(self, opportunity_id: str, value: str, acting_user: str | None) -> JSON:
        note = {
            "id": str(uuid.uuid4()),
            "text": value,
            "user": acting_user,
            "secret": False,
            "createdAt": self._touched(self.opportunities[opportunity_id]),
            "deletedAt": None,
        }
        self.notes.setdefault(opportunity_id, []).append(note)
        self.writes.append(
            RecordedWrite(
                "POST", f"/v1/opportunities/{opportunity_id}/notes", {"value": value}, acting_user
            )
        )
        return note

    def add_panel(self, opportunity_id: str, body: JSON, acting_user: str | None) -> JSON:
        """The panel's interviews added to the opportunity; the panel as Lever answers."""
        opportunity = self.opportunities[opportunity_id]
        stamp = self._touched(opportunity)
        panel_id = str(uuid.uuid4())
        created: list[JSON] = []
        for asked in body["interviews"]:
            interview = {
                "id": str(uuid.uuid4()),
                "panel": panel_id,
                "subject": asked.get("subject"),
                "note": asked.get("note"),
                "interviewers": [
                    {
                        "id": person["id"],
                        "email": self.users[person["id"]]["email"],
                        "name": self.users[person["id"]]["name"],
                    }
                    for person in asked["interviewers"]
                ],
                "timezone": body.get("timezone"),
                "createdAt": stamp,
                "date": asked["date"],
                "duration": asked.get("duration"),
                "user": acting_user,
                "stage": opportunity["stage"],
                "canceledAt": None,
                "postings": [self.posting_of(opportunity)],
            }
            self.interviews.setdefault(opportunity_id, []).append(interview)
            created.append(interview)
        self.writes.append(
            RecordedWrite("POST", f"/v1/opportunities/{opportunity_id}/panels", body, acting_user)
        )
        for interview in created:
            self._notify("interviewCreated", opportunity, interview_id=interview["id"])
        return {
            "id": panel_id,
            "opportunityId": opportunity_id,
            "timezone": body.get("timezone"),
            "interviews": created,
            "createdAt": stamp,
        }

    def _notify(self, event: str, opportunity: JSON, **extra: Any) -> None:
        self.notify(
            event,
            opportunity_id=opportunity["id"],
            contact_id=opportunity["contact"],
            posting_id=self.posting_of(opportunity),
            **extra,
        )
