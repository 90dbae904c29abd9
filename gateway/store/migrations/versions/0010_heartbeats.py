"""heartbeats of running syncs and background jobs

A running attempt renews ``heartbeat_at`` every few seconds; one whose heartbeat stopped
was left by a process that died, and is taken over instead of waiting for a timeout of
hours.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.store.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TABLES = ("sync_runs", "background_jobs")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(
            table,
            sa.Column("heartbeat_at", gateway.store.base.UTCDateTime(timezone=True), nullable=True),
        )


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            batch_op.drop_column("heartbeat_at")
