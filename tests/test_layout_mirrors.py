"""The test tree mirrors the code: a folder of tests under ``tests/gateway``,
``tests/resolvers``, ``tests/connectors`` or ``tests/demo`` is named after a package of
the code at the same place (``tests/gateway/oidc`` tests ``gateway/oidc``), so a
renamed or removed package cannot leave its tests behind under the old name. Helper
folders (harnesses, fixtures) are not tests and need no package."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

TESTS = REPO_ROOT / "tests"
MIRRORED = ("gateway", "resolvers", "connectors", "demo")
HELPER_FOLDERS = frozenset({"harness", "support", "fixtures", "__pycache__"})


def mirrored_test_folders(root: Path = TESTS) -> list[Path]:
    """Every folder below a mirrored tree of ``root``, helper folders and their insides
    left out."""
    found: list[Path] = []
    for tree in MIRRORED:
        for folder in sorted((root / tree).rglob("*")):
            relative = folder.relative_to(root)
            if folder.is_dir() and not HELPER_FOLDERS.intersection(relative.parts):
                found.append(folder)
    return found


def unmirrored(root: Path = TESTS, code: Path = REPO_ROOT) -> list[str]:
    """Test folders whose counterpart in ``code`` is not a package."""
    return [
        folder.relative_to(root).as_posix()
        for folder in mirrored_test_folders(root)
        if not (code / folder.relative_to(root) / "__init__.py").is_file()
    ]


def test_every_test_folder_names_a_package_of_the_code() -> None:
    assert mirrored_test_folders(), "no test folder found: the walk itself is broken"
    assert unmirrored() == [], "test folders without a package of the same path in the code"


@pytest.mark.parametrize("tree", MIRRORED)
def test_every_mirrored_test_folder_is_a_package(tree: str) -> None:
    """Tests import each other as ``tests.<path>`` modules, so each folder is a package."""
    folders = [
        TESTS / tree,
        *(f for f in mirrored_test_folders() if f.is_relative_to(TESTS / tree)),
    ]
    missing = [
        f.relative_to(TESTS).as_posix() for f in folders if not (f / "__init__.py").is_file()
    ]
    assert missing == []


def test_a_folder_without_its_package_is_reported(tmp_path: Path) -> None:
    """The check itself, on a made-up tree: a mirror of a package that is gone is named,
    one of a package that exists and a harness folder are not."""
    code, tests = tmp_path / "code", tmp_path / "tests"
    (code / "gateway" / "oidc").mkdir(parents=True)
    (code / "gateway" / "oidc" / "__init__.py").touch()
    (code / "gateway" / "gone").mkdir()
    for folder in ("gateway/oidc", "gateway/gone", "connectors/harness", "demo"):
        (tests / folder).mkdir(parents=True)
    (tests / "resolvers").mkdir()
    assert unmirrored(tests, code) == ["gateway/gone"]
