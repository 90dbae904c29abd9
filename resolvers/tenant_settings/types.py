"""The tenant's settings as a GraphQL type: sync look-back, interview links, email sender,
stale-stage threshold, the default recruiter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy.engine import Row

from resolvers.context import Info
from resolvers.lazy import lazy_callable

if TYPE_CHECKING:
    from resolvers.recruiters.types import Recruiter

build_recruiter: Callable[[Row[Any]], Recruiter] = lazy_callable(
    "resolvers.recruiters.types", "build_recruiter"
)


@strawberry.type(name="Settings")
class Settings:
    lookback_hours_default: int
    lookback_hours_min: int
    lookback_hours_max: int
    interview_token_expiry_days: int
    email_from_address: str | None
    email_from_name: str | None
    stale_stage_days: int
    rank_custom_field: str | None
    updated_at: datetime
    default_recruiter_id: strawberry.Private[int | None]

    @strawberry.field
    async def default_recruiter(
        self, info: Info
    ) -> Annotated[Recruiter, strawberry.lazy("resolvers.recruiters.types")] | None:
        if self.default_recruiter_id is None:
            return None
        row = await info.context.loaders.user_by_id.load(self.default_recruiter_id)
        return build_recruiter(row) if row is not None else None


def build_settings(row: Any) -> Settings:
    return Settings(
        lookback_hours_default=row.lookback_hours_default,
        lookback_hours_min=row.lookback_hours_min,
        lookback_hours_max=row.lookback_hours_max,
        interview_token_expiry_days=row.interview_token_expiry_days,
        email_from_address=row.email_from_address,
        email_from_name=row.email_from_name,
        stale_stage_days=row.stale_stage_days,
        rank_custom_field=row.rank_custom_field,
        updated_at=row.updated_at,
        default_recruiter_id=row.default_recruiter_id,
    )
