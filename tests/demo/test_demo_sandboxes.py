"""The demo sandboxes on loopback ports: recorded in the data folder, reachable by the
connectors of every process of that folder in development, and by nothing else."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connectors.errors import ForbiddenTargetError
from demo.sync import (
    IDENTITY_PATH,
    SandboxServers,
    SandboxUnavailable,
    read_origins,
    served_sandboxes,
    start_sandboxes,
)
from gateway.outbound_http import connector_client
from gateway.settings import Settings
from gateway.store.enums import Provider


def settings_for(data_dir: Path, environment: str = "development") -> Settings:
    return Settings(data_dir=data_dir, environment=environment)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[SandboxServers]:
    servers = start_sandboxes(settings_for(tmp_path), allocate=True)
    try:
        yield servers
    finally:
        servers.stop()


async def test_connectors_reach_exactly_the_recorded_sandboxes(
    served: SandboxServers, tmp_path: Path
) -> None:
    assert set(served.origins) == set(served_sandboxes())
    assert {Provider.RECRUITERFLOW, Provider.JOBVITE, Provider.BPOC, Provider.GREENHOUSE} <= set(
        served.origins
    )
    assert read_origins(tmp_path) == served.origins
    with socket.socket() as other:  # a loopback server that is no sandbox
        other.bind(("127.0.0.1", 0))
        other.listen()
        stranger = f"http://127.0.0.1:{other.getsockname()[1]}/"
        async with connector_client(settings_for(tmp_path)) as client:
            for provider, origin in served.origins.items():
                answer = await client.get(origin + IDENTITY_PATH)
                assert answer.json() == {"provider": provider.value}
            with pytest.raises(ForbiddenTargetError):
                await client.get(stranger)
            with pytest.raises(ForbiddenTargetError):  # the same port by another name
                port = httpx.URL(served.origins[Provider.BPOC]).port
                await client.get(f"http://localhost:{port}{IDENTITY_PATH}")
        production = settings_for(tmp_path, "production")
        async with connector_client(production) as client:
            with pytest.raises(ForbiddenTargetError):
                await client.get(served.origins[Provider.BPOC] + IDENTITY_PATH)


def test_another_process_leaves_running_sandboxes_alone(
    served: SandboxServers, tmp_path: Path
) -> None:
    again = start_sandboxes(settings_for(tmp_path))
    assert again.started == [] and again.origins == served.origins


def test_stopped_sandboxes_are_started_again_on_their_recorded_ports(tmp_path: Path) -> None:
    first = start_sandboxes(settings_for(tmp_path), allocate=True)
    first.stop()
    second = start_sandboxes(settings_for(tmp_path))
    try:
        assert sorted(second.started) == sorted(first.origins)
        assert second.origins == first.origins
        for provider, origin in second.origins.items():
            assert httpx.get(origin + IDENTITY_PATH).json() == {"provider": provider.value}
    finally:
        second.stop()


def test_a_recorded_port_held_by_another_program_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        origin = f"http://127.0.0.1:{other.getsockname()[1]}"
        (tmp_path / "sandboxes.json").write_text(json.dumps({"origins": {"bpoc": origin}}))
        with pytest.raises(SandboxUnavailable, match="bpoc sandbox's port"):
            start_sandboxes(settings_for(tmp_path))
        moved = start_sandboxes(settings_for(tmp_path), allocate=True)  # serve --demo
        try:
            assert moved.origins[Provider.BPOC] != origin
            assert read_origins(tmp_path) == moved.origins
        finally:
            moved.stop()


def test_a_folder_without_a_demo_starts_nothing(tmp_path: Path) -> None:
    assert start_sandboxes(settings_for(tmp_path)).origins == {}
    assert not (tmp_path / "sandboxes.json").exists()
