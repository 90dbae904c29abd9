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
    rank_custom_field: str | None = strawberry.field(
        description="The ATS job custom field the gateway writes each job's rank to."
    )
    score_custom_field: str | None = strawberry.field(
        description="The ATS job custom field the gateway writes each job's score to "
        "(Recruiterflow has no score field of its own)."
    )
    score_weight_fee: int = strawberry.field(
        description="Weight (0 to 100) of the estimated fee in the job score; default 40."
    )
    score_weight_pipeline: int = strawberry.field(
        description="Weight (0 to 100) of pipeline health (share of active applications "
        "not stale) in the job score; default 25."
    )
    score_weight_time_open: int = strawberry.field(
        description="Weight (0 to 100) of time open (newer scores higher) in the job "
        "score; default 15."
    )
    score_weight_analysis: int = strawberry.field(
        description="Weight (0 to 100) of analysis results (lower mean risk scores "
        "higher) in the job score; default 20."
    )
    updated_at: datetime
    default_recruiter_id: strawberry.Private[int | None]

    default_recruiter = related_node(RECRUITER, loader="user_by_id", key="default_recruiter_id")


def build_settings(stored: Any) -> Settings:
    return mirrored(Settings, stored)
