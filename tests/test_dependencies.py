"""The declared dependencies are the ones used: deptry finds every import of the
packages declared (none missing, none only transitive) and every runtime dependency
imported; the test libraries of the ``dev`` extra, which deptry does not look for in
``tests/``, are checked here to be imported by the tests, benchmarks or examples."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from tests.support.paths import REPO_ROOT

TOOLS = {"pytest", "pytest-asyncio", "pytest-timeout", "pytest-xdist", "ruff", "mypy", "deptry"}
"""Run from the shell or by pytest itself, never imported."""
MODULES = {"pyyaml": "yaml"}
"""Distributions whose module has another name."""


def test_deptry_finds_nothing_undeclared_or_unused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deptry", "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]


def test_every_test_library_is_used_by_the_tests_benchmarks_or_examples() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    libraries = [
        _name(requirement)
        for requirement in extras["dev"] + extras.get("bench", [])
        if _name(requirement) not in TOOLS and not _name(requirement).startswith("types-")
    ]
    sources = "\n".join(
        path.read_text()
        for folder in ("tests", "bench", "examples")
        for path in (REPO_ROOT / folder).rglob("*.py")
    )
    unused = [
        name
        for name in libraries
        if not re.search(
            rf"^\s*(import|from) {MODULES.get(name, name.replace('-', '_'))}\b",
            sources,
            re.MULTILINE,
        )
    ]
    assert not unused, (
        f"in the dev or bench extra, imported by no test, benchmark or example: {unused}"
    )
