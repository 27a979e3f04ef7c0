"""minio_crypto seals admin bodies in madmin's PBKDF2 variant of EncryptData.

The stream is read back with minio-py's own decrypting reader (a second, independent reading of
sio's format), given the PBKDF2 key in place of its Argon2id one. That MinIO itself accepts the
bodies is shown by every user and service account the MinIO integration tests create.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from ansible_collections.onprem.mlflow.plugins.module_utils.minio import crypto as minio_crypto
from Crypto.Cipher import AES
from minio import crypto as minio_crypto_py


class _Response(io.BytesIO):
    def release_conn(self):
        pass


def _read_back(sealed: bytes, password: str, monkeypatch) -> bytes:
    monkeypatch.setattr(minio_crypto_py, "_generate_key", lambda secret, salt: hashlib.pbkdf2_hmac(
        "sha256", secret, salt, 8192, 32))
    monkeypatch.setattr(minio_crypto_py, "_get_cipher", lambda aead_id, key, nonce: AES.new(key, AES.MODE_GCM, nonce))
    return minio_crypto_py.decrypt(_Response(sealed), password)


@pytest.mark.parametrize("size", [1, 100, 16 * 1024, 16 * 1024 + 1, 40000])
def test_sealed_body_reads_back_with_the_pbkdf2_header(size, monkeypatch):
    payload = json.dumps({"secretKey": "s" * size}).encode()
    sealed = minio_crypto.encrypt(payload, "root-secret-key")
    assert sealed[32] == 0x02  # madmin's PBKDF2-SHA256 / AES-256-GCM id, not Argon2id's 0x00
    assert payload not in sealed
    assert _read_back(sealed, "root-secret-key", monkeypatch) == payload


def test_wrong_password_does_not_open_the_body(monkeypatch):
    sealed = minio_crypto.encrypt(b'{"status": "enabled"}', "root-secret-key")
    with pytest.raises(ValueError):
        _read_back(sealed, "another-key", monkeypatch)


def test_each_body_has_its_own_salt_and_nonce():
    first, second = (minio_crypto.encrypt(b"{}", "k") for _ in range(2))
    assert first[:32] != second[:32] and first[33:41] != second[33:41]
