"""Small input rules shared by the services."""

from __future__ import annotations

import re
import unicodedata
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


def in_range(field: str, value: int | None, low: int, high: int) -> int:
    """``value`` if ``low <= value <= high``; otherwise, or when null, ``ValidationFailed``."""
    if value is None:
        raise ValidationFailed(field, f"{field} cannot be null")
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


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_PARAGRAPH_BREAKS = frozenset("\n\r\t")


def _check_characters(field: str, text: str, allowed: frozenset[str]) -> None:
    for char in text:
        if char in allowed:
            continue
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs"):
            raise ValidationFailed(
                field, f"{field} must not contain control characters (U+{ord(char):04X})"
            )


def _text(
    field: str, value: str | None, *, max_length: int, required: bool, allowed: frozenset[str]
) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationFailed(field, f"{field} must not be empty")
        return None
    if len(text) > max_length:
        raise ValidationFailed(field, f"{field} must be at most {max_length} characters")
    _check_characters(field, text, allowed)
    return text


def text_line(field: str, value: str | None, *, max_length: int = 255) -> str:
    """One required line: ``text_line("title", "  QA Analyst ")`` -> ``"QA Analyst"``;
    empty, too long or holding a control character is ``ValidationFailed``."""
    text = _text(field, value, max_length=max_length, required=True, allowed=frozenset())
    assert text is not None
    return text


def optional_line(field: str, value: str | None, *, max_length: int = 255) -> str | None:
    """As ``text_line``; missing or blank is ``None``."""
    return _text(field, value, max_length=max_length, required=False, allowed=frozenset())


def paragraph(field: str, value: str | None, *, max_length: int) -> str:
    """Required text that may span lines (``\\n``, ``\\r`` and tabs allowed)."""
    text = _text(field, value, max_length=max_length, required=True, allowed=_PARAGRAPH_BREAKS)
    assert text is not None
    return text


def optional_paragraph(field: str, value: str | None, *, max_length: int) -> str | None:
    return _text(field, value, max_length=max_length, required=False, allowed=_PARAGRAPH_BREAKS)
