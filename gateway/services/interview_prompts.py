"""What shapes a self-service interview: the persona, the tenant's prompt templates,
the requisition's instructions and the resume analysis' questions, rendered for one
interview.

    subject = await load_subject(session, interview)       # candidate, job, persona, ...
    render("Hi {{ candidate_first_name }}", subject.values())   # "Hi Maria"
    turn = interview_turn(subject, messages, max_questions=6)   # -> provider.interview_turn
    transcript = evaluation_request(subject, messages)          # -> provider.evaluate

Templates use ``{{name}}`` placeholders (spaces inside the braces allowed). Known names:
``candidate_name``, ``candidate_first_name``, ``job_title``, ``company`` (also
``company_name`` and ``client_name``: the requisition's client, else the tenant),
``recruiter_name``, ``recruiter_contact``, ``interview_instructions``, ``persona_name``,
``expiry_days``; invitations add ``interview_link`` and ``expires_at``, evaluations
``transcript``. An unknown name is left as written, so a typo shows instead of vanishing.

Which template: the requisition's own prompt of the type when there is one (its
default first, then the newest), else the tenant's default of that type, else the
built-in text below. The persona is the interview's, else the tenant's default persona,
else ``DEFAULT_SYSTEM_PROMPT``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ai.provider import (
    InterviewTranscript,
    InterviewTurn,
    Message,
    Role,
    parse_questions,
)
from gateway.ai.templates import format_transcript, render_template
from gateway.store.enums import MessageRole, PromptType
from gateway.store.models import (
    Analysis,
    Application,
    Candidate,
    Interview,
    InterviewMessage,
    Job,
    Persona,
    Prompt,
    Tenant,
    TenantSettings,
    User,
)

_SUBJECT_LINE = re.compile(r"\A\s*subject:[ \t]*(?P<subject>[^\n]+)\n", re.IGNORECASE)

DEFAULT_EXPIRY_DAYS = 7
DEFAULT_SYSTEM_PROMPT = (
    "You are an AI interviewer screening {{candidate_first_name}} for the {{job_title}} "
    "role with {{company}}. Ask one question at a time, acknowledge each answer briefly "
    "and keep a polite, neutral tone."
)
DEFAULT_INVITATION = (
    "Subject: Your interview for {{job_title}} with {{company}}\n"
    "Hi {{candidate_first_name}},\n\n"
    "Thank you for applying for {{job_title}} with {{company}}. The next step is a short "
    "online interview you can take whenever it suits you: {{interview_link}}\n\n"
    "The link is valid until {{expires_at}} ({{expiry_days}} days).\n\n"
    "{{recruiter_name}}"
)

_ROLES: dict[MessageRole, Role] = {
    MessageRole.SYSTEM: "system",
    MessageRole.ASSISTANT: "interviewer",
    MessageRole.RECRUITER: "interviewer",
    MessageRole.CANDIDATE: "candidate",
}


def render(template: str, values: Mapping[str, str]) -> str:
    """``render("Hi {{ name }}, {{other}}", {"name": "Ana"})`` -> ``"Hi Ana, {{other}}"``."""
    return render_template(template, values)


def first_name(candidate_first: str | None, full_name: str) -> str:
    """The name a candidate is greeted by: the stored first name, else the first word."""
    if candidate_first and candidate_first.strip():
        return candidate_first.strip()
    words = full_name.split()
    return words[0] if words else "there"


@dataclass(frozen=True, slots=True)
class InterviewSubject:
    """One interview with everything its prompts and its public page need."""

    interview_id: int
    tenant_id: int
    application_id: int
    job_id: int
    candidate_id: int
    candidate_name: str
    candidate_first_name: str
    candidate_email: str | None
    job_title: str
    company: str
    tenant_name: str
    interview_instructions: str | None
    recruiter_name: str | None
    recruiter_contact: str | None
    persona_name: str | None
    persona_template: str
    interview_template: Template | None
    evaluation_template: Template | None
    invitation_template: Template
    questions: tuple[str, ...]
    expiry_days: int
    email_from_address: str | None
    email_from_name: str | None

    def values(self, **extra: str) -> dict[str, str]:
        values = {
            "candidate_name": self.candidate_name,
            "candidate_first_name": self.candidate_first_name,
            "job_title": self.job_title,
            "company": self.company,
            "company_name": self.company,
            "client_name": self.company,
            "recruiter_name": self.recruiter_name or self.company,
            "recruiter_contact": self.recruiter_contact or "",
            "interview_instructions": self.interview_instructions or "",
            "persona_name": self.persona_name or "",
            "expiry_days": str(self.expiry_days),
        }
        values.update(extra)
        return values

    def system_prompt(self) -> str:
        return render(self.persona_template, self.values())


@dataclass(frozen=True, slots=True)
class Template:
    content: str
    json_schema: dict[str, object] | None = None


def _schema(text: str | None) -> dict[str, object] | None:
    if not text or not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:  # prompts.py refuses these; an old row may hold one
        return None
    return value if isinstance(value, dict) else None


async def _prompt(
    session: AsyncSession, tenant_id: int, prompt_type: PromptType, job_id: int
) -> Template | None:
    """The requisition's prompt of that type, else the tenant's default one."""
    row = (
        await session.execute(
            sa.select(Prompt.template_content, Prompt.schema_content)
            .where(
                Prompt.tenant_id == tenant_id,
                Prompt.prompt_type == prompt_type,
                sa.or_(
                    Prompt.job_id == job_id,
                    sa.and_(Prompt.job_id.is_(None), Prompt.is_default.is_(True)),
                ),
            )
            .order_by(Prompt.job_id.is_(None), Prompt.is_default.desc(), Prompt.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    return Template(row.template_content, _schema(row.schema_content))


async def _persona(session: AsyncSession, tenant_id: int, persona_id: int | None) -> Persona | None:
    if persona_id is not None:
        persona = await session.scalar(
            sa.select(Persona).where(Persona.id == persona_id, Persona.tenant_id == tenant_id)
        )
        if persona is not None:
            return persona
    return await default_persona(session, tenant_id)


async def default_persona(session: AsyncSession, tenant_id: int) -> Persona | None:
    """The tenant's default persona, if it marked one."""
    return await session.scalar(
        sa.select(Persona)
        .where(Persona.tenant_id == tenant_id, Persona.is_default.is_(True))
        .order_by(Persona.id)
        .limit(1)
    )


async def _recruiter(
    session: AsyncSession, tenant_id: int, user_ids: Sequence[int | None]
) -> User | None:
    for user_id in user_ids:
        if user_id is None:
            continue
        user = await session.scalar(
            sa.select(User).where(User.id == user_id, User.tenant_id == tenant_id)
        )
        if user is not None and user.is_active:
            return user
    return None


async def load_subject(session: AsyncSession, interview: Interview) -> InterviewSubject:
    tenant_id = interview.tenant_id
    found = (
        await session.execute(
            sa.select(Application, Candidate, Job, Tenant)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .join(Job, Job.id == Application.job_id)
            .join(Tenant, Tenant.id == Application.tenant_id)
            .where(Application.id == interview.application_id, Application.tenant_id == tenant_id)
        )
    ).one()
    application, candidate, job, tenant = found
    settings = await session.get(TenantSettings, tenant_id)
    persona = await _persona(session, tenant_id, interview.persona_id)
    recruiter = await _recruiter(
        session,
        tenant_id,
        [job.recruiter_id, settings.default_recruiter_id if settings is not None else None],
    )
    questions = await session.scalar(
        sa.select(Analysis.suggested_questions)
        .where(Analysis.application_id == application.id, Analysis.tenant_id == tenant_id)
        .order_by(Analysis.created_at.desc(), Analysis.id.desc())
        .limit(1)
    )
    return InterviewSubject(
        interview_id=interview.id,
        tenant_id=tenant_id,
        application_id=application.id,
        job_id=job.id,
        candidate_id=candidate.id,
        candidate_name=candidate.name,
        candidate_first_name=first_name(candidate.first_name, candidate.name),
        candidate_email=candidate.email,
        job_title=job.title,
        company=(job.client_name or "").strip() or tenant.name,
        tenant_name=tenant.name,
        interview_instructions=job.interview_instructions,
        recruiter_name=recruiter.name if recruiter is not None else None,
        recruiter_contact=recruiter.public_contact_info if recruiter is not None else None,
        persona_name=persona.name if persona is not None else None,
        persona_template=persona.system_prompt_template
        if persona is not None
        else DEFAULT_SYSTEM_PROMPT,
        interview_template=await _prompt(session, tenant_id, PromptType.INTERVIEW, job.id),
        evaluation_template=await _prompt(session, tenant_id, PromptType.EVALUATION, job.id),
        invitation_template=await _prompt(session, tenant_id, PromptType.INTERVIEW_EMAIL, job.id)
        or Template(DEFAULT_INVITATION),
        questions=tuple(str(q) for q in (questions or []) if str(q).strip()),
        expiry_days=settings.interview_token_expiry_days
        if settings is not None
        else DEFAULT_EXPIRY_DAYS,
        email_from_address=settings.email_from_address if settings is not None else None,
        email_from_name=settings.email_from_name if settings is not None else None,
    )


async def load_messages(session: AsyncSession, interview_id: int) -> list[InterviewMessage]:
    return list(
        (
            await session.scalars(
                sa.select(InterviewMessage)
                .where(InterviewMessage.interview_id == interview_id)
                .order_by(InterviewMessage.sequence, InterviewMessage.id)
            )
        ).all()
    )


def provider_messages(messages: Sequence[InterviewMessage]) -> tuple[Message, ...]:
    return tuple(Message(_ROLES[m.role], m.content) for m in messages)


def transcript_text(messages: Sequence[InterviewMessage]) -> str:
    """``Interviewer: ...`` / ``Candidate: ...`` lines, for the ``{{transcript}}`` name."""
    return format_transcript(provider_messages(messages))


def interview_turn(
    subject: InterviewSubject, messages: Sequence[InterviewMessage], *, max_questions: int
) -> InterviewTurn:
    """The persona's questions (question sentences in its system prompt) come first, then
    the resume analysis' suggested ones; the provider adds those of the instructions."""
    values = subject.values()
    system_prompt = subject.system_prompt()
    template = subject.interview_template
    parts = [
        render(template.content, values) if template is not None else None,
        subject.interview_instructions,
    ]
    instructions = "\n\n".join(p.strip() for p in parts if p and p.strip()) or None
    return InterviewTurn(
        system_prompt=system_prompt,
        instructions=instructions,
        questions=(*parse_questions(system_prompt), *subject.questions),
        transcript=provider_messages(messages),
        candidate_name=subject.candidate_first_name,
        job_title=subject.job_title,
        company=subject.company,
        max_questions=max_questions,
    )


def evaluation_request(
    subject: InterviewSubject, messages: Sequence[InterviewMessage]
) -> InterviewTranscript:
    template = subject.evaluation_template
    instructions = (
        render(template.content, subject.values(transcript=transcript_text(messages)))
        if template is not None
        else None
    )
    return InterviewTranscript(
        system_prompt=subject.system_prompt(),
        instructions=instructions,
        transcript=provider_messages(messages),
        job_title=subject.job_title,
        candidate_name=subject.candidate_name,
        json_schema=template.json_schema if template is not None else None,
    )


@dataclass(frozen=True, slots=True)
class Invitation:
    subject: str
    body: str


def invitation(subject: InterviewSubject, **values: str) -> Invitation:
    """The invitation email: a first line ``Subject: ...`` in the template is its
    subject; without one the subject is "Your interview for <job> with <company>"."""
    text = render(subject.invitation_template.content, subject.values(**values)).replace(
        "\r\n", "\n"
    )
    match = _SUBJECT_LINE.match(text)
    if match is not None:
        title, body = match.group("subject").strip(), text[match.end() :]
    else:
        title, body = f"Your interview for {subject.job_title} with {subject.company}", text
    return Invitation(subject=title[:255], body=body.strip() + "\n")
