from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import ValidationFailed
from gateway.services.activities import Actor, record_activity
from gateway.services.ranking import recompute_ranks
from gateway.services.scoring import recompute_scores
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
    """Apply ``changes`` (only the keys given), keeping lookback min <= default <= max
    and at least one score weight above 0. New score weights re-score and re-rank the
    tenant's jobs at once; the next sync writes the moved ranks back.

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
    if "score_custom_field" in changes:
        row.score_custom_field = optional_text("scoreCustomField", changes["score_custom_field"])
    weights_changed = _apply_score_weights(row, changes)
    if "default_recruiter_id" in changes:
        recruiter_id = changes["default_recruiter_id"]
        if recruiter_id is not None:
            await tenant_row(session, User, actor.tenant_id, recruiter_id, "Recruiter")
        row.default_recruiter_id = recruiter_id
    await session.flush()
    if weights_changed:
        await recompute_scores(session, actor.tenant_id)
        await recompute_ranks(session, actor.tenant_id)
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


SCORE_WEIGHTS = (
    ("score_weight_fee", "scoreWeightFee"),
    ("score_weight_pipeline", "scoreWeightPipeline"),
    ("score_weight_time_open", "scoreWeightTimeOpen"),
    ("score_weight_analysis", "scoreWeightAnalysis"),
)


def _apply_score_weights(row: TenantSettings, changes: dict[str, Any]) -> bool:
    """Set the score weights sent (0 to 100 each, not all 0); whether any changed."""
    before = [getattr(row, name) for name, _ in SCORE_WEIGHTS]
    for name, field in SCORE_WEIGHTS:
        if name in changes:
            setattr(row, name, in_range(field, changes[name], 0, 100))
    after = [getattr(row, name) for name, _ in SCORE_WEIGHTS]
    if not any(after):
        raise ValidationFailed("scoreWeightFee", "the score weights cannot all be 0")
    return after != before
