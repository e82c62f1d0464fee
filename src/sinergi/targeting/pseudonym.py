"""Pseudonymised personal numbers (NIK, KK) under UU 27/2022 (PDP law).

A stored release never holds a clear NIK or KK. Each number becomes:

- a **keyed hash** (HMAC-SHA256, hex): the same number gives the same hash
  under the same key, so lists are matched exactly without the clear number;
  without the key the hash cannot be recomputed from a guessed NIK (a plain
  SHA-256 of a 16-digit number with a known structure could be brute-forced);
- a **masked** form for display (``1607**********03``);
- an **encrypted token** (AES-256-GCM, a random 96-bit nonce per value, the
  number authenticated): only a role allowed to see the clear number has it
  decrypted, and each reveal is audited by the web app.

The keys come from settings (``SINERGI_PII_HASH_KEY``,
``SINERGI_PII_ENCRYPTION_KEY``, or key files in the data directory), never
from the data. A key is 32 bytes; in settings it is written as 64 hex digits
or URL-safe base64.

Key rotation (re-keying)
------------------------
Releases are immutable, so rotating a key means writing each release again
under the new keys, never editing files in place:

1. Generate new keys (``python -c "import secrets; print(secrets.token_hex(32))"``)
   and keep the old ones.
2. For each release: read ``members.parquet``/``households.parquet``,
   ``old.decrypt`` every token, ``new.hash``/``new.encrypt`` the clear number in
   memory, write the release to a temporary directory and rename it over
   (:func:`sinergi.targeting.releases.rekey_release` does this; no clear number is written).
3. Recompute every other stored hash (beneficiary lists, match decisions) the
   same way, then switch the settings to the new keys and destroy the old ones.

Batch encryption (a national release)
-------------------------------------
:meth:`Pseudonymiser.encrypt_array` encrypts an Arrow array with
``cryptography``'s ``AESGCM``, one random 96-bit nonce per value: about 1.7 us of
Python per value (the call, not the cipher). A hand-made batched GCM (the tag as
one GF(2^128) multiplication per value) was measured at about 0.2 us per value
and rejected: cryptographic code is taken from a maintained library, never
written here, whatever it saves.

A hash key that leaked lets someone test guessed NIKs against the hashes:
rotate it. An encryption key that leaked exposes every token: rotate it and
rewrite the releases first.

Examples
--------
>>> p = Pseudonymiser(b"k" * 32, b"e" * 32)
>>> p.hash("1607054107900001") == p.hash("1607054107900001")
True
>>> token = p.encrypt("1607054107900001")
>>> p.decrypt(token)
'1607054107900001'
>>> token == p.encrypt("1607054107900001")  # random nonce: tokens differ
False
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = ["KEY_BYTES", "Pseudonymiser", "parse_key"]

KEY_BYTES = 32
_NONCE = 12
_BLOCK = 64  # SHA-256 block size, for the SQL form of HMAC


def parse_key(value: str | bytes, *, name: str = "key") -> bytes:
    """A 32-byte key from 64 hex digits, URL-safe base64 or raw bytes.

    >>> len(parse_key("00" * 32))
    32
    >>> parse_key("short")
    Traceback (most recent call last):
    ...
    ValueError: key must be 32 bytes (64 hex digits or base64); got 5 characters
    """
    if isinstance(value, bytes):
        if len(value) == KEY_BYTES:
            return value
        value = value.decode("ascii", "replace")
    text = value.strip()
    for decode in (bytes.fromhex, lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))):
        try:
            key = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(key) == KEY_BYTES:
            return key
    raise ValueError(
        f"{name} must be {KEY_BYTES} bytes (64 hex digits or base64); got {len(text)} characters"
    )


class Pseudonymiser:
    """Hash, encrypt and decrypt personal numbers with keys held outside the data.

    Parameters
    ----------
    hash_key, encryption_key
        32 bytes each (see :func:`parse_key`).
    """

    def __init__(self, hash_key: bytes, encryption_key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if len(hash_key) != KEY_BYTES or len(encryption_key) != KEY_BYTES:
            raise ValueError(f"both keys must be {KEY_BYTES} bytes")
        if hash_key == encryption_key:
            raise ValueError("the hash key and the encryption key must differ")
        self._hash_key = hash_key
        self._aead = AESGCM(encryption_key)

    def __repr__(self) -> str:  # never show the keys
        return "Pseudonymiser(<keys hidden>)"

    def hash(self, number: str) -> str:
        """The hex HMAC-SHA256 of ``number`` (64 characters)."""
        return hmac.new(self._hash_key, number.encode(), hashlib.sha256).hexdigest()

    def hash_sql(self, expr: str) -> str:
        """HMAC-SHA256 of a text SQL expression, computed by the engine itself.

        HMAC(k, m) = SHA256((k XOR opad) || SHA256((k XOR ipad) || m)); DuckDB's
        native, multi-threaded ``sha256`` does both rounds, so a national release
        is hashed at engine speed. The padded keys appear only in the query text,
        which is never logged. Equal to :meth:`hash` (tested).
        """
        key = self._hash_key.ljust(_BLOCK, b"\0")
        inner = "".join(f"\\x{b ^ 0x36:02X}" for b in key)
        outer = "".join(f"\\x{b ^ 0x5C:02X}" for b in key)
        return f"sha256('{outer}'::BLOB || unhex(sha256('{inner}'::BLOB || CAST({expr} AS BLOB))))"

    def encrypt(self, number: str) -> str:
        """An AES-GCM token: URL-safe base64 of nonce + ciphertext + tag."""
        nonce = os.urandom(_NONCE)
        return base64.urlsafe_b64encode(
            nonce + self._aead.encrypt(nonce, number.encode(), None)
        ).decode()

    def encrypt_many(self, numbers: Iterable[str | None]) -> list[str | None]:
        """:meth:`encrypt` for many numbers (nulls stay null); one random draw for all nonces."""
        values = list(numbers)
        nonces = os.urandom(_NONCE * len(values))
        encrypt, encode = self._aead.encrypt, base64.urlsafe_b64encode
        out: list[str | None] = []
        append = out.append
        for i, value in enumerate(values):
            if value is None:
                append(None)
                continue
            nonce = nonces[_NONCE * i : _NONCE * (i + 1)]
            append(encode(nonce + encrypt(nonce, value.encode(), None)).decode())
        return out

    def hash_many(self, numbers: list[str | None]) -> list[str | None]:
        """:meth:`hash` for many numbers (nulls stay null), reusing the padded key states."""
        key = self._hash_key
        inner = hashlib.sha256(bytes(b ^ 0x36 for b in key.ljust(_BLOCK, b"\0")))
        outer = hashlib.sha256(bytes(b ^ 0x5C for b in key.ljust(_BLOCK, b"\0")))
        out: list[str | None] = []
        append = out.append
        for value in numbers:
            if value is None:
                append(None)
                continue
            h = inner.copy()
            h.update(value.encode())
            o = outer.copy()
            o.update(h.digest())
            append(o.hexdigest())
        return out

    def encrypt_array(self, numbers: pa.Array | pa.ChunkedArray) -> pa.Array:
        """:meth:`encrypt` of every value of an Arrow string array (nulls stay null)."""
        import pyarrow as pa

        return pa.array(self.encrypt_many(_strings(numbers).to_pylist()), pa.string())

    def hash_array(self, numbers: pa.Array | pa.ChunkedArray) -> pa.Array:
        """:meth:`hash` of every value of an Arrow string array (nulls stay null).

        HMAC-SHA256 with the padded key states computed once (OpenSSL through
        ``hashlib``: about 1 us per value, several times less than the engine's
        SQL form), the digests hex-encoded in one go.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        numbers = _strings(numbers)
        key = self._hash_key.ljust(_BLOCK, b"\0")
        inner = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
        outer = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy
        valid = pc.is_valid(numbers)
        present = numbers.filter(valid) if numbers.null_count else numbers
        bounds = _offsets(present).tolist()
        data = memoryview(present.buffers()[2] or b"")
        digests = bytearray()
        extend = digests.extend
        for start, end in itertools.pairwise(bounds):
            h = inner()
            h.update(data[start:end])
            o = outer()
            o.update(h.digest())
            extend(o.digest())
        count = len(present)
        hexed = pa.Array.from_buffers(
            pa.string(),
            count,
            [
                None,
                pa.py_buffer(np.arange(0, 64 * count + 1, 64, dtype=np.int32)),
                pa.py_buffer(digests.hex().encode()),
            ],
        )
        if count == len(numbers):
            return hexed
        return pc.replace_with_mask(pa.nulls(len(numbers), pa.string()), valid, hexed)

    def decrypt(self, token: str) -> str:
        """The clear number of a token; ``ValueError`` if it was not made with this key."""
        from cryptography.exceptions import InvalidTag

        try:
            raw = base64.urlsafe_b64decode(token.encode())
            return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], None).decode()
        except (InvalidTag, ValueError, binascii.Error):
            raise ValueError("token cannot be decrypted with this key") from None


def _strings(numbers: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous ``string`` (32-bit offsets) array."""
    import pyarrow as pa

    if isinstance(numbers, pa.ChunkedArray):
        numbers = numbers.combine_chunks() if numbers.num_chunks else pa.array([], pa.string())
    if numbers.type != pa.string():
        numbers = numbers.cast(pa.string())
    return numbers


def _offsets(numbers: pa.Array) -> np.ndarray:
    """The 32-bit value offsets of a string array (slices included)."""
    import numpy as np

    buffer = numbers.buffers()[1]
    if buffer is None:
        return np.zeros(len(numbers) + 1, np.int32)
    return np.frombuffer(buffer, np.int32, count=len(numbers) + 1, offset=4 * numbers.offset)
