"""How a sync reads its source: everything (``FULL``, which also detects deletions) or
what changed since the last successful run (``INCREMENTAL``).

A core type because both sides name it: the API's ``integrationSync(mode:)`` and the
queued task's payload (``gateway.services.sync_requests``), and the sync engine that
runs it (``jobs.sync_api`` re-exports it).
"""

from __future__ import annotations

from enum import StrEnum


class SyncMode(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"
