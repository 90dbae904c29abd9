"""The CLI: migrate, token (existing user, --create, refusals), demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.auth import decode_token
from gateway.cli import app
from gateway.store.enums import Role

SECRET = "cli-secret-" + "y" * 32


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "cli.db"
    monkeypatch.setenv("TALENTGRAPH_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("TALENTGRAPH_JWT_SECRET", SECRET)
    monkeypatch.setenv("TALENTGRAPH_DATA_DIR", str(tmp_path / "data"))
    return database


def test_migrate_creates_the_database(env: Path) -> None:
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert env.exists()


def test_token_for_unknown_user_is_refused_without_create(env: Path) -> None:
    result = CliRunner().invoke(app, ["token", "--tenant", "acme", "--email", "a@acme.example"])
    assert result.exit_code != 0
    assert "acme" in result.output


def test_token_with_create_then_for_the_existing_user(env: Path) -> None:
    runner = CliRunner()
    created = runner.invoke(
        app,
        [
            "token",
            "--tenant",
            "acme",
            "--email",
            "Lead@Acme.Example",
            "--role",
            "recruiter",
            "--create",
        ],
    )
    assert created.exit_code == 0, created.output
    claims = decode_token(SECRET, created.stdout.strip())
    assert claims.role is Role.RECRUITER
    assert claims.tenant_slug == "acme"

    again = runner.invoke(
        app, ["token", "--tenant", "acme", "--email", "lead@acme.example", "--role", "recruiter"]
    )
    assert again.exit_code == 0, again.output
    assert decode_token(SECRET, again.stdout.strip()).user_id == claims.user_id

    wrong_role = runner.invoke(
        app, ["token", "--tenant", "acme", "--email", "lead@acme.example", "--role", "admin"]
    )
    assert wrong_role.exit_code != 0
    assert "recruiter" in wrong_role.output
