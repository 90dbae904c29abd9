"""A tenant's field mappings: a source's custom field put into a common-model field.

    await set_field_mapping(session, actor, {"provider": "recruiterflow", "entity": "job",
                                             "source_field": "Division",
                                             "target_field": "department"})
    # every later sync of the tenant's Recruiterflow integrations: a job whose custom
    # field "Division" has a value gets it as its department

Only the common model's text fields in ``TARGET_FIELDS`` can be targets: ids, states
and times mean something to the gateway and stay the source's. One mapping per target
field (setting another replaces it). The sync reads the mappings once per run
(``mappings_for_integration``) and applies them to each record it writes
(``FieldMappings.overrides``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import ValidationFailed
from gateway.services.activities import Actor, record_activity
from gateway.services.validation import required_text, tenant_row
from gateway.store.enums import MappedEntity, Provider
from gateway.store.models import FieldMapping, Integration

TARGET_FIELDS: dict[MappedEntity, dict[str, int | None]] = {
    MappedEntity.JOB: {
        "department": 255,
        "location": 255,
        "employment_type": 64,
        "client_name": 255,
        "remote_status": 128,
    },
    MappedEntity.CANDIDATE: {"headline": 512, "location": 255, "source": 128, "phone": 64},
    MappedEntity.APPLICATION: {"rejection_reason": None},
}
"""Per entity, the store columns a mapping may fill, with their lengths (a longer value
is cut to fit)."""

SOURCE_FIELD_LIMIT = 255


def _choice(name: str, value: Any, kind: type[Provider] | type[MappedEntity]) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationFailed(name, f"unknown {name} {value!r}; one of {allowed}") from None


def api_name(column: str) -> str:
    """``"employment_type"`` -> ``"employmentType"``: a field as the GraphQL API names it."""
    head, *rest = column.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _column(name: str) -> str:
    """``"employmentType"`` (or ``"employment_type"``) -> ``"employment_type"``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name.strip()).lower()


def _target(entity: MappedEntity, value: Any) -> str:
    """The store column of target field ``value`` (its API or column name)."""
    allowed = TARGET_FIELDS[entity]
    column = _column(value) if isinstance(value, str) else None
    if column not in allowed:
        names = ", ".join(api_name(name) for name in allowed)
        raise ValidationFailed(
            "target_field",
            f"{value!r} is not a field a mapping can fill on a {entity.value}; one of {names}",
        )
    return column


async def set_field_mapping(
    session: AsyncSession, actor: Actor, fields: dict[str, Any]
) -> FieldMapping:
    """Create the mapping of ``target_field``, or point the existing one at the new
    ``source_field``."""
    provider = _choice("provider", fields.get("provider"), Provider)
    entity = _choice("entity", fields.get("entity"), MappedEntity)
    target = _target(entity, fields.get("target_field"))
    source = required_text(
        "source_field", fields.get("source_field"), max_length=SOURCE_FIELD_LIMIT
    )
    mapping = (
        await session.execute(
            sa.select(FieldMapping)
            .where(
                FieldMapping.tenant_id == actor.tenant_id,
                FieldMapping.provider == provider,
                FieldMapping.entity == entity,
                FieldMapping.target_field == target,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if mapping is None:
        mapping = FieldMapping(
            tenant_id=actor.tenant_id, provider=provider, entity=entity, target_field=target
        )
        session.add(mapping)
    mapping.source_field = source
    await session.flush()
    record_activity(
        session,
        actor,
        action="field_mapping.set",
        subject_type="FieldMapping",
        subject_id=mapping.id,
        description=f"Mapped {provider.value} {entity.value} custom field “{source}” to {target}",
        details={"provider": provider.value, "entity": entity.value, "target": target},
    )
    return mapping


async def delete_field_mapping(session: AsyncSession, actor: Actor, pk: int) -> FieldMapping:
    mapping: FieldMapping = await tenant_row(
        session, FieldMapping, actor.tenant_id, pk, "FieldMapping"
    )
    await session.delete(mapping)
    record_activity(
        session,
        actor,
        action="field_mapping.deleted",
        subject_type="FieldMapping",
        subject_id=pk,
        description=f"Removed the mapping of {mapping.provider} {mapping.entity} "
        f"field {mapping.target_field}",
    )
    return mapping


def mapped_text(value: Any) -> str | None:
    """A custom field's value as the text a mapped field takes: a non-blank string,
    or a number written out; anything else (a list, an object, a yes/no) none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        text = value.replace("\x00", "").strip()
        return text or None
    return None


@dataclass(frozen=True)
class FieldMappings:
    """One integration's mappings: per entity, target field -> source field."""

    targets: Mapping[MappedEntity, Mapping[str, str]] = field(default_factory=dict)

    def overrides(self, entity: MappedEntity, custom_fields: Mapping[str, Any]) -> dict[str, str]:
        """Target field -> the value of its source field in ``custom_fields``, for each
        mapping whose source field the record has with a usable value (cut to fit).

        FieldMappings({JOB: {"department": "Division"}}).overrides(
            JOB, {"Division": "Sales"})          # -> {"department": "Sales"}"""
        found: dict[str, str] = {}
        for target, source in self.targets.get(entity, {}).items():
            value = mapped_text(custom_fields.get(source))
            if value is not None:
                limit = TARGET_FIELDS[entity].get(target)
                found[target] = value[:limit] if limit else value
        return found


async def mappings_for_integration(
    session: AsyncSession, tenant_id: int, integration_id: int
) -> FieldMappings:
    """The tenant's mappings for the integration's provider, in one statement."""
    rows = (
        await session.execute(
            sa.select(FieldMapping.entity, FieldMapping.target_field, FieldMapping.source_field)
            .join(
                Integration,
                sa.and_(
                    Integration.tenant_id == FieldMapping.tenant_id,
                    Integration.provider == FieldMapping.provider,
                ),
            )
            .where(FieldMapping.tenant_id == tenant_id, Integration.id == integration_id)
        )
    ).all()
    targets: dict[MappedEntity, dict[str, str]] = {}
    for entity, target, source in rows:
        if target in TARGET_FIELDS[entity]:
            targets.setdefault(entity, {})[target] = source
    return FieldMappings(targets)
