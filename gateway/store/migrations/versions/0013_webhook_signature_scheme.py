"""webhook subscription signature scheme

Each outbound webhook subscription says how its deliveries are signed: the Standard
Webhooks way (every subscription so far, and the default) or the integration
framework's ``X-Webhook-Signature``/``X-Webhook-Id`` with a plain secret.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "webhook_subscriptions",
        sa.Column(
            "signature_scheme",
            sa.Enum(
                "standard_webhooks",
                "integration_framework",
                name="signaturescheme",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            server_default="standard_webhooks",
            nullable=False,
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table(
        "webhook_subscriptions", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("signature_scheme")
