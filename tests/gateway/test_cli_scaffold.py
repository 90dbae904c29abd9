"""``talentgraph new-connector``: run on a copy of the repository's tracked files, it
adds a provider's new files and one registry line (and the regenerated schema's one
enum member), nothing else; the new files pass ruff and mypy; and the new provider
passes the contract suite and its own first tests out of the box. Slugs, titles and
roots it cannot use are refused with nothing written.

The end-to-end part runs the command, ruff, mypy and pytest as subprocesses of this
interpreter on the copy (``PYTHONPATH`` = the copy), niced so a parallel run keeps its
cores; about half a minute of CPU.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.cli_scaffold import TEMPLATES, Names, ScaffoldRefused, planned, scaffold
from tests.support.paths import REPO_ROOT

SLUG = "acme_ats"
NEW_PATHS = sorted(path.format(slug=SLUG) for path, _ in TEMPLATES)
NEW_PYTHON = [
    f"connectors/{SLUG}",
    f"demo/sandbox/{SLUG}",
    f"tests/connectors/{SLUG}",
    f"tests/connectors/harness/{SLUG}.py",
]
IGNORED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})

pytestmark = pytest.mark.timeout(600)
"""Subprocesses on a busy machine: well above the suite's two minutes."""


def _tracked() -> dict[str, bytes]:
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout to list the tracked files")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode()
    return {
        name: (REPO_ROOT / name).read_bytes()
        for name in listed.split("\0")
        if name and (REPO_ROOT / name).is_file()
    }


def _copy(files: dict[str, bytes], root: Path) -> Path:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and not IGNORED_PARTS.intersection(path.relative_to(root).parts)
    }


def _run(command: list[str], root: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    niced = ["nice", "-n", "10", *command] if shutil.which("nice") else command
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        niced, cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@dataclass
class Scaffolded:
    root: Path
    original: dict[str, bytes]
    output: str
    after: dict[str, bytes]


@pytest.fixture(scope="module")
def original() -> dict[str, bytes]:
    """The repository's tracked files as they are now."""
    return _tracked()


@pytest.fixture(scope="module")
def scaffolded(original: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Scaffolded:
    root = _copy(original, tmp_path_factory.mktemp("checkout"))
    command = [sys.executable, "-c", "from gateway.cli import app; app()", "new-connector"]
    done = _run([*command, SLUG, "--title", "Acme ATS", "--root", str(root)], root)
    assert done.returncode == 0, done.stdout + done.stderr
    return Scaffolded(root, original, done.stdout, _files(root))


def _added_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.decode().splitlines(), after.decode().splitlines()))
    added = [line[2:] for line in diff if line.startswith("+ ")]
    removed = [line[2:] for line in diff if line.startswith("- ")]
    return added, removed


def test_only_the_provider_s_files_and_its_registry_line_are_added(
    scaffolded: Scaffolded,
) -> None:
    new = sorted(set(scaffolded.after) - set(scaffolded.original))
    assert new == NEW_PATHS
    assert set(scaffolded.original) <= set(scaffolded.after), "nothing is removed"
    changed = sorted(
        name for name, content in scaffolded.original.items() if scaffolded.after[name] != content
    )
    assert changed == ["connectors/registry.py", "schema.graphql"]
    registry = _added_lines(
        scaffolded.original["connectors/registry.py"], scaffolded.after["connectors/registry.py"]
    )
    assert registry == ([f'    "{SLUG}": "connectors.{SLUG}",'], [])
    schema = _added_lines(scaffolded.original["schema.graphql"], scaffolded.after["schema.graphql"])
    assert schema == ([f"  {SLUG.upper()}"], []), "the Provider enum gains one member"
    for path in NEW_PATHS:
        assert path in scaffolded.output, "the command says what it wrote"
    assert "schema.graphql" in scaffolded.output


def test_the_new_files_pass_ruff_and_mypy(
    scaffolded: Scaffolded, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = scaffolded.root
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        done = _run([sys.executable, "-m", "ruff", *command, *NEW_PYTHON], root)
        assert done.returncode == 0, done.stdout + done.stderr
    cache = tmp_path_factory.mktemp("mypy-cache")
    done = _run([sys.executable, "-m", "mypy", "--cache-dir", str(cache), *NEW_PYTHON], root)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_new_provider_passes_the_contract_suite_and_its_first_tests(
    scaffolded: Scaffolded,
) -> None:
    done = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
            "tests/connectors/test_contract.py",
            f"tests/connectors/{SLUG}",
            "tests/connectors/kit/test_provider.py",
            "tests/test_schema_file.py",
            "-k",
            f"{SLUG} or test_provider.py or test_schema_file.py",
        ],
        scaffolded.root,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " failed" not in summary and " passed" in summary
    assert int(summary.split(" passed")[0].split()[-1]) >= 25, summary


def test_the_new_provider_joins_the_demo(scaffolded: Scaffolded) -> None:
    """The fake's package declares its sandbox: the demo finds it with nothing else
    edited, and its connector reaches the served sandbox with the declared credentials
    and path, reads the seeded jobs and fetches a resume there."""
    found = _run(
        [
            sys.executable,
            "-c",
            "from demo.sandbox.declaration import demo_sandboxes\n"
            "print(' '.join(s.slug for s in demo_sandboxes() if s.served))",
        ],
        scaffolded.root,
    )
    assert found.returncode == 0, found.stdout + found.stderr
    assert SLUG in found.stdout.split(), found.stdout
    done = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
            "tests/demo/test_demo_providers.py",
        ],
        scaffolded.root,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.strip().splitlines()[-1]


# refusals


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Path]:
    """Just enough of a checkout for the command's checks."""
    for name in ("pyproject.toml", "connectors/registry.py", "connectors/http.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / name, tmp_path / name)
    for folder in ("demo/sandbox", "tests/connectors/harness", "gateway"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "demo/sandbox/faults.py").touch()
    (tmp_path / "gateway/cli.py").touch()
    yield tmp_path


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (["Acme"], "not a provider slug"),
        (["1acme"], "not a provider slug"),
        (["acme-ats"], "not a provider slug"),
        (["acme ats"], "not a provider slug"),
        (["a" * 33], "not a provider slug"),
        ([""], "not a provider slug"),
        (["class"], "reserved"),
        (["standard"], "reserved"),
        (["greenhouse"], "already in connectors/registry.py"),
        (["http"], "already exists: connectors/http.py"),
        (["faults"], "already exists: demo/sandbox/faults.py"),
        (["acme", "--title", 'Acme "ATS"'], "not a usable title"),
        (["acme", "--title", "x" * 41], "not a usable title"),
    ],
)
def test_what_cannot_be_used_is_refused_with_nothing_written(
    checkout: Path, arguments: list[str], reason: str
) -> None:
    before = _files(checkout)
    result = CliRunner().invoke(app, ["new-connector", *arguments, "--root", str(checkout)])
    assert result.exit_code == 2, result.output
    assert reason in " ".join(result.output.split())
    assert _files(checkout) == before


def test_a_root_that_is_no_checkout_is_refused(
    checkout: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = CliRunner().invoke(app, ["new-connector", "acme", "--root", str(elsewhere)])
    assert result.exit_code == 2
    assert "is not a talentgraph checkout" in " ".join(result.output.split())
    (elsewhere / "pyproject.toml").write_text('[project]\nname = "other"\n')
    for part in ("connectors", "demo", "tests", "gateway"):
        shutil.copytree(checkout / part, elsewhere / part)
    with pytest.raises(ScaffoldRefused, match="not a talentgraph checkout"):
        scaffold(elsewhere, "acme")
    (elsewhere / "pyproject.toml").write_bytes((checkout / "pyproject.toml").read_bytes())
    (elsewhere / "tests/connectors/harness").rmdir()
    with pytest.raises(ScaffoldRefused, match="not a talentgraph checkout"):
        scaffold(elsewhere, "acme")
    assert not (elsewhere / "connectors/acme").exists()


def test_the_registry_line_goes_at_the_end_of_packages(checkout: Path) -> None:
    made = scaffold(checkout, "acme")
    registry = (checkout / "connectors/registry.py").read_text()
    block = registry.split("PACKAGES: dict[str, str] = {\n", 1)[1].split("\n}\n", 1)[0]
    assert block.splitlines()[-1] == '    "acme": "connectors.acme",'
    assert made.registry == '"acme": "connectors.acme",'
    assert sorted(p.as_posix() for p in made.written) == sorted(
        path.format(slug="acme") for path, _ in TEMPLATES
    )


def test_imports_and_lines_pass_ruff_whatever_the_slug(
    original: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The slug decides where its own modules sort among ``connectors.*`` and
    ``demo.sandbox.*``, and how long its lines are: rendered into a checkout for slugs
    that sort first, last and beside the other modules, and one of the longest."""
    root = _copy(original, tmp_path_factory.mktemp("slugs"))
    written: list[str] = []
    for slug in ("a", "assembly2", "kit_x", "zeta", "faults_x", "z" * 32):
        for path, content in planned(Names(slug, "A Vendor With A Forty Letter Name (EMEA)")):
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(content)
            written.append(path)
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        done = _run([sys.executable, "-m", "ruff", *command, *written], root)
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr
