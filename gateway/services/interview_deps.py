"""What the self-service interview services run with: the tenant's interview settings
(``InterviewConfig``: links, limits, timeouts, SMTP), the store, bus, locks and AI
provider they use (``InterviewDeps``), and the per-interview lock every chat turn and
invitation holds (``lock_name``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from gateway import links
from gateway.ai.provider import AIProvider
from gateway.locks import LockFactory
from gateway.outbox import Outbox
from gateway.pubsub import EventBus
from gateway.services.interview_mail import SmtpConfig
from gateway.settings import Settings
from gateway.store.engine import SessionFactory


def _setting(settings: Settings, name: str, default: Any) -> Any:
    """A setting that ``gateway.settings`` may not declare yet: its default until then."""
    value = getattr(settings, name, None)
    return default if value is None else value


def _secret(value: Any) -> str | None:
    """A str or a pydantic ``SecretStr``."""
    reveal = getattr(value, "get_secret_value", None)
    text = reveal() if callable(reveal) else value
    return str(text) if text else None


@dataclass(frozen=True, slots=True)
class InterviewConfig:
    public_url: str = links.DEFAULT_BASE
    """Base of the link shown to the caller alone (``interviewCreate``)."""
    invite_url: str | None = None
    """Base of the link mailed to the candidate and kept in the timeline, which must not
    come from a client's Host header (``gateway.links.for_others``); None: ``public_url``."""
    max_questions: int = 6
    """Candidate answers before the interviewer's closing turn completes the interview."""
    max_message_chars: int = 4000
    max_messages: int = 100
    """Stored messages per interview, both sides; past it the candidate is refused."""
    abandon_after: timedelta = timedelta(hours=24)
    turn_timeout: float = 120.0
    """Seconds one interviewer turn (or evaluation) may take before it counts as failed."""
    smtp: SmtpConfig | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, public_url: str | None = None, invite_url: str | None = None
    ) -> InterviewConfig:
        """``public_url``/``invite_url``: the request's bases (``gateway.links``); without
        a request, both are ``links.outside_request``."""
        host = _setting(settings, "smtp_host", None)
        smtp = (
            SmtpConfig(
                host=str(host),
                port=int(_setting(settings, "smtp_port", 587)),
                username=_setting(settings, "smtp_username", None),
                password=_secret(_setting(settings, "smtp_password", None)),
                sender=_setting(settings, "smtp_from", None),
                starttls=bool(_setting(settings, "smtp_starttls", True)),
                timeout=float(_setting(settings, "smtp_timeout_seconds", 10.0)),
            )
            if host
            else None
        )
        return cls(
            public_url=public_url or links.outside_request(settings),
            invite_url=invite_url,
            max_questions=int(_setting(settings, "interview_max_questions", 6)),
            max_message_chars=int(_setting(settings, "interview_max_message_chars", 4000)),
            max_messages=int(_setting(settings, "interview_max_messages", 100)),
            abandon_after=timedelta(
                hours=float(_setting(settings, "interview_abandon_after_hours", 24.0))
            ),
            turn_timeout=float(_setting(settings, "interview_turn_timeout_seconds", 120.0)),
            smtp=smtp,
        )

    def link(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/interview/{token}"

    def invite_link(self, token: str) -> str:
        return f"{(self.invite_url or self.public_url).rstrip('/')}/interview/{token}"


@dataclass(frozen=True, slots=True)
class InterviewDeps:
    session_factory: SessionFactory
    bus: EventBus
    locks: LockFactory
    config: InterviewConfig
    provider: AIProvider | None = None
    """Needed by the chat and by evaluations only."""

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.session_factory, self.bus)

    def require_provider(self) -> AIProvider:
        if self.provider is None:
            raise RuntimeError("no AI provider configured")
        return self.provider


class HasInterviewConfig(Protocol):
    @property
    def config(self) -> InterviewConfig: ...


class HasInterviewer(Protocol):
    """The AI provider that asks and evaluates; raises when none is configured."""

    def require_provider(self) -> AIProvider: ...


def lock_name(interview_id: int) -> str:
    """The per-interview lock every chat turn and invitation holds."""
    return f"interview:{interview_id}"
