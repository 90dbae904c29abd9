"""What an operator sees of the CLI: ``--version``, help without reStructuredText
markup, and a bad setting as one line per problem with exit status 2 for every command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from gateway.cli import app
from gateway.settings_errors import describe
from gateway.version import VERSION

TALENTGRAPH = str(Path(sys.executable).with_name("talentgraph"))
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]
SETTINGS_COMMANDS = [
    "migrate",
    "demo",
    "serve",
    "worker",
    "sync 1",
    "token --tenant a --email a@a.example",
    "rotate-keys",
]


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TALENTGRAPH, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENTGRAPH_")}
    env["TALENTGRAPH_DATA_DIR"] = str(tmp_path / "data")
    env["TALENTGRAPH_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    return env


def test_version(clean_env: dict[str, str], tmp_path: Path) -> None:
    ran = _run("--version", env=clean_env, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == f"talentgraph {VERSION}"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_no_restructuredtext_markup(command: str | None) -> None:
    args = ["--help"] if command is None else [command, "--help"]
    result = CliRunner().invoke(app, args, terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    assert "``" not in result.output


def test_shell_completion_is_offered() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=100)
    assert "--install-completion" in result.output


@pytest.mark.parametrize("command", SETTINGS_COMMANDS)
def test_a_bad_setting_is_one_line_per_problem_and_exit_2(
    command: str, clean_env: dict[str, str], tmp_path: Path
) -> None:
    clean_env["TALENTGRAPH_RATE_LIMIT_USER_PER_MINUTE"] = "abc"
    clean_env["TALENTGRAPH_ENVIRONMENT"] = "staging"
    ran = _run(*command.split(), env=clean_env, cwd=tmp_path)
    assert ran.returncode == 2, ran.stderr
    assert "Traceback" not in ran.stderr
    assert sorted(ran.stderr.strip().splitlines()) == [
        "TALENTGRAPH_ENVIRONMENT: Input should be 'development' or 'production' (got 'staging')",
        "TALENTGRAPH_RATE_LIMIT_USER_PER_MINUTE: Input should be a valid integer, unable to "
        "parse string as an integer (got 'abc')",
    ]
    assert not (tmp_path / "cli.db").exists()


def test_a_bad_setting_in_dot_env_is_reported_too(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("TALENTGRAPH_SMTP_PORT=0\n")
    ran = _run("migrate", env=clean_env, cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr.strip() == (
        "TALENTGRAPH_SMTP_PORT: Input should be greater than or equal to 1 (got '0')"
    )


def test_a_json_setting_that_is_not_json_is_named(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    clean_env["TALENTGRAPH_OIDC_ISSUERS"] = "not-json"
    ran = _run("migrate", env=clean_env, cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr.startswith("TALENTGRAPH_OIDC_ISSUERS: error parsing value"), ran.stderr
    assert "Traceback" not in ran.stderr


@pytest.mark.parametrize(
    "name",
    [
        "jwt_secret",
        "encryption_keys",
        "database_url",
        "redis_url",
        "smtp_password",
        "ai_api_key",
        "metrics_token",
    ],
)
def test_secret_values_are_never_echoed(name: str) -> None:
    error = {"loc": (name,), "msg": "Value error, 'hunter2' is wrong", "input": "hunter2"}
    assert describe(error) == f"TALENTGRAPH_{name.upper()}: Value error, '***' is wrong"


def test_other_values_are_echoed() -> None:
    line = describe({"loc": ("log_level",), "msg": "Input is wrong", "input": "hunter2"})
    assert line == "TALENTGRAPH_LOG_LEVEL: Input is wrong (got 'hunter2')"
