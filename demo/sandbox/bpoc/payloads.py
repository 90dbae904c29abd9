"""What the fake BPOC's records look like: the agencies' people and clients, a seeded
job, candidate and application with the interview and onboarding tasks it led to, and
the records writes create; and how a candidate is served, with its resume on the host
the request came to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from demo.sandbox.bpoc.records import (
    ADMIN_ID,
    CLIENT_IDS,
    INACTIVE_RECRUITER_ID,
    MAIN_AGENCY_ID,
    MANAGER_ID,
    OTHER_AGENCY_ID,
    OTHER_AGENCY_RECRUITER_ID,
    RECRUITER_ID,
    RESUME_HOST,
    SEED_TIME,
    Agency,
    Record,
    iso,
)
from demo.sandbox.resumes import extension_of

_JOB_TITLES = (
    ("Customer Service Representative", "Makati City"),
    ("Technical Support Specialist", "Cebu City"),
    ("Senior React Developer", "Taguig (BGC)"),
    ("Real Estate Virtual Assistant", "Remote (PH)"),
    ("Bookkeeper", "Quezon City"),
    ("Team Leader - Voice Account", "Clark, Pampanga"),
    ("QA Analyst", "Davao City"),
)
_JOB_STATUSES = ("active", "active", "paused", "active", "closed", "pending_approval")
_FIRST_NAMES = ("Maria", "Jose", "Angelica", "Mark", "Kristine", "John Paul", "Camille", "Rodel")
_LAST_NAMES = ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Dela Cruz", "Ramos")
_CANDIDATE_LOCATIONS = ("Makati City", "Cebu City", "Quezon City", "Davao City", "Iloilo City")
_APPLICATION_STATUSES = (
    "submitted",
    "under_review",
    "shortlisted",
    "released",
    "interviewing",
    "offered",
    "hired",
    "rejected",
)
_ONBOARDING = (
    ("Submit NBI clearance", "document"),
    ("Sign employment contract", "signature"),
    ("Provide SSS, PhilHealth and Pag-IBIG numbers", "form"),
)
_PEOPLE = (
    (ADMIN_ID, MAIN_AGENCY_ID, "Andrea", "Villanueva", "admin", True),
    (MANAGER_ID, MAIN_AGENCY_ID, "Paolo", "Lim", "manager", True),
    (RECRUITER_ID, MAIN_AGENCY_ID, "John", "Recruiter", "recruiter", True),
    (INACTIVE_RECRUITER_ID, MAIN_AGENCY_ID, "Liza", "Tan", "recruiter", False),
    (OTHER_AGENCY_RECRUITER_ID, OTHER_AGENCY_ID, "Ramon", "Uy", "recruiter", True),
)
_CLIENT_NAMES = ("Harbour Realty (AU)", "Northwind Logistics (US)", "Kiwi Accounting Ltd (NZ)")


# the agencies' people and clients


def agency_recruiters() -> dict[str, Record]:
    """Every agency's recruiters, by id: the main agency's admin, manager, recruiter and
    inactive recruiter, and the other agency's recruiter."""
    recruiters: dict[str, Record] = {}
    for number, (rid, agency_id, first, last, role, active) in enumerate(_PEOPLE):
        moment = iso(SEED_TIME - timedelta(days=90 - number))
        domain = "cebustaffing.ph" if agency_id == OTHER_AGENCY_ID else "manilatalent.ph"
        recruiters[rid] = {
            "id": rid,
            "agencyId": agency_id,
            "email": f"{first}.{last}@{domain}".lower(),
            "firstName": first,
            "lastName": last,
            "role": role,
            "isActive": active,
            "createdAt": moment,
            "updatedAt": moment,
        }
    return recruiters


def agency_clients() -> dict[str, Record]:
    """The main agency's three clients, by id."""
    return {
        cid: {"id": cid, "agencyId": MAIN_AGENCY_ID, "name": name}
        for cid, name in zip(CLIENT_IDS, _CLIENT_NAMES, strict=True)
    }


# seeded records


def seeded_job(
    job_id: str, serial: int, created: datetime, client: Record, posted_by: str
) -> Record:
    """The main agency's job number ``serial`` for ``client``."""
    title, location = _JOB_TITLES[serial % len(_JOB_TITLES)]
    status = _JOB_STATUSES[serial % len(_JOB_STATUSES)]
    return {
        "id": job_id,
        "agencyId": MAIN_AGENCY_ID,
        "clientId": client["id"],
        "clientName": client["name"],
        "title": title,
        "description": f"{title} for {client['name']}.",
        "requirements": ["Excellent English communication", "1+ year BPO experience"],
        "location": location,
        "employmentType": "full_time",
        "salary_min": 25000 + 5000 * (serial % 5),
        "salary_max": 40000 + 8000 * (serial % 5),
        "currency": "PHP",
        "status": status,
        "postedBy": posted_by,
        "approvedBy": None if status == "pending_approval" else MANAGER_ID,
        "approvedAt": None if status == "pending_approval" else iso(created + timedelta(hours=1)),
        "closedAt": iso(created + timedelta(days=20)) if status == "closed" else None,
        "createdAt": iso(created),
        "updatedAt": iso(created + timedelta(days=20 if status == "closed" else 1)),
    }


def seeded_candidate(candidate_id: str, serial: int, created: datetime) -> Record:
    """The main agency's candidate number ``serial``."""
    first = _FIRST_NAMES[serial % len(_FIRST_NAMES)]
    last = _LAST_NAMES[(serial // len(_FIRST_NAMES) + serial) % len(_LAST_NAMES)]
    return {
        "id": candidate_id,
        "agencyId": MAIN_AGENCY_ID,
        "firstName": first,
        "lastName": last,
        "email": f"{first}.{last}.{serial + 1}@example.ph".replace(" ", "").lower(),
        "phone": f"+63 917 555 {1000 + serial:04d}",
        "location": _CANDIDATE_LOCATIONS[serial % len(_CANDIDATE_LOCATIONS)],
        "headline": f"Customer support professional, {1 + serial % 9} years",
        "source": "bpoc_talent_pool",
        "resumeUrl": f"{RESUME_HOST}/resumes/{candidate_id}.{extension_of(serial)}",
        "skills": ["English", "Zendesk"] if serial % 2 else ["English", "Salesforce"],
        "createdAt": iso(created),
        "updatedAt": iso(created + timedelta(hours=1)),
    }


def seeded_status(serial: int) -> str:
    """Where seeded application number ``serial`` stands."""
    return _APPLICATION_STATUSES[serial % len(_APPLICATION_STATUSES)]


def status_history(status: str, applied: datetime) -> list[tuple[str, datetime, str | None]]:
    """The status changes that led a seeded application to ``status``, ending there:
    (status, when, who). Released ones were released three days after applying, had
    their client interview scheduled an hour later and held two days after release;
    rejections come two days after applying."""
    if status == "rejected":
        path: tuple[tuple[str, timedelta, str | None], ...] = (
            ("submitted", timedelta(0), None),
            ("under_review", timedelta(days=1), RECRUITER_ID),
            ("rejected", timedelta(days=2), MANAGER_ID),
        )
    else:
        released = timedelta(days=3)
        interview = released + timedelta(days=2)
        steps: tuple[tuple[str, timedelta, str | None], ...] = (
            ("submitted", timedelta(0), None),
            ("under_review", timedelta(days=1), RECRUITER_ID),
            ("shortlisted", timedelta(days=2), RECRUITER_ID),
            ("released", released, RECRUITER_ID),
            ("interviewing", released + timedelta(hours=1), RECRUITER_ID),
            ("offered", interview + timedelta(days=1), MANAGER_ID),
            ("hired", interview + timedelta(days=2), MANAGER_ID),
        )
        names = [step for step, _after, _by in steps]
        path = steps[: names.index(status) + 1] if status in names else steps[:1]
    return [(step, applied + after, by) for step, after, by in path]


def release_time(status: str, applied: datetime) -> datetime | None:
    """When a seeded application at ``status`` was released, if it was."""
    history = status_history(status, applied)
    return next((at for step, at, _by in history if step == "released"), None)


def seeded_application(
    application_id: str,
    job_id: str,
    candidate_id: str,
    status: str,
    applied: datetime,
) -> Record:
    """A seeded application standing at ``status``, with the history that led there."""
    history = status_history(status, applied)
    released = next((at for step, at, _by in history if step == "released"), None)
    rejected = next((at for step, at, _by in history if step == "rejected"), None)
    reviewed = status != "submitted"
    updated = history[-1][1]
    return {
        "id": application_id,
        "agencyId": MAIN_AGENCY_ID,
        "jobId": job_id,
        "candidateId": candidate_id,
        "status": status,
        "statusHistory": [
            {"status": step, "changedAt": iso(at), "changedBy": by} for step, at, by in history
        ],
        "appliedAt": iso(applied),
        "reviewedBy": RECRUITER_ID if reviewed else None,
        "releasedAt": iso(released) if released else None,
        "releasedBy": RECRUITER_ID if released else None,
        "releaseNotes": "Strong communicator" if released else None,
        "rejectedAt": iso(rejected) if rejected else None,
        "rejectedBy": MANAGER_ID if rejected else None,
        "rejectionReason": "Skills mismatch" if rejected else None,
        "createdAt": iso(applied),
        "updatedAt": iso(updated + timedelta(hours=1)),
    }


def seeded_interview(
    interview_id: str, application_id: str, status: str, released: datetime
) -> Record:
    """The client interview of an application released at ``released``."""
    return {
        "id": interview_id,
        "agencyId": MAIN_AGENCY_ID,
        "applicationId": application_id,
        "interviewType": "client_round_1",
        "status": "scheduled" if status == "interviewing" else "completed",
        "scheduledAt": iso(released + timedelta(days=2)),
        "interviewerId": MANAGER_ID,
        "scheduledBy": RECRUITER_ID,
        "createdAt": iso(released),
        "updatedAt": iso(released + timedelta(hours=1)),
    }


def onboarding_tasks(
    new_id: Callable[[], str], application_id: str, candidate_id: str, created: datetime
) -> dict[str, Record]:
    """A hire's three onboarding tasks, by id (from ``new_id``): approved, submitted
    and pending."""
    tasks: dict[str, Record] = {}
    for number, (title, kind) in enumerate(_ONBOARDING):
        task_id = new_id()
        tasks[task_id] = {
            "id": task_id,
            "agencyId": MAIN_AGENCY_ID,
            "applicationId": application_id,
            "candidateId": candidate_id,
            "title": title,
            "description": None,
            "taskType": kind,
            "status": ("approved", "submitted", "pending")[number],
            "dueDate": (created + timedelta(days=14)).date().isoformat(),
            "createdBy": RECRUITER_ID,
            "reviewedBy": MANAGER_ID if number == 0 else None,
            "reviewedAt": iso(created + timedelta(days=1)) if number == 0 else None,
            "createdAt": iso(created),
            "updatedAt": iso(created + timedelta(days=1)),
        }
    return tasks


# records writes create


def new_recruiter(
    recruiter_id: str, agency: Agency, email: str, role: str, body: Mapping[str, Any], moment: str
) -> Record:
    """An active recruiter of ``agency``, created at ``moment``."""
    return {
        "id": recruiter_id,
        "agencyId": agency.id,
        "email": email,
        "firstName": body.get("firstName"),
        "lastName": body.get("lastName"),
        "role": role,
        "isActive": True,
        "createdAt": moment,
        "updatedAt": moment,
    }


def new_job(
    job_id: str, agency: Agency, client: Record | None, body: Mapping[str, Any], moment: str
) -> Record:
    """A job as sent, awaiting approval, for ``client`` if there is one."""
    return {
        **body,
        "id": job_id,
        "agencyId": agency.id,
        "clientId": client["id"] if client else None,
        "clientName": client["name"] if client else None,
        "status": "pending_approval",
        "postedBy": body.get("postedBy"),
        "approvedBy": None,
        "approvedAt": None,
        "closedAt": None,
        "createdAt": moment,
        "updatedAt": moment,
    }


def new_interview(
    interview_id: str,
    agency: Agency,
    application: Record,
    body: Mapping[str, Any],
    scheduled: datetime,
    moment: str,
) -> Record:
    """An interview for ``application`` at ``scheduled``, as the write names it."""
    return {
        "id": interview_id,
        "agencyId": agency.id,
        "applicationId": application["id"],
        "interviewType": body["interviewType"],
        "status": "scheduled",
        "scheduledAt": iso(scheduled),
        "interviewerId": body.get("interviewerId"),
        "scheduledBy": body.get("scheduledBy"),
        "createdAt": moment,
        "updatedAt": moment,
    }


def new_task(
    task_id: str,
    agency: Agency,
    application: Record,
    draft: Mapping[str, Any],
    created_by: Any,
    moment: str,
) -> Record:
    """A pending onboarding task for ``application``, as drafted."""
    return {
        "id": task_id,
        "agencyId": agency.id,
        "applicationId": application["id"],
        "candidateId": application["candidateId"],
        "title": draft["title"],
        "description": draft.get("description"),
        "taskType": draft.get("taskType"),
        "status": "pending",
        "dueDate": draft.get("dueDate"),
        "createdBy": created_by,
        "reviewedBy": None,
        "reviewedAt": None,
        "createdAt": moment,
        "updatedAt": moment,
    }


# how records are served


def served_candidate(candidate: Record, base_url: str) -> Record:
    """The candidate with its ``resumeUrl`` on ``base_url``, the host the request came to."""
    url = candidate.get("resumeUrl")
    if isinstance(url, str) and url.startswith(RESUME_HOST + "/"):
        here = base_url.rstrip("/")
        return {**candidate, "resumeUrl": here + url[len(RESUME_HOST) :]}
    return candidate
