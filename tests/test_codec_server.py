"""The codec server over real HTTP (the session's API): who may decode (ops, director and above, by
token or by the `/personal` session from the Temporal UI's origin), the refusals (401, 403) in the
usual error shape, CORS only for the configured UI origin, malformed bodies as 4xx, the audit log
line, and the real `temporal workflow show --codec-endpoint` on a ticket whose history is encrypted.

Payloads are encrypted with the keyring of the app's own settings, as the worker would."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads, WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.catalogs import text
from core.payload_crypto import KEY_ID_METADATA, EncryptionCodec, KeyRing, new_key
from core.settings import Settings
from core.temporal_client import DATA_CONVERTER, data_converter
from domain.models import Channel, Citizen, Language, TicketInput, TicketStatus
from store.seed_data import OPS_ID
from tests.conftest import TEMPORAL_CLI, bucharest_today, wait_for_status
from tests.factories import add_file, free_slots, staff_headers
from tests.test_staff_pages import sign_in
from worker import create_worker
from workflows.blue_ticket import BlueTicketWorkflow

UI = "http://127.0.0.1:8233"
OTHER_ORIGIN = "http://evil.example"
CITIZEN_EMAIL = "ileana.codec@example.ro"
CITIZEN_NAME = "Ileana Codecescu"
CODEC_CLERK = "c0097"  # no other test books this clerk


def plain_payloads(*values: Any) -> list[Payload]:
    return list(DATA_CONVERTER.payload_converter.to_payloads(list(values)))


def as_json(payloads: list[Payload]) -> dict[str, Any]:
    body: dict[str, Any] = json_format.MessageToDict(Payloads(payloads=payloads))
    return body


def from_json(body: dict[str, Any]) -> list[Payload]:
    return list(json_format.ParseDict(body, Payloads()).payloads)


async def encrypted(settings: Settings, *values: Any) -> list[Payload]:
    return await EncryptionCodec(settings.payload_keyring).encode(plain_payloads(*values))


def ticket_like() -> dict[str, Any]:
    return {
        "ticket_id": "Ab3_x-Yz09Qw",
        "file": {"registration_number": "700999/2026", "requester_name": CITIZEN_NAME},
        "citizen": {"email": CITIZEN_EMAIL, "phone": "+40 712 345 678"},
    }


@pytest.fixture
async def browser(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as http:
        yield http


# --- who may decode ------------------------------------------------------------------------------


async def test_ops_round_trip_encode_then_decode_gives_the_input(api: httpx.AsyncClient) -> None:
    original = as_json(plain_payloads(ticket_like(), "al doilea"))

    sealed = await api.post("/codec/encode", json=original, headers=staff_headers("ops01"))
    assert sealed.status_code == 200, sealed.text
    for payload in from_json(sealed.json()):
        assert payload.metadata["encoding"] == b"binary/encrypted"
        assert CITIZEN_EMAIL.encode() not in payload.data
    opened = await api.post("/codec/decode", json=sealed.json(), headers=staff_headers("ops01"))

    assert opened.status_code == 200, opened.text
    assert opened.json() == original


@pytest.mark.parametrize("staff_id", ["ops01", "dir-urbanism", "primar"])
async def test_a_payload_the_app_encrypted_decodes_to_its_json(
    api: httpx.AsyncClient, settings: Settings, staff_id: str
) -> None:
    body = as_json(await encrypted(settings, ticket_like()))

    response = await api.post(
        "/codec/decode", json=body, headers={**staff_headers(staff_id), "X-Namespace": "default"}
    )

    assert response.status_code == 200, response.text
    (payload,) = from_json(response.json())
    assert payload.metadata["encoding"] == b"json/plain"
    assert json.loads(payload.data) == ticket_like()


@pytest.mark.parametrize("path", ["/codec/decode", "/codec/encode"])
async def test_a_clerk_is_refused_with_403(api: httpx.AsyncClient, settings: Settings, path: str) -> None:
    body = as_json(await encrypted(settings, ticket_like()))

    response = await api.post(path, json=body, headers={**staff_headers("c0001"), "Accept-Language": "en"})

    assert response.status_code == 403
    assert response.json() == {"code": "codec_forbidden", "message": text("codec_forbidden", Language.EN)}
    assert CITIZEN_EMAIL not in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer demo-nobody"},
        {"Authorization": "demo-ops01"},
        {"Authorization": "Basic ZGVtby1vcHMwMTo="},
    ],
    ids=["no token", "wrong token", "no scheme", "basic scheme"],
)
async def test_no_or_a_wrong_token_is_refused_with_401(
    api: httpx.AsyncClient, settings: Settings, headers: dict[str, str]
) -> None:
    body = as_json(await encrypted(settings, ticket_like()))

    response = await api.post("/codec/decode", json=body, headers=headers)

    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": text("unauthenticated")}
    assert CITIZEN_EMAIL not in response.text


async def test_the_ui_decodes_with_the_ops_session_cookie_from_its_origin(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    body = as_json(await encrypted(settings, ticket_like()))
    await sign_in(browser, "ops01")
    assert (await browser.get("/personal/tichete")).status_code == 200  # where the sign-in leads
    ui_request = {"Origin": UI, "X-Namespace": "default"}

    decoded = await browser.post(
        "/personal/codec/decode?preserveStorageRefs=true", json=body, headers=ui_request
    )
    elsewhere = await browser.post("/personal/codec/decode", json=body, headers={"Origin": OTHER_ORIGIN})
    no_origin = await browser.post("/personal/codec/decode", json=body)
    outside_the_cookie_path = await browser.post("/codec/decode", json=body, headers=ui_request)

    assert decoded.status_code == 200, decoded.text
    assert json.loads(from_json(decoded.json())[0].data) == ticket_like()
    assert decoded.headers["access-control-allow-origin"] == UI
    assert decoded.headers["access-control-allow-credentials"] == "true"
    for refused in (elsewhere, no_origin):
        assert refused.status_code == 403 and refused.json()["code"] == "codec_origin_refused"
    assert outside_the_cookie_path.status_code == 401  # the cookie is scoped to /personal


async def test_a_clerk_session_cookie_is_refused(browser: httpx.AsyncClient, settings: Settings) -> None:
    body = as_json(await encrypted(settings, ticket_like()))
    await sign_in(browser, "c0001")

    response = await browser.post("/personal/codec/decode", json=body, headers={"Origin": UI})

    assert response.status_code == 403 and response.json()["code"] == "codec_forbidden"


# --- CORS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", [UI, "http://localhost:8233"])
@pytest.mark.parametrize("path", ["/codec/decode", "/personal/codec/decode", "/codec/encode"])
async def test_the_ui_origin_gets_its_preflight_answered(
    api: httpx.AsyncClient, origin: str, path: str
) -> None:
    response = await api.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
        },
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "x-namespace"} <= allowed


async def test_another_origin_gets_no_cors_headers(api: httpx.AsyncClient, settings: Settings) -> None:
    preflight = await api.options(
        "/codec/decode",
        headers={"Origin": OTHER_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    body = as_json(await encrypted(settings, ticket_like()))
    actual = await api.post(
        "/codec/decode", json=body, headers={**staff_headers("ops01"), "Origin": OTHER_ORIGIN}
    )
    allowed_actual = await api.post(
        "/codec/decode", json=body, headers={**staff_headers("ops01"), "Origin": UI}
    )

    assert preflight.status_code == 403 and preflight.json()["code"] == "codec_origin_refused"
    assert "access-control-allow-origin" not in preflight.headers
    assert actual.status_code == 200 and "access-control-allow-origin" not in actual.headers
    assert allowed_actual.headers["access-control-allow-origin"] == UI


async def test_cors_is_scoped_to_the_codec_paths(api: httpx.AsyncClient) -> None:
    """The rest of the API stays same-origin, even for the UI's origin."""
    ask = {"Origin": UI, "Access-Control-Request-Method": "POST"}
    codec = await api.options("/codec/decode", headers=ask)
    tickets = await api.options("/tickets", headers=ask)
    health = await api.get("/health", headers={"Origin": UI})

    assert codec.headers["access-control-allow-origin"] == UI
    assert "access-control-allow-origin" not in tickets.headers
    assert "access-control-allow-origin" not in health.headers


def test_the_ui_origins_must_be_origins() -> None:
    assert Settings(temporal_ui_origins=" https://temporal.primaria.example/ ").temporal_ui_origin_set == {
        "https://temporal.primaria.example"
    }
    for bad in ("*", "http://127.0.0.1:8233/ui", "127.0.0.1:8233", "http://*.example"):
        with pytest.raises(ValueError, match="TICHET_TEMPORAL_UI_ORIGINS"):
            Settings(temporal_ui_origins=bad)


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[1, 2]",
        b'{"payloads": "x"}',
        b'{"payloads": [{"data": "!!not base64!!"}]}',
        b'{"payloads": [{"metadata": {"encoding": 7}}]}',
        "\u00ee".encode("latin-1"),
    ],
    ids=["not json", "a list", "payloads not a list", "data not base64", "metadata not bytes", "not utf-8"],
)
@pytest.mark.parametrize("path", ["/codec/decode", "/codec/encode"])
async def test_a_malformed_body_is_a_400_in_the_error_shape(
    api: httpx.AsyncClient, content: bytes, path: str
) -> None:
    response = await api.post(
        path, content=content, headers={**staff_headers("ops01"), "Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "codec_invalid_payloads"
    assert response.json()["message"].startswith("Corpul cererii nu este")


async def test_a_payload_no_key_opens_is_a_400_naming_the_key(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    foreign = await EncryptionCodec(KeyRing.parse(f"k-old:{new_key()}", "k-old")).encode(plain_payloads("x"))
    tampered = await encrypted(settings, ticket_like())
    tampered[0].data = tampered[0].data[:-1] + bytes([tampered[0].data[-1] ^ 1])

    unknown = await api.post("/codec/decode", json=as_json(foreign), headers=staff_headers("ops01"))
    forged = await api.post("/codec/decode", json=as_json(tampered), headers=staff_headers("ops01"))

    assert unknown.status_code == 400 and unknown.json()["code"] == "codec_undecodable"
    assert "'k-old'" in unknown.json()["detail"]
    assert forged.status_code == 400 and forged.json()["code"] == "codec_undecodable"


async def test_a_body_over_the_limit_is_a_413(api: httpx.AsyncClient) -> None:
    huge = b'{"payloads": [{"data": "' + b"A" * (16 * 1024 * 1024 + 4) + b'"}]}'

    response = await api.post(
        "/codec/decode", content=huge, headers={**staff_headers("ops01"), "Content-Type": "application/json"}
    )

    # The app-wide size limit (http_api/body_limits.py, the codec server's own setting) answers first.
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"


async def test_unencrypted_payloads_pass_through(api: httpx.AsyncClient) -> None:
    """Histories recorded before encryption (the replay fixtures) still read in the UI."""
    body = as_json(plain_payloads(ticket_like()))

    response = await api.post("/codec/decode", json=body, headers=staff_headers("ops01"))

    assert response.status_code == 200 and response.json() == body


# --- keys per municipality (issue 11) -------------------------------------------------------------

HUEDIN_DIRECTOR = "huedin-urbanism-dir"
HUEDIN_MAYOR = "huedin-primar"
CLUJ_DIRECTOR = "dir-urbanism"


async def huedin_encrypted(settings: Settings, *values: Any) -> list[Payload]:
    """Payloads as the worker writes them for a Huedin ticket: under Huedin's own key."""
    codec = EncryptionCodec(settings.payload_keyring)
    huedin = codec.with_key(settings.payload_keyring.key_id_for("huedin"))
    return await huedin.encode(plain_payloads(*values))


async def test_a_citys_payloads_decode_for_its_own_staff_and_national_ops_only(
    api: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="http_api.codec")
    huedin = as_json(await huedin_encrypted(settings, ticket_like()))
    cluj = as_json(await encrypted(settings, ticket_like()))
    assert huedin["payloads"][0]["metadata"][KEY_ID_METADATA] == base64.b64encode(b"huedin-dev").decode()
    assert cluj["payloads"][0]["metadata"][KEY_ID_METADATA] == base64.b64encode(b"dev").decode()
    plain = as_json(plain_payloads(ticket_like()))

    async def decoded(staff_id: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await api.post("/codec/decode", json=body, headers=staff_headers(staff_id))
        assert response.status_code == 200, (staff_id, response.text)
        answer: dict[str, Any] = response.json()
        return answer

    for own in (HUEDIN_DIRECTOR, HUEDIN_MAYOR):
        assert await decoded(own, huedin) == plain, own
        assert await decoded(own, cluj) == cluj, own  # Cluj-Napoca's stays encrypted
    assert await decoded(CLUJ_DIRECTOR, cluj) == plain
    assert await decoded(CLUJ_DIRECTOR, huedin) == huedin  # Huedin's stays encrypted
    # National ops (the default municipality's) open both; a mixed batch is opened payload by payload.
    assert await decoded(OPS_ID, huedin) == plain and await decoded(OPS_ID, cluj) == plain
    mixed = {"payloads": huedin["payloads"] + cluj["payloads"]}
    assert await decoded(CLUJ_DIRECTOR, mixed) == {"payloads": huedin["payloads"] + plain["payloads"]}

    lines = [r.getMessage() for r in caplog.records if r.name == "http_api.codec"]
    assert (
        f"codec decode by {CLUJ_DIRECTOR} (director, cluj-napoca, bearer): namespace=- payloads=2 "
        "withheld=1 tickets=Ab3_x-Yz09Qw files=700999/2026" in lines
    )
    assert CITIZEN_NAME not in caplog.text and CITIZEN_EMAIL not in caplog.text


async def test_a_city_director_encodes_under_the_citys_own_key(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    body = as_json(plain_payloads("semnal"))
    for staff_id, key_id in ((HUEDIN_DIRECTOR, b"huedin-dev"), (CLUJ_DIRECTOR, b"dev"), (OPS_ID, b"dev")):
        response = await api.post("/codec/encode", json=body, headers=staff_headers(staff_id))
        assert response.status_code == 200, response.text
        sealed = from_json(response.json())
        assert sealed[0].metadata[KEY_ID_METADATA] == key_id, staff_id
        assert await EncryptionCodec(settings.payload_keyring).decode(sealed) == plain_payloads("semnal")


# --- the audit line ------------------------------------------------------------------------------


async def test_each_decode_is_logged_with_who_where_and_which_ticket_never_the_data(
    api: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="http_api.codec")
    body = as_json(await encrypted(settings, ticket_like(), {"note": CITIZEN_NAME}))

    response = await api.post(
        "/codec/decode", json=body, headers={**staff_headers("ops01"), "X-Namespace": "default"}
    )
    refused = await api.post("/codec/decode", json=body, headers={"X-Namespace": "default"})

    assert response.status_code == 200 and refused.status_code == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "http_api.codec"]
    assert lines == [
        "codec decode by ops01 (ops, cluj-napoca, bearer): namespace=default payloads=2 withheld=0 "
        "tickets=Ab3_x-Yz09Qw files=700999/2026"
    ]
    assert CITIZEN_NAME not in caplog.text and CITIZEN_EMAIL not in caplog.text


async def test_a_strange_namespace_header_is_not_logged_as_is(
    api: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="http_api.codec")
    body = as_json(await encrypted(settings, "x"))

    response = await api.post(
        "/codec/encode", json=body, headers={**staff_headers("dir-urbanism"), "X-Namespace": "a b"}
    )

    assert response.status_code == 200
    assert [r.getMessage() for r in caplog.records if r.name == "http_api.codec"] == [
        "codec encode by dir-urbanism (director, cluj-napoca, bearer): namespace=- payloads=1 withheld=0 "
        "tickets=- files=-"
    ]


# --- the real CLI --------------------------------------------------------------------------------


async def temporal_show(env: WorkflowEnvironment, workflow_id: str, *codec: str) -> tuple[int, str]:
    """`temporal workflow show --detailed` as ops would type it, run as a subprocess off the event
    loop the API serves on; the exit code and everything it printed."""
    process = await asyncio.create_subprocess_exec(
        TEMPORAL_CLI,
        "workflow",
        "show",
        "--address",
        env.client.service_client.config.target_host,
        "--namespace",
        env.client.namespace,
        "--workflow-id",
        workflow_id,
        "--detailed",
        *codec,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def forget(client: Client, workflow_id: str) -> None:
    """Delete the ticket (Temporal terminates it first), so no other test replays its encrypted history
    with a converter that cannot read it."""
    await client.workflow_service.delete_workflow_execution(
        DeleteWorkflowExecutionRequest(
            namespace=client.namespace, workflow_execution=WorkflowExecution(workflow_id=workflow_id)
        )
    )
    deadline = asyncio.get_running_loop().time() + 30
    while (await client.count_workflows(f"WorkflowId = '{workflow_id}'")).count:
        assert asyncio.get_running_loop().time() < deadline, "the deleted ticket stayed visible"
        await asyncio.sleep(0.2)


async def test_temporal_workflow_show_reads_an_encrypted_ticket_through_the_codec_server(
    api: httpx.AsyncClient, env: WorkflowEnvironment, settings: Settings, database_url: str
) -> None:
    encrypting = Client(**env.client.config() | {"data_converter": data_converter(settings)})
    task_queue = f"codec-{uuid.uuid4().hex[:8]}"
    ref = add_file(database_url, bucharest_today(), handler_id=CODEC_CLERK, requester_name=CITIZEN_NAME)
    slot = (await free_slots(api, ref))[0]
    workflow_id = f"tichet-{ref.registration_number.replace('/', '_')}"
    endpoint = str(api.base_url.join("/codec"))
    async with create_worker(encrypting, settings, task_queue=task_queue):
        handle = await encrypting.start_workflow(
            BlueTicketWorkflow.run,
            TicketInput(
                ticket_id=f"codec{uuid.uuid4().hex[:7]}",
                file=ref,
                citizen=Citizen(email=CITIZEN_EMAIL, phone="0712345678"),
                channel=Channel.WEBEX,
                slot_start=datetime.fromisoformat(slot["start"]),
            ),
            id=workflow_id,
            task_queue=task_queue,
        )
        try:
            await wait_for_status(handle, TicketStatus.SCHEDULED)
            raw = await temporal_show(env, workflow_id)
            readable = await temporal_show(
                env, workflow_id, "--codec-endpoint", endpoint, "--codec-auth", "Bearer demo-ops01"
            )
            as_a_clerk = await temporal_show(
                env, workflow_id, "--codec-endpoint", endpoint, "--codec-auth", "Bearer demo-c0001"
            )
        finally:
            await forget(encrypting, workflow_id)

    assert raw[0] == 0 and readable[0] == 0, (raw, readable)
    assert "input[0].citizen.email: " + CITIZEN_EMAIL in readable[1]
    assert "input[0].file.requester_name: " + CITIZEN_NAME in readable[1]
    encrypted_marker = (
        "input.payloads[0].metadata.encoding: " + base64.b64encode(b"binary/encrypted").decode()
    )
    assert encrypted_marker in raw[1]
    for secret in (CITIZEN_EMAIL, CITIZEN_NAME):
        assert secret not in raw[1] and secret not in as_a_clerk[1]
    assert as_a_clerk[0] != 0 and "Error" in as_a_clerk[1]  # the CLI cannot show what it may not read
