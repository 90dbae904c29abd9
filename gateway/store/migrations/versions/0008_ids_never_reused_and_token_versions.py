"""ids never reused on SQLite, and per-user token versions

SQLite hands the id of the newest deleted row to the next insert unless the table is
``AUTOINCREMENT``; every table with a generated id is rebuilt as one, rows and ids kept
(``sqlite_sequence`` starts at each table's largest id). The rebuild drops the old
tables, which must not cascade: ``gateway.store.migrate.schema_transaction`` runs the
upgrade with foreign keys off and checks every reference before committing, and this
revision refuses to run with them on. PostgreSQL sequences never reuse a value: there
only the column is added.

``users.token_version``: existing users get 0, the version of tokens issued before
versions existed, so their tokens keep working until revoked.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GENERATED_ID_TABLES = (
    "tenants",
    "users",
    "recruiter_links",
    "integrations",
    "jobs",
    "candidates",
    "pipeline_stages",
    "applications",
    "stage_transitions",
    "offers",
    "onboarding_tasks",
    "personas",
    "prompts",
    "interviews",
    "interview_messages",
    "evaluations",
    "analyses",
    "activities",
    "webhook_events",
    "webhook_subscriptions",
    "webhook_deliveries",
    "sync_runs",
    "background_jobs",
    "event_outbox",
    "idempotency_keys",
    "oauth_states",
)
"""Every table at revision 0007 whose ``id`` the database generates (``settings`` is
keyed by its tenant)."""


def _token_version() -> sa.Column[int]:
    return sa.Column("token_version", sa.Integer(), server_default=sa.text("0"), nullable=False)


def _never_reuses_ids(bind: sa.engine.Connection, table: str) -> bool:
    """Created ``AUTOINCREMENT`` already (databases made since revision 0001 does so)."""
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar()
    return "AUTOINCREMENT" in str(sql or "").upper()


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.add_column("users", _token_version())
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "rebuilding SQLite tables with foreign keys on would cascade deletes; "
            "run the upgrade through gateway.store.migrate"
        )
    for name in GENERATED_ID_TABLES:
        if _never_reuses_ids(bind, name):
            if name == "users":
                op.add_column("users", _token_version())
            continue
        with op.batch_alter_table(
            name,
            recreate="always",
            table_kwargs={"sqlite_autoincrement": True},
            reflect_kwargs={"resolve_fks": False},
        ) as batch_op:
            if name == "users":
                batch_op.add_column(_token_version())


def downgrade() -> None:
    """Drops the column only: the ids stay never reused."""
    with op.batch_alter_table("users", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("token_version")
