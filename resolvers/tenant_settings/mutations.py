"""``settingsUpdate``: change the tenant's settings, only the fields sent."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.permissions import Permission
from gateway.services.activities import Actor
from gateway.services.settings import update_settings
from resolvers.context import Info
from resolvers.errors import is_error, mutation_result
from resolvers.inputs import not_null, sent_fields
from resolvers.mutation import run_mutation
from resolvers.relay import pk_of
from resolvers.tenant_settings.types import Settings, build_settings


@strawberry.input(description="Only the fields sent change.")
class SettingsUpdateInput:
    lookback_hours_default: int | None = not_null()
    lookback_hours_min: int | None = not_null()
    lookback_hours_max: int | None = not_null()
    interview_token_expiry_days: int | None = not_null()
    email_from_address: str | None = strawberry.UNSET
    email_from_name: str | None = strawberry.UNSET
    default_recruiter_id: strawberry.ID | None = strawberry.UNSET
    stale_stage_days: int | None = not_null()
    rank_custom_field: str | None = strawberry.UNSET
    score_custom_field: str | None = strawberry.UNSET
    score_weight_fee: int | None = not_null()
    score_weight_pipeline: int | None = not_null()
    score_weight_time_open: int | None = not_null()
    score_weight_analysis: int | None = not_null()


@strawberry.type
class SettingsUpdateSuccess:
    settings: Settings


SettingsUpdateResult = mutation_result("SettingsUpdateResult", SettingsUpdateSuccess)


@strawberry.type
class SettingsMutations:
    @strawberry.mutation
    async def settings_update(self, info: Info, input: SettingsUpdateInput) -> SettingsUpdateResult:  # type: ignore[valid-type]
        async def action(session: AsyncSession, actor: Actor) -> Any:
            changes = sent_fields(input, exclude=())
            if changes.get("default_recruiter_id") is not None:
                changes["default_recruiter_id"] = pk_of(
                    changes["default_recruiter_id"], "Recruiter", field="defaultRecruiterId"
                )
            return await update_settings(session, actor, changes)

        result = await run_mutation(info, Permission.SETTINGS_MANAGE, action)
        return (
            result if is_error(result) else SettingsUpdateSuccess(settings=build_settings(result))
        )
