"""drop the integration_id indexes the unique (integration_id, remote_id) index covers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 07:50:20.413826
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_integration_id"))

    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidates_integration_id"))

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interviews_integration_id"))

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_integration_id"))

    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_integration_id"))

    with op.batch_alter_table("onboarding_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onboarding_tasks_integration_id"))

    with op.batch_alter_table("pipeline_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pipeline_stages_integration_id"))


def downgrade() -> None:

    with op.batch_alter_table("pipeline_stages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pipeline_stages_integration_id"), ["integration_id"], unique=False
        )

    with op.batch_alter_table("onboarding_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_onboarding_tasks_integration_id"), ["integration_id"], unique=False
        )

    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offers_integration_id"), ["integration_id"], unique=False
        )

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jobs_integration_id"), ["integration_id"], unique=False
        )

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interviews_integration_id"), ["integration_id"], unique=False
        )

    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_candidates_integration_id"), ["integration_id"], unique=False
        )

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applications_integration_id"), ["integration_id"], unique=False
        )
