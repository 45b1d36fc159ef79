"""Encryption of every Temporal payload (AES-256-GCM), so the workflow engine holds only ciphertext.

Citizens' names, emails, phones and the clerks' conclusions travel in workflow inputs, activity
arguments, signals and results. Temporal stores those payloads as they are given, so the only way to
keep them out of the cluster's database (and out of anyone's hands who can read the Temporal UI) is
to encrypt them before they leave the process. This is Temporal's own pattern (`PayloadCodec`,
as in `samples-python/encryption`):

- a random 96-bit nonce per payload, the nonce prepended to the ciphertext;
- `encoding: binary/encrypted` and the key id in the payload's metadata, so a payload says which key
  opens it and keys can rotate: new payloads use the *current* key, old ones stay readable while their
  key is still in the ring;
- payloads that are not encrypted (histories recorded before encryption, the replay fixtures) pass
  through unchanged;
- a payload whose key id is not in the ring is a clear error naming that id, never garbage.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12
KEY_BYTES = 32


class PayloadKeyError(ValueError):
    """A keyring that cannot work, or a payload that no key in the ring opens."""


@dataclass(frozen=True)
class KeyRing:
    """Key id → 256-bit key, and the id new payloads are encrypted with."""

    keys: Mapping[str, bytes]
    current: str

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise PayloadKeyError(f"the encrypting key id {self.current!r} is not in the keyring")
        for key_id, key in self.keys.items():
            if not key_id or len(key) != KEY_BYTES:
                raise PayloadKeyError(f"key {key_id!r} must be {KEY_BYTES} bytes (AES-256)")

    @classmethod
    def parse(cls, spec: str, current: str) -> KeyRing:
        """`spec` is `id:base64key[,id:base64key…]` (the form of `TICHET_PAYLOAD_KEYS`)."""
        keys: dict[str, bytes] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key_id, sep, encoded = item.partition(":")
            if not sep:
                raise PayloadKeyError(f"keyring entry {key_id!r} has no ':' between the id and the key")
            try:
                keys[key_id.strip()] = base64.b64decode(encoded.strip(), validate=True)
            except binascii.Error:
                raise PayloadKeyError(f"key {key_id.strip()!r} is not valid base64") from None
        return cls(keys=keys, current=current)

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise PayloadKeyError(
                f"payload encrypted with key id {key_id!r}, which is not in the keyring "
                f"(known: {sorted(self.keys)}): add it back to TICHET_PAYLOAD_KEYS"
            ) from None


def new_key() -> str:
    """A fresh key, base64-encoded as `TICHET_PAYLOAD_KEYS` wants it (`python -m core.payload_crypto`)."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


class EncryptionCodec(PayloadCodec):
    def __init__(self, ring: KeyRing) -> None:
        super().__init__()
        self._ring = ring
        self._ciphers = {key_id: AESGCM(key) for key_id, key in ring.keys.items()}

    async def encode(self, payloads: Iterable[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Iterable[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self._ring.current
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), None)
        return Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: key_id.encode()}, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption was on: readable as it is
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode()
        self._ring.key(key_id)  # raises, naming the id, when the ring lacks it
        data = payload.data
        try:
            plain = self._ciphers[key_id].decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], None)
        except InvalidTag:
            raise PayloadKeyError(f"payload under key id {key_id!r} does not authenticate") from None
        return Payload.FromString(plain)


if __name__ == "__main__":
    print(new_key())
