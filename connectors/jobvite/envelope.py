"""Jobvite Onboarding's RSA + AES envelope, and the keys it is sealed with.

Every Onboarding request and answer travels as ``{"key": b64, "payload": b64}``: a
fresh random AES-256 key encrypts the JSON (AES/ECB, PKCS#7 padding) and is itself
encrypted with the receiver's RSA-2048 public key (PKCS#1 v1.5). Requests are
wrapped for Jobvite's public key; answers come back wrapped for the customer's:

    envelope = encrypt_envelope({"start": 0, "count": 1}, jobvite_public_key)
    # {"key": "kq3...", "payload": "Jc9..."}  (different every call)
    decrypt_envelope(envelope, jobvite_private_key)
    # {"start": 0, "count": 1}

An envelope that does not decrypt to a JSON object is ``InvalidResponseError``;
the envelope has no MAC, so tampering shows up as a key, padding or JSON failure.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any, TypedDict

import orjson
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7

from connectors.errors import ConfigurationError, InvalidResponseError

_AES_KEY_BYTES = 32
_BLOCK_BITS = 128


class Envelope(TypedDict):
    key: str
    payload: str


PublicKeyLike = RSAPublicKey | str | bytes
PrivateKeyLike = RSAPrivateKey | str | bytes


def load_public_key(key: PublicKeyLike, *, name: str = "jobvitePublicKey") -> RSAPublicKey:
    """An RSA public key from a key object, a PEM, or bare base64 DER (as Jobvite hands
    them out): ``load_public_key(pem_text)`` -> ``RSAPublicKey``."""
    if isinstance(key, RSAPublicKey):
        return key
    data = key.encode() if isinstance(key, str) else key
    try:
        if b"-----BEGIN" in data:
            loaded: object = serialization.load_pem_public_key(data)
        else:
            loaded = serialization.load_der_public_key(base64.b64decode(data, validate=False))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigurationError(f"{name} is not a readable public key") from None
    if not isinstance(loaded, RSAPublicKey):
        raise ConfigurationError(f"{name} is not an RSA public key")
    return loaded


def load_private_key(key: PrivateKeyLike, *, name: str = "onboardingPrivateKey") -> RSAPrivateKey:
    """An RSA private key from a key object, a PEM, or bare base64 DER (PKCS#8)."""
    if isinstance(key, RSAPrivateKey):
        return key
    data = key.encode() if isinstance(key, str) else key
    try:
        if b"-----BEGIN" in data:
            loaded: object = serialization.load_pem_private_key(data, password=None)
        else:
            loaded = serialization.load_der_private_key(
                base64.b64decode(data, validate=False), password=None
            )
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # never chain: the parser's message could quote the key material
        raise ConfigurationError(f"{name} is not a readable private key") from None
    if not isinstance(loaded, RSAPrivateKey):
        raise ConfigurationError(f"{name} is not an RSA private key")
    return loaded


def encrypt_envelope(payload: Mapping[str, Any], their_public_key: PublicKeyLike) -> Envelope:
    """Wrap ``payload`` for the holder of ``their_public_key``."""
    public_key = load_public_key(their_public_key)
    aes_key = os.urandom(_AES_KEY_BYTES)
    padder = PKCS7(_BLOCK_BITS).padder()
    plain = padder.update(orjson.dumps(payload)) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.ECB()).encryptor()
    ciphertext = encryptor.update(plain) + encryptor.finalize()
    wrapped_key = public_key.encrypt(aes_key, rsa_padding.PKCS1v15())
    return {
        "key": base64.b64encode(wrapped_key).decode("ascii"),
        "payload": base64.b64encode(ciphertext).decode("ascii"),
    }


def decrypt_envelope(envelope: Any, our_private_key: PrivateKeyLike) -> dict[str, Any]:
    """Unwrap an envelope addressed to ``our_private_key``; anything that does not
    decrypt to a JSON object is ``InvalidResponseError``."""
    if not (
        isinstance(envelope, Mapping)
        and isinstance(envelope.get("key"), str)
        and isinstance(envelope.get("payload"), str)
    ):
        raise InvalidResponseError("expected an encrypted envelope {key, payload}")
    private_key = load_private_key(our_private_key)
    try:
        wrapped_key = base64.b64decode(envelope["key"], validate=True)
        ciphertext = base64.b64decode(envelope["payload"], validate=True)
        aes_key = private_key.decrypt(wrapped_key, rsa_padding.PKCS1v15())
        if len(aes_key) != _AES_KEY_BYTES:
            raise ValueError("wrong AES key length")
        decryptor = Cipher(algorithms.AES(aes_key), modes.ECB()).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = PKCS7(_BLOCK_BITS).unpadder()
        value = orjson.loads(unpadder.update(padded) + unpadder.finalize())
    except ValueError:
        raise InvalidResponseError("the encrypted envelope could not be decrypted") from None
    if not isinstance(value, dict):
        raise InvalidResponseError("the encrypted envelope does not hold a JSON object")
    return value
