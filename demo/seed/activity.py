"""The activity feed: entries dated by the synced record, application, move or
invitation each one records. Its ``action`` kinds are a vocabulary of their own, some
spelt like bus events."""

from __future__ import annotations

from demo.seed.state import BuilderState
from demo.seed.values import Row, random_between
from gateway.store.enums import ActorType
from gateway.store.models import Activity, Application, Interview, StageTransition


class ActivitySteps(BuilderState):
    """The activity feed."""

    def _activities(self, count: int) -> None:
        """``count`` feed entries, oldest first, each dated by the event it records."""
        rng = self.rng
        moves = [t for t in self.rows[StageTransition] if t["moved_by_user_id"] is not None]
        kinds = [
            (kind, weight)
            for kind, weight, pool in (
                ("job.synced", 15, self.jobs),
                ("candidate.synced", 25, self.candidates),
                ("application.created", 20, self.rows[Application]),
                ("application.stage_changed", 30, moves),
                ("interview.invited", 10, self.rows[Interview]),
            )
            if pool
        ]
        if not kinds:
            return
        names, weights = zip(*kinds, strict=True)
        feed = [self._activity(rng.choices(names, weights=weights)[0], moves) for _ in range(count)]
        for row in sorted(feed, key=lambda row: row["created_at"]):
            self._add(Activity, row)

    def _activity(self, kind: str, moves: list[Row]) -> Row:
        rng = self.rng
        job: Row | None = None
        candidate: Row | None = None
        app: Row | None = None
        if kind == "job.synced":
            job = rng.choice(list(self.jobs.values()))
            actor = (ActorType.SYNC, *self._sync_actor(job["integration_id"]))
            subject = ("job", job["id"])
            description = f"Synced requisition “{job['title']}” ({job['remote_status']})"
            details: Row = {"remote_id": job["remote_id"], "fields": ["status", "description"]}
            created = random_between(rng, job["created_at"], job["last_synced_at"])
        elif kind == "candidate.synced":
            candidate = rng.choice(list(self.candidates.values()))
            actor = (ActorType.SYNC, *self._sync_actor(candidate["integration_id"]))
            subject = ("candidate", candidate["id"])
            description = f"Synced candidate {candidate['name']}"
            details = {"remote_id": candidate["remote_id"]}
            created = random_between(rng, candidate["created_at"], candidate["last_synced_at"])
        elif kind == "application.created":
            app = rng.choice(self.rows[Application])
            job, candidate = self.jobs[app["job_id"]], self.candidates[app["candidate_id"]]
            actor = (ActorType.SYNC, *self._sync_actor(app["integration_id"]))
            subject = ("application", app["id"])
            description = f"{candidate['name']} applied to {job['title']}"
            details = {"remote_id": app["remote_id"], "source": candidate["source"]}
            created = app["applied_at"]
        elif kind == "application.stage_changed":
            move = rng.choice(moves)
            app = self.applications[move["application_id"]]
            job, candidate = self.jobs[app["job_id"]], self.candidates[app["candidate_id"]]
            actor = (ActorType.USER, str(move["moved_by_user_id"]), move["moved_by_name"])
            subject = ("application", app["id"])
            description = (
                f"{move['moved_by_name']} moved {candidate['name']} "
                f"from {move['from_stage_name']} to {move['to_stage_name']}"
            )
            details = {"from_stage": move["from_stage_name"], "to_stage": move["to_stage_name"]}
            created = move["entered_at"]
        else:  # interview.invited
            interview = rng.choice(self.rows[Interview])
            app = self.applications[interview["application_id"]]
            job, candidate = self.jobs[app["job_id"]], self.candidates[app["candidate_id"]]
            recruiter = self.users[job["recruiter_id"]]
            actor = (ActorType.USER, str(recruiter["id"]), recruiter["name"])
            subject = ("interview", interview["id"])
            description = f"{recruiter['name']} sent an interview invitation to {candidate['name']}"
            details = {"interview_id": interview["id"]}
            created = interview["invite_sent_at"]
        return {
            "tenant_id": self.tenant_id,
            "action": kind,
            "actor_type": actor[0],
            "actor_id": actor[1],
            "actor_name": actor[2],
            "subject_type": subject[0],
            "subject_id": subject[1],
            "job_id": None if job is None else job["id"],
            "candidate_id": None if candidate is None else candidate["id"],
            "application_id": None if app is None else app["id"],
            "description": description,
            "details": details,
            "created_at": created,
        }
