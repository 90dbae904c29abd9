"""Secrets at rest: AES-256-GCM round trips, fresh nonces, context binding, key
rotation and the rotate-keys command."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gateway.cli import app
from gateway.crypto import CryptoError, Keyring, credentials_context, generate_key_spec, mask
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.migrate import upgrade
from gateway.store.models import Integration, Tenant

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()


def test_round_trip_and_fresh_nonce() -> None:
    keyring = Keyring.from_setting(NEW)
    first = keyring.encrypt_json({"apiKey": "s3cret"}, context="tenant:1:x")
    second = keyring.encrypt_json({"apiKey": "s3cret"}, context="tenant:1:x")
    assert first != second
    assert "s3cret" not in first
    assert first.startswith("v1.new.")
    assert keyring.decrypt_json(first, context="tenant:1:x") == {"apiKey": "s3cret"}


def test_context_binds_the_ciphertext() -> None:
    keyring = Keyring.from_setting(NEW)
    token = keyring.encrypt(b"secret", context="tenant:1:credentials")
    with pytest.raises(CryptoError):
        keyring.decrypt(token, context="tenant:2:credentials")


def test_tampering_is_detected() -> None:
    keyring = Keyring.from_setting(NEW)
    version, key_id, nonce, sealed = keyring.encrypt(b"secret", context="c").split(".")
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(CryptoError):
        keyring.decrypt(".".join((version, key_id, nonce, flipped)), context="c")
    with pytest.raises(CryptoError):
        keyring.decrypt("not-a-token", context="c")


def test_rotation_with_several_keys() -> None:
    old_only = Keyring.from_setting(OLD)
    token = old_only.encrypt(b"secret", context="c")
    both = Keyring.from_setting(f"{NEW},{OLD}")
    assert both.needs_rotation(token)
    assert both.decrypt(token, context="c") == b"secret"
    rotated = both.rotate(token, context="c")
    assert both.key_id_of(rotated) == "new"
    with pytest.raises(CryptoError):
        old_only.decrypt(rotated, context="c")


@pytest.mark.parametrize(
    "setting",
    ["", "k1", "k1:not base64!", "k1:" + base64.b64encode(b"short").decode(), f"{NEW},{NEW}"],
)
def test_bad_key_settings_are_refused(setting: str) -> None:
    with pytest.raises(ValueError):
        Keyring.from_setting(setting)


def test_generated_key_spec_parses() -> None:
    assert Keyring.from_setting(generate_key_spec("k9")).current.key_id == "k9"


def test_mask_never_shows_short_secrets() -> None:
    assert mask("abc") == "••••"
    assert mask("sk_live_0123456789abcdef") == "••••cdef"


async def _seed_old_secret(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine).begin() as session:
            tenant = Tenant(slug="rot", name="Rot")
            session.add(tenant)
            await session.flush()
            session.add(
                Integration(
                    tenant_id=tenant.id,
                    provider="recruiterflow",
                    name="RF",
                    credentials_encrypted=Keyring.from_setting(OLD).encrypt_json(
                        {"apiKey": "k-123"}, context=credentials_context(tenant.id)
                    ),
                )
            )
    finally:
        await engine.dispose()


async def _stored_secret(url: str) -> tuple[str, int]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            row = (
                await session.execute(
                    sa.select(Integration.credentials_encrypted, Integration.tenant_id)
                )
            ).one()
    finally:
        await engine.dispose()
    return row[0], row[1]


def test_rotate_keys_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sync on purpose: the command runs its own event loop."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'rotate.db'}"
    asyncio.run(_seed_old_secret(url))
    monkeypatch.setenv("TALENTGRAPH_DATABASE_URL", url)
    monkeypatch.setenv("TALENTGRAPH_ENCRYPTION_KEYS", f"{NEW},{OLD}")
    result = CliRunner().invoke(app, ["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 1" in result.output
    again = CliRunner().invoke(app, ["rotate-keys"])
    assert "re-encrypted 0" in again.output
    stored, tenant_id = asyncio.run(_stored_secret(url))
    new_only = Keyring.from_setting(NEW)
    assert new_only.decrypt_json(stored, context=credentials_context(tenant_id)) == {
        "apiKey": "k-123"
    }
