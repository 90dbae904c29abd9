"""webhook processing claims and retries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 08:04:18.794940
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gateway.store.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_until", gateway.store.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False
        )

    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "result",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "next_attempt_at", gateway.store.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("claimed_until", gateway.store.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_webhook_events_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_webhook_events_tenant_received", ["tenant_id", "received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_events_tenant_received")
        batch_op.drop_index("ix_webhook_events_due")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("result")

    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_due")
        batch_op.drop_column("claimed_until")
