"""Declarative base, column types shared by every table, and the synced-record mixin."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

PrimaryKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONValue = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps naive text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: type[StrEnum]) -> sa.Enum:
    """Store the enum's values as plain strings: no native enum types to migrate."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every table whose id the database generates gets it from a counter that never
    goes back: ids are named from outside (global ids, token subjects, webhook URLs), so
    an id freed by a delete must never name another row.

    PostgreSQL sequences never hand a value out twice; SQLite reuses the largest rowid
    of a deleted row unless the table is declared ``AUTOINCREMENT``, which this adds to
    every such table (``sqlite_autoincrement``).
    """

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONValue}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        if isinstance(table, sa.Table) and table.autoincrement_column is not None:
            table.dialect_options["sqlite"]["autoincrement"] = True


class TenantOwned:
    """Every row carries its tenant; every read filters on it."""

    id: Mapped[int] = mapped_column(PrimaryKey, primary_key=True, autoincrement=True)

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(
            sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True
        )


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


class Synced:
    """Columns every record mirrored from an external system keeps.

    ``(integration_id, remote_id)`` is unique; ``content_hash`` lets a sync skip
    unchanged records; ``remote_deleted_at`` marks a record gone from the source
    without dropping what the gateway computed about it.
    """

    @declared_attr
    def integration_id(cls) -> Mapped[int | None]:
        """No index of its own: the unique ``(integration_id, remote_id)`` index serves
        lookups by integration, and a second one tempted PostgreSQL into scanning all of
        an integration's rows for each batch of a sync."""
        return mapped_column(sa.ForeignKey("integrations.id", ondelete="SET NULL"))

    remote_id: Mapped[str | None] = mapped_column(sa.String(255))
    remote_data: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    remote_updated_at: Mapped[datetime | None]
    remote_deleted_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (sa.UniqueConstraint("integration_id", "remote_id"),)


def table_of(model: type[Base]) -> sa.Table:
    """The model's ``Table`` (SQLAlchemy types ``__table__`` as the wider ``FromClause``)."""
    table = model.__table__
    assert isinstance(table, sa.Table)
    return table
