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

Keys per municipality (issue 11): the ring maps a municipality to the key id its payloads are
encrypted with (`TICHET_MUNICIPALITY_PAYLOAD_KEY_IDS`, `huedin:hd1`; a municipality not listed uses
the deployment's `current` key). The codec picks the key from the workflow id in Temporal's
serialization context (`WithSerializationContext`: the SDK hands the codec a copy made for each
workflow, activity, signal, query and update), so the same worker and client encrypt Huedin's tickets
with Huedin's key and Cluj-Napoca's with the deployment's. Decoding never needs the context: each
payload names its key id, so every payload from before keeps decoding while its key is in the ring.
"""

from __future__ import annotations

import base64
import binascii
import copy
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Self

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec, SerializationContext, WithSerializationContext

from core.tenancy import MUNICIPALITY_ID, municipality_of_workflow

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12
KEY_BYTES = 32


class PayloadKeyError(ValueError):
    """A keyring that cannot work, or a payload that no key in the ring opens."""


@dataclass(frozen=True)
class KeyRing:
    """Key id → 256-bit key, the id new payloads are encrypted with, and the municipalities with keys
    of their own: `municipality_keys` is municipality → the key ids it owns, the last one the id its
    new payloads use (the earlier ones: its keys before a rotation, still its own)."""

    keys: Mapping[str, bytes]
    current: str
    municipality_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise PayloadKeyError(f"the encrypting key id {self.current!r} is not in the keyring")
        for key_id, key in self.keys.items():
            if not key_id or len(key) != KEY_BYTES:
                raise PayloadKeyError(f"key {key_id!r} must be {KEY_BYTES} bytes (AES-256)")
        owners: dict[str, str] = {}
        for municipality, key_ids in self.municipality_keys.items():
            for key_id in key_ids:
                if key_id not in self.keys:
                    raise PayloadKeyError(
                        f"TICHET_MUNICIPALITY_PAYLOAD_KEY_IDS: municipality {municipality!r} uses key id "
                        f"{key_id!r}, which is not in the keyring (known: {sorted(self.keys)}): "
                        "add it to TICHET_PAYLOAD_KEYS"
                    )
                if key_id == self.current or owners.setdefault(key_id, municipality) != municipality:
                    raise PayloadKeyError(
                        f"TICHET_MUNICIPALITY_PAYLOAD_KEY_IDS: key id {key_id!r} of {municipality!r} "
                        "is another municipality's key or the deployment's (TICHET_PAYLOAD_KEY_ID)"
                    )

    @classmethod
    def parse(cls, spec: str, current: str, municipalities: str = "") -> KeyRing:
        """`spec` is `id:base64key[,id:base64key…]` (the form of `TICHET_PAYLOAD_KEYS`), `municipalities`
        `municipality:key_id[,municipality:key_id…]` (`TICHET_MUNICIPALITY_PAYLOAD_KEY_IDS`)."""
        keys: dict[str, bytes] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key_id, sep, encoded = item.partition(":")
            if not sep:
                raise PayloadKeyError(f"keyring entry {key_id!r} has no ':' between the id and the key")
            try:
                keys[key_id.strip()] = base64.b64decode(encoded.strip(), validate=True)
            except binascii.Error:
                raise PayloadKeyError(f"key {key_id.strip()!r} is not valid base64") from None
        return cls(keys=keys, current=current, municipality_keys=parse_municipality_keys(municipalities))

    def key_id_for(self, municipality: str) -> str:
        """The key id new payloads of `municipality` are encrypted with."""
        owned = self.municipality_keys.get(municipality)
        return owned[-1] if owned else self.current

    def key_id_for_workflow(self, workflow_id: str) -> str:
        """The key id of the municipality a workflow id names (`core.tenancy`); the deployment's for
        the default municipality's tickets and every workflow that is no city's ticket."""
        return self.key_id_for(municipality_of_workflow(workflow_id, self.municipality_keys.keys()))

    def owner(self, key_id: str, default_municipality: str) -> str:
        """The municipality whose payloads a key id encrypts: the one that lists it, else the default."""
        for municipality, key_ids in self.municipality_keys.items():
            if key_id in key_ids:
                return municipality
        return default_municipality

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise PayloadKeyError(
                f"payload encrypted with key id {key_id!r}, which is not in the keyring "
                f"(known: {sorted(self.keys)}): add it back to TICHET_PAYLOAD_KEYS"
            ) from None


def parse_municipality_keys(spec: str) -> dict[str, tuple[str, ...]]:
    owned: dict[str, tuple[str, ...]] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        municipality, sep, key_id = (part.strip() for part in item.partition(":"))
        if not sep or not key_id or not MUNICIPALITY_ID.fullmatch(municipality):
            raise PayloadKeyError(
                f"TICHET_MUNICIPALITY_PAYLOAD_KEY_IDS: entry {item!r} is not municipality:key_id"
            )
        owned[municipality] = (*owned.get(municipality, ()), key_id)
    return owned


def new_key() -> str:
    """A fresh key, base64-encoded as `TICHET_PAYLOAD_KEYS` wants it (`python -m core.payload_crypto`)."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    """Encrypts with `key_id` (the deployment's key unless given); `with_context` gives the copy for
    the municipality of the context's workflow (the SDK calls it, per workflow and activity)."""

    def __init__(self, ring: KeyRing, key_id: str | None = None) -> None:
        super().__init__()
        self._ring = ring
        self._key_id = key_id or ring.current
        ring.key(self._key_id)
        self._ciphers = {key_id: AESGCM(key) for key_id, key in ring.keys.items()}

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def ring(self) -> KeyRing:
        return self._ring

    def with_key(self, key_id: str) -> Self:
        """The same ring and ciphers, encrypting with `key_id`."""
        if key_id == self._key_id:
            return self
        self._ring.key(key_id)  # raises, naming the id, when the ring lacks it
        clone = copy.copy(self)
        clone._key_id = key_id
        return clone

    def with_context(self, context: SerializationContext) -> Self:
        # Workflow and activity contexts carry the workflow id; any other (Nexus, none) the default.
        workflow_id = getattr(context, "workflow_id", None)
        return self.with_key(
            self._ring.key_id_for_workflow(workflow_id) if workflow_id else self._ring.current
        )

    async def encode(self, payloads: Iterable[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Iterable[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self._key_id
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
