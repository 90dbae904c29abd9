"""candidate documents

``candidates.documents``: the files a source keeps for a person (Jobvite's
attachments), with their links; null until the candidate is synced again.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "candidates",
        sa.Column(
            "documents",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("candidates", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("documents")
