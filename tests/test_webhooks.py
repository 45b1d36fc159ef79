"""Webex webhooks end to end: signatures, event parsing, registration, de-duplication, and the
receiver handing a real ticket's meeting events to its workflow.

Bodies come from the emulator itself — built with its own delivery code for the unit tests, and
delivered by it over loopback HTTP for the integration test — so a change in what the emulator
sends shows up here. The receiver's router is mounted on a small app of this module's own (the
full API includes it only once `api.py` does), with the session's Temporal client and database.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import col, select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from webexpythonsdk import WebexAPI

import http_api.webhooks as webhooks_module
from core import search_attributes as sa
from core.catalogs import text
from core.settings import Settings
from domain.models import Outcome, WebexEvent
from http_api import errors
from http_api.deps import AppState
from integrations.webex import WebexMeetings
from integrations.webex_webhooks import (
    SIGNATURE_HEADER,
    WANTED,
    WEBHOOK_PATH,
    ensure_webhooks,
    event_id_for,
    meeting_id_candidates,
    parse_event,
    sign,
    verify_signature,
    webhook_target_url,
)
from store.db import engine_for, session_scope
from store.tables import ArchiveEntry
from store.webhook_events import SqlWebhookEvents
from tests.concurrency import race
from tests.conftest import WEBEX_TOKEN
from tests.helpers import past_the_meeting, scheduled_ticket, steps
from tests.servers import serve_in_loop, serve_in_thread
from webex_emulator.app import create_app as create_webex_app
from webex_emulator.control import meeting_event_data, recording_event_data
from webex_emulator.delivery import envelope
from webex_emulator.delivery import sign as emulator_sign
from webex_emulator.state import EmulatorState, Meeting, Webhook
from workflows.blue_ticket import BlueTicketWorkflow

SECRET = "unit-test-secret"
RECEIVED = datetime(2026, 12, 1, 9, 0, 5, tzinfo=UTC)


# --- bodies as the emulator builds them -------------------------------------------------------------


def _meeting(meeting_id: str | None = None) -> Meeting:
    start = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    return Meeting(
        id=meeting_id or uuid.uuid4().hex,
        meeting_number="25123456789",
        title="Tichet albastru T-1",
        password="secret",
        start=start,
        end=start + timedelta(minutes=15),
        timezone="Europe/Bucharest",
        host_email="c0001@primaria.example",
        enabled_auto_record=True,
        enabled_join_before_host=False,
        send_email=False,
        integration_tags=["T-1:0"],
        started_at=start,
        ended_at=start + timedelta(minutes=14),
    )


def _hook(resource: str, event: str) -> Webhook:
    return Webhook(
        id=f"hook-{uuid.uuid4().hex}",
        name="t",
        target_url="http://127.0.0.1:1/webhooks/webex",
        resource=resource,
        event=event,
        filter=None,
        secret=None,
    )


def _raw(body: dict[str, Any]) -> bytes:
    """Serialised exactly as `webex_emulator.delivery.deliver` does before signing."""
    return json.dumps(body, separators=(",", ":")).encode()


def meeting_body(meeting: Meeting, event: str, hook: Webhook | None = None) -> dict[str, Any]:
    return envelope(hook or _hook("meetings", event), "meetings", event, meeting_event_data(meeting))


def recording_body(meeting: Meeting, hook: Webhook | None = None) -> tuple[dict[str, Any], str]:
    recording = EmulatorState().add_recording(meeting, "http://127.0.0.1:1")
    data = recording_event_data(recording)
    return envelope(hook or _hook("recordings", "created"), "recordings", "created", data), recording.id


# --- verify_signature -------------------------------------------------------------------------------


def test_a_signature_made_by_the_emulator_verifies() -> None:
    raw = _raw(meeting_body(_meeting(), "ended"))
    assert verify_signature(raw, emulator_sign(raw, SECRET), SECRET)
    assert sign(raw, SECRET) == emulator_sign(raw, SECRET)
    assert verify_signature(raw, emulator_sign(raw, SECRET).upper(), SECRET)  # hex is hex


@pytest.mark.parametrize("header", [None, "", "   ", "not-hex", "é" * 40])
def test_missing_empty_or_garbled_signatures_are_refused(header: str | None) -> None:
    assert not verify_signature(b'{"a":1}', header, SECRET)


def test_wrong_secret_tampered_body_or_empty_secret_are_refused() -> None:
    raw = _raw(meeting_body(_meeting(), "ended"))
    good = emulator_sign(raw, SECRET)
    assert not verify_signature(raw, emulator_sign(raw, "another-secret"), SECRET)
    assert not verify_signature(raw.replace(b"ended", b"ENDED"), good, SECRET)
    assert not verify_signature(raw + b" ", good, SECRET)  # the raw bytes, not the parsed JSON
    assert not verify_signature(raw, emulator_sign(raw, ""), "")


# --- parse_event ------------------------------------------------------------------------------------


def test_meeting_started_and_ended_map_to_the_meeting() -> None:
    meeting = _meeting()
    started = parse_event(meeting_body(meeting, "started"), received_at=RECEIVED)
    ended = parse_event(meeting_body(meeting, "ended"), received_at=RECEIVED)
    assert started == WebexEvent(
        event_id=f"meetings:started:{meeting.id}",
        kind="meeting_started",
        meeting_id=meeting.id,
        recording_id=None,
        at=RECEIVED,
    )
    assert ended is not None and ended.kind == "meeting_ended" and ended.meeting_id == meeting.id
    assert ended.event_id != started.event_id


def test_recording_created_carries_the_recording_and_its_meeting() -> None:
    meeting = _meeting()
    body, recording_id = recording_body(meeting)
    event = parse_event(body, received_at=RECEIVED)
    assert event is not None
    assert event.kind == "recording_created"
    assert event.meeting_id == meeting.id and event.recording_id == recording_id
    assert event.event_id == f"recordings:created:{recording_id}"
    assert event.at.tzinfo is not None and abs(event.at - datetime.now(UTC)) < timedelta(minutes=1)


def test_one_event_through_two_webhooks_is_one_event_id_and_different_events_differ() -> None:
    """The envelope's `id` is the webhook's: it must not make a re-delivery look new."""
    meeting, other = _meeting(), _meeting()
    first = meeting_body(meeting, "ended", _hook("meetings", "ended"))
    second = meeting_body(meeting, "ended", _hook("meetings", "all"))
    assert first["id"] != second["id"]
    one, two = parse_event(first), parse_event(second)
    assert one is not None and two is not None and one.event_id == two.event_id
    ids = {
        e.event_id
        for e in (
            parse_event(meeting_body(meeting, "started")),
            parse_event(first),
            parse_event(meeting_body(other, "ended")),
            parse_event(recording_body(meeting)[0]),
            parse_event(recording_body(meeting)[0]),
        )
        if e is not None
    }
    assert len(ids) == 5


def test_events_the_tickets_do_not_use_are_none() -> None:
    meeting = _meeting()
    data = meeting_event_data(meeting)
    for resource, event in [("meetings", "created"), ("meetings", "updated"), ("messages", "created")]:
        assert parse_event(envelope(_hook(resource, event), resource, event, data)) is None
    assert parse_event({"resource": "meetings", "event": "ended"}) is None  # no data
    assert parse_event({"resource": "meetings", "event": "ended", "data": {"id": 7}}) is None
    hostile = {**data, "id": "x' OR WorkflowId != '", "meetingId": "x'", "meetingSeriesId": "'"}
    assert parse_event(envelope(_hook("meetings", "ended"), "meetings", "ended", hostile)) is None


def test_real_webex_shapes_list_the_series_id_first() -> None:
    """Real Webex names the instance in `data.id` and the series (what POST /meetings returned)
    in `data.meetingSeriesId`; the receiver looks the ticket up by every id the event names."""
    body = {
        "resource": "meetings",
        "event": "ended",
        "data": {"id": "abc_I_123", "meetingId": "abc_I_123", "meetingSeriesId": "abc"},
    }
    assert meeting_id_candidates(body) == ["abc", "abc_I_123"]
    event = parse_event(body, received_at=RECEIVED)
    assert event is not None and event.meeting_id == "abc" and event.event_id == "meetings:ended:abc_I_123"
    recording = {"resource": "recordings", "event": "created", "data": {"id": "r1", "meetingId": "m1"}}
    assert meeting_id_candidates(recording) == ["m1"]  # a recording's own id is not a meeting


def test_overlong_ids_are_hashed_to_fit_the_key() -> None:
    long_id = "a" * 190
    event_id = event_id_for("recordings", "created", long_id)
    assert len(event_id) <= 200 and event_id == event_id_for("recordings", "created", long_id)


# --- ensure_webhooks against a private emulator -----------------------------------------------------


@pytest.fixture
def private_emulator() -> Iterator[str]:
    with serve_in_thread(create_webex_app(WEBEX_TOKEN, "emulator-default-secret")) as url:
        yield url


def _sdk(emulator: str) -> WebexAPI:
    return WebexAPI(access_token=WEBEX_TOKEN, base_url=f"{emulator}/v1/", wait_on_rate_limit=False)


def _hooks(emulator: str) -> list[dict[str, Any]]:
    hooks: list[dict[str, Any]] = httpx.get(f"{emulator}/_control/state").json()["webhooks"]
    return hooks


def test_ensure_webhooks_creates_what_is_missing_once(private_emulator: str) -> None:
    target = "http://127.0.0.1:8000/webhooks/webex"
    sdk = _sdk(private_emulator)
    sdk.webhooks.create("someone else", "http://elsewhere.example/hook", "meetings", "ended")
    first = ensure_webhooks(WebexMeetings(f"{private_emulator}/v1", WEBEX_TOKEN), target, SECRET)
    assert len(first.created) == 3 and first.kept == () and first.deleted == ()
    second = ensure_webhooks(sdk, target, SECRET)  # the plain SDK works too
    assert second.created == () and sorted(second.kept) == sorted(first.created)
    ours = [h for h in _hooks(private_emulator) if h["targetUrl"] == target]
    assert {(h["resource"], h["event"]) for h in ours} == {(w.resource, w.event) for w in WANTED}
    assert all(h["secret"] == SECRET and h["status"] == "active" for h in ours)
    assert len(_hooks(private_emulator)) == 4, "a webhook pointing elsewhere is left alone"


def test_ensure_webhooks_replaces_a_wrong_secret_and_prunes_copies(private_emulator: str) -> None:
    target = "http://127.0.0.1:8000/webhooks/webex"
    sdk = _sdk(private_emulator)
    stale = sdk.webhooks.create("old", target, "meetings", "ended", secret="rotated-away")
    twins = [sdk.webhooks.create("twin", target, "meetings", "started", secret=SECRET) for _ in range(2)]
    result = ensure_webhooks(sdk, target, SECRET)
    assert set(result.deleted) == {stale.id, twins[1].id}
    assert twins[0].id in result.kept and len(result.created) == 2
    ours = [h for h in _hooks(private_emulator) if h["targetUrl"] == target]
    assert len(ours) == 3 and all(h["secret"] == SECRET for h in ours)


def test_ensure_webhooks_refuses_an_empty_secret(private_emulator: str) -> None:
    with pytest.raises(ValueError):
        ensure_webhooks(_sdk(private_emulator), "http://127.0.0.1:8000/webhooks/webex", "")


def test_the_target_url_is_the_public_base_plus_the_route() -> None:
    settings = Settings(public_base_url="https://tichet.primaria.example/")
    assert webhook_target_url(settings) == "https://tichet.primaria.example/webhooks/webex"


# --- the de-duplication table, on both backends -----------------------------------------------------


def _event(event_id: str | None = None) -> WebexEvent:
    return WebexEvent(
        event_id=event_id or f"meetings:ended:{uuid.uuid4().hex}",
        kind="meeting_ended",
        meeting_id="m1",
        at=RECEIVED,
    )


def test_record_once_is_true_once_then_false(engine: Engine) -> None:
    events, event = SqlWebhookEvents(engine), _event()
    assert events.record_once(event, received_at=RECEIVED)
    assert not events.record_once(event)
    assert not events.record_once(event.model_copy(update={"kind": "meeting_started"}))
    assert events.seen(event.event_id)
    assert events.record_once(_event())
    assert events.forget(event.event_id) and not events.seen(event.event_id)
    assert events.record_once(event), "a forgotten event can be delivered again"


def test_record_once_lets_exactly_one_of_racing_deliveries_through(engine: Engine) -> None:
    events, event = SqlWebhookEvents(engine), _event()
    outcomes = race(8, lambda _: events.record_once(event))
    assert sorted(o for o in outcomes if isinstance(o, bool)) == [False] * 7 + [True], outcomes


# --- the receiver over HTTP -------------------------------------------------------------------------


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    status: int
    answer: dict[str, Any]


@dataclass
class Recorder:
    """ASGI wrapper that keeps each request to the receiver and its answer, so the test can see what
    the emulator sent and what we replied (the emulator's own report has only the status)."""

    app: FastAPI
    deliveries: list[Delivery] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body, answer, status = bytearray(), bytearray(), [0]

        async def recording_receive() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
            return message

        async def recording_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body":
                answer.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, recording_receive, recording_send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.deliveries.append(Delivery(headers, bytes(body), status[0], json.loads(answer or b"{}")))


def receiver_app(state: AppState) -> FastAPI:
    app = FastAPI()
    errors.install(app)
    app.include_router(webhooks_module.router)
    app.state.tichet = state
    return app


@dataclass
class Receiver:
    url: str
    recorder: Recorder

    @property
    def target(self) -> str:
        return self.url + WEBHOOK_PATH


@pytest.fixture(scope="module")
async def receiver(env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Receiver]:
    state = AppState.build(settings, env.client)
    recorder = Recorder(receiver_app(state))
    async with serve_in_loop(recorder) as url:
        yield Receiver(url, recorder)


async def _post(receiver: Receiver, raw: bytes, signature: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.post(receiver.target, content=raw, headers=headers)


async def test_unsigned_or_wrongly_signed_deliveries_are_401(receiver: Receiver, settings: Settings) -> None:
    raw = _raw(meeting_body(_meeting(), "ended"))
    tampered = raw.replace(b'"ended"', b'"started"')
    refused = [
        await _post(receiver, raw, None),
        await _post(receiver, raw, ""),
        await _post(receiver, raw, sign(raw, "not-our-secret")),
        await _post(receiver, tampered, sign(raw, settings.webex_webhook_secret)),
    ]
    assert [r.status_code for r in refused] == [401] * 4
    # Its own code and a neutral sentence: nothing tells a stranger to send a personal token.
    assert {r.json()["code"] for r in refused} == {"webhook_signature_invalid"}
    assert refused[0].json()["message"] == text("webhook_signature_invalid")
    assert all("token" not in r.text.lower() for r in refused)


async def test_signed_but_unusable_bodies(receiver: Receiver, settings: Settings) -> None:
    secret = settings.webex_webhook_secret
    not_json = b"<xml/>"
    assert (await _post(receiver, not_json, sign(not_json, secret))).status_code == 400
    meeting = _meeting()
    raw = _raw(envelope(_hook("messages", "created"), "messages", "created", {"id": "m"}))
    ignored = await _post(receiver, raw, sign(raw, secret))
    assert ignored.status_code == 200 and ignored.json() == {"ignored": True}
    raw = _raw(envelope(_hook("meetings", "created"), "meetings", "created", meeting_event_data(meeting)))
    assert (await _post(receiver, raw, sign(raw, secret))).json() == {"ignored": True}


async def test_a_meeting_no_ticket_has_is_pending_and_not_recorded(
    receiver: Receiver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks_module, "LOOKUP_DELAYS_SECONDS", (0.05, 0.05))
    raw = _raw(meeting_body(_meeting(), "ended"))
    answer = await _post(receiver, raw, sign(raw, settings.webex_webhook_secret))
    assert answer.status_code == 202 and answer.json() == {"pending": True}
    event = parse_event(json.loads(raw))
    assert event is not None
    events = SqlWebhookEvents(engine_for(settings.database_url))
    assert not events.seen(event.event_id), "an undelivered event must stay deliverable"


async def _signals(client: Client, handle: WorkflowHandle[Any, Any]) -> list[dict[str, Any]]:
    history = await handle.fetch_history()
    codec = client.data_converter.payload_codec
    assert codec is not None, "the history holds ciphertext: the client's codec opens it"
    payloads: list[dict[str, Any]] = []
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            continue
        attributes = event.workflow_execution_signaled_event_attributes
        if attributes.signal_name == "webex_event":
            [plain] = await codec.decode(attributes.input.payloads[:1])
            payloads.append(json.loads(plain.data))
    return payloads


async def test_a_tickets_meeting_events_reach_its_workflow_once(
    api: httpx.AsyncClient,
    client: Client,
    database_url: str,
    settings: Settings,
    webex_url: str,
    receiver: Receiver,
    env: WorkflowEnvironment,
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url)
    assert view.meeting is not None and view.meeting.meeting_id is not None
    meeting_id = view.meeting.meeting_id
    # The ticket's clock past the slot's start: a meeting that ended before it was not held.
    await past_the_meeting(env, requested.handle, view, extra=timedelta(minutes=1))
    described = await requested.handle.describe()
    assert described.typed_search_attributes.get(sa.WEBEX_MEETING_ID) == meeting_id

    secret = settings.webex_webhook_secret
    webex = WebexMeetings(settings.webex_base_url, settings.webex_token)
    sdk = _sdk(webex_url)
    registration = await asyncio.to_thread(ensure_webhooks, webex, receiver.target, secret)
    # A second registration of the same webhook (two API processes starting at once), and one
    # carrying a stale secret: Webex delivers the event through each of them.
    twin = await asyncio.to_thread(
        sdk.webhooks.create, "twin", receiver.target, "meetings", "ended", secret=secret
    )
    stale = await asyncio.to_thread(
        sdk.webhooks.create, "stale", receiver.target, "meetings", "ended", secret="rotated-away"
    )
    first_delivery = len(receiver.recorder.deliveries)
    try:
        async with httpx.AsyncClient(timeout=30) as http:  # async: this loop must keep serving us
            ended = (await http.post(f"{webex_url}/_control/meetings/{meeting_id}/end")).json()
    finally:
        for hook_id in (*registration.created, *registration.kept, twin.id, stale.id):
            await asyncio.to_thread(sdk.webhooks.delete, hook_id)

    assert ended["recording"] is not None, "ticket meetings are auto-recorded"
    ours = [d for d in ended["deliveries"] if d["targetUrl"] == receiver.target]
    assert [d["status"] for d in ours] == [200, 200, 401, 200]
    answers = [d.answer for d in receiver.recorder.deliveries[first_delivery:]]
    assert answers[0] == {"delivered": True}  # meetings/ended, first registration
    assert answers[1] == {"duplicate": True}  # meetings/ended again, through the twin
    assert answers[2]["code"] == "webhook_signature_invalid"  # signed with a secret we no longer hold
    assert answers[3] == {"delivered": True}  # recordings/created

    signals = await _signals(client, requested.handle)
    assert [s["kind"] for s in signals] == ["meeting_ended", "recording_created"]
    assert signals[0]["event_id"] == f"meetings:ended:{meeting_id}"
    assert signals[1]["recording_id"] == ended["recording"]["id"]
    assert {s["meeting_id"] for s in signals} == {meeting_id}

    # Webex re-delivering the very same bytes: acknowledged, not signalled again.
    delivered = next(
        d for d in receiver.recorder.deliveries[first_delivery:] if d.answer == {"delivered": True}
    )
    again = await _post(receiver, delivered.body, delivered.headers[SIGNATURE_HEADER.lower()])
    assert again.status_code == 200 and again.json() == {"duplicate": True}
    assert (await _post(receiver, delivered.body, None)).status_code == 401
    assert len(await _signals(client, requested.handle)) == 2

    # What the workflow did with them: both on the timeline, the meeting held (provisionally, the
    # clerk may still correct it) and the recording in the archive at once (R10).
    shown = await _wait_for_steps(requested.handle, "meeting ended", "recording created")
    assert {"meeting ended", "recording created"} <= set(shown)
    assert (await requested.handle.query(BlueTicketWorkflow.status)).outcome == Outcome.HELD
    archived = await _wait_for_archive(database_url, requested.ticket_id)
    assert archived.recording_ref == ended["recording"]["id"]


async def _wait_for_archive(database_url: str, ticket_id: str, within: float = 10) -> ArchiveEntry:
    """The ticket's archive row once it holds a recording (the workflow writes it in an activity)."""
    deadline = asyncio.get_running_loop().time() + within
    row = _archived_recording(database_url, ticket_id)
    while row is None and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
        row = _archived_recording(database_url, ticket_id)
    assert row is not None, "the recording never reached the archive"
    return row


def _archived_recording(database_url: str, ticket_id: str) -> ArchiveEntry | None:
    with session_scope(engine_for(database_url)) as session:
        return session.exec(
            select(ArchiveEntry).where(
                ArchiveEntry.ticket_id == ticket_id, col(ArchiveEntry.recording_ref).is_not(None)
            )
        ).first()


async def _wait_for_steps(handle: WorkflowHandle[Any, Any], *wanted: str, within: float = 10) -> list[str]:
    deadline = asyncio.get_running_loop().time() + within
    shown: list[str] = []
    while asyncio.get_running_loop().time() < deadline:
        shown = steps(await handle.query(BlueTicketWorkflow.status))
        if set(wanted) <= set(shown):
            break
        await asyncio.sleep(0.1)
    return shown


# --- failures never surface as a bare 500 -----------------------------------------------------------


class _FailingSignalClient:
    """Finds one running ticket, then fails to signal it: Temporal going away mid-delivery."""

    def __init__(self, status: RPCStatusCode) -> None:
        self.status = status

    def list_workflows(self, query: str, *, limit: int | None = None) -> AsyncIterator[Any]:
        async def executions() -> AsyncIterator[Any]:
            yield _Execution()

        return executions()

    def get_workflow_handle(self, workflow_id: str) -> Any:
        status = self.status

        class _Handle:
            async def signal(self, name: str, arg: Any) -> None:
                raise RPCError("signal failed", status, b"")

        return _Handle()


@dataclass
class _Execution:
    id: str = "tichet-999999/2026"
    start_time: datetime = RECEIVED
    typed_search_attributes: Any = field(default_factory=lambda: _NoAttributes())


class _NoAttributes:
    def get(self, key: Any) -> None:
        return None


@pytest.mark.parametrize(
    ("status", "expected"), [(RPCStatusCode.UNAVAILABLE, 503), (RPCStatusCode.NOT_FOUND, 202)]
)
async def test_a_failed_signal_forgets_the_event_so_it_can_come_again(
    settings: Settings, status: RPCStatusCode, expected: int
) -> None:
    state = AppState.build(
        settings,
        cast(Client, _FailingSignalClient(status)),
    )
    raw = _raw(meeting_body(_meeting(), "ended"))
    transport = httpx.ASGITransport(app=receiver_app(state), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
        headers = {SIGNATURE_HEADER: sign(raw, settings.webex_webhook_secret)}
        answer = await http.post(WEBHOOK_PATH, content=raw, headers=headers)
    assert answer.status_code == expected
    event = parse_event(json.loads(raw))
    assert event is not None
    assert not SqlWebhookEvents(engine_for(settings.database_url)).seen(event.event_id)


async def test_temporal_unreachable_is_503_not_500(settings: Settings) -> None:
    dead = await Client.connect("127.0.0.1:1", lazy=True)
    state = AppState.build(settings, dead)
    raw = _raw(meeting_body(_meeting(), "ended"))
    transport = httpx.ASGITransport(app=receiver_app(state), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
        headers = {SIGNATURE_HEADER: sign(raw, settings.webex_webhook_secret)}
        answer = await http.post(WEBHOOK_PATH, content=raw, headers=headers)
    assert answer.status_code == 503 and answer.json()["code"] == "service_unavailable"
