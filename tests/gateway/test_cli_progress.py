"""The CLI's progress: live bars on a terminal, one line per step elsewhere."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import Progress

from gateway.cli_progress import LineProgress, progress_display


def test_without_a_terminal_each_step_is_a_line() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=200)
    with progress_display(console) as progress:
        assert isinstance(progress, LineProgress)
        task = progress.add_task("syncing recruiterflow sandbox", total=None)
        progress.update(task, description="jobs", completed=10)
        progress.update(task, description="jobs", completed=20)
        progress.update(task, description="candidates", completed=30)
        progress.update(task, completed=900)
    assert out.getvalue().splitlines() == [
        "syncing recruiterflow sandbox",
        "jobs: 10 records",
        "candidates: 30 records",
        "candidates: 900 records",
    ]


def test_on_a_terminal_the_bars_are_live() -> None:
    console = Console(file=io.StringIO(), force_terminal=True)
    with progress_display(console) as progress:
        assert isinstance(progress, Progress)
