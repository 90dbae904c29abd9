"""The tenant's settings as a GraphQL type: sync look-back, interview links, email sender,
stale-stage threshold, the default recruiter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from resolvers.relay import mirrored
from resolvers.type_fields import related_node
from resolvers.type_refs import RECRUITER


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

    default_recruiter = related_node(RECRUITER, loader="user_by_id", key="default_recruiter_id")


def build_settings(stored: Any) -> Settings:
    return mirrored(Settings, stored)
