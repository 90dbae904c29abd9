from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import ValidationFailed
from gateway.services.activities import Actor, record_activity
from gateway.services.validation import email, in_range, optional_text, tenant_row
from gateway.store.models import TenantSettings, User


async def ensure_settings_row(session: AsyncSession, tenant_id: int) -> TenantSettings:
    row = await session.get(TenantSettings, tenant_id)
    if row is None:
        row = TenantSettings(tenant_id=tenant_id)
        session.add(row)
        await session.flush()
    return row


async def update_settings(
    session: AsyncSession, actor: Actor, changes: dict[str, Any]
) -> TenantSettings:
    """Apply ``changes`` (only the keys given), keeping lookback min <= default <= max.

    Errors name fields as the API does (``lookbackHoursMin``)."""
    row = (
        await session.execute(
            sa.select(TenantSettings)
            .where(TenantSettings.tenant_id == actor.tenant_id)
            .with_for_update()
        )
    ).scalar_one_or_none() or await ensure_settings_row(session, actor.tenant_id)
    for name, field in (
        ("lookback_hours_default", "lookbackHoursDefault"),
        ("lookback_hours_min", "lookbackHoursMin"),
        ("lookback_hours_max", "lookbackHoursMax"),
    ):
        if name in changes:
            setattr(row, name, in_range(field, changes[name], 1, 24 * 365))
    if not row.lookback_hours_min <= row.lookback_hours_default <= row.lookback_hours_max:
        raise ValidationFailed(
            "lookbackHoursDefault",
            "lookback hours must satisfy min <= default <= max",
        )
    if "interview_token_expiry_days" in changes:
        row.interview_token_expiry_days = in_range(
            "interviewTokenExpiryDays", changes["interview_token_expiry_days"], 1, 90
        )
    if "stale_stage_days" in changes:
        row.stale_stage_days = in_range("staleStageDays", changes["stale_stage_days"], 1, 365)
    if "email_from_address" in changes:
        value = changes["email_from_address"]
        row.email_from_address = email("emailFromAddress", value) if value else None
    if "email_from_name" in changes:
        row.email_from_name = optional_text("emailFromName", changes["email_from_name"])
    if "rank_custom_field" in changes:
        row.rank_custom_field = optional_text("rankCustomField", changes["rank_custom_field"])
    if "default_recruiter_id" in changes:
        recruiter_id = changes["default_recruiter_id"]
        if recruiter_id is not None:
            await tenant_row(session, User, actor.tenant_id, recruiter_id, "Recruiter")
        row.default_recruiter_id = recruiter_id
    await session.flush()
    record_activity(
        session,
        actor,
        action="settings.updated",
        subject_type="Settings",
        subject_id=None,
        description=f"Updated settings: {', '.join(sorted(changes)) or 'nothing'}",
        details={"fields": sorted(changes)},
    )
    return row
