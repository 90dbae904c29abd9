"""The edges of ``gateway.crypto`` that a round trip never reaches: which key ids are
refused, key lists with empty entries, base64 that is only almost base64 (in a key
setting and in a stored token), and nonces of the wrong length."""

from __future__ import annotations

import base64
import secrets

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.crypto import CryptoError, Key, Keyring, _b64

SECRET_1 = b"1" * 32
SECRET_2 = b"2" * 32
K1 = "k1:" + base64.b64encode(SECRET_1).decode()
K2 = "k2:" + base64.b64encode(SECRET_2).decode()
CONTEXT = "tenant:1:integration-credentials"


# --- key ids ---------------------------------------------------------------------------


@pytest.mark.parametrize("key_id", ["", "a.b", ".", "a:b", ":", "a.b:c"])
def test_key_ids_that_would_break_the_token_format_are_refused(key_id: str) -> None:
    """A token is ``v1.<key id>.<nonce>.<sealed>`` and a setting ``id:base64``: a key id
    with either separator, or none at all, could not be read back."""
    with pytest.raises(ValueError, match="key ids"):
        Key(key_id, SECRET_1)


def test_a_plain_key_id_is_accepted() -> None:
    assert Key("k-2024_01", SECRET_1).key_id == "k-2024_01"


@pytest.mark.parametrize(
    "setting", [":" + K1.partition(":")[2], "a.b" + K1[2:]], ids=["empty-id", "dotted-id"]
)
def test_a_setting_with_an_unusable_key_id_is_refused(setting: str) -> None:
    with pytest.raises(ValueError, match="key ids"):
        Keyring.from_setting(setting)


# --- empty entries in the key list ---------------------------------------------------------


@pytest.mark.parametrize(
    "setting",
    [f"{K2},,{K1}", f"{K2}, ,{K1}", f",{K2},{K1}", f" , {K2},{K1},", f"{K2},{K1},,"],
    ids=["double-comma", "blank", "leading", "around", "trailing"],
)
def test_empty_entries_are_skipped_not_the_end_of_the_list(setting: str) -> None:
    keyring = Keyring.from_setting(setting)
    assert [key.key_id for key in keyring.keys] == ["k2", "k1"]
    older = Keyring.from_setting(K1).encrypt(b"secret", context=CONTEXT)
    assert keyring.decrypt(older, context=CONTEXT) == b"secret"


# --- base64 that is only almost base64 ------------------------------------------------------


def _with_junk(text: str, junk: str) -> str:
    """``text`` with ``junk`` in the middle: a lenient decoder skips it and gets the
    same bytes back, a strict one refuses."""
    middle = len(text) // 2
    return text[:middle] + junk + text[middle:]


JUNK = ["!!!!", "    ", "\n\n\n\n", "@", "*", "~~"]


@pytest.mark.parametrize("junk", JUNK)
def test_a_key_with_characters_outside_base64_is_refused(junk: str) -> None:
    key_id, _, encoded = K1.partition(":")
    with pytest.raises(ValueError, match="not valid base64"):
        Keyring.from_setting(f"{key_id}:{_with_junk(encoded, junk)}")


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("part", ["nonce", "sealed"])
def test_a_token_with_characters_outside_base64url_is_refused(part: str, junk: str) -> None:
    keyring = Keyring.from_setting(K1)
    version, key_id, nonce, sealed = keyring.encrypt(b"secret", context=CONTEXT).split(".")
    if part == "nonce":
        nonce = _with_junk(nonce, junk)
    else:
        sealed = _with_junk(sealed, junk)
    with pytest.raises(CryptoError):
        keyring.decrypt(".".join((version, key_id, nonce, sealed)), context=CONTEXT)


def _other_spellings(token: str) -> list[str]:
    """The same bytes in standard base64 (``+`` and ``/``) and padded with ``=``."""
    version, key_id, nonce, sealed = token.split(".")
    standard = str.maketrans("-_", "+/")
    padded = sealed + "=" * (-len(sealed) % 4)
    assert padded != sealed
    return [
        ".".join((version, key_id, nonce.translate(standard), sealed.translate(standard))),
        ".".join((version, key_id, nonce, padded)),
    ]


def test_a_token_spelled_otherwise_than_unpadded_base64url_is_refused() -> None:
    keyring = Keyring.from_setting(K1)
    token = keyring.encrypt(b"secret", context=CONTEXT)
    while not {"-", "_"} & set(token.split(".", 2)[2]):
        token = keyring.encrypt(b"secret", context=CONTEXT)
    for spelled in _other_spellings(token):
        with pytest.raises(CryptoError):
            keyring.decrypt(spelled, context=CONTEXT)


# --- nonces -----------------------------------------------------------------------------------


def _sealed_with_nonce(length: int) -> str:
    """A token that AES-GCM itself would open: only its nonce length may be wrong."""
    nonce = secrets.token_bytes(length)
    sealed = AESGCM(SECRET_1).encrypt(nonce, b"secret", CONTEXT.encode())
    return f"v1.k1.{_b64(nonce)}.{_b64(sealed)}"


def test_encryption_uses_96_bit_nonces() -> None:
    keyring = Keyring.from_setting(K1)
    for _ in range(5):
        nonce = keyring.encrypt(b"secret", context=CONTEXT).split(".")[2]
        assert len(base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4))) == 12


def test_a_token_with_a_96_bit_nonce_opens() -> None:
    assert Keyring.from_setting(K1).decrypt(_sealed_with_nonce(12), context=CONTEXT) == b"secret"


@pytest.mark.parametrize("length", [8, 11, 13, 16, 32])
def test_a_token_with_another_nonce_length_is_refused(length: int) -> None:
    with pytest.raises(CryptoError):
        Keyring.from_setting(K1).decrypt(_sealed_with_nonce(length), context=CONTEXT)


# --- every spelling the encoder can produce -------------------------------------------------


def test_a_thousand_random_secrets_round_trip() -> None:
    """Nonces are random, so the last character of a token's parts is any of base64url's
    64: an encoder that also trimmed some character other than ``=`` (``rstrip("X=")``)
    would break about one token in 64, which a few fixed round trips never meet."""
    keyring = Keyring.from_setting(K1)
    for n in range(1000):
        plaintext = secrets.token_bytes(n % 97)
        assert keyring.decrypt(keyring.encrypt(plaintext, context=CONTEXT), context=CONTEXT) == (
            plaintext
        )
