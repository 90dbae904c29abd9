"""the trace queued work continues

A background job and an outbound webhook delivery run after the request or change that
made them, often in another process; each keeps the W3C ``traceparent`` of its origin so
its attempts join that trace.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


_TABLES = ("background_jobs", "webhook_deliveries")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column("traceparent", sa.String(55), nullable=True))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            batch_op.drop_column("traceparent")
