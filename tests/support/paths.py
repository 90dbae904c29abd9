"""Where the repository and the test fixtures are, for test modules at any depth."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SPECS = FIXTURES / "specs"
RECORDINGS = FIXTURES / "recordings"
