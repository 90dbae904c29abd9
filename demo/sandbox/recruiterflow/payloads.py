"""What the fake Recruiterflow's records look like, in the shapes of the OpenAPI
examples: the account's users and job custom fields, a seeded job and candidate, a
logged activity; and how they are served: the job list's shorter job, a candidate's
jobs, presigned links to their files."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from demo.sandbox.recruiterflow.records import (
    ACTIVITY_TYPES,
    BASE_TIME,
    JSON,
    Application,
    rf_time,
)
from demo.sandbox.resumes import extension_of

_TITLES = ("Senior Backend Engineer", "Account Executive", "Data Analyst", "Nurse Practitioner")
_COMPANIES = ("Guarented I", "Mindtree", "Acme Health", "Northwind")
_FIRST = ("Sumit", "Steve", "Thor", "Wanda", "Peter", "Natasha", "Bruce", "Carol")
_LAST = ("Neogi", "Rogers", "Odinson", "Maximoff", "Parker", "Romanoff", "Banner", "Danvers")

_SUBJECTS = {
    "note": "Note added",
    "added": "Candidate added to job",
    "moved": "Stage changed",
    "disqualified": "Candidate disqualified",
    "emailed": "Email sent to candidate",
}
_HIDDEN_IN_JOB_LIST = frozenset({"contacts", "job_visibility_info", "remote_status", "skills"})


def account_users() -> dict[int, JSON]:
    """The account's users: the API key's owner (an admin) and two recruiters."""
    return {
        40201: user_record(40201, "Manish", "Kotian", "manish.kotian36@outlook.com", "Admin"),
        10447: user_record(10447, "Chérôme", "Shenoy", "admin@rfstaging.xyz", "Recruiter"),
        18993: user_record(18993, "Bikash", "Shaw", "bikash@rfstaging.xyz", "Recruiter"),
    }


def account_job_custom_fields() -> list[JSON]:
    """The custom fields the account's jobs may carry."""
    return [
        {"id": 65, "name": "JobCFDate", "type": "date"},
        {"id": 64, "name": "Number field", "type": "number"},
        {
            "choices": [{"id": 683, "name": "Active"}, {"id": 684, "name": "Lead"}],
            "id": 52,
            "name": "Status",
            "type": "single_select",
        },
        {"id": 63, "name": "Input field", "type": "long_text"},
        {"id": 50, "name": "Active", "type": "yes_no"},
        {"id": 70, "name": "Placement Fee", "type": "money"},
        {"id": 71, "name": "Current Rank", "type": "number"},
    ]


def user_record(user_id: int, first: str, last: str, email: str, role: str) -> JSON:
    """A user of the account, as ``/user/list`` shows them."""
    return {
        "email": email,
        "first_name": first,
        "id": user_id,
        "img_link": None,
        "last_name": last,
        "middle_name": "",
        "name": f"{first} {last}",
        "roles": [{"id": 1 if role == "Admin" else 2, "name": role}],
    }


def job_record(job_id: int, n: int, recruiter: JSON) -> JSON:
    """Seeded job ``n``, recruited for by ``recruiter``."""
    created = BASE_TIME + timedelta(hours=n)
    state = ("Open", "Open", "Open", "Open", "Open", "On Hold", "Closed")[n % 7]
    return {
        "about_position": f"<div>{_TITLES[n % len(_TITLES)]} for a growing team</div>",
        "apply_link": f"https://rfstaging.xyz/recruiterflowstaging/jobs/{job_id}",
        "company": {"id": 1 + n % len(_COMPANIES), "name": _COMPANIES[n % len(_COMPANIES)]},
        "contacts": {"email": "firstcontact@company.com", "id": 1, "name": "First Contact"},
        "created_at": rf_time(created),
        "current_opening": 1,
        "custom_fields": [
            {"id": 70, "name": "Placement Fee", "value": {"currency": "USD", "number": 20000}},
            {"id": 63, "name": "Input field", "value": "edfvfd"},
        ],
        "department": "Engineering",
        "employment_type": "Full time",
        "expected_fee": {"currency": "USD", "number": 25000 + 500 * n},
        "hiring_team": [
            {
                "email": recruiter["email"],
                "first_name": recruiter["first_name"],
                "img_link": None,
                "last_name": recruiter["last_name"],
                "name": recruiter["name"],
                "role": "Recruiter",
                "role_id": 2,
                "user_id": recruiter["id"],
            }
        ],
        "id": job_id,
        "is_open": state != "Closed",
        "job_status": {"color": "#FF0000", "id": 1 + n % 7 // 5, "name": state},
        "job_type": {"id": 1, "name": "Contingent"},
        "job_visibility_id": 1,
        "job_visibility_info": {
            "close_reasons": [1] if state == "Closed" else [],
            "closed_on": (created + timedelta(days=30)).date().isoformat()
            if state == "Closed"
            else None,
            "visibility_id": 1,
        },
        "last_opened": rf_time(created),
        "locations": [
            {
                "city": "London",
                "country": "United Kingdom",
                "id": 4,
                "iso_3166_1_alpha_2_code": "GB",
                "name": "London",
                "postal_code": "SE1 9BG",
                "state": None,
                "zipcode": "SE1 9BG",
            }
        ],
        "name": f"{_TITLES[n % len(_TITLES)]} {job_id}",
        "number_of_openings": 1,
        "publish_to_careers_page": True,
        "remote_status": {"id": 2, "name": "Not Remote"},
        "salary_range_currency": "USD",
        "salary_range_end": 125000,
        "salary_range_start": 100000,
        "skills": [],
        "title": f"{_TITLES[n % len(_TITLES)]} {job_id}",
        "updated_at": rf_time(created + timedelta(days=1)),
    }


def candidate_record(candidate_id: int, n: int, adder: JSON) -> JSON:
    """Seeded candidate ``n``, added by ``adder``."""
    first, last = _FIRST[n % len(_FIRST)], _LAST[n % len(_LAST)]
    added = BASE_TIME + timedelta(hours=n)
    return {
        "added_by": {"id": adder["id"], "img_link": None, "name": adder["name"]},
        "added_time": rf_time(added),
        "client": None,
        "client_company_id": None,
        "current_designation": "Software Engineer",
        "current_organization": "Initech",
        "custom_fields": [],
        "do_not_email": False,
        "education": [],
        "email": [f"{first.lower()}.{last.lower()}{n}@example.com"],
        "experience": [],
        "files": [
            {
                "filename": f"{candidate_id}.{extension_of(n)}",
                "id": 3202 + n,
                "permission": 1,
                "upload_time": rf_time(added),
            }
        ],
        "first_name": first,
        "id": candidate_id,
        "img_link": None,
        "last_contact_type": None,
        "last_contacted": None,
        "last_engaged": None,
        "last_engagement_type": None,
        "last_name": last,
        "latest_activity_time": rf_time(added),
        "lead_owner": {"id": adder["id"], "img_link": None, "name": adder["name"]},
        "linkedin_profile": f"{first.lower()}{last.lower()}{n}",
        "location": {
            "city": "London",
            "country": "United Kingdom",
            "google_place_id": "",
            "location": "London, United Kingdom",
            "postal_code": "",
            "state": "",
            "street_address_1": "",
            "street_address_2": "",
        },
        "name": f"{first} {last}",
        "notes": [],
        "phone_number": [f"+44 20 7946 {n:04d}"],
        "prospect_id": candidate_id,
        "prospect_type_id": 1,
        "skills": [],
        "source_name": "LinkedIn",
        "status": {"id": None, "name": None},
        "submission_times": [],
        "tags": ["seeded"],
        "upcoming_activities": {},
    }


def activity_record(
    activity_id: int,
    candidate_id: int,
    candidate: JSON,
    job_id: int | None,
    job: JSON | None,
    *,
    kind: str,
    when: datetime,
    user: JSON,
) -> JSON:
    """Activity ``kind`` (a key of ``ACTIVITY_TYPES``) by ``user`` on the candidate, and on
    the job when there is one."""
    subject = _SUBJECTS[kind]
    return {
        "activity_id": activity_id,
        "associated_entities": {
            "candidates": [{"id": candidate_id, "name": candidate["name"]}],
            "clients": [],
            "contacts": [],
            "deals": [],
            "jobs": [{"id": job_id, "name": job["name"]}] if job else [],
        },
        "candidate_id": candidate_id,
        "contact_id": None,
        "interview_plan_id": None,
        "is_custom": False,
        "job_id": job_id,
        "subject": subject,
        "text": f"{user['name']}: {subject.lower()}",
        "time": when.astimezone(UTC).replace(microsecond=0).isoformat(),
        "type": ACTIVITY_TYPES[kind],
        "user": {k: user[k] for k in ("email", "first_name", "id", "last_name", "name")},
    }


def listed_job(job: JSON) -> JSON:
    """A job as the job list shows it: without its contacts, visibility, remote status
    and skills."""
    return {k: v for k, v in job.items() if k not in _HIDDEN_IN_JOB_LIST}


def candidate_job(app: Application, job: JSON) -> JSON:
    """One of the jobs a candidate's view lists: the job and where the candidate is in it."""
    return {
        "added_to_job_by": {"id": app.added_by["id"], "name": app.added_by["name"]},
        "client_company_id": job["company"]["id"],
        "client_company_name": job["company"]["name"],
        "department_name": job["department"],
        "disqualification_reason": app.disqualification_reason,
        "is_open": job["is_open"],
        "job_id": job["id"],
        "job_visibility_id": job["job_visibility_id"],
        "name": job["name"],
        "stage_moved": app.transitions[-1]["entered"] if app.transitions else None,
        "stage_name": app.stage,
        "starred": 0,
    }


def file_signature(api_key: str, file_id: int, filename: str) -> str:
    """The signature of a file's presigned link."""
    message = f"{file_id}/{filename}".encode()
    return hmac.new(api_key.encode(), message, hashlib.sha256).hexdigest()


def signed_file(file: JSON, api_key: str, signed_at: datetime, base_url: str) -> JSON:
    """The file with a presigned ``link`` on ``base_url``, signed at ``signed_at``: like
    the real API's document-store links, checked by signature and not by RF-Api-Key."""
    if "link" in file or "id" not in file:
        return dict(file)
    stamp = signed_at.strftime("%Y%m%dT%H%M%SZ")
    query = (
        f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={stamp}&X-Amz-Expires=604700"
        f"&X-Amz-SignedHeaders=host"
        f"&X-Amz-Signature={file_signature(api_key, file['id'], file['filename'])}"
    )
    path = f"documents/{file['id']}/{file['filename']}"
    return {**file, "link": f"{base_url.rstrip('/')}/{path}?{query}"}
