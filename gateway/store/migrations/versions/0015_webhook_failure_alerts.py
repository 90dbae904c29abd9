"""webhook failure alerts

``webhook_deliveries.failed_at``: when a delivery gave up, which the failure alert
counts. ``integrations.webhook_failures_alerted_at`` and
``webhook_subscriptions.failures_alerted_at``: when the last alert was raised, so that
one window passes before the next (``gateway.services.failure_alerts``).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:41:55.715694
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.store.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("integrations", "webhook_failures_alerted_at"),
    ("webhook_deliveries", "failed_at"),
    ("webhook_subscriptions", "failures_alerted_at"),
)


def upgrade() -> None:
    for table, column in _COLUMNS:
        op.add_column(
            table,
            sa.Column(column, gateway.store.base.UTCDateTime(timezone=True), nullable=True),
        )


def downgrade() -> None:
    for table, column in reversed(_COLUMNS):
        with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            batch_op.drop_column(column)
