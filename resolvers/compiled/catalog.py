"""What the read compiler knows of a field: declared where the field is, read from the schema.

A field that reads rows other than its parent's columns says how in its Strawberry
``metadata`` under ``SQL`` (``sql_reading(...)``): the connection helpers, the node
fields and ``related_node`` do it for every field they make. Plain fields of a type in
``NODE_TABLES`` are columns of the same name. Anything else (computed fields, AI,
external calls) is not compilable, and an operation selecting it runs on the resolvers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa

from gateway.permissions import Permission
from gateway.store.base import table_of

SQL = "talentgraph.sql"
"""The key of a field's ``metadata`` holding its reading."""


@dataclass(frozen=True, slots=True)
class Listing:
    """A connection of one table's rows of the caller's tenant: the root list when
    ``parent_column`` is None, else the children whose ``parent_column`` holds the
    parent's id. ``criteria_of`` reads the ``filter`` input, ``ordering_of`` the
    ``sort`` input (``(column, descending)``); ``permission`` is checked for the caller."""

    node_type: str
    criteria_of: Callable[[Any], Any]
    ordering_of: Callable[[Any], tuple[str, bool]]
    permission: Permission | None = None
    parent_column: str | None = None


@dataclass(frozen=True, slots=True)
class ChildCount:
    """The number of the ``node_type`` rows whose ``parent_column`` holds the parent's id."""

    node_type: str
    parent_column: str


@dataclass(frozen=True, slots=True)
class RelatedRow:
    """The one ``node_type`` row whose id the parent holds in ``key``; null when the key
    is null, the row is gone or the caller lacks ``permission``."""

    node_type: str
    key: str
    permission: Permission | None = None


@dataclass(frozen=True, slots=True)
class RelatedRows:
    """Every ``node_type`` row whose ``key_column`` holds the parent's id, in ``order_by``."""

    node_type: str
    key_column: str
    order_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NodeById:
    """A root field fetching one ``node_type`` row of the tenant by its global id."""

    node_type: str
    permission: Permission


Reading = Listing | ChildCount | RelatedRow | RelatedRows | NodeById


def sql_reading(reading: Reading) -> dict[str, Reading]:
    """The ``metadata`` of a field that the read compiler can compile as ``reading``."""
    return {SQL: reading}


def reading_of(metadata: Mapping[str, Any] | None) -> Reading | None:
    return (metadata or {}).get(SQL)


@cache
def node_tables() -> dict[str, sa.Table]:
    """The node types whose plain fields are, one for one, columns of a table (their
    row builders compute nothing)."""
    from gateway.store.models import (
        Application,
        Candidate,
        Interview,
        Job,
        Offer,
        OnboardingTask,
        PipelineStage,
    )

    return {
        "Job": table_of(Job),
        "Candidate": table_of(Candidate),
        "Application": table_of(Application),
        "PipelineStage": table_of(PipelineStage),
        "Interview": table_of(Interview),
        "Offer": table_of(Offer),
        "OnboardingTask": table_of(OnboardingTask),
    }
