"""event outbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 08:29:00.463282
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gateway.store.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _create_table(name: str, *elements: Any, **kwargs: Any) -> None:
    """``op.create_table`` with SQLite ``AUTOINCREMENT`` (ids never reused) from the
    start; revision 0008 rebuilds tables created before this was added."""
    op.create_table(name, *elements, sqlite_autoincrement=name != "settings", **kwargs)


def upgrade() -> None:
    _create_table(
        "event_outbox",
        sa.Column(
            "event",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", gateway.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_event_outbox_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_outbox")),
    )
    with op.batch_alter_table("event_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_event_outbox_created", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_outbox_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_outbox_tenant_id"))
        batch_op.drop_index("ix_event_outbox_created")

    op.drop_table("event_outbox")
