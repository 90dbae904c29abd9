"""Applications and their stage history: distinct (job, candidate) pairs within each
integration, ids ascending with the application date."""

from __future__ import annotations

from demo.seed.pipeline import AppPlan, stage_path, stage_times
from demo.seed.state import BuilderState
from demo.seed.values import BASE_TIME, MINUTE, Row, iso, random_span, split_quota, synced_columns
from demo.seed.world import REJECTION_REASONS, STAGES
from gateway.store.enums import ApplicationStatus, ProcessingStatus
from gateway.store.models import Application, StageTransition


class ApplicationSteps(BuilderState):
    """Applications with one stage transition per stage they passed."""

    def _applications(self, count: int) -> None:
        rng = self.rng
        groups = range(self._record_groups)
        jobs_by = [
            [j for j in self.jobs.values() if self._group(j["integration_id"]) == g] for g in groups
        ]
        cands_by = [
            [c for c in self.candidates.values() if self._group(c["integration_id"]) == g]
            for g in groups
        ]
        quotas = split_quota(
            count, [len(j) * len(c) for j, c in zip(jobs_by, cands_by, strict=True)]
        )
        plans: list[AppPlan] = []
        for group, quota in enumerate(quotas):
            g_jobs, g_cands = jobs_by[group], cands_by[group]
            for pair in rng.sample(range(len(g_jobs) * len(g_cands)), quota):
                job, candidate = g_jobs[pair // len(g_cands)], g_cands[pair % len(g_cands)]
                path, status = stage_path(rng, job["status"])
                times = stage_times(rng, job["opened_at"], len(path))
                plans.append(AppPlan(group, job, candidate, path, times, status))
        # ids ascend with the application date, as they would in a live system
        plans.sort(key=lambda p: (p.times[0], p.job["id"], p.candidate["id"]))
        for number, plan in enumerate(plans, start=1):
            self._application(number, plan)

    def _application(self, number: int, plan: AppPlan) -> None:
        rng, job, stage_ids = self.rng, plan.job, self.stage_ids[plan.group]
        look = self._look(job["integration_id"])
        recruiter = self.users[job["recruiter_id"]]
        last_position, last_at = plan.path[-1], plan.times[-1]
        remote_id = self._remote_id(look, "application", number)
        remote_data = {
            "id": remote_id,
            "job_id": job["remote_id"],
            "candidate_id": plan.candidate["remote_id"],
            "stage": STAGES[last_position][0],
            "status": plan.status.value,
            "applied_at": iso(plan.times[0]),
        }
        rejected = plan.status is ApplicationStatus.REJECTED
        hired = plan.status is ApplicationStatus.HIRED
        app = self._add(
            Application,
            {
                "id": self.ids.take(Application),
                "tenant_id": self.tenant_id,
                **synced_columns(
                    job["integration_id"],
                    remote_id,
                    remote_data,
                    remote_updated_at=last_at,
                    last_synced_at=BASE_TIME - random_span(rng, MINUTE, 30 * MINUTE),
                ),
                "job_id": job["id"],
                "candidate_id": plan.candidate["id"],
                "status": plan.status,
                "current_stage_id": stage_ids[last_position],
                "stage_entered_at": last_at,
                "applied_at": plan.times[0],
                "rejected_at": last_at if rejected else None,
                "rejection_reason": rng.choice(REJECTION_REASONS) if rejected else None,
                "released_at": None,
                "hired_at": last_at if hired else None,
                "risk_score": None,
                "human_requested": False,
                "compliance_review": False,
                "processing_status": ProcessingStatus.NEW,
                "created_at": plan.times[0],
                "updated_at": last_at,
            },
        )
        history: list[Row] = []
        for step, position in enumerate(plan.path):
            previous = plan.path[step - 1] if step else None
            by_recruiter = step > 0
            history.append(
                self._add(
                    StageTransition,
                    {
                        "tenant_id": self.tenant_id,
                        "application_id": app["id"],
                        "from_stage_id": None if previous is None else stage_ids[previous],
                        "to_stage_id": stage_ids[position],
                        "from_stage_name": None if previous is None else STAGES[previous][0],
                        "to_stage_name": STAGES[position][0],
                        "entered_at": plan.times[step],
                        "left_at": plan.times[step + 1] if step + 1 < len(plan.times) else None,
                        "moved_by_user_id": recruiter["id"] if by_recruiter else None,
                        "moved_by_name": recruiter["name"] if by_recruiter else None,
                        "integration_id": job["integration_id"],
                        "remote_key": f"{remote_id}:{step}",
                    },
                )
            )
        self.applications[app["id"]] = app
        self.transitions[app["id"]] = history
