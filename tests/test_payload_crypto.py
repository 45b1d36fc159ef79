"""The payload codec on its own: ciphertext out, the same payload back, rotation, clear key errors."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    ActivitySerializationContext,
    SerializationContext,
    WorkflowSerializationContext,
)

from core.payload_crypto import ENCODING, KEY_ID_METADATA, EncryptionCodec, KeyRing, PayloadKeyError, new_key
from core.settings import DEV_HUEDIN_PAYLOAD_KEY, Settings

KEY_A, KEY_B = new_key(), new_key()
ROOT = Path(__file__).resolve().parent.parent
API_START = "import api"  # `uvicorn api:app` imports it: the app is built, settings first
CITIZEN = {"requester_name": "Ioana Pop", "email": "ioana.pop@example.ro", "phone": "+40712345678"}


def payload() -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([CITIZEN])[0]


async def test_encoded_payload_holds_no_plaintext_and_decodes_back() -> None:
    codec = EncryptionCodec(KeyRing.parse(f"a:{KEY_A}", "a"))
    [sealed] = await codec.encode([payload()])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID_METADATA] == b"a"
    for secret in CITIZEN.values():
        assert secret.encode() not in sealed.SerializeToString()
    [opened] = await codec.decode([sealed])
    assert opened == payload()


async def test_each_payload_gets_its_own_nonce() -> None:
    codec = EncryptionCodec(KeyRing.parse(f"a:{KEY_A}", "a"))
    first, second = await codec.encode([payload(), payload()])
    assert first.data[:12] != second.data[:12]
    assert first.data != second.data


async def test_rotation_keeps_old_payloads_readable() -> None:
    [under_a] = await EncryptionCodec(KeyRing.parse(f"a:{KEY_A}", "a")).encode([payload()])
    rotated = EncryptionCodec(KeyRing.parse(f"a:{KEY_A},b:{KEY_B}", "b"))
    [under_b] = await rotated.encode([payload()])
    assert under_b.metadata[KEY_ID_METADATA] == b"b"
    assert await rotated.decode([under_a, under_b]) == [payload(), payload()]


async def test_a_removed_key_is_named_in_the_error() -> None:
    [under_a] = await EncryptionCodec(KeyRing.parse(f"a:{KEY_A}", "a")).encode([payload()])
    only_b = EncryptionCodec(KeyRing.parse(f"b:{KEY_B}", "b"))
    with pytest.raises(PayloadKeyError, match="'a'"):
        await only_b.decode([under_a])


async def test_a_wrong_key_under_a_known_id_does_not_decode_to_garbage() -> None:
    [under_a] = await EncryptionCodec(KeyRing.parse(f"a:{KEY_A}", "a")).encode([payload()])
    impostor = EncryptionCodec(KeyRing.parse(f"a:{KEY_B}", "a"))
    with pytest.raises(PayloadKeyError, match="does not authenticate"):
        await impostor.decode([under_a])


async def test_unencrypted_payloads_pass_through() -> None:
    codec = EncryptionCodec(KeyRing.parse(f"a:{KEY_A}", "a"))
    assert await codec.decode([payload()]) == [payload()]


@pytest.mark.parametrize(
    ("spec", "current", "problem"),
    [
        (f"a:{KEY_A}", "b", "not in the keyring"),
        ("a:not-base64!", "a", "not valid base64"),
        (f"a{KEY_A}", "a", "no ':'"),
        (f"a:{base64.b64encode(b'short').decode()}", "a", "32 bytes"),
    ],
)
def test_a_keyring_that_cannot_work_is_refused(spec: str, current: str, problem: str) -> None:
    with pytest.raises(PayloadKeyError, match=problem):
        KeyRing.parse(spec, current)


def test_production_refuses_the_development_payload_key() -> None:
    own_secrets = Settings(link_secret="x" * 32, webex_token="t", webex_webhook_secret="w" * 32)
    with pytest.raises(ValidationError, match="TICHET_PAYLOAD_KEYS"):
        Settings.model_validate(own_secrets.model_dump() | {"environment": "production"})
    own_keys = {
        "environment": "production",
        "payload_keys": f"2026a:{KEY_A}",
        "payload_key_id": "2026a",
        "municipality_payload_key_ids": "",
    }
    assert Settings.model_validate(own_secrets.model_dump() | own_keys).payload_keyring.current == "2026a"


def test_a_keyring_setting_that_cannot_work_stops_start_up_by_name() -> None:
    with pytest.raises(ValidationError, match="'b' is not in the keyring"):
        Settings(payload_keys=f"a:{KEY_A}", payload_key_id="b", municipality_payload_key_ids="")


# --- keys per municipality (issue 11) -------------------------------------------------------------


def two_city_ring() -> KeyRing:
    return KeyRing.parse(f"a:{KEY_A},h1:{KEY_B},h2:{new_key()}", "a", "huedin:h1, huedin:h2")


@pytest.mark.parametrize(
    ("context", "key_id"),
    [
        (WorkflowSerializationContext("default", "tichet-huedin-100001_2026"), b"h2"),
        (WorkflowSerializationContext("default", "tichet-100001_2026"), b"a"),
        (WorkflowSerializationContext("default", "tichet-dej-100001_2026"), b"a"),  # no key of its own
        (WorkflowSerializationContext("default", "tichet-retention-purge"), b"a"),
        (
            ActivitySerializationContext("default", "1", "send", "q", "tichet-huedin-7_2026", "T", False),
            b"h2",
        ),
        (ActivitySerializationContext("default", "1", "send", "q", None, None, False), b"a"),
    ],
)
async def test_the_context_s_workflow_id_chooses_the_municipality_s_key(
    context: SerializationContext, key_id: bytes
) -> None:
    codec = EncryptionCodec(two_city_ring())
    [sealed] = await codec.with_context(context).encode([payload()])
    assert sealed.metadata[KEY_ID_METADATA] == key_id
    # Decoding needs no context: the payload names its key, and a codec of any context opens it.
    assert await codec.decode([sealed]) == [payload()]
    assert await codec.with_context(WorkflowSerializationContext("default", "x")).decode([sealed]) == [
        payload()
    ]


def test_a_key_names_its_owner_the_last_listed_id_encrypts() -> None:
    ring = two_city_ring()
    assert (ring.key_id_for("huedin"), ring.key_id_for("cluj-napoca")) == ("h2", "a")
    assert [ring.owner(k, "cluj-napoca") for k in ("a", "h1", "h2", "gone")] == [
        "cluj-napoca",
        "huedin",
        "huedin",
        "cluj-napoca",
    ]


@pytest.mark.parametrize(
    ("municipalities", "problem"),
    [
        ("huedin:gone", "'huedin' uses key id 'gone', which is not in the keyring"),
        ("huedin:b,dej:b", "key id 'b' of 'dej' is another municipality's key"),
        ("huedin:a", "key id 'a' of 'huedin' is another municipality's key or the deployment's"),
        ("huedin", "entry 'huedin' is not municipality:key_id"),
        ("Huedin!:b", "is not municipality:key_id"),
    ],
)
def test_a_municipality_key_setting_that_cannot_work_stops_start_up_by_name(
    municipalities: str, problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem) as refused:
        Settings(
            payload_keys=f"a:{KEY_A},b:{KEY_B}",
            payload_key_id="a",
            municipality_payload_key_ids=municipalities,
        )
    assert "TICHET_MUNICIPALITY_PAYLOAD_KEY_IDS" in str(refused.value)


def test_the_development_settings_give_huedin_its_own_key_and_production_refuses_it() -> None:
    ring = Settings(environment="test").payload_keyring
    assert (ring.key_id_for("huedin"), ring.key_id_for("cluj-napoca")) == ("huedin-dev", "dev")
    own_secrets = Settings(link_secret="x" * 32, webex_token="t", webex_webhook_secret="w" * 32).model_dump()
    huedin_dev_kept = {
        "environment": "production",
        "payload_keys": f"2026a:{KEY_A},huedin-dev:{DEV_HUEDIN_PAYLOAD_KEY}",
        "payload_key_id": "2026a",
    }
    with pytest.raises(ValidationError, match="TICHET_PAYLOAD_KEYS"):
        Settings.model_validate(own_secrets | huedin_dev_kept)


def test_a_deployment_with_its_own_ring_needs_no_word_on_municipalities_to_start() -> None:
    """Huedin's development key id is the default only beside the development ring: a city's own ring
    that says nothing of municipalities puts every one on its key id instead of failing on `huedin-dev`."""
    ring = Settings(environment="test", payload_keys=f"2026a:{KEY_A}", payload_key_id="2026a").payload_keyring
    assert (ring.key_id_for("huedin"), ring.key_id_for("cluj-napoca")) == ("2026a", "2026a")
    said = Settings(
        payload_keys=f"2026a:{KEY_A},hd1:{KEY_B}",
        payload_key_id="2026a",
        municipality_payload_key_ids="huedin:hd1",
    )
    assert said.payload_keyring.key_id_for("huedin") == "hd1"


@pytest.mark.parametrize("entry_point", ["worker", "api"])
def test_the_worker_and_the_api_refuse_to_start_on_a_municipality_key_missing_from_the_ring(
    entry_point: str,
) -> None:
    """The real processes, as `make run` and the stack start them: they stop before connecting
    anywhere (Temporal's address points nowhere), with the setting, the city and the id named."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TICHET_MUNICIPALITY_PAYLOAD_KEY_IDS": "huedin:huedin-2027",
        "TICHET_TEMPORAL_ADDRESS": "127.0.0.1:9",
        "TICHET_DATABASE_URL": "sqlite:///:memory:",
    }
    command = (
        [sys.executable, "-m", "worker"] if entry_point == "worker" else [sys.executable, "-c", API_START]
    )
    started = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert started.returncode != 0
    assert (
        "TICHET_MUNICIPALITY_PAYLOAD_KEY_IDS: municipality 'huedin' uses key id 'huedin-2027'"
        in started.stderr
    )
