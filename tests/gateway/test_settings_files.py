"""Settings from files: ``.env`` (and ``TALENTGRAPH_ENV_FILE``), ``.env.example`` kept
in step with ``Settings``, and the Dockerfile and compose.yaml naming real settings and
commands."""

from __future__ import annotations

import json
import re
import shlex
from importlib import resources
from pathlib import Path

import check_jsonschema.builtin_schemas.vendor as vendored
import pytest
import yaml
from jsonschema.validators import validator_for
from typer.main import get_command

from gateway.cli import app
from gateway.settings import Settings
from gateway.settings_example import UNDOCUMENTED, env_example

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TALENTGRAPH_LOG_LEVEL", "TALENTGRAPH_REDIS_PREFIX", "TALENTGRAPH_ENV_FILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_dot_env_in_the_working_directory_is_read(workdir: Path) -> None:
    (workdir / ".env").write_text("TALENTGRAPH_LOG_LEVEL=DEBUG\nUNRELATED=1\n")
    assert Settings().log_level == "DEBUG"


def test_the_environment_wins_over_dot_env(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / ".env").write_text("TALENTGRAPH_LOG_LEVEL=DEBUG\nTALENTGRAPH_REDIS_PREFIX=file\n")
    monkeypatch.setenv("TALENTGRAPH_LOG_LEVEL", "WARNING")
    settings = Settings()
    assert (settings.log_level, settings.redis_prefix) == ("WARNING", "file")


def test_env_file_variable_names_another_file(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / ".env").write_text("TALENTGRAPH_LOG_LEVEL=DEBUG\n")
    (workdir / "prod.env").write_text("TALENTGRAPH_LOG_LEVEL=ERROR\n")
    monkeypatch.setenv("TALENTGRAPH_ENV_FILE", str(workdir / "prod.env"))
    assert Settings().log_level == "ERROR"


def test_env_example_is_up_to_date() -> None:
    assert (ROOT / ".env.example").read_text() == env_example(), (
        "regenerate it: talentgraph settings-example -o .env.example"
    )


def test_env_example_lists_every_setting_with_a_description() -> None:
    text = env_example()
    for name in Settings.model_fields:
        entry = re.search(rf"((?:# .*\n)+)#? ?TALENTGRAPH_{name.upper()}=", text)
        assert entry is not None, f"{name} is missing or has no description"
    assert set(UNDOCUMENTED) <= set(Settings.model_fields)


def test_env_example_as_env_file_gives_the_defaults(workdir: Path) -> None:
    (workdir / "example.env").write_text(env_example())
    from_example = Settings(_env_file=workdir / "example.env")  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert from_example.model_dump() == defaults.model_dump()


def _compose() -> dict[str, object]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_gateway_worker_postgres_and_redis() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    assert set(services) == {"gateway", "gateway-2", "worker", "postgres", "redis"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name, service in services.items():
        assert "test" in service["healthcheck"], f"{name} has no healthcheck"
        for dependency in service.get("depends_on", {}).values():
            assert dependency == {"condition": "service_healthy"}
    for name in ("gateway", "gateway-2", "worker"):
        assert {"path": ".env", "required": False} in services[name]["env_file"]
        assert set(services[name]["depends_on"]) >= {"redis"}
    assert set(services["gateway"]["depends_on"]) == {"postgres", "redis"}
    assert set(services["gateway-2"]["depends_on"]) == {"gateway", "redis"}, "migrated first"
    ports = [port for name in ("gateway", "gateway-2") for port in services[name]["ports"]]
    assert len({port.split(":")[0] for port in ports}) == 2, "two replicas, two host ports"
    assert any("postgresql/data" in volume for volume in services["postgres"]["volumes"])


def test_compose_is_valid_by_the_compose_specification() -> None:
    """What ``docker compose config`` checks first: the file against the Compose
    Specification's JSON Schema (the copy check-jsonschema ships, kept current with
    compose-spec), so a misspelt key or a wrong shape fails here without Docker."""
    schema = json.loads(resources.files(vendored).joinpath("compose-spec.json").read_text())
    validator = validator_for(schema)(schema)
    assert [error.message for error in validator.iter_errors(_compose())] == []
    broken = _compose()
    broken["services"]["gateway"]["healthcheck"]["intervall"] = "5s"
    assert list(validator.iter_errors(broken)), "the schema refuses unknown keys"


def test_compose_and_dockerfile_name_only_real_settings() -> None:
    used = set(
        re.findall(
            r"TALENTGRAPH_([A-Z0-9_]+)",
            (ROOT / "compose.yaml").read_text() + (ROOT / "Dockerfile").read_text(),
        )
    )
    known = {name.upper() for name in Settings.model_fields}
    assert used, "no settings found"
    assert used <= known, f"not settings: {sorted(used - known)}"


def _dockerfile_instruction(keyword: str) -> str:
    """The instruction in the final stage (after the last FROM)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stages = text.split("\nFROM ")
    final = stages[-1] if len(stages) > 1 else text
    if keyword == "FROM":
        return final.splitlines()[0].removeprefix("FROM ")
    lines = [line for line in final.splitlines() if line.startswith(f"{keyword} ")]
    assert len(lines) == 1, f"one {keyword} expected"
    return lines[0].removeprefix(f"{keyword} ")


def _assert_real_command(argv: list[str]) -> None:
    assert argv[0] == "talentgraph"
    group = get_command(app)
    assert hasattr(group, "commands")
    command = group.commands.get(argv[1])
    assert command is not None, f"no command {argv[1]!r}"
    options = {flag for param in command.params for flag in param.opts}
    for word in argv[2:]:
        if word.startswith("--"):
            assert word in options, f"{argv[1]} has no option {word}"


def test_the_image_is_built_in_two_stages() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert text.count("\nFROM ") + text.startswith("FROM ") >= 2
    assert "COPY --from=build /wheels" in text, "the runtime stage takes only the wheels"
    final = text.split("\nFROM ")[-1]
    assert "COPY gateway" not in final, "no source tree in the runtime image"


def test_dockerfile_runs_a_real_serve_command() -> None:
    cmd = json.loads(_dockerfile_instruction("CMD"))
    assert cmd[:2] == ["talentgraph", "serve"]
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"
    _assert_real_command(cmd)
    assert _dockerfile_instruction("FROM") == "python:3.11-slim"
    assert _dockerfile_instruction("USER") not in ("root", "0")
    assert "/healthz" in _dockerfile_instruction("HEALTHCHECK")


def test_compose_commands_are_real() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    for name in ("gateway", "gateway-2", "worker"):
        command = services[name]["command"]
        _assert_real_command(command if isinstance(command, list) else shlex.split(command))
