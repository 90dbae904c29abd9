"""custom fields and field mappings

``custom_fields`` on jobs, candidates and applications: the source's custom fields of
each record, name -> value. ``field_mappings``: per tenant, provider and entity, the
custom field a sync puts into a common-model field.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 23:58:34.212102
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import gateway.store.base

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_SYNCED = ("jobs", "candidates", "applications")


def upgrade() -> None:
    op.create_table(
        "field_mappings",
        sa.Column(
            "provider",
            sa.Enum(
                "recruiterflow",
                "jobvite",
                "workday",
                "bpoc",
                name="provider",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "entity",
            sa.Enum(
                "job", "candidate", "application", name="mappedentity", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("source_field", sa.String(length=255), nullable=False),
        sa.Column("target_field", sa.String(length=64), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", gateway.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", gateway.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_field_mappings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_mappings")),
        sa.UniqueConstraint(
            "tenant_id",
            "provider",
            "entity",
            "target_field",
            name=op.f("uq_field_mappings_tenant_id_provider_entity_target_field"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("field_mappings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_field_mappings_tenant_id"), ["tenant_id"], unique=False
        )

    for table in _SYNCED:
        op.add_column(
            table,
            sa.Column(
                "custom_fields",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            ),
        )


def downgrade() -> None:
    for table in reversed(_SYNCED):
        with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            batch_op.drop_column("custom_fields")

    with op.batch_alter_table("field_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_mappings_tenant_id"))

    op.drop_table("field_mappings")
