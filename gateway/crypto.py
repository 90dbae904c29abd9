"""Secrets at rest: AES-256-GCM with a fresh 96-bit nonce per encryption and a key id.

    keyring = Keyring.from_setting("k2:<base64 32 bytes>,k1:<base64 32 bytes>")
    token = keyring.encrypt_json({"apiKey": "..."}, context="tenant:1:credentials")
    keyring.decrypt_json(token, context="tenant:1:credentials")   # {"apiKey": "..."}

A token is ``v1.<key id>.<nonce>.<ciphertext+tag>`` (base64url). Keys are listed
newest first: the newest encrypts, every listed key decrypts, so keys rotate by
adding a new one in front and running ``talentgraph rotate-keys``. ``context`` is
bound as associated data: a ciphertext copied to another tenant or field fails to
decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.private_files import create_private_file, private_directory

VERSION = "v1"
NONCE_BYTES = 12
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class CryptoError(Exception):
    """A secret cannot be decrypted: unknown key id, tampered or foreign ciphertext."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    """Strict: a character outside the base64url alphabet is an error, not skipped, so
    a token decodes from one spelling only."""
    if not _BASE64URL.fullmatch(text):
        raise binascii.Error("not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Key:
    key_id: str
    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) != 32:
            raise ValueError(f"encryption key {self.key_id!r} must be 32 bytes")
        if not self.key_id or "." in self.key_id or ":" in self.key_id:
            raise ValueError("key ids must be non-empty and contain no '.' or ':'")


def generate_key_spec(key_id: str = "k1") -> str:
    """A new ``id:base64`` key entry for ``TALENTGRAPH_ENCRYPTION_KEYS``."""
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


class Keyring:
    def __init__(self, keys: list[Key]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        ids = [key.key_id for key in keys]
        if len(set(ids)) != len(ids):
            raise ValueError("encryption key ids must be unique")
        self.keys = keys
        self.by_id = {key.key_id: key for key in keys}

    @property
    def current(self) -> Key:
        return self.keys[0]

    @classmethod
    def from_setting(cls, value: str) -> Keyring:
        """Parse ``id:base64key,id:base64key`` (newest first)."""
        keys = []
        for entry in value.split(","):
            entry = entry.strip()
            if not entry:
                continue
            key_id, sep, encoded = entry.partition(":")
            if not sep:
                raise ValueError("each encryption key is 'id:base64', e.g. 'k1:...'")
            try:
                secret = base64.b64decode(encoded, validate=True)
            except binascii.Error as exc:
                raise ValueError(f"encryption key {key_id!r} is not valid base64") from exc
            keys.append(Key(key_id.strip(), secret))
        return cls(keys)

    @classmethod
    def development(cls, data_dir: Path) -> Keyring:
        """A key kept in ``data_dir`` for the embedded default; production must configure.

        The folder is made (or narrowed to) 0700 and the key file 0600 whatever the
        umask; processes starting together share the one key the first one wrote.
        """
        private_directory(data_dir, narrow=True)
        return cls.from_setting(
            create_private_file(data_dir / "encryption-keys", generate_key_spec("dev1"))
        )

    def encrypt(self, plaintext: bytes, *, context: str) -> str:
        key = self.current
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(key.secret).encrypt(nonce, plaintext, context.encode())
        return f"{VERSION}.{key.key_id}.{_b64(nonce)}.{_b64(sealed)}"

    def decrypt(self, token: str, *, context: str) -> bytes:
        try:
            version, key_id, nonce, sealed = token.split(".")
        except ValueError as exc:
            raise CryptoError("not an encrypted secret") from exc
        if version != VERSION:
            raise CryptoError(f"unknown secret format {version!r}")
        key = self.by_id.get(key_id)
        if key is None:
            raise CryptoError(f"secret encrypted with unknown key {key_id!r}")
        try:
            nonce_bytes = _unb64(nonce)
            if len(nonce_bytes) != NONCE_BYTES:
                raise ValueError(f"a nonce of {len(nonce_bytes)} bytes, not {NONCE_BYTES}")
            return AESGCM(key.secret).decrypt(nonce_bytes, _unb64(sealed), context.encode())
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise CryptoError("secret does not decrypt: tampered or from another record") from exc

    def key_id_of(self, token: str) -> str:
        parts = token.split(".")
        return parts[1] if len(parts) == 4 else ""

    def needs_rotation(self, token: str) -> bool:
        return self.key_id_of(token) != self.current.key_id

    def rotate(self, token: str, *, context: str) -> str:
        return self.encrypt(self.decrypt(token, context=context), context=context)

    def encrypt_json(self, value: dict[str, Any], *, context: str) -> str:
        return self.encrypt(orjson.dumps(value), context=context)

    def decrypt_json(self, token: str, *, context: str) -> dict[str, Any]:
        value = orjson.loads(self.decrypt(token, context=context))
        if not isinstance(value, dict):
            raise CryptoError("secret is not a JSON object")
        return value


def credentials_context(tenant_id: int) -> str:
    return f"tenant:{tenant_id}:integration-credentials"


def webhook_secret_context(tenant_id: int) -> str:
    return f"tenant:{tenant_id}:webhook-secret"


def mask(secret: str) -> str:
    """A hint that identifies a secret without revealing it: ``••••f00d``."""
    tail = secret[-4:] if len(secret) >= 12 else ""
    return f"••••{tail}"
