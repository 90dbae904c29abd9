"""application processing status

``applications.processing_status``: how far the gateway's own work on an application
has come (new, analyzing, analyzed, complete; ``gateway.services.processing``). Existing
rows are set from what is stored: complete with an evaluated, completed interview,
analyzed with an analysis, else new (nothing was queued at upgrade time that a worker
would not mark again when it starts).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "applications",
        sa.Column(
            "processing_status",
            sa.Enum(
                "new",
                "analyzing",
                "analyzed",
                "complete",
                name="processingstatus",
                native_enum=False,
                length=32,
            ),
            server_default="new",
            nullable=False,
        ),
    )
    op.execute(
        """
        UPDATE applications SET processing_status = CASE
            WHEN EXISTS (
                SELECT 1 FROM interviews
                JOIN evaluations ON evaluations.interview_id = interviews.id
                WHERE interviews.application_id = applications.id
                  AND interviews.status = 'completed'
            ) THEN 'complete'
            WHEN EXISTS (
                SELECT 1 FROM analyses WHERE analyses.application_id = applications.id
            ) THEN 'analyzed'
            ELSE 'new'
        END
        """
    )


def downgrade() -> None:
    with op.batch_alter_table(
        "applications", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("processing_status")
