# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The encrypted request bodies of MinIO's admin API (madmin's EncryptData format), made cheap.

MinIO wants the body of some admin calls (add-user, add-service-account, policy attach, ...)
encrypted with the caller's secret key. minio-py derives that key with Argon2id (64 MiB), and
the server derives it again to decrypt, one derivation at a time behind a global lock: at
hundreds of users that lock is the run's bottleneck. madmin's format names its key derivation in
the header, and every MinIO server decrypts the PBKDF2-SHA256 variant too (what MinIO itself
sends in FIPS mode), at a small fraction of the cost. So the bodies are sealed with that
variant; the format is otherwise minio-py's: a 32-byte salt, the algorithm id, an 8-byte nonce,
then the payload in AES-256-GCM chunks of 16 KiB (sio's stream format).

Answers MinIO encrypts itself (user and service account listings) still come with Argon2id;
minio.crypto.decrypt reads them.
"""

from __future__ import annotations

import hashlib
import os

try:
    from Crypto.Cipher import AES  # pycryptodome, a requirement of minio-py
except ImportError:  # reported by the connection layer with missing_required_lib()
    AES = None

PBKDF2_AES_GCM = 0x02  # madmin's algorithm id for a PBKDF2-SHA256 key and AES-256-GCM
PBKDF2_ITERATIONS = 8192  # madmin's pbkdf2Cost; the server derives the key with the same count
CHUNK_SIZE = 16 * 1024


def encrypt(payload: bytes, password: str) -> bytes:
    """`payload` sealed for MinIO with the secret key `password`."""
    salt, nonce = os.urandom(32), os.urandom(8)
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, PBKDF2_ITERATIONS, 32)
    # sio binds every chunk to the stream: its associated data is the tag of an empty message
    # under sequence number 0, flagged 0x80 on the last chunk.
    stream_tag = AES.new(key, AES.MODE_GCM, nonce + bytes(4)).digest()
    chunks = [payload[i:i + CHUNK_SIZE] for i in range(0, len(payload), CHUNK_SIZE)] or [b""]
    sealed = [salt, bytes([PBKDF2_AES_GCM]), nonce]
    for sequence, chunk in enumerate(chunks, start=1):
        cipher = AES.new(key, AES.MODE_GCM, nonce + sequence.to_bytes(4, "little"))
        cipher.update((b"\x80" if sequence == len(chunks) else b"\x00") + stream_tag)
        sealed += cipher.encrypt_and_digest(chunk)
    return b"".join(sealed)
