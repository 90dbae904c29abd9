"""oauth states

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:23:55.943229
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import gateway.store.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _create_table(name: str, *elements: Any, **kwargs: Any) -> None:
    """``op.create_table`` with SQLite ``AUTOINCREMENT`` (ids never reused) from the
    start; revision 0008 rebuilds tables created before this was added."""
    op.create_table(name, *elements, sqlite_autoincrement=name != "settings", **kwargs)


def upgrade() -> None:

    _create_table(
        "oauth_states",
        sa.Column(
            "integration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("verifier_encrypted", sa.Text(), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2048), nullable=False),
        sa.Column("created_at", gateway.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", gateway.store.base.UTCDateTime(timezone=True), nullable=False),
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
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_oauth_states_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_oauth_states_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_states_state_hash")),
    )
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_states_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_states_tenant_id"))

    op.drop_table("oauth_states")
