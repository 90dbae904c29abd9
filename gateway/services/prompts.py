from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ai.schema import SchemaError, check_schema
from gateway.errors import ValidationFailed
from gateway.services.activities import Actor, record_activity
from gateway.services.validation import required_text, tenant_row
from gateway.store.enums import PromptType
from gateway.store.models import Job, Persona, Prompt

TEMPLATE_LIMIT = 100_000


def _json_schema(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValidationFailed("schemaContent", f"schemaContent is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise ValidationFailed("schemaContent", "schemaContent must be a JSON object schema")
    try:
        check_schema(parsed)
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.absolute_path) or "the top level"
        raise ValidationFailed(
            "schemaContent", f"schemaContent is not a valid JSON Schema at {where}: {exc.message}"
        ) from exc
    return value


async def _clear_other_defaults(
    session: AsyncSession, model: Any, tenant_id: int, keep: int, **scope: Any
) -> None:
    await session.execute(
        sa.update(model)
        .where(model.tenant_id == tenant_id, model.id != keep, model.is_default.is_(True))
        .where(*(getattr(model, name) == value for name, value in scope.items()))
        .values(is_default=False)
    )


async def _apply(
    session: AsyncSession, actor: Actor, prompt: Prompt, changes: dict[str, Any]
) -> None:
    if "name" in changes:
        prompt.name = required_text("name", changes["name"])
    if "prompt_type" in changes and changes["prompt_type"] is not None:
        prompt.prompt_type = PromptType(changes["prompt_type"])
    if "template_content" in changes:
        prompt.template_content = required_text(
            "templateContent", changes["template_content"], max_length=TEMPLATE_LIMIT
        )
    if "schema_content" in changes:
        prompt.schema_content = _json_schema(changes["schema_content"])
    if "job_id" in changes:
        job_id = changes["job_id"]
        if job_id is not None:
            await tenant_row(session, Job, actor.tenant_id, job_id, "Job")
        prompt.job_id = job_id
    if "is_default" in changes and changes["is_default"] is not None:
        prompt.is_default = bool(changes["is_default"])


async def create_prompt(session: AsyncSession, actor: Actor, fields: dict[str, Any]) -> Prompt:
    prompt = Prompt(tenant_id=actor.tenant_id, is_default=False)
    for name in ("name", "prompt_type", "template_content"):
        fields.setdefault(name, None)
    if fields["prompt_type"] is None:
        raise ValidationFailed("promptType", "promptType is required")
    await _apply(session, actor, prompt, fields)
    session.add(prompt)
    await session.flush()
    if prompt.is_default:
        await _clear_other_defaults(
            session, Prompt, actor.tenant_id, prompt.id, prompt_type=prompt.prompt_type
        )
    record_activity(
        session,
        actor,
        action="prompt.created",
        subject_type="Prompt",
        subject_id=prompt.id,
        job_id=prompt.job_id,
        description=f"Created {prompt.prompt_type.value} prompt {prompt.name}",
    )
    return prompt


async def update_prompt(
    session: AsyncSession, actor: Actor, prompt_id: int, changes: dict[str, Any]
) -> Prompt:
    prompt: Prompt = await tenant_row(session, Prompt, actor.tenant_id, prompt_id, "Prompt")
    await _apply(session, actor, prompt, changes)
    await session.flush()
    if prompt.is_default:
        await _clear_other_defaults(
            session, Prompt, actor.tenant_id, prompt.id, prompt_type=prompt.prompt_type
        )
    record_activity(
        session,
        actor,
        action="prompt.updated",
        subject_type="Prompt",
        subject_id=prompt.id,
        job_id=prompt.job_id,
        description=f"Updated prompt {prompt.name}: {', '.join(sorted(changes))}",
        details={"fields": sorted(changes)},
    )
    return prompt


async def delete_prompt(session: AsyncSession, actor: Actor, prompt_id: int) -> Prompt:
    prompt: Prompt = await tenant_row(session, Prompt, actor.tenant_id, prompt_id, "Prompt")
    await session.delete(prompt)
    record_activity(
        session,
        actor,
        action="prompt.deleted",
        subject_type="Prompt",
        subject_id=prompt_id,
        description=f"Deleted prompt {prompt.name}",
    )
    return prompt


async def _apply_persona(persona: Persona, changes: dict[str, Any]) -> None:
    if "name" in changes:
        persona.name = required_text("name", changes["name"])
    if "description" in changes:
        description = changes["description"]
        persona.description = description.strip() or None if description else None
    if "system_prompt_template" in changes:
        persona.system_prompt_template = required_text(
            "systemPromptTemplate", changes["system_prompt_template"], max_length=TEMPLATE_LIMIT
        )
    if "is_default" in changes and changes["is_default"] is not None:
        persona.is_default = bool(changes["is_default"])


async def create_persona(session: AsyncSession, actor: Actor, fields: dict[str, Any]) -> Persona:
    persona = Persona(tenant_id=actor.tenant_id, is_default=False)
    for name in ("name", "system_prompt_template"):
        fields.setdefault(name, None)
    await _apply_persona(persona, fields)
    session.add(persona)
    await session.flush()
    if persona.is_default:
        await _clear_other_defaults(session, Persona, actor.tenant_id, persona.id)
    record_activity(
        session,
        actor,
        action="persona.created",
        subject_type="Persona",
        subject_id=persona.id,
        description=f"Created persona {persona.name}",
    )
    return persona


async def update_persona(
    session: AsyncSession, actor: Actor, persona_id: int, changes: dict[str, Any]
) -> Persona:
    persona: Persona = await tenant_row(session, Persona, actor.tenant_id, persona_id, "Persona")
    await _apply_persona(persona, changes)
    await session.flush()
    if persona.is_default:
        await _clear_other_defaults(session, Persona, actor.tenant_id, persona.id)
    record_activity(
        session,
        actor,
        action="persona.updated",
        subject_type="Persona",
        subject_id=persona.id,
        description=f"Updated persona {persona.name}: {', '.join(sorted(changes))}",
        details={"fields": sorted(changes)},
    )
    return persona


async def delete_persona(session: AsyncSession, actor: Actor, persona_id: int) -> Persona:
    persona: Persona = await tenant_row(session, Persona, actor.tenant_id, persona_id, "Persona")
    await session.delete(persona)
    record_activity(
        session,
        actor,
        action="persona.deleted",
        subject_type="Persona",
        subject_id=persona_id,
        description=f"Deleted persona {persona.name}",
    )
    return persona
