"""candidate resume fetch state

What the sync needs to download each candidate's resume once per change and to retry
failures with a growing pause: the fingerprint of the URL it came from, the file's
hash, when it was fetched and last tried, and why the last try failed. ``resume_text``
itself exists since revision 0001.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.store.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_COLUMNS = (
    "resume_source",
    "resume_sha256",
    "resume_fetched_at",
    "resume_checked_at",
    "resume_error",
    "resume_failures",
)


def upgrade() -> None:
    op.add_column("candidates", sa.Column("resume_source", sa.String(length=64), nullable=True))
    op.add_column("candidates", sa.Column("resume_sha256", sa.String(length=64), nullable=True))
    op.add_column(
        "candidates",
        sa.Column(
            "resume_fetched_at", gateway.store.base.UTCDateTime(timezone=True), nullable=True
        ),
    )
    op.add_column(
        "candidates",
        sa.Column(
            "resume_checked_at", gateway.store.base.UTCDateTime(timezone=True), nullable=True
        ),
    )
    op.add_column("candidates", sa.Column("resume_error", sa.String(length=500), nullable=True))
    op.add_column(
        "candidates",
        sa.Column("resume_failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table(
        "candidates", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
