"""What shapes a self-service interview, read directly from the store: the candidate,
requisition, recruiter, persona and questions of the interview's own tenant; the
requisition's prompt before the tenant's default before the built-in text; and the
rendered turn, evaluation request and invitation built from them. Nothing of another
tenant is ever read, even when its rows point at this tenant's requisition."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gateway.services.interview_prompts import (
    DEFAULT_SYSTEM_PROMPT,
    evaluation_request,
    interview_turn,
    invitation,
    load_messages,
    render,
)
from gateway.store.base import utcnow
from gateway.store.enums import MessageRole, PromptType, Role
from gateway.store.models import (
    Analysis,
    Interview,
    Persona,
    Prompt,
    Tenant,
    TenantSettings,
    User,
)
from tests.gateway.services.interview_setup import add_chat, interview_deps
from tests.gateway.services.interview_subjects import add, change, interview_on, subject_of
from tests.gateway.services.service_world import World, listening
from tests.support.gateway import Gateway


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> AsyncIterator[World]:
    async with listening(gateway) as world:
        yield world


def prompt(world: World, kind: PromptType, content: str, **fields: object) -> Prompt:
    return Prompt(
        tenant_id=world.tenant_id(str(fields.pop("tenant", "demo"))),
        name=f"{kind.value} prompt",
        prompt_type=kind,
        template_content=content,
        **fields,
    )


async def recruiter(world: World, name: str, *, tenant: str = "demo", active: bool = True) -> int:
    [user_id] = await add(
        world,
        User(
            tenant_id=world.tenant_id(tenant),
            email=f"{name.split()[0].lower()}@{tenant}.example",
            name=name,
            role=Role.RECRUITER,
            public_contact_info=f"{name}, +44 20 7946 0000",
            is_active=active,
        ),
    )
    return user_id


@asynccontextmanager
async def nothing_marked_default(world: World) -> AsyncIterator[None]:
    """The demo tenant without a default prompt or persona, for the block's length."""
    tenant_id = world.tenant_id("demo")
    models = (Prompt, Persona)
    async with world.session_factory.begin() as session:
        marked = {
            model: list(
                await session.scalars(
                    sa.select(model.id).where(model.tenant_id == tenant_id, model.is_default)
                )
            )
            for model in models
        }
        for model in models:
            await session.execute(
                sa.update(model).where(model.id.in_(marked[model])).values(is_default=False)
            )
    try:
        yield
    finally:
        async with world.session_factory.begin() as session:
            for model in models:
                await session.execute(
                    sa.update(model).where(model.id.in_(marked[model])).values(is_default=True)
                )


async def test_the_subject_is_read_from_the_interviews_own_rows(world: World) -> None:
    deps = interview_deps(world)
    recruiter_id = await recruiter(world, "Rita Moreno")
    issued = await interview_on(
        world,
        deps,
        job={
            "title": "Night Dispatcher",
            "client_name": "Northwind Freight",
            "recruiter_id": recruiter_id,
            "interview_instructions": "Ask about night shifts.",
        },
        candidate={"name": "María José Ruiz", "email": "maria@example.org"},
    )
    interview = await world.get(Interview, issued.interview_id)
    now = utcnow()
    await add(
        world,
        Analysis(
            tenant_id=interview.tenant_id,
            application_id=interview.application_id,
            suggested_questions=["An older question?"],
            created_at=now - timedelta(hours=1),
        ),
        Analysis(
            tenant_id=interview.tenant_id,
            application_id=interview.application_id,
            suggested_questions=["How do you plan a route under time pressure?", "  "],
            created_at=now,
        ),
    )
    settings = await world.get(TenantSettings, interview.tenant_id)

    subject = await subject_of(world, issued.interview_id)

    assert (subject.candidate_name, subject.candidate_first_name) == ("María José Ruiz", "María")
    assert (subject.job_title, subject.company) == ("Night Dispatcher", "Northwind Freight")
    assert subject.recruiter_name == "Rita Moreno"
    assert subject.recruiter_contact == "Rita Moreno, +44 20 7946 0000"
    assert subject.interview_instructions == "Ask about night shifts."
    assert subject.questions == ("How do you plan a route under time pressure?",)
    assert subject.persona_name == "Friendly Interviewer"
    assert subject.expiry_days == settings.interview_token_expiry_days
    assert subject.email_from_address == settings.email_from_address
    assert (subject.tenant_id, subject.application_id) == (
        interview.tenant_id,
        interview.application_id,
    )


async def test_missing_names_fall_back_to_the_tenant_and_its_default_recruiter(
    world: World,
) -> None:
    inactive = await recruiter(world, "Ivo Left", active=False)
    issued = await interview_on(
        world,
        interview_deps(world),
        job={"client_name": "   ", "recruiter_id": inactive},
        candidate={"first_name": " Bea ", "name": "Beatriz Costa"},
    )
    tenant_id = world.tenant_id("demo")
    settings = await world.get(TenantSettings, tenant_id)
    default_recruiter = await world.get(User, settings.default_recruiter_id)

    subject = await subject_of(world, issued.interview_id)

    assert subject.company == (await world.get(Tenant, tenant_id)).name
    assert subject.candidate_first_name == "Bea"
    assert subject.recruiter_name == default_recruiter.name
    assert subject.questions == ()


async def test_the_requisitions_own_prompt_comes_before_the_tenants_default(world: World) -> None:
    issued = await interview_on(world, interview_deps(world))
    job_id = (await subject_of(world, issued.interview_id)).job_id
    await add(
        world,
        prompt(world, PromptType.INTERVIEW, "Job default", job_id=job_id, is_default=True),
        prompt(world, PromptType.INTERVIEW, "Job newer, not default", job_id=job_id),
        prompt(world, PromptType.EVALUATION, "Job older", job_id=job_id),
        prompt(world, PromptType.EVALUATION, "Job newest", job_id=job_id),
    )
    tenant_default = await world.scalar(
        sa.select(Prompt.template_content).where(
            Prompt.tenant_id == world.tenant_id("demo"),
            Prompt.prompt_type == PromptType.INTERVIEW_EMAIL,
            Prompt.job_id.is_(None),
            Prompt.is_default,
        )
    )

    subject = await subject_of(world, issued.interview_id)

    assert subject.interview_template is not None
    assert subject.interview_template.content == "Job default"
    assert subject.evaluation_template is not None
    assert subject.evaluation_template.content == "Job newest"
    assert subject.invitation_template.content == tenant_default


async def test_without_prompts_or_persona_the_built_in_texts_apply(world: World) -> None:
    async with nothing_marked_default(world):
        issued = await interview_on(world, interview_deps(world))
        subject = await subject_of(world, issued.interview_id)

    assert (subject.interview_template, subject.evaluation_template) == (None, None)
    assert subject.persona_name is None
    assert subject.persona_template == DEFAULT_SYSTEM_PROMPT
    mail = invitation(subject, interview_link="https://jobs.example/interview/iv_x")
    assert mail.subject == f"Your interview for {subject.job_title} with {subject.company}"
    assert "https://jobs.example/interview/iv_x" in mail.body
    assert not mail.body.startswith("Subject:")


async def test_another_tenants_persona_prompts_and_users_are_never_used(world: World) -> None:
    outsider = await recruiter(world, "Olga Outside", tenant="other")
    issued = await interview_on(world, interview_deps(world), job={"recruiter_id": outsider})
    ours = await subject_of(world, issued.interview_id)
    other = world.tenant_id("other")
    theirs, *_ = await add(
        world,
        Persona(tenant_id=other, name="Their persona", system_prompt_template="THEIRS"),
        prompt(world, PromptType.INTERVIEW, "THEIRS", tenant="other", job_id=ours.job_id),
        prompt(
            world,
            PromptType.EVALUATION,
            "THEIRS",
            tenant="other",
            job_id=ours.job_id,
            is_default=True,
        ),
        Analysis(
            tenant_id=other,
            application_id=ours.application_id,
            suggested_questions=["Their question here?"],
        ),
    )
    await change(world, Interview, issued.interview_id, persona_id=theirs)

    subject = await subject_of(world, issued.interview_id)

    assert subject.persona_name == "Friendly Interviewer"
    assert "THEIRS" not in subject.persona_template
    for template in (subject.interview_template, subject.evaluation_template):
        assert template is not None and template.content != "THEIRS"
    assert subject.recruiter_name != "Olga Outside"
    assert subject.questions == ()


async def test_an_interview_turn_carries_the_rendered_prompts_and_questions(world: World) -> None:
    issued = await interview_on(
        world,
        interview_deps(world),
        job={"title": "Forklift Operator", "interview_instructions": "Ask about safety."},
        candidate={"name": "Tomás Reyes"},
    )
    subject = await subject_of(world, issued.interview_id)
    persona, *_ = await add(
        world,
        Persona(
            tenant_id=subject.tenant_id,
            name="Direct",
            system_prompt_template="Screen {{ candidate_first_name }} for {{job_title}}. "
            "Open with: what drew you to warehouse work?",
        ),
        prompt(
            world,
            PromptType.INTERVIEW,
            "Keep {{candidate_first_name}} at ease {{mood}}.",
            job_id=subject.job_id,
        ),
        Analysis(
            tenant_id=subject.tenant_id,
            application_id=subject.application_id,
            suggested_questions=["Which machines are you certified on?"],
        ),
    )
    await change(world, Interview, issued.interview_id, persona_id=persona)
    await add_chat(world, issued.interview_id, ["Welcome, Tomás.", "Thanks, happy to be here."])
    subject = await subject_of(world, issued.interview_id)
    async with world.session_factory() as session:
        messages = await load_messages(session, issued.interview_id)

    turn = interview_turn(subject, messages, max_questions=4)

    assert turn.system_prompt == (
        "Screen Tomás for Forklift Operator. Open with: what drew you to warehouse work?"
    )
    assert turn.instructions == "Keep Tomás at ease {{mood}}.\n\nAsk about safety."
    assert turn.questions == (
        "Open with: what drew you to warehouse work?",
        "Which machines are you certified on?",
    )
    assert [(m.role, m.content) for m in turn.transcript] == [
        ("interviewer", "Welcome, Tomás."),
        ("candidate", "Thanks, happy to be here."),
    ]
    assert (turn.candidate_name, turn.company, turn.max_questions) == ("Tomás", subject.company, 4)
    assert [m.role for m in messages] == [MessageRole.ASSISTANT, MessageRole.CANDIDATE]


async def test_an_evaluation_request_renders_the_transcript_and_its_schema(world: World) -> None:
    issued = await interview_on(world, interview_deps(world), candidate={"name": "Lea Park"})
    subject = await subject_of(world, issued.interview_id)
    schema = {"type": "object", "required": ["overall_score"]}
    await add(
        world,
        prompt(
            world,
            PromptType.EVALUATION,
            "Score {{candidate_name}}:\n{{transcript}}",
            job_id=subject.job_id,
            schema_content=json.dumps(schema),
        ),
    )
    await add_chat(world, issued.interview_id, ["Why this role?", "  I like logistics. "])
    subject = await subject_of(world, issued.interview_id)
    async with world.session_factory() as session:
        messages = await load_messages(session, issued.interview_id)

    request = evaluation_request(subject, messages)

    assert request.instructions == (
        "Score Lea Park:\nInterviewer: Why this role?\nCandidate: I like logistics."
    )
    assert request.json_schema == schema
    assert request.candidate_name == "Lea Park"
    assert request.system_prompt == subject.system_prompt()


async def test_an_unreadable_schema_is_dropped_not_sent(world: World) -> None:
    issued = await interview_on(world, interview_deps(world))
    job_id = (await subject_of(world, issued.interview_id)).job_id
    await add(
        world,
        prompt(world, PromptType.EVALUATION, "Score it", job_id=job_id, schema_content="{not json"),
    )

    subject = await subject_of(world, issued.interview_id)

    assert subject.evaluation_template is not None
    assert subject.evaluation_template.json_schema is None


async def test_an_invitations_first_subject_line_becomes_its_subject(world: World) -> None:
    issued = await interview_on(world, interview_deps(world), candidate={"name": "Noor Ali"})
    job_id = (await subject_of(world, issued.interview_id)).job_id
    await add(
        world,
        prompt(
            world,
            PromptType.INTERVIEW_EMAIL,
            "subject:  Next step, {{ candidate_first_name }}\r\nOpen {{interview_link}} "
            "before {{expires_at}}; {{unknown_name}} stays.\r\n",
            job_id=job_id,
        ),
    )
    subject = await subject_of(world, issued.interview_id)

    mail = invitation(subject, interview_link="https://jobs.example/i/1", expires_at="Friday")

    assert mail.subject == "Next step, Noor"
    assert mail.body == "Open https://jobs.example/i/1 before Friday; {{unknown_name}} stays.\n"


def test_rendering_fills_known_names_and_leaves_unknown_ones_as_written() -> None:
    assert render("Hi {{ name }}, {{other}}{{name}}", {"name": "Ana"}) == "Hi Ana, {{other}}Ana"
