"""Prompts and personas written directly through the service: one default per tenant
(and per prompt type), the input rules, and no reach into another tenant."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from gateway.errors import NotFound, ValidationFailed
from gateway.services.activities import Actor
from gateway.services.prompts import (
    create_persona,
    create_prompt,
    delete_persona,
    delete_prompt,
    update_persona,
    update_prompt,
)
from gateway.store.enums import ActorType, PromptType
from gateway.store.models import Activity, Job, Persona, Prompt
from tests.support.gateway import Gateway


def actor(gateway: Gateway, slug: str = "demo") -> Actor:
    demo = gateway.tenants[slug]
    return Actor(
        demo.tenant_id, ActorType.USER, str(demo.admin_user_id), "Admin", demo.admin_user_id
    )


def prompt_fields(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Screen",
        "prompt_type": PromptType.RESUME_ANALYSIS,
        "template_content": "Read {{resume}}",
        **overrides,
    }


async def new_prompt(gateway: Gateway, slug: str = "demo", **overrides: Any) -> int:
    async with gateway.app.state.session_factory.begin() as session:
        prompt = await create_prompt(session, actor(gateway, slug), prompt_fields(**overrides))
        return prompt.id


async def new_persona(gateway: Gateway, slug: str = "demo", **overrides: Any) -> int:
    fields = {"name": "Ana", "system_prompt_template": "You are Ana.", **overrides}
    async with gateway.app.state.session_factory.begin() as session:
        persona = await create_persona(session, actor(gateway, slug), fields)
        return persona.id


async def defaults(gateway: Gateway, model: Any, slug: str, *where: Any) -> list[int]:
    async with gateway.app.state.session_factory() as session:
        return list(
            await session.scalars(
                sa.select(model.id).where(
                    model.tenant_id == gateway.tenants[slug].tenant_id,
                    model.is_default.is_(True),
                    *where,
                )
            )
        )


async def count(gateway: Gateway, model: Any, slug: str = "demo") -> int:
    async with gateway.app.state.session_factory() as session:
        found = await session.scalar(
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.tenant_id == gateway.tenants[slug].tenant_id)
        )
    return int(found or 0)


async def test_a_default_prompt_replaces_the_tenants_default_of_its_type(gateway: Gateway) -> None:
    same_type = PromptType.EVALUATION
    theirs = await new_prompt(gateway, "other", prompt_type=same_type, is_default=True)
    interview = await new_prompt(gateway, prompt_type=PromptType.INTERVIEW, is_default=True)
    await new_prompt(gateway, prompt_type=same_type, is_default=True)

    newest = await new_prompt(gateway, prompt_type=same_type, is_default=True)

    assert await defaults(gateway, Prompt, "demo", Prompt.prompt_type == same_type) == [newest]
    assert interview in await defaults(gateway, Prompt, "demo")
    assert await defaults(gateway, Prompt, "other", Prompt.prompt_type == same_type) == [theirs]
    async with gateway.app.state.session_factory() as session:
        recorded = await session.scalar(
            sa.select(Activity.action).where(
                Activity.subject_type == "Prompt", Activity.subject_id == newest
            )
        )
    assert recorded == "prompt.created"


async def test_making_a_prompt_default_by_update_clears_the_others(gateway: Gateway) -> None:
    kind = PromptType.INTERVIEW_EMAIL
    first = await new_prompt(gateway, prompt_type=kind, is_default=True)
    second = await new_prompt(gateway, prompt_type=kind)

    async with gateway.app.state.session_factory.begin() as session:
        updated = await update_prompt(session, actor(gateway), second, {"is_default": True})
    assert updated.is_default
    assert await defaults(gateway, Prompt, "demo", Prompt.prompt_type == kind) == [second]
    assert first != second


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"prompt_type": None}, "promptType"),
        ({"name": "   "}, "name"),
        ({"template_content": ""}, "templateContent"),
        ({"template_content": "x" * 100_001}, "templateContent"),
        ({"schema_content": "{not json"}, "schemaContent"),
        ({"schema_content": "[1, 2]"}, "schemaContent"),
        ({"schema_content": '{"type": "strng"}'}, "schemaContent"),
        ({"schema_content": '{"properties": {"a": {"minimum": "one"}}}'}, "schemaContent"),
        ({"schema_content": '{"required": "a"}'}, "schemaContent"),
    ],
)
async def test_a_bad_prompt_is_refused(
    gateway: Gateway, fields: dict[str, Any], field: str
) -> None:
    before = await count(gateway, Prompt)

    with pytest.raises(ValidationFailed) as refused:
        await new_prompt(gateway, **fields)
    assert refused.value.field == field
    assert await count(gateway, Prompt) == before


async def test_a_schema_error_says_where(gateway: Gateway) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await new_prompt(gateway, schema_content='{"properties": {"a": {"type": "strng"}}}')
    assert "properties/a/type" in refused.value.message


async def test_an_empty_schema_is_stored_as_none(gateway: Gateway) -> None:
    prompt_id = await new_prompt(gateway, schema_content="  ")
    async with gateway.app.state.session_factory() as session:
        prompt = await session.get(Prompt, prompt_id)
    assert prompt is not None and prompt.schema_content is None


async def test_prompts_never_reach_another_tenant(gateway: Gateway) -> None:
    theirs = await new_prompt(gateway, "other", name="Theirs")
    async with gateway.app.state.session_factory() as session:
        their_job = await session.scalar(
            sa.select(Job.id).where(Job.tenant_id == gateway.tenants["other"].tenant_id).limit(1)
        )
    assert their_job is not None
    factory = gateway.app.state.session_factory

    with pytest.raises(NotFound):
        async with factory.begin() as session:
            await update_prompt(session, actor(gateway), theirs, {"name": "Mine now"})
    with pytest.raises(NotFound):
        async with factory.begin() as session:
            await delete_prompt(session, actor(gateway), theirs)
    with pytest.raises(NotFound):
        await new_prompt(gateway, job_id=their_job)

    async with factory() as session:
        kept = await session.get(Prompt, theirs)
    assert kept is not None and kept.name == "Theirs"


async def test_a_deleted_prompt_is_gone_and_recorded(gateway: Gateway) -> None:
    prompt_id = await new_prompt(gateway)
    async with gateway.app.state.session_factory.begin() as session:
        await delete_prompt(session, actor(gateway), prompt_id)
    async with gateway.app.state.session_factory() as session:
        assert await session.get(Prompt, prompt_id) is None
        actions = await session.scalars(
            sa.select(Activity.action)
            .where(Activity.subject_type == "Prompt", Activity.subject_id == prompt_id)
            .order_by(Activity.id)
        )
        assert list(actions) == ["prompt.created", "prompt.deleted"]


async def test_one_default_persona_per_tenant(gateway: Gateway) -> None:
    theirs = await new_persona(gateway, "other", is_default=True)
    first = await new_persona(gateway, is_default=True)
    second = await new_persona(gateway, name="Ben", description="  ")

    async with gateway.app.state.session_factory.begin() as session:
        persona = await update_persona(session, actor(gateway), second, {"is_default": True})
    assert persona.description is None

    assert await defaults(gateway, Persona, "demo") == [second]
    assert await defaults(gateway, Persona, "other") == [theirs]
    assert first != second


async def test_personas_never_reach_another_tenant(gateway: Gateway) -> None:
    theirs = await new_persona(gateway, "other", name="Theirs")
    factory = gateway.app.state.session_factory

    with pytest.raises(NotFound):
        async with factory.begin() as session:
            await update_persona(session, actor(gateway), theirs, {"is_default": True})
    with pytest.raises(NotFound):
        async with factory.begin() as session:
            await delete_persona(session, actor(gateway), theirs)
    with pytest.raises(ValidationFailed):
        await new_persona(gateway, system_prompt_template=" ")

    async with factory() as session:
        kept = await session.get(Persona, theirs)
    assert kept is not None and kept.name == "Theirs" and not kept.is_default
