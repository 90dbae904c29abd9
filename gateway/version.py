"""The installed package's version, as ``pyproject.toml`` gives it."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("talentgraph")
except PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "0+unknown"
