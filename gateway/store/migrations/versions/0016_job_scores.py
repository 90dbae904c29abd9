"""job scores

``jobs.score_breakdown``: each signal behind the gateway's job score;
``jobs.score_written``: the score last written back to the ATS, to write only changes.
``settings.score_weight_*``: the tenant's weight of each signal, and
``settings.score_custom_field``: the ATS job custom field the score goes to
(``gateway.services.scoring``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 23:57:20.093303
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.store.base import JSONValue

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_WEIGHTS = (
    ("score_weight_fee", 40),
    ("score_weight_pipeline", 25),
    ("score_weight_time_open", 15),
    ("score_weight_analysis", 20),
)


def upgrade() -> None:
    op.add_column("jobs", sa.Column("score_breakdown", JSONValue, nullable=True))
    op.add_column("jobs", sa.Column("score_written", sa.Double(), nullable=True))
    op.add_column("settings", sa.Column("score_custom_field", sa.String(255), nullable=True))
    for column, default in _WEIGHTS:
        op.add_column(
            "settings",
            sa.Column(column, sa.Integer(), server_default=sa.text(str(default)), nullable=False),
        )


def downgrade() -> None:
    with op.batch_alter_table("settings", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        for column, _ in reversed(_WEIGHTS):
            batch_op.drop_column(column)
        batch_op.drop_column("score_custom_field")
    with op.batch_alter_table("jobs", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("score_written")
        batch_op.drop_column("score_breakdown")
