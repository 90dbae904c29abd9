"""Small input rules shared by the services."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import NotFound, ValidationFailed

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def required_text(field: str, value: str | None, *, max_length: int = 255) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(field, f"{field} must not be empty")
    if len(text) > max_length:
        raise ValidationFailed(field, f"{field} must be at most {max_length} characters")
    return text


def optional_text(field: str, value: str | None, *, max_length: int = 255) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) > max_length:
        raise ValidationFailed(field, f"{field} must be at most {max_length} characters")
    return text or None


def email(field: str, value: str | None) -> str:
    text = required_text(field, value, max_length=320).lower()
    if not _EMAIL.match(text):
        raise ValidationFailed(field, f"{value!r} is not an email address")
    return text


def in_range(field: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValidationFailed(field, f"{field} must be between {low} and {high}, got {value}")
    return value


async def tenant_row(
    session: AsyncSession, model: Any, tenant_id: int, pk: int, entity: str
) -> Any:
    """The ORM row ``pk`` of ``model`` in the tenant, locked for update; NotFound otherwise."""
    row = (
        await session.execute(
            sa.select(model).where(model.id == pk, model.tenant_id == tenant_id).with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(entity, pk)
    return row
