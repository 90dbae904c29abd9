"""Resume analyses, and self-service interviews with their chats and evaluations."""

from __future__ import annotations

import hashlib
from datetime import datetime

from demo.seed.conversation import chat_messages, evaluation_values
from demo.seed.state import BuilderState
from demo.seed.values import BASE_TIME, DAY, HOUR, MINUTE, SECOND, Row, random_span, synced_columns
from demo.seed.world import COMPLIANCE_FLAGS, CONS, PROS, RED_FLAGS, SUGGESTED_QUESTIONS
from gateway.store.enums import (
    InterviewKind,
    InterviewStatus,
    MessageRole,
    ProcessingStatus,
    PromptType,
)
from gateway.store.models import Analysis, Application, Evaluation, Interview, InterviewMessage

_STATUSES = (
    InterviewStatus.SCHEDULED,
    InterviewStatus.IN_PROGRESS,
    InterviewStatus.COMPLETED,
    InterviewStatus.ABANDONED,
    InterviewStatus.EXPIRED,
)


class InterviewSteps(BuilderState):
    """Analyses of some applications; interviews of others, chats and evaluations included."""

    def _analyses(self) -> None:
        rng = self.rng
        for app in self.rows[Application]:
            if rng.random() >= 0.30:
                continue
            risk = round(rng.betavariate(2, 5), 2)
            pros = rng.sample(PROS, rng.randint(1, 3))
            cons = rng.sample(CONS, rng.randint(0, 2))
            red_flags = [rng.choice(RED_FLAGS)] if risk > 0.6 else []
            compliance = [rng.choice(COMPLIANCE_FLAGS)] if rng.random() < 0.05 else []
            questions = rng.sample(SUGGESTED_QUESTIONS, 3)
            job = self.jobs[app["job_id"]]
            fit = "Strong" if risk < 0.3 else "Reasonable" if risk < 0.6 else "Weak"
            summary = f"{fit} match for {job['title']} at {job['client_name']}."
            app["risk_score"] = risk
            app["compliance_review"] = bool(compliance)
            app["processing_status"] = ProcessingStatus.ANALYZED
            self._add(
                Analysis,
                {
                    "tenant_id": self.tenant_id,
                    "application_id": app["id"],
                    "risk_score": risk,
                    "relevance_summary": summary,
                    "pros": pros,
                    "cons": cons,
                    "red_flags": red_flags,
                    "suggested_questions": questions,
                    "compliance_flags": compliance,
                    "raw": {"risk_score": risk, "summary": summary, "pros": pros, "cons": cons},
                    "model": "demo-llm-1",
                    "prompt_id": self.prompt_ids[PromptType.RESUME_ANALYSIS],
                    "created_at": app["applied_at"] + random_span(rng, 2 * MINUTE, 90 * MINUTE),
                },
            )

    # self-service interviews, their chats and evaluations

    def _interviews(self) -> None:
        for app in self.rows[Application]:
            if self.rng.random() >= 0.15:
                continue
            self._interview(app)

    def _interview(self, app: Row) -> None:
        rng = self.rng
        status, invited, started = self._interview_schedule(app["applied_at"])
        message_count = {
            InterviewStatus.SCHEDULED: 2,
            InterviewStatus.IN_PROGRESS: rng.randint(3, 7),
            InterviewStatus.COMPLETED: rng.randint(8, 12),
            InterviewStatus.ABANDONED: rng.randint(2, 5),
            InterviewStatus.EXPIRED: rng.randint(2, 4),
        }[status]
        job = self.jobs[app["job_id"]]
        candidate = self.candidates[app["candidate_id"]]
        chat = chat_messages(
            rng,
            message_count,
            started=started is not None,
            closing=status is InterviewStatus.COMPLETED,
            first_name=candidate["first_name"],
            title=job["title"],
            client=job["client_name"],
        )
        human = rng.random() < 0.05
        if human:
            app["human_requested"] = True
        interview_id = self.ids.take(Interview)
        moment = self._chat(interview_id, chat, started or invited)
        completed = moment + 5 * SECOND if status is InterviewStatus.COMPLETED else None
        token = f"{self.slug}:{self.seed}:interview:{len(self.rows[Interview]) + 1}"
        self._add(
            Interview,
            {
                "id": interview_id,
                "tenant_id": self.tenant_id,
                **synced_columns(None, None, None, remote_updated_at=None, last_synced_at=None),
                "application_id": app["id"],
                "persona_id": self.persona_ids[0 if rng.random() < 0.8 else 1],
                "kind": InterviewKind.SELF_SERVICE,
                "interview_type": "screening",
                "status": status,
                "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                "token_expires_at": invited + 7 * DAY,
                "scheduled_at": None,
                "started_at": started,
                "completed_at": completed,
                "human_requested": human,
                "interviewer_user_id": None,
                "scheduled_by_user_id": job["recruiter_id"],
                "invite_sent_at": invited,
                "created_at": invited,
                "updated_at": completed or moment,
            },
        )
        if completed is not None:
            self._evaluation(interview_id, candidate["first_name"], completed)
            app["processing_status"] = ProcessingStatus.COMPLETE

    def _interview_schedule(
        self, applied: datetime
    ) -> tuple[InterviewStatus, datetime, datetime | None]:
        """The interview's status, when the invitation went out and when the chat began
        (None if it has not). ``applied`` is at least a day before ``BASE_TIME``."""
        rng = self.rng
        status = rng.choices(_STATUSES, weights=(20, 10, 45, 15, 10))[0]
        if status is InterviewStatus.EXPIRED and applied + 8 * DAY > BASE_TIME:
            status = InterviewStatus.SCHEDULED  # too recent for the link to have expired
        if status in (InterviewStatus.SCHEDULED, InterviewStatus.IN_PROGRESS):
            invited = max(applied + HOUR, BASE_TIME - random_span(rng, 2 * HOUR, 5 * DAY))
        else:
            invited = applied + random_span(rng, HOUR, 20 * HOUR)
        started = (
            None
            if status is InterviewStatus.SCHEDULED
            else invited + random_span(rng, 5 * MINUTE, HOUR)
        )
        return status, invited, started

    def _chat(
        self, interview_id: int, chat: list[tuple[MessageRole, str]], moment: datetime
    ) -> datetime:
        """The chat's messages from ``moment`` on, a few seconds to minutes apart; the
        time of the last."""
        for sequence, (role, content) in enumerate(chat, start=1):
            moment += random_span(self.rng, 20 * SECOND, 3 * MINUTE)
            self._add(
                InterviewMessage,
                {
                    "tenant_id": self.tenant_id,
                    "interview_id": interview_id,
                    "sequence": sequence,
                    "role": role,
                    "content": content,
                    "created_at": moment,
                },
            )
        return moment

    def _evaluation(self, interview_id: int, first_name: str, completed: datetime) -> None:
        self._add(
            Evaluation,
            {
                "tenant_id": self.tenant_id,
                "interview_id": interview_id,
                **evaluation_values(self.rng, first_name),
                "created_at": completed + 2 * MINUTE,
            },
        )
