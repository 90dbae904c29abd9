"""A tenant's field mappings: a source's custom field put into a common-model field."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.base import Base, TenantOwned, Timestamped, enum_column
from gateway.store.enums import MappedEntity, Provider


class FieldMapping(TenantOwned, Timestamped, Base):
    """On every sync of the tenant's ``provider`` integrations, a ``entity`` record whose
    custom field ``source_field`` has a value gets it in ``target_field`` instead of the
    source's standard value. One mapping per target field: two custom fields cannot
    both fill it."""

    __tablename__ = "field_mappings"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "provider", "entity", "target_field"),)

    provider: Mapped[Provider] = mapped_column(enum_column(Provider))
    entity: Mapped[MappedEntity] = mapped_column(enum_column(MappedEntity))
    source_field: Mapped[str] = mapped_column(sa.String(255))
    target_field: Mapped[str] = mapped_column(sa.String(64))
