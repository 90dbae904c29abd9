"""Progress of the CLI's long steps: rich's live bars on a terminal, and one plain line
per step otherwise (a log file, CI, ``| tee``), where a live display would show only
its final state.

    with progress_display(console, bars) as progress:
        task = progress.add_task("syncing", total=None)
        progress.update(task, description="jobs", completed=120)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import Progress, TaskID


class LineProgress:
    """``rich.progress.Progress``'s ``add_task``/``update``, as printed lines: one when a
    task starts, one when its description changes, and one per ``every`` records."""

    def __init__(self, console: Console, every: int = 500) -> None:
        self.console = console
        self.every = every
        self.tasks: dict[int, tuple[str, int]] = {}

    def add_task(self, description: str, total: float | None = None, **_: Any) -> TaskID:
        task = TaskID(len(self.tasks))
        self.tasks[task] = (description, 0)
        self.console.print(description, markup=False, highlight=False)
        return task

    def update(
        self, task: TaskID, *, description: str | None = None, completed: float | None = None
    ) -> None:
        shown, printed = self.tasks[task]
        count = int(completed) if completed is not None else printed
        described = description if description is not None else shown
        if described != shown or count - printed >= self.every:
            self.console.print(f"{described}: {count} records", markup=False, highlight=False)
            self.tasks[task] = (described, count)


@contextmanager
def progress_display(console: Console, *columns: Any, transient: bool = False) -> Iterator[Any]:
    """Live bars with ``columns`` when ``console`` is a terminal, else ``LineProgress``."""
    if console.is_terminal:
        with Progress(*columns, console=console, transient=transient) as bars:
            yield bars
    else:
        yield LineProgress(console)
