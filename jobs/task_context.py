"""What every background task is given (``TaskContext``) and how it says an attempt
failed: ``TaskError`` (worth retrying) or ``PermanentTaskError`` (no retry can fix it).

Kept apart from the tasks themselves so each task family, the registry and the
recording wrapper can share them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.ai.factory import create_provider
from gateway.ai.provider import AIProvider
from gateway.queue import JobRecords
from gateway.runtime import Runtime
from gateway.services.analysis import AnalysisDeps
from gateway.settings import Settings
from gateway.store.engine import SessionFactory
from jobs.sync_api import SyncDeps


class TaskError(Exception):
    """A failed attempt worth retrying."""


class PermanentTaskError(Exception):
    """A failure no retry can fix: the record goes straight to ``dead``."""


@dataclass(frozen=True, slots=True)
class TaskContext:
    """What every task may use; built once per worker or ``serve`` process."""

    deps: SyncDeps
    settings: Settings
    ai: AIProvider | None = None
    """The AI provider of this process (one instance, shared: it bounds its concurrent
    requests); None: one is built from the settings when a task needs it."""

    @property
    def session_factory(self) -> SessionFactory:
        return self.deps.session_factory

    def provider(self) -> AIProvider:
        if self.ai is not None:
            return self.ai
        try:
            return create_provider(self.settings, self.deps.http)
        except ValueError as exc:  # misconfigured: no retry fixes it
            raise PermanentTaskError(str(exc)) from None

    def analysis_deps(self) -> AnalysisDeps:
        return AnalysisDeps(self.session_factory, self.deps.bus, self.deps.cache, self.provider())

    @property
    def records(self) -> JobRecords:
        return JobRecords(self.deps.session_factory)


def task_context_for(runtime: Runtime) -> TaskContext:
    """The tasks' view of a process's runtime (``gateway.runtime``)."""
    deps = SyncDeps(
        session_factory=runtime.session_factory,
        keyring=runtime.keyring,
        http=runtime.http,
        bus=runtime.bus,
        cache=runtime.cache,
        locks=runtime.locks,
        new_applications=runtime.new_applications,
    )
    return TaskContext(deps, runtime.settings, ai=runtime.ai_provider)
