"""What one sync run has done so far (``RunState``: counts, what it saw, what failed)
and who its writes are by (``sync_actor``); shared by the run's phases, its close and
the one-job refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.models import RecordFailure
from gateway.services.activities import Actor
from gateway.store.enums import ActorType, SyncStatus
from gateway.store.models import Integration
from jobs.sync_writer import describe_failure

MAX_LISTED_FAILURES = 200
"""Failed records a run lists by entity, id and reason (``SyncRun.failures``)."""


class SyncFailed(Exception):
    def __init__(self, status: SyncStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class RunState:
    """What one run has done so far; ``counts`` is what the run row records."""

    run_id: int
    tenant_id: int
    integration_id: int
    started_at: datetime
    checkpoint: dict[str, Any]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    seen: dict[str, set[str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    failed_records: list[dict[str, str | None]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What the run could not do besides records (link recruiters, read the stage list):
    reported with the run, without making it fail."""
    source_cursors: dict[str, str] = field(default_factory=dict)
    """The source's change tokens from this run's reads (``Connector.cursors``), kept on
    the integration when the run succeeds."""
    blind: set[str] = field(default_factory=set)
    """Phases with a record that failed without an id: what they did not see may still
    exist at the source, so nothing of theirs is marked deleted."""

    def count(self, model: str, outcome: str, amount: int = 1) -> None:
        if amount:
            bucket = self.counts.setdefault(
                model, {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 0}
            )
            bucket[outcome] += amount

    def fail(self, entity: str, remote_id: str | None, reason: str) -> None:
        self.count(entity, "failed")
        self.failures.append(describe_failure(entity, remote_id, reason))
        if len(self.failed_records) < MAX_LISTED_FAILURES:
            self.failed_records.append(
                {"entity": entity, "remoteId": remote_id, "reason": reason[:500]}
            )

    def warn(self, warning: str) -> None:
        """Something the run could not read besides records (a connector's enrichment
        read the source refused): reported once with the run, which does not fail."""
        if warning not in self.warnings:
            self.warnings.append(warning)

    def record_failure(self, failure: RecordFailure) -> None:
        """A record the connector could not map: listed with the run, kept from deletion
        (it is still at the source), tried again next run."""
        self.fail(failure.entity, failure.remote_id, failure.reason)
        if failure.remote_id is None:
            self.blind.add(failure.entity)
        else:
            self.seen.setdefault(failure.entity, set()).add(failure.remote_id)

    @property
    def processed(self) -> int:
        """Records read and written, whatever the outcome but failure or deletion."""
        written = ("created", "updated", "unchanged")
        return sum(sum(c.get(k, 0) for k in written) for c in self.counts.values())


def sync_actor(integration: Integration, run_id: int) -> Actor:
    """Who a sync run's writes are by: the run, on behalf of the integration."""
    return Actor(integration.tenant_id, ActorType.SYNC, str(run_id), f"{integration.name} sync")


def saved_cursors(integration: Integration) -> dict[str, str]:
    """The source's change tokens the integration's last successful runs left
    (``sync_cursor["source"]``); whatever else is stored there is ignored."""
    stored = (integration.sync_cursor or {}).get("source")
    if not isinstance(stored, dict):
        return {}
    return {
        name: token
        for name, token in stored.items()
        if isinstance(name, str) and isinstance(token, str) and token
    }
