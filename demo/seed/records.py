"""The synced records: requisitions and candidates mirrored from the integrations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from demo.sandbox.declaration import Region
from demo.seed.state import BuilderState
from demo.seed.values import (
    BASE_TIME,
    DAY,
    HOUR,
    MINUTE,
    Row,
    iso,
    random_between,
    random_span,
    synced_columns,
)
from demo.seed.world import (
    CLIENTS,
    FIRST_NAMES,
    FX,
    JOB_TITLES,
    LAST_NAMES,
    PH_LOCATIONS,
    SOURCES,
    TAGS,
    WORLD_LOCATIONS,
)
from gateway.store.enums import JobStatus
from gateway.store.models import Application, Candidate, Job

_JOB_STATUSES = (JobStatus.OPEN, JobStatus.ON_HOLD, JobStatus.CLOSED)
_EMPLOYMENT_TYPES = ("full_time", "contract", "part_time")


class RecordSteps(BuilderState):
    """Jobs (ranked by score) and candidates, backdated before their first application."""

    def _jobs(self, count: int) -> None:
        for number in range(count):
            job = self._job(number)
            self.jobs[job["id"]] = job
        self._rank_jobs()

    def _job(self, number: int) -> Row:
        rng = self.rng
        group = number % self._record_groups
        integration, declared = self.integrations[group], self.declarations[group]
        remote_statuses = declared.job_statuses
        title, department = rng.choice(JOB_TITLES)
        location, currency = rng.choice(
            PH_LOCATIONS if declared.look.region is Region.PHILIPPINES else WORLD_LOCATIONS
        )
        client = rng.choice(CLIENTS)
        status = rng.choices(_JOB_STATUSES, weights=(70, 15, 15))[0]
        employment_type = rng.choices(_EMPLOYMENT_TYPES, weights=(75, 18, 7))[0]
        recruiter = rng.choice(self.recruiters)
        opened_at, closed_at, remote_updated_at, last_synced_at = self._job_dates(status)
        fee_usd = rng.randrange(60, 600) * 50
        fee = Decimal(round(fee_usd * FX[currency] / 50) * 50).quantize(Decimal("0.01"))
        years = rng.randint(1, 8)
        auto_send = status is JobStatus.OPEN and rng.random() < 0.3
        score = round(rng.uniform(20, 95), 1) if status is JobStatus.OPEN else None
        remote_id = self._remote_id(declared.look, "job", number + 1)
        description = f"{client} is hiring a {title} for its {department} team in {location}."
        remote_data = {
            "id": remote_id,
            "title": title,
            "status": remote_statuses[status],
            "location": location,
            "department": department,
            "client": client,
            "employment_type": employment_type,
            "opened_at": iso(opened_at),
            "owner_email": recruiter["email"],
        }
        return self._add(
            Job,
            {
                "id": self.ids.take(Job),
                "tenant_id": self.tenant_id,
                **synced_columns(
                    integration["id"],
                    remote_id,
                    remote_data,
                    remote_updated_at=remote_updated_at,
                    last_synced_at=last_synced_at,
                ),
                "title": title,
                "description": description,
                "detailed_description": _detailed_description(
                    description, department=department, client=client, years=years
                ),
                "location": location,
                "department": department,
                "employment_type": employment_type,
                "client_name": client,
                "status": status,
                "remote_status": remote_statuses[status],
                "opened_at": opened_at,
                "closed_at": closed_at,
                "estimated_fee": fee,
                "currency": currency,
                "recruiter_id": recruiter["id"],
                "is_active": True,
                "auto_send_interview": auto_send,
                "auto_send_on_status": "Recruiter Screen" if auto_send else None,
                "interview_instructions": _interview_instructions(department)
                if auto_send
                else None,
                "min_check_interval": 15,
                "lookback_hours": None,
                "rank": None,
                "score": score,
                "created_at": opened_at + random_span(rng, MINUTE, HOUR),
                "updated_at": last_synced_at,
            },
        )

    def _job_dates(self, status: JobStatus) -> tuple[datetime, datetime | None, datetime, datetime]:
        """When the job opened, closed (if it did), last changed at the source, was synced."""
        rng = self.rng
        opened_at = BASE_TIME - random_span(rng, 30 * DAY, 240 * DAY)
        closed_at = (
            BASE_TIME - random_span(rng, DAY, 20 * DAY) if status is JobStatus.CLOSED else None
        )
        remote_updated_at = closed_at or random_between(rng, opened_at, BASE_TIME - HOUR)
        last_synced_at = BASE_TIME - random_span(rng, MINUTE, 30 * MINUTE)
        return opened_at, closed_at, remote_updated_at, last_synced_at

    def _rank_jobs(self) -> None:
        """Open jobs ranked by score, best first."""
        ranked = sorted(
            (job for job in self.jobs.values() if job["score"] is not None),
            key=lambda job: (-job["score"], job["id"]),
        )
        for rank, job in enumerate(ranked, start=1):
            job["rank"] = rank

    # candidates

    def _candidates(self, count: int) -> None:
        rng = self.rng
        for number in range(count):
            group = number % self._record_groups
            integration, look = self.integrations[group], self.declarations[group].look
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{first}.{last.replace(' ', '')}.{number + 1}@example.com".lower()
            if look.region is Region.PHILIPPINES:
                phone = f"+63 9{rng.randint(10, 99)} 555 {rng.randint(1000, 9999)}"
                location = rng.choice(PH_LOCATIONS)[0]
            else:
                phone = f"+1 {rng.randint(201, 989)}-555-{rng.randint(100, 199):04d}"
                location = rng.choice(WORLD_LOCATIONS)[0]
            role = rng.choice(JOB_TITLES)[0]
            years = rng.randint(1, 15)
            headline = f"{role} · {years} years of experience"
            source = rng.choice(SOURCES)
            tags = sorted(rng.sample(TAGS, rng.randint(0, 3)))
            remote_id = self._remote_id(look, "candidate", number + 1)
            remote_data = {
                "id": remote_id,
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": phone,
                "location": location,
                "headline": headline,
                "source": source,
                "tags": tags,
            }
            last_synced_at = BASE_TIME - random_span(rng, MINUTE, 30 * MINUTE)
            candidate = self._add(
                Candidate,
                {
                    "id": self.ids.take(Candidate),
                    "tenant_id": self.tenant_id,
                    # remote_updated_at and created_at are settled in _backdate_candidates
                    **synced_columns(
                        integration["id"],
                        remote_id,
                        remote_data,
                        remote_updated_at=None,
                        last_synced_at=last_synced_at,
                    ),
                    "first_name": first,
                    "last_name": last,
                    "name": f"{first} {last}",
                    "email": email,
                    "phone": phone,
                    "location": location,
                    "headline": headline,
                    "source": source,
                    "resume_url": f"https://files.example.com/resumes/{remote_id}.pdf",
                    "resume_text": (
                        f"{first} {last}\n{headline}\n{location}\n\n"
                        f"Experience: {years} years as {role}.\n"
                        f"Skills: {', '.join(tags) if tags else 'communication, teamwork'}."
                    ),
                    "tags": tags,
                    "created_at": BASE_TIME - random_span(rng, DAY, 400 * DAY),
                    "updated_at": last_synced_at,
                },
            )
            self.candidates[candidate["id"]] = candidate

    def _backdate_candidates(self) -> None:
        """A candidate exists before their first application; edits follow creation."""
        first_applied: dict[int, datetime] = {}
        for app in self.rows[Application]:
            seen = first_applied.get(app["candidate_id"])
            if seen is None or app["applied_at"] < seen:
                first_applied[app["candidate_id"]] = app["applied_at"]
        for candidate in self.candidates.values():
            applied = first_applied.get(candidate["id"])
            if applied is not None and candidate["created_at"] > applied:
                candidate["created_at"] = applied - random_span(self.rng, HOUR, 72 * HOUR)
            candidate["remote_updated_at"] = random_between(
                self.rng, candidate["created_at"], BASE_TIME - HOUR
            )


def _detailed_description(description: str, *, department: str, client: str, years: int) -> str:
    return (
        f"{description}\n\nWhat you will do:\n"
        f"- Own day-to-day {department.lower()} work for {client}\n"
        "- Work with the client's team leads and report weekly\n\n"
        f"What you bring:\n- {years}+ years in a similar role\n"
        "- Clear written and spoken English"
    )


def _interview_instructions(department: str) -> str:
    return f"Focus on {department.lower()} experience and shift availability."
