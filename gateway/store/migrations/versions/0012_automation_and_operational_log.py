"""automation checks and the operational log

``jobs.last_checked_at``: when the automation last checked a requisition, which its
``min_check_interval`` counts from. ``operational_logs``: what syncs, processing,
deliveries and the automation did, for the people running the gateway.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 23:06:34.664996
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gateway.store.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operational_logs",
        sa.Column(
            "level",
            sa.Enum(
                "debug", "info", "warning", "error", name="loglevel", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "extra",
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
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_operational_logs_application_id_applications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_operational_logs_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_operational_logs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operational_logs")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("operational_logs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operational_logs_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index("ix_operational_logs_created", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_operational_logs_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            "ix_operational_logs_tenant_created", ["tenant_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_operational_logs_tenant_id"), ["tenant_id"], unique=False
        )

    op.add_column(
        "jobs",
        sa.Column("last_checked_at", gateway.store.base.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("jobs", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("last_checked_at")

    with op.batch_alter_table("operational_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operational_logs_tenant_id"))
        batch_op.drop_index("ix_operational_logs_tenant_created")
        batch_op.drop_index(batch_op.f("ix_operational_logs_job_id"))
        batch_op.drop_index("ix_operational_logs_created")
        batch_op.drop_index(batch_op.f("ix_operational_logs_application_id"))

    op.drop_table("operational_logs")
